// The decisions-only reading of the response words (spec/format.ts "Response"): per resource, one
// boolean per requested action (true only for an explicit ALLOW: fail closed). Outputs, derived
// roles and evaluation errors are skipped, so this stays tiny for UI gating; decode-response.ts
// is the full reading.
import { Effect, RESP_ACTION_WORDS, RESP_EVAL_ERROR_WORDS, RESP_OUTPUT_WORDS } from "../../spec/format.ts";
import { EvaluatorError } from "./errors.ts";

/** `counts[i]` actions were asked for resource i; returns allowed[i][j]. */
export function decodeEffects(dv: DataView, ptr: number, len: number, counts: readonly number[]): boolean[][] {
  const end = ptr + len;
  let p = ptr;
  const word = (): number => {
    if (p + 4 > end) throw new EvaluatorError("evaluator response truncated");
    const v = dv.getUint32(p, true);
    p += 4;
    return v;
  };
  const out: boolean[][] = [];
  for (const want of counts) {
    const n = word();
    if (n !== want) throw new EvaluatorError(`evaluator answered ${n} actions for ${want} requested`);
    const row: boolean[] = [];
    for (let i = 0; i < n; i++) {
      row.push(word() === Effect.ALLOW);
      p += (RESP_ACTION_WORDS - 1) * 4;
    }
    // Skip the rest (`p += word()…` would read p before word() moves it).
    const roles = word();
    p += roles * 4;
    const outputs = word();
    p += outputs * RESP_OUTPUT_WORDS * 4;
    const errors = word();
    p += errors * RESP_EVAL_ERROR_WORDS * 4;
    out.push(row);
  }
  if (p > end) throw new EvaluatorError("evaluator response truncated");
  return out;
}
