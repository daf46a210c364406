// Where the INTEGRITY section lives and which bytes its digest covers (spec/format.ts IN_*).
// Runtime-neutral and dependency-free: the compiler (writing, signing) and every host (verifying)
// share this one definition, so "what is signed" cannot drift between them.
import {
  HEADER_SIZE,
  H_CHECKSUM,
  H_LENGTH,
  H_MAGIC,
  H_SECTION_COUNT,
  INTEGRITY_SIZE,
  IN_ALGORITHM,
  IN_DIGEST,
  IN_FLAGS,
  IN_KEY_ID,
  IN_SIGNATURE,
  IntegrityFlag,
  MAGIC,
  SECTION_ENTRY_SIZE,
  Section,
} from "../../../spec/format.ts";
import { RulesetLoadError } from "../errors.ts";

/** Domain separation: an Ed25519 key used for rulesets signs nothing that could be mistaken for one. */
export const INTEGRITY_CONTEXT = new TextEncoder().encode("VRDT-SIG-1");

/** The ruleset carries no usable integrity section, or its digest or signature do not match.
 *  A RulesetLoadError, so hosts that already refuse bad rulesets refuse these the same way. */
export class IntegrityError extends RulesetLoadError {
  constructor(message: string) {
    super(message);
    this.name = "IntegrityError";
  }
}

export interface IntegrityInfo {
  /** Offset of the section body (it runs to the end of the ruleset). */
  offset: number;
  flags: number;
  algorithm: number;
  digest: Uint8Array;
  signature: Uint8Array;
  keyId: Uint8Array;
  signed: boolean;
}

/** Finds and reads the INTEGRITY section; throws IntegrityError when it is absent or misplaced.
 *  Only the framing is checked here (length, magic, one trailing section): the evaluator validates
 *  everything else after the signature has been checked. */
export function readIntegrity(bytes: Uint8Array): IntegrityInfo {
  if (bytes.length < HEADER_SIZE) throw new IntegrityError("ruleset shorter than its header");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(H_MAGIC, true) !== MAGIC) throw new IntegrityError("not a ruleset (bad magic)");
  if (dv.getUint32(H_LENGTH, true) !== bytes.length) throw new IntegrityError("ruleset length does not match its header");
  const count = dv.getUint32(H_SECTION_COUNT, true);
  if (count > 64 || HEADER_SIZE + count * SECTION_ENTRY_SIZE > bytes.length) throw new IntegrityError("bad section directory");
  let found = -1;
  for (let i = 0; i < count; i++) {
    const e = HEADER_SIZE + i * SECTION_ENTRY_SIZE;
    if (dv.getUint32(e, true) !== Section.INTEGRITY) continue;
    // Exactly one, so an attacker cannot add a second section that a verifier would read instead.
    if (found >= 0) throw new IntegrityError("more than one INTEGRITY section");
    found = e;
  }
  if (found < 0) throw new IntegrityError("ruleset is unsigned (no INTEGRITY section)");
  const off = dv.getUint32(found + 4, true);
  const len = dv.getUint32(found + 8, true);
  // Trailing and fixed-size: nothing can follow the signed content unsigned.
  if (len !== INTEGRITY_SIZE || off + len !== bytes.length || off < HEADER_SIZE + count * SECTION_ENTRY_SIZE) {
    throw new IntegrityError("INTEGRITY section is not the trailing fixed-size section");
  }
  const flags = dv.getUint32(off + IN_FLAGS, true);
  return {
    offset: off,
    flags,
    algorithm: dv.getUint32(off + IN_ALGORITHM, true),
    digest: bytes.slice(off + IN_DIGEST, off + IN_DIGEST + 32),
    signature: bytes.slice(off + IN_SIGNATURE, off + IN_SIGNATURE + 64),
    keyId: bytes.slice(off + IN_KEY_ID, off + IN_KEY_ID + 8),
    signed: (flags & IntegrityFlag.SIGNED) !== 0,
  };
}

/** The bytes the digest covers: a copy with the checksum field and the section body zeroed. */
export function digestedContent(bytes: Uint8Array, sectionOffset: number): Uint8Array {
  const c = bytes.slice();
  c.fill(0, H_CHECKSUM, H_CHECKSUM + 4);
  c.fill(0, sectionOffset);
  return c;
}

/** What Ed25519 signs: the context prefix, the 32-byte digest and the 8-byte key id — so every
 *  byte of the file is covered by the digest or the signature, and none can change unnoticed. */
export function signedMessage(digest: Uint8Array, keyId: Uint8Array): Uint8Array {
  const m = new Uint8Array(INTEGRITY_CONTEXT.length + digest.length + keyId.length);
  m.set(INTEGRITY_CONTEXT);
  m.set(digest, INTEGRITY_CONTEXT.length);
  m.set(keyId, INTEGRITY_CONTEXT.length + digest.length);
  return m;
}

/** Constant-time comparison (the digest is public, but keep verifiers free of early exits anyway). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
