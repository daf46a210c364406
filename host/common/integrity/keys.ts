// Ed25519 public keys as the hosts accept them: the raw 32 bytes, or PEM/DER SubjectPublicKeyInfo
// (what `verdict keygen` and OpenSSL write). Runtime-neutral (atob exists in Node 20, browsers, Workers).
import { IntegrityError } from "./layout.ts";

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the raw key follows. */
const SPKI_ED25519_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

export type PublicKeyInput = string | Uint8Array;

/** The raw 32-byte key; throws IntegrityError for anything that is not an Ed25519 public key. */
export function rawEd25519PublicKey(key: PublicKeyInput): Uint8Array {
  let der: Uint8Array;
  if (typeof key === "string") {
    const m = /-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----/.exec(key);
    if (!m) throw new IntegrityError("public key: expected a PEM \"PUBLIC KEY\" block (Ed25519)");
    der = Uint8Array.from(atob(m[1]!.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  } else {
    der = key;
  }
  if (der.length === 32) return der.slice();
  if (der.length === 44 && SPKI_ED25519_PREFIX.every((b, i) => der[i] === b)) return der.slice(12);
  throw new IntegrityError("public key: not an Ed25519 key (expected 32 raw bytes or an Ed25519 SPKI)");
}
