// The gating half of the Workers host, kept small (issue 4: ≤ 5 KB min+gzip with everything it
// imports): a decoder that reads only the per-action answers (effect, matched policy and scope)
// and a validator for gating queries. Neither decides anything: the evaluator does; these only
// refuse what must never reach it and translate what it said.
//
// The Cerbos HTTP API (cerbos-api.ts) keeps Cerbos's own validation messages (host/common/
// validate.ts) and the full response decoder (outputs, derived roles, evaluation errors).
import { CL_A, CL_B, Effect, NONE, RESP_EVAL_ERROR_WORDS, RESP_OUTPUT_WORDS, RESP_STRING_CELL } from "../../spec/format.ts";
import { EvaluatorError } from "../common/errors.ts";
import { utf8 } from "../common/imports.ts";
import type { RulesetIndex } from "../common/ruleset-strings.ts";
import type { EffectName } from "../common/types.ts";
import { RequestValidationError } from "../common/validate.ts";

/** One action's answer, as host/node's CheckOutput carries it. */
export interface ActionDecision {
  effect: EffectName;
  policy: string;
  scope?: string;
}


/** Reads `counts.length` resource blocks (spec/format.ts "Response") from out_ptr/out_len:
 *  decisions[i][j] for action j of resource i. Derived roles, outputs and evaluation errors are
 *  skipped. Only an explicit ALLOW is EFFECT_ALLOW (fail closed); a response that runs past `len`
 *  or answers the wrong number of actions throws EvaluatorError, never a decision. */
export function decodeDecisions(
  dv: DataView,
  u8: Uint8Array,
  ptr: number,
  len: number,
  index: RulesetIndex,
  counts: readonly number[],
): ActionDecision[][] {
  const end = ptr + len;
  const malformed = (): never => {
    throw new EvaluatorError("evaluator response malformed");
  };
  const word = (): number => {
    if (ptr + 4 > end) malformed();
    ptr += 4;
    return dv.getUint32(ptr - 4, true);
  };
  // A sid, or (RESP_STRING_CELL bit) the address of a STRING cell: its UTF-8 bytes, which for an
  // interned string are the ruleset's own copy in wasm memory (so no sid lookup is needed).
  const str = (w: number): string => {
    if (w === NONE) return "";
    if (!(w & RESP_STRING_CELL)) return index.strings[w] ?? "";
    const p = dv.getUint32((w ^= RESP_STRING_CELL) + CL_B, true);
    return utf8.decode(u8.subarray(p, p + dv.getUint32(w + CL_A, true)));
  };
  return counts.map((want) => {
    const n = word();
    if (n !== want) malformed();
    const row: ActionDecision[] = [];
    for (let i = 0; i < n; i++) {
      const d: ActionDecision = { effect: word() === Effect.ALLOW ? "EFFECT_ALLOW" : "EFFECT_DENY", policy: str(word()) };
      const scope = str(word());
      if (scope) d.scope = scope;
      row.push(d);
    }
    // The rest of the block (`ptr += word()…` would read ptr before word() moves it).
    const roles = word();
    ptr += roles * 4;
    const outputs = word();
    ptr += outputs * RESP_OUTPUT_WORDS * 4;
    const errors = word();
    ptr += errors * RESP_EVAL_ERROR_WORDS * 4;
    return row;
  });
}

const bad = (path: string): never => {
  throw new RequestValidationError(`invalid request: ${path}`);
};
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const TEXT = ["id", "scope", "policyVersion", "policy_version"];

/** A principal (`list` = "roles") or resource (`list` = "kind"), refused where
 *  host/common/validate.ts refuses it: not an object, an unknown field, a mistyped field, a
 *  missing id, kind or roles (repeated roles excepted, see `names`). */
function entity(o: unknown, path: string, list: "roles" | "kind"): void {
  if (!isObj(o)) bad(path);
  const e = o as Record<string, unknown>;
  for (const k in e) {
    const v = e[k];
    const ok = k === "attr" ? v == null || isObj(v) : k === "roles" ? list === k : (k === list || TEXT.includes(k)) && (v == null || typeof v === "string");
    if (!ok) bad(`${path}.${k}`);
  }
  if (!e.id) bad(`${path}.id`);
  if (list === "roles") names(e.roles, `${path}.roles`);
  else if (!e.kind) bad(`${path}.kind`);
}

/** Roles or actions: a non-empty list of non-empty strings. (Cerbos also refuses repeated roles;
 *  they cannot change a decision, so only the API entry spends bytes on saying so.) */
function names(v: unknown, path: string): void {
  if (!Array.isArray(v) || !v.length || v.some((s) => typeof s !== "string" || !s)) bad(path);
}

/** Throws RequestValidationError for a check the evaluator must not see: what
 *  host/common/validate.ts's validateCheckInput refuses, for one principal and N resources ×
 *  actions (in fewer words: the message names the first offending field). Not checked, to stay in
 *  budget: repeated roles, and auxData's type (the encoder reads only its jwt/jwts objects). */
export function validateChecks(principal: unknown, resources: readonly unknown[]): void {
  entity(principal, "principal", "roles");
  // Not an array, or a null entry: a TypeError, which refuses the call just the same.
  for (const r of resources as Array<{ resource: unknown; actions: unknown }>) {
    entity(r.resource, "resource", "kind");
    names(r.actions, "actions");
  }
}
