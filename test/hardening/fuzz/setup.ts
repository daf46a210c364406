// Shared set-up of the bounded fuzz test and `npm run fuzz` (scripts/fuzz.mjs bundles this file).
import { generateKeyPairSync } from "node:crypto";
import { compileDirectory } from "../../../compiler/index.ts";
import { rawPublicKey, signRuleset } from "../../../compiler/encode/integrity.ts";
import { Pdp } from "../../../host/node/index.ts";
import { nodeCrypto } from "../../../host/node/integrity.ts";
import { loadWasmModule } from "../../../host/node/wasm.ts";
import { requestGrid, TENANTS_DIR } from "../tenants.ts";
import { RulesetFuzzer } from "./rulesets.ts";

export { fuzzRequests, emptyRequestStats } from "./requests.ts";
export { emptyStats } from "./rulesets.ts";

export function makeFuzzers() {
  const module = loadWasmModule();
  const ruleset = compileDirectory(TENANTS_DIR, { integrity: true }).ruleset!;
  const keys = generateKeyPairSync("ed25519");
  const signed = signRuleset(ruleset, keys.privateKey);
  // A spread of requests that between them allow and deny on every kind (see slice.test.ts).
  const requests = requestGrid().filter((_, i) => i % 97 === 0);
  const rulesets = new RulesetFuzzer(module, ruleset, requests, { bytes: signed, publicKey: rawPublicKey(keys.publicKey), crypto: nodeCrypto });
  const pdp = Pdp.fromRuleset(ruleset, { wasm: module });
  return { rulesets, pdp, module };
}
