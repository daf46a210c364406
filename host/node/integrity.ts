// node:crypto primitives for the synchronous verification path (host/common/integrity/verify.ts).
import { createHash, createPublicKey, verify } from "node:crypto";
import type { SyncCrypto } from "../common/integrity/verify.ts";

const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export const nodeCrypto: SyncCrypto = {
  sha256: (data) => new Uint8Array(createHash("sha256").update(data).digest()),
  verifyEd25519: (raw, message, signature) =>
    verify(null, message, createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" }), signature),
};
