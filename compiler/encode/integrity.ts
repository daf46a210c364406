// INTEGRITY section writing (spec/format.ts IN_*): every `verdict compile` output carries the
// SHA-256 of its content; `signRuleset` adds an Ed25519 signature afterwards without moving a byte
// (the digest covers the section zeroed), so signing can also happen later, on another machine.
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from "node:crypto";
import { H_CHECKSUM, INTEGRITY_ALG_ED25519_SHA256, IN_ALGORITHM, IN_DIGEST, IN_FLAGS, IN_KEY_ID, IN_SIGNATURE, IntegrityFlag } from "../../spec/format.ts";
import { digestedContent, readIntegrity, signedMessage } from "../../host/common/integrity/layout.ts";
import { fnv1aChecksum } from "./write.ts";

const sha256 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash("sha256").update(b).digest());

/** Fills the digest of a ruleset whose trailing INTEGRITY section is zeroed, then the checksum. */
export function fillDigest(out: Uint8Array): void {
  const { offset } = readIntegrity(out);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  dv.setUint32(offset + IN_ALGORITHM, INTEGRITY_ALG_ED25519_SHA256, true);
  out.set(sha256(digestedContent(out, offset)), offset + IN_DIGEST);
  dv.setUint32(H_CHECKSUM, fnv1aChecksum(out), true);
}

/** Key id: the first 8 bytes of SHA-256 of the raw public key (lets a host tell keys apart). */
export function keyId(raw: Uint8Array): Uint8Array {
  return sha256(raw).subarray(0, 8);
}

export function rawPublicKey(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: "der", type: "spki" })).subarray(12);
}

/** A signed copy of `ruleset` (which must carry an INTEGRITY section whose digest is current).
 *  `privateKey`: Ed25519, PEM (PKCS#8) text or a KeyObject. */
export function signRuleset(ruleset: Uint8Array, privateKey: string | KeyObject): Uint8Array {
  const key = typeof privateKey === "string" ? createPrivateKey(privateKey) : privateKey;
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`signing key must be Ed25519, not ${key.asymmetricKeyType ?? key.type}`);
  const out = ruleset.slice();
  const info = readIntegrity(out);
  // Refuse to sign a ruleset whose digest is stale: the signature would vouch for other content.
  const actual = sha256(digestedContent(out, info.offset));
  if (!actual.every((b, i) => b === info.digest[i])) throw new Error("ruleset digest does not match its content; recompile before signing");
  const id = keyId(rawPublicKey(createPublicKey(key)));
  const sig = sign(null, signedMessage(info.digest, id), key);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  dv.setUint32(info.offset + IN_FLAGS, info.flags | IntegrityFlag.SIGNED, true);
  out.set(sig, info.offset + IN_SIGNATURE);
  out.set(id, info.offset + IN_KEY_ID);
  dv.setUint32(H_CHECKSUM, fnv1aChecksum(out), true);
  return out;
}
