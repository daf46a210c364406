// Signed rulesets in a Worker: a separate entry (not re-exported by host/workers/index.ts, which
// stays within its 5 KB budget) that checks the ruleset's SHA-256 digest and Ed25519 signature
// with WebCrypto before the evaluator sees it. Fail closed: unsigned, tampered or foreign-signed
// rulesets are refused with an IntegrityError (a RulesetLoadError).
//
//   const pdp = await verifiedWorkerPdp(wasm, await env.RULES.get("rules", "arrayBuffer"), env.RULES_PUBLIC_KEY);
import { IntegrityError, verifyRuleset, type PublicKeyInput } from "../common/integrity/index.ts";
import { RulesetLoadError } from "../common/errors.ts";
import { WorkerPdp, type KvLike, type RulesetSource, type WorkerPdpOptions } from "./index.ts";

export { IntegrityError, type PublicKeyInput };

const toBytes = (src: RulesetSource): Uint8Array =>
  ArrayBuffer.isView(src) ? new Uint8Array(src.buffer, src.byteOffset, src.byteLength) : new Uint8Array(src);

/** Verifies `ruleset` against `publicKey` (PEM SPKI, raw 32 bytes or a CryptoKey), then builds the
 *  WorkerPdp on the verified private copy (the caller's buffer can change afterwards, harmlessly). */
export async function verifiedWorkerPdp(
  wasm: WebAssembly.Module,
  ruleset: RulesetSource | null | undefined,
  publicKey: PublicKeyInput | CryptoKey,
  opts?: WorkerPdpOptions,
): Promise<WorkerPdp> {
  if (publicKey === undefined || publicKey === null) throw new IntegrityError("a public key is required to verify the ruleset");
  if (!ruleset) throw new RulesetLoadError("no ruleset");
  const copy = toBytes(ruleset).slice();
  await verifyRuleset(copy, publicKey);
  return new WorkerPdp(wasm, copy, opts);
}

/** As WorkerPdp.fromKV, verified. */
export async function verifiedFromKV(wasm: WebAssembly.Module, kv: KvLike, key: string, publicKey: PublicKeyInput | CryptoKey, opts?: WorkerPdpOptions): Promise<WorkerPdp> {
  const bytes = await kv.get(key, "arrayBuffer");
  if (!bytes) throw new RulesetLoadError(`no ruleset in KV under ${key}`);
  return verifiedWorkerPdp(wasm, bytes, publicKey, opts);
}

/** As WorkerPdp.fromResponse, verified. */
export async function verifiedFromResponse(wasm: WebAssembly.Module, res: Response, publicKey: PublicKeyInput | CryptoKey, opts?: WorkerPdpOptions): Promise<WorkerPdp> {
  if (!res.ok) throw new RulesetLoadError(`ruleset fetch failed: HTTP ${res.status}`);
  return verifiedWorkerPdp(wasm, await res.arrayBuffer(), publicKey, opts);
}
