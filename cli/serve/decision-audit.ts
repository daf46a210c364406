// The serve side of the decision log: builds the AuditLog from the config, and per request an
// observer that adds what only the server knows (peer, headers as metadata, the ruleset that
// answered). Drops are reported on /_verdict/status (under `audit`) and as a log line whenever the
// count grows, so lost entries are never silent.
import type { IncomingMessage } from "node:http";
import { AuditLog, type AuditSink, consoleSink, type Decision } from "../../host/common/audit/index.ts";
import { FileSink, HttpSink } from "../../host/node/audit/index.ts";
import type { AuditConfig } from "./audit-config.ts";

export function createAuditLog(
  cfg: AuditConfig,
  log: (line: string) => void,
  policySource?: () => Record<string, unknown> | undefined,
): AuditLog | undefined {
  if (!cfg.enabled || !cfg.sink) return undefined;
  const s = cfg.sink;
  let sink: AuditSink;
  if (s.backend === "file") sink = new FileSink({ path: s.path, maxFileSizeMB: s.maxFileSizeMB, maxFileCount: s.maxFileCount, onError: log });
  else if (s.backend === "http") {
    sink = new HttpSink({ url: s.url, headers: s.headers, maxBatch: s.batchSize, flushIntervalMs: s.flushIntervalMs, maxQueue: s.maxQueue, timeoutMs: s.timeoutMs, onError: log });
  } else sink = consoleSink((l) => process.stdout.write(l + "\n"));
  return new AuditLog({ sinks: [sink], ignoreAllowAll: cfg.ignoreAllowAll, includeMetadataKeys: cfg.includeMetadataKeys, excludeMetadataKeys: cfg.excludeMetadataKeys, policySource });
}

/** The observer for one HTTP request; `rulesetId` is read while the decision is being made, i.e.
 *  in the same synchronous run as the check, so it names the ruleset that answered. */
export function requestObserver(audit: AuditLog, req: IncomingMessage, rulesetId: (() => string | undefined) | undefined): (d: Decision) => void {
  return (d) => {
    const peer: Decision["peer"] = { address: `${req.socket.remoteAddress ?? ""}:${req.socket.remotePort ?? ""}` };
    const ua = req.headers["user-agent"];
    if (ua) peer.userAgent = ua;
    const fwd = req.headers["x-forwarded-for"];
    if (fwd) peer.forwardedFor = Array.isArray(fwd) ? fwd.join(", ") : fwd;
    audit.record({ ...d, peer, metadata: req.headers, rulesetId: rulesetId?.() });
  };
}

/** Logs a line whenever the drop count has grown since the last look (checked every `everyMs`). */
export function reportDrops(audit: AuditLog, log: (line: string) => void, everyMs = 5000): () => void {
  let last = 0;
  const t = setInterval(() => {
    const s = audit.stats();
    if (s.dropped > last) log(`verdict: audit: ${s.dropped - last} decision log entries dropped (total ${s.dropped}); see /_verdict/status`);
    last = s.dropped;
  }, everyMs);
  t.unref();
  return () => clearInterval(t);
}
