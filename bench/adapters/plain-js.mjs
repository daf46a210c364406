// The floor: plain JavaScript ifs. seed: the hand-written function (lib/expense-ifs.mjs);
// large: generated ifs of the same shape (<policyDir>/policy.mjs, from lib/translate.mjs).
import { join } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
export const meta = { name: "plain JS ifs", format: "js" };
export let check;
export async function load(policyDir, ctx = {}) {
  const file = ctx.variant === "seed" ? fileURLToPath(new URL("../lib/expense-ifs.mjs", import.meta.url)) : join(policyDir, "policy.mjs");
  ({ check } = await import(pathToFileURL(file).href));
}
