// Ruleset integrity for every host: digest + Ed25519 signature checks (see docs/security.md).
// Browser and Workers hosts: `await verifyRuleset(bytes, publicKey)` then construct the Engine,
// or use `createVerifiedEngine`.
import type { Abi } from "../abi.ts";
import type { EngineConfig } from "../config.ts";
import { Engine } from "../engine.ts";
import type { PublicKeyInput } from "./keys.ts";
import { verifyRuleset } from "./verify.ts";

export { INTEGRITY_CONTEXT, IntegrityError, readIntegrity, digestedContent, signedMessage, type IntegrityInfo } from "./layout.ts";
export { rawEd25519PublicKey, type PublicKeyInput } from "./keys.ts";
export { verifyRuleset, verifyRulesetWith, type SyncCrypto } from "./verify.ts";

/** Verifies (WebCrypto) then loads. The bytes are copied first so the caller cannot change them
 *  between the check and the load (or a later evaluator restart, which reloads them). */
export async function createVerifiedEngine(
  wasm: WebAssembly.Module | (() => Abi),
  ruleset: Uint8Array,
  publicKey: PublicKeyInput | CryptoKey,
  config: EngineConfig = {},
): Promise<Engine> {
  const copy = ruleset.slice();
  await verifyRuleset(copy, publicKey);
  return new Engine(wasm, copy, config);
}
