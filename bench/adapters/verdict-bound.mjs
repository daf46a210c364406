// Verdict through its principal-bound public API, used the way the CASL adapter uses CASL: one
// binding per user, cached by principal id (`pdp.forPrincipal(principal)`, validated and encoded
// once), then `can.isAllowed(resource, action)` per decision. Menus use the decisions-only batch
// `can.allowedMany(checks)`. Same ruleset and host bundle as verdict.mjs.
import { readFileSync } from "node:fs";
import { Pdp } from "../.build/verdict-node.mjs";

export const meta = { name: "Verdict (forPrincipal)", format: "cerbos", ours: true };

let pdp;
const cache = new Map();
export async function load(policyDir) {
  pdp = Pdp.fromRuleset(new Uint8Array(readFileSync(`${policyDir}/../ruleset.vrdt`)));
  cache.clear();
}
function can(principal) {
  let c = cache.get(principal.id);
  if (c === undefined) cache.set(principal.id, (c = pdp.forPrincipal(principal)));
  return c;
}
export function check(req) {
  return can(req.principal).isAllowed(req.resource, req.action);
}
/** A UI menu: booleans for (resource, action) checks of one principal, one evaluator call. */
export function allowedMany(principal, checks) {
  return can(principal).allowedMany(checks);
}
/** Evaluator linear memory in 64 KiB pages (introspection for the memory measurement only). */
export function wasmPages() {
  const mem = pdp.engine?.inst?.abi?.ex?.memory;
  return mem ? mem.buffer.byteLength / 65536 : NaN;
}
