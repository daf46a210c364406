// The decision log entry, modelled on Cerbos's DecisionLogEntry (audit.proto; the 0.55 file
// backend line): callId, timestamp, peer, metadata, checkResources{inputs, outputs}, auditTrail,
// policySource — plus `rulesetId`, which says exactly which compiled ruleset decided (a git commit,
// an ETag or a content hash), because a running Verdict may swap rulesets between two calls.
// Runtime-neutral: no Node APIs.
import type { CheckInput, CheckOutput } from "../types.ts";

/** Where the call came from (Cerbos's `peer`); filled by servers, absent for in-process calls. */
export interface Peer {
  address?: string;
  userAgent?: string;
  forwardedFor?: string;
}

/** What a host knows about one decision call: the request and the engine outputs. */
export interface Decision {
  callId: string;
  timestamp: Date;
  inputs: CheckInput[];
  outputs: CheckOutput[];
  /** Request headers (lower-case keys); only the keys the metadata filter lets through are logged. */
  metadata?: Record<string, string | string[] | undefined>;
  peer?: Peer;
  /** Set by the caller that knows which ruleset answered (see AuditLog's rulesetId option). */
  rulesetId?: string;
}

export interface DecisionLogEntry {
  callId: string;
  timestamp: string;
  peer?: Peer;
  metadata?: Record<string, { values: string[] }>;
  checkResources: { inputs: CheckInput[]; outputs: CheckOutput[] };
  auditTrail: { effectivePolicies: Record<string, { attributes: Record<string, string> }> };
  policySource?: Record<string, unknown>;
  rulesetId?: string;
}

/** Cerbos's "no policy matched" marker: not a policy, so not part of the audit trail. */
const NO_MATCH = "NO_MATCH";

/** Builds the entry; `metadata` must already be filtered (see filter.ts). */
export function buildDecisionEntry(
  d: Decision,
  extra: { metadata?: Record<string, { values: string[] }>; policySource?: Record<string, unknown>; rulesetId?: string } = {},
): DecisionLogEntry {
  const effectivePolicies: DecisionLogEntry["auditTrail"]["effectivePolicies"] = {};
  for (const out of d.outputs) {
    for (const a of Object.values(out.actions)) {
      if (a.policy && a.policy !== NO_MATCH && !effectivePolicies[a.policy]) effectivePolicies[a.policy] = { attributes: {} };
    }
  }
  const entry: DecisionLogEntry = {
    callId: d.callId,
    timestamp: d.timestamp.toISOString(),
    checkResources: { inputs: d.inputs, outputs: d.outputs },
    auditTrail: { effectivePolicies },
  };
  if (d.peer) entry.peer = d.peer;
  if (extra.metadata && Object.keys(extra.metadata).length) entry.metadata = extra.metadata;
  if (extra.policySource) entry.policySource = extra.policySource;
  const rulesetId = d.rulesetId ?? extra.rulesetId;
  if (rulesetId) entry.rulesetId = rulesetId;
  return entry;
}
