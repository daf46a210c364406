// Response words (spec/format.ts "Response") back to Cerbos's engine-shaped CheckOutput. The host
// only translates sids and cells to text/JSON here; every decision was made by the evaluator.
import { Effect, NONE, RESP_ACTION_WORDS, RESP_EVAL_ERROR_WORDS, RESP_OUTPUT_WORDS, RESP_STRING_CELL } from "../../spec/format.ts";
import type { RulesetIndex } from "./ruleset-strings.ts";
import type { CheckOutput, EffectName, OutputEntry } from "./types.ts";
import { ValueReader } from "./decode-value.ts";
import { EvaluatorError } from "./errors.ts";

export interface ResourceEcho {
  requestId?: string;
  resourceId: string;
  actions: readonly string[];
}

/** Decodes `echo.length` consecutive resource blocks starting at `ptr` (out_ptr) whose total
 *  size is `len` bytes (out_len). Throws when the words run past `len`: a corrupt response must
 *  never be read as a decision. */
export function decodeResponse(
  dv: DataView,
  u8: Uint8Array,
  ptr: number,
  len: number,
  index: RulesetIndex,
  echo: readonly ResourceEcho[],
): CheckOutput[] {
  const end = ptr + len;
  let p = ptr;
  const word = (): number => {
    if (p + 4 > end) throw new EvaluatorError("evaluator response truncated");
    const v = dv.getUint32(p, true);
    p += 4;
    return v;
  };
  const values = new ValueReader(dv, u8, index.strings);
  // A sid, or (RESP_STRING_CELL bit) the address of a STRING cell for text STRINGS lacks, e.g. a
  // policy key built from the request that names no compiled policy.
  const str = (w: number): string => {
    if (w === NONE) return "";
    if (w & RESP_STRING_CELL) return values.string(w & ~RESP_STRING_CELL);
    return index.strings[w] ?? "";
  };

  const results: CheckOutput[] = [];
  for (const e of echo) {
    values.resourceIndex = results.length;
    const actions: CheckOutput["actions"] = {};
    const n = word();
    const decided: Array<CheckOutput["actions"][string]> = [];
    for (let i = 0; i < n; i++) {
      const effect = word();
      const policy = str(word());
      const scope = word();
      // Anything but an explicit ALLOW is a DENY: fail closed on NO_MATCH or unknown codes.
      const r: { effect: EffectName; policy: string; scope?: string } = {
        effect: effect === Effect.ALLOW ? "EFFECT_ALLOW" : "EFFECT_DENY",
        policy,
      };
      if (scope !== NONE && str(scope) !== "") r.scope = str(scope);
      decided.push(r);
    }
    if (n !== e.actions.length) throw new EvaluatorError(`evaluator answered ${n} actions for ${e.actions.length} requested`);
    for (let i = 0; i < n; i++) actions[e.actions[i]!] = decided[i]!;

    const d = word();
    const effectiveDerivedRoles: string[] = [];
    for (let i = 0; i < d; i++) effectiveDerivedRoles.push(str(word()));

    const o = word();
    const outputs: OutputEntry[] = [];
    for (let i = 0; i < o; i++) {
      const src = str(word());
      const action = e.actions[word()] ?? "";
      const cell = word();
      const failed = word() !== 0;
      outputs.push(failed ? { src, action, error: values.errorMessage(cell) } : { src, val: values.json(cell), action });
    }

    const ee = word();
    const evaluationErrors: NonNullable<CheckOutput["evaluationErrors"]> = [];
    for (let i = 0; i < ee; i++) {
      const expr = word();
      const cell = word();
      const sid = expr < index.exprSources.length ? index.exprSources[expr]! : NONE;
      evaluationErrors.push({ celError: { expression: str(sid), message: values.errorMessage(cell) } });
    }

    // requestId first: the same key order as Cerbos's JSON.
    const out: CheckOutput =
      e.requestId !== undefined
        ? { requestId: e.requestId, resourceId: e.resourceId, actions, effectiveDerivedRoles, outputs }
        : { resourceId: e.resourceId, actions, effectiveDerivedRoles, outputs };
    if (evaluationErrors.length) out.evaluationErrors = evaluationErrors;
    results.push(out);
  }
  return results;
}

/** Word counts, re-exported so tests can build synthetic responses with the same layout. */
export const RESPONSE_LAYOUT = { RESP_ACTION_WORDS, RESP_OUTPUT_WORDS, RESP_EVAL_ERROR_WORDS };
