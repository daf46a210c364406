// Verdict through its public Node API: Pdp.fromFile(<compiled ruleset>) then pdp.isAllowed(req)
// per decision. The host module is the bundle prep.mjs builds exactly like dist/node.mjs (what
// `import { Pdp } from "verdict/node"` loads); the ruleset is compiled before timing (compile time
// is measured separately, in its own process).
import { readFileSync } from "node:fs";
import { Pdp } from "../.build/verdict-node.mjs";

export const meta = { name: "Verdict (isAllowed)", format: "cerbos", ours: true };

let pdp;
export async function load(policyDir) {
  pdp = Pdp.fromRuleset(new Uint8Array(readFileSync(`${policyDir}/../ruleset.vrdt`)));
}
export function check(req) {
  return pdp.isAllowed(req);
}
/** One checkResources call (Cerbos JSON shape) for a UI menu: one principal, many resources. */
export function batch(principal, resources) {
  return pdp.checkResources({ principal, resources });
}
/** Evaluator linear memory in 64 KiB pages (introspection for the memory measurement only). */
export function wasmPages() {
  const mem = pdp.engine?.inst?.abi?.ex?.memory;
  return mem ? mem.buffer.byteLength / 65536 : NaN;
}
