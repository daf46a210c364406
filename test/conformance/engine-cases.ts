// Loading Cerbos's engine corpus (internal/test/testdata/engine*/) and comparing decisions in one
// normalised shape, whether they come from the Node host (engine-shaped CheckOutput), from an HTTP
// CheckResources response (`verdict serve` or real Cerbos), or from the corpus's wantOutputs.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { corpusTestdataDir } from "../oracle/paths.ts";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

export interface EngineInput {
  requestId?: string;
  principal: { id: string; roles: string[]; attr?: Obj; policyVersion?: string; scope?: string };
  resource: { kind: string; id: string; attr?: Obj; policyVersion?: string; scope?: string };
  actions: string[];
  auxData?: Obj;
}

export interface EngineCase {
  /** e.g. "engine/case_00.yaml" */
  file: string;
  description: string;
  inputs: EngineInput[];
  wantOutputs: Obj[];
  wantError: boolean;
}

export function loadEngineCases(subdir: string): EngineCase[] {
  const dir = join(corpusTestdataDir(), subdir);
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => {
      const doc = parse(readFileSync(join(dir, f), "utf8")) as Obj;
      return {
        file: `${subdir}/${f}`,
        description: String(doc.description ?? ""),
        inputs: (doc.inputs ?? []) as unknown as EngineInput[],
        wantOutputs: (doc.wantOutputs ?? []) as Obj[],
        wantError: Boolean(doc.wantError),
      };
    });
}

// ---------------------------------------------------------------------------------------------
// Normalised decision

export interface ActionDecision {
  effect: string;
  policy: string;
  /** "" when Cerbos omits it (root scope). */
  scope: string;
}

export interface NormDecision {
  actions: Record<string, ActionDecision>;
  /** Sorted: Cerbos builds the list from a Go map, so its order is random. */
  effectiveDerivedRoles: string[];
  /**
   * Sorted canonical JSON of {src, action, val, error?}. Cerbos resolves a request's actions by
   * ranging over a Go map (ruletable/check.go `unresolvedActions`), so outputs of different actions
   * come back in random order; only the multiset is meaningful.
   */
  outputs: string[];
  /** Sorted canonical JSON of {expression, message}; undefined when the source does not report them. */
  evaluationErrors?: string[];
  /** Sorted canonical JSON of {path, message, source}: Cerbos validates object properties in Go
   *  map order, so only the multiset is meaningful. */
  validationErrors: string[];
}

export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(",")}}`;
}

function normOutputs(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .map((o: Record<string, unknown>) => {
      const e: Record<string, unknown> = { src: o.src, action: o.action };
      // A null Value and an absent one are the same protobuf (nil *structpb.Value).
      if (o.val !== undefined && o.val !== null) e.val = o.val;
      if (o.error !== undefined && o.error !== "") e.error = o.error;
      return canonicalJson(e);
    })
    .sort();
}

function normEvalErrors(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .map((e: { celError?: { expression?: string; message?: string } }) =>
      canonicalJson({ expression: e.celError?.expression ?? "", message: e.celError?.message ?? "" }),
    )
    .sort();
}

function normValidationErrors(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .map((e: { path?: string; message?: string; source?: string }) =>
      canonicalJson({ path: e.path ?? "", message: e.message ?? "", source: e.source ?? "" }),
    )
    .sort();
}

function normActions(actions: unknown): Record<string, ActionDecision> {
  const out: Record<string, ActionDecision> = {};
  for (const [a, v] of Object.entries((actions ?? {}) as Record<string, { effect?: string; policy?: string; scope?: string }>)) {
    out[a] = { effect: v.effect ?? "", policy: v.policy ?? "", scope: v.scope ?? "" };
  }
  return out;
}

/** A corpus wantOutputs entry (accepts protojson's snake_case spelling too, as case_14 uses it). */
export function normWant(w: Obj): NormDecision {
  const edr = (w.effectiveDerivedRoles ?? w.effective_derived_roles ?? []) as string[];
  return {
    actions: normActions(w.actions),
    effectiveDerivedRoles: [...edr].sort(),
    outputs: normOutputs(w.outputs),
    evaluationErrors: normEvalErrors(w.evaluationErrors ?? w.evaluation_errors),
    validationErrors: normValidationErrors(w.validationErrors ?? w.validation_errors),
  };
}

/** An engine-shaped CheckOutput from Pdp.checkInputs. */
export function normEngine(o: Record<string, unknown>): NormDecision {
  return {
    actions: normActions(o.actions),
    effectiveDerivedRoles: [...((o.effectiveDerivedRoles ?? []) as string[])].sort(),
    outputs: normOutputs(o.outputs),
    evaluationErrors: o.evaluationErrors === undefined ? undefined : normEvalErrors(o.evaluationErrors),
    validationErrors: normValidationErrors(o.validationErrors),
  };
}

/** One entry of an HTTP CheckResources response's `results` (sent with includeMeta: true). */
export function normHttpResult(r: Record<string, unknown>): NormDecision {
  const effects = (r.actions ?? {}) as Record<string, string>;
  const meta = (r.meta ?? {}) as { actions?: Record<string, { matchedPolicy?: string; matchedScope?: string }>; effectiveDerivedRoles?: string[] };
  const actions: Record<string, ActionDecision> = {};
  for (const [a, eff] of Object.entries(effects)) {
    const m = meta.actions?.[a] ?? {};
    actions[a] = { effect: eff, policy: m.matchedPolicy ?? "", scope: m.matchedScope ?? "" };
  }
  return {
    actions,
    effectiveDerivedRoles: [...(meta.effectiveDerivedRoles ?? [])].sort(),
    outputs: normOutputs(r.outputs),
    evaluationErrors: undefined, // not part of the HTTP response (decision logs only)
    validationErrors: normValidationErrors(r.validationErrors),
  };
}

export interface DiffOptions {
  /** Compare evaluationErrors when the "got" side reports them. */
  evaluationErrors?: boolean;
}

/** Human-readable differences, empty when the decisions agree. */
export function diffDecisions(want: NormDecision, got: NormDecision, opts: DiffOptions = {}): string[] {
  const d: string[] = [];
  const names = new Set([...Object.keys(want.actions), ...Object.keys(got.actions)]);
  for (const a of [...names].sort()) {
    const w = want.actions[a];
    const g = got.actions[a];
    if (!w || !g) {
      d.push(`action ${JSON.stringify(a)}: ${w ? "missing in answer" : "unexpected in answer"}`);
      continue;
    }
    if (w.effect !== g.effect) d.push(`action ${JSON.stringify(a)} effect: want ${w.effect}, got ${g.effect}`);
    if (w.policy !== g.policy) d.push(`action ${JSON.stringify(a)} policy: want ${w.policy}, got ${g.policy}`);
    if (w.scope !== g.scope) d.push(`action ${JSON.stringify(a)} scope: want ${JSON.stringify(w.scope)}, got ${JSON.stringify(g.scope)}`);
  }
  if (want.effectiveDerivedRoles.join("\n") !== got.effectiveDerivedRoles.join("\n")) {
    d.push(`effectiveDerivedRoles: want [${want.effectiveDerivedRoles.join(", ")}], got [${got.effectiveDerivedRoles.join(", ")}]`);
  }
  if (want.outputs.join("\n") !== got.outputs.join("\n")) {
    d.push(`outputs: want [${want.outputs.join(", ")}], got [${got.outputs.join(", ")}]`);
  }
  if (want.validationErrors.join("\n") !== got.validationErrors.join("\n")) {
    d.push(`validationErrors: want [${want.validationErrors.join(", ")}], got [${got.validationErrors.join(", ")}]`);
  }
  if (opts.evaluationErrors && got.evaluationErrors !== undefined && want.evaluationErrors !== undefined) {
    if (want.evaluationErrors.join("\n") !== got.evaluationErrors.join("\n")) {
      d.push(`evaluationErrors: want [${want.evaluationErrors.join(", ")}], got [${got.evaluationErrors.join(", ")}]`);
    }
  }
  return d;
}

/** The CheckResources HTTP body for one engine input. */
export function inputToHttpRequest(inp: EngineInput): Record<string, unknown> {
  const body: Record<string, unknown> = {
    requestId: inp.requestId ?? "corpus",
    principal: inp.principal,
    resources: [{ actions: inp.actions, resource: inp.resource }],
    includeMeta: true,
  };
  if (inp.auxData !== undefined) body.auxData = inp.auxData;
  return body;
}

// ---------------------------------------------------------------------------------------------
// The one skip list. Every entry is printed at the start of the run; a stale entry fails the run.

export const SKIPPED_CASES: ReadonlyArray<{ file: string; reason: string }> = [];
