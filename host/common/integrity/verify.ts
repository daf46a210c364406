// Ruleset verification before load. Fail closed: any doubt — no section, a digest that does not
// match, no signature while a key is configured, a signature that does not verify — is an
// IntegrityError and the ruleset never reaches the evaluator.
//
// Two paths with one rule set: `verifyRuleset` (async, WebCrypto `crypto.subtle`, for browsers,
// Workers and Node) and `verifyRulesetWith` (sync, over a caller's primitives — the Node host plugs
// in node:crypto because its constructors are synchronous).
import { INTEGRITY_ALG_ED25519_SHA256, IntegrityFlag } from "../../../spec/format.ts";
import { rawEd25519PublicKey, type PublicKeyInput } from "./keys.ts";
import { digestedContent, IntegrityError, readIntegrity, sameBytes, signedMessage, type IntegrityInfo } from "./layout.ts";

/** Synchronous crypto primitives (e.g. node:crypto). */
export interface SyncCrypto {
  sha256(data: Uint8Array): Uint8Array;
  /** `publicKey` is the raw 32-byte Ed25519 key. */
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

function checkSigned(info: IntegrityInfo): void {
  if (info.algorithm !== INTEGRITY_ALG_ED25519_SHA256) throw new IntegrityError(`unknown integrity algorithm ${info.algorithm}`);
  if (!info.signed) throw new IntegrityError("ruleset is unsigned but a public key is configured");
  // The flags word is covered by neither digest nor signature: any bit besides SIGNED is refused,
  // or those bits could be flipped on a signed file unnoticed (found by scripts/fuzz.mjs).
  if (info.flags !== IntegrityFlag.SIGNED) throw new IntegrityError(`unknown integrity flags 0x${info.flags.toString(16)}`);
}

function checkDigest(info: IntegrityInfo, actual: Uint8Array): void {
  if (!sameBytes(new Uint8Array(actual), info.digest)) throw new IntegrityError("ruleset digest mismatch: the ruleset was modified");
}

/** Checks the SHA-256 digest and, when `publicKey` is given, the Ed25519 signature (WebCrypto). */
export async function verifyRuleset(bytes: Uint8Array, publicKey?: PublicKeyInput | CryptoKey): Promise<void> {
  const info = readIntegrity(bytes);
  if (publicKey !== undefined) checkSigned(info);
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new IntegrityError("WebCrypto (crypto.subtle) is not available to verify the ruleset");
  const content = digestedContent(bytes, info.offset);
  checkDigest(info, new Uint8Array(await subtle.digest("SHA-256", content as Uint8Array<ArrayBuffer>)));
  if (publicKey === undefined) return;
  const key = isCryptoKey(publicKey)
    ? publicKey
    : await subtle.importKey("raw", rawEd25519PublicKey(publicKey) as Uint8Array<ArrayBuffer>, { name: "Ed25519" }, false, ["verify"]);
  const msg = signedMessage(info.digest, info.keyId) as Uint8Array<ArrayBuffer>;
  let ok = false;
  try {
    ok = await subtle.verify({ name: "Ed25519" }, key, info.signature as Uint8Array<ArrayBuffer>, msg);
  } catch (e) {
    throw new IntegrityError(`signature check failed: ${(e as Error).message}`);
  }
  if (!ok) throw new IntegrityError("ruleset signature does not verify with the configured public key");
}

/** The same checks synchronously over `crypto`. */
export function verifyRulesetWith(crypto: SyncCrypto, bytes: Uint8Array, publicKey?: PublicKeyInput): void {
  const info = readIntegrity(bytes);
  if (publicKey !== undefined) checkSigned(info);
  checkDigest(info, crypto.sha256(digestedContent(bytes, info.offset)));
  if (publicKey === undefined) return;
  let ok = false;
  try {
    ok = crypto.verifyEd25519(rawEd25519PublicKey(publicKey), signedMessage(info.digest, info.keyId), info.signature);
  } catch (e) {
    if (e instanceof IntegrityError) throw e;
    throw new IntegrityError(`signature check failed: ${(e as Error).message}`);
  }
  if (!ok) throw new IntegrityError("ruleset signature does not verify with the configured public key");
}

function isCryptoKey(k: unknown): k is CryptoKey {
  return typeof CryptoKey !== "undefined" && k instanceof CryptoKey;
}
