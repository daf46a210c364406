// Issue 7, acceptance 2 (Workers): inside workerd, host/workers/verified.ts checks a ruleset's
// digest and Ed25519 signature with WebCrypto before building the WorkerPdp. The key pair is
// generated and the ruleset (build/expenses.bin, which `verdict compile` writes with an INTEGRITY
// section) is signed right here with WebCrypto, exactly as `signRuleset` does with node:crypto.
// Signed + right key → decides; tampered, unsigned, foreign-signed or flag-twiddled → IntegrityError.
import { beforeAll, describe, expect, it } from "vitest";
import wasm from "../../build/verdict.wasm";
import rulesetData from "../../build/expenses.bin";
import { fnv1aChecksum } from "../../compiler/encode/write.ts";
import { readIntegrity, signedMessage } from "../../host/common/integrity/layout.ts";
import { RulesetLoadError, WorkerPdp } from "../../host/workers/index.ts";
import { IntegrityError, verifiedFromKV, verifiedFromResponse, verifiedWorkerPdp } from "../../host/workers/verified.ts";
import { H_CHECKSUM, IN_FLAGS, IN_KEY_ID, IN_SIGNATURE, IntegrityFlag } from "../../spec/format.ts";

const unsigned: Uint8Array<ArrayBuffer> = new Uint8Array(rulesetData as ArrayBuffer).slice();
const query = { principal: { id: "alice", roles: ["admin"] }, resource: { kind: "expense", id: "E2" }, action: "delete" };

async function keyPair(): Promise<{ pub: Uint8Array<ArrayBuffer>; priv: CryptoKey; pem: string }> {
  const kp = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const pub = new Uint8Array((await crypto.subtle.exportKey("raw", kp.publicKey)) as ArrayBuffer);
  const spki = new Uint8Array((await crypto.subtle.exportKey("spki", kp.publicKey)) as ArrayBuffer);
  const pem = `-----BEGIN PUBLIC KEY-----\n${btoa(String.fromCharCode(...spki))}\n-----END PUBLIC KEY-----\n`;
  return { pub, priv: kp.privateKey, pem };
}

/** signRuleset (compiler/encode/integrity.ts) with WebCrypto: flags, signature, key id, checksum. */
async function sign(ruleset: Uint8Array<ArrayBuffer>, k: { pub: Uint8Array<ArrayBuffer>; priv: CryptoKey }): Promise<Uint8Array<ArrayBuffer>> {
  const out = ruleset.slice();
  const info = readIntegrity(out);
  const id = new Uint8Array(await crypto.subtle.digest("SHA-256", k.pub)).subarray(0, 8);
  const sig = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, k.priv, signedMessage(info.digest, id) as Uint8Array<ArrayBuffer>));
  const dv = new DataView(out.buffer);
  dv.setUint32(info.offset + IN_FLAGS, info.flags | IntegrityFlag.SIGNED, true);
  out.set(sig, info.offset + IN_SIGNATURE);
  out.set(id, info.offset + IN_KEY_ID);
  dv.setUint32(H_CHECKSUM, fnv1aChecksum(out), true);
  return out;
}

/** One byte changed, checksum recomputed: only the digest or signature can catch it. */
function tamper(bytes: Uint8Array<ArrayBuffer>, at: number): Uint8Array<ArrayBuffer> {
  const t = bytes.slice();
  t[at] = t[at]! ^ 0x01;
  new DataView(t.buffer).setUint32(H_CHECKSUM, fnv1aChecksum(t), true);
  return t;
}

describe("workers: signed rulesets (host/workers/verified) in workerd", () => {
  let key: Awaited<ReturnType<typeof keyPair>>;
  let other: Awaited<ReturnType<typeof keyPair>>;
  let signed: Uint8Array<ArrayBuffer>;

  beforeAll(async () => {
    key = await keyPair();
    other = await keyPair();
    signed = await sign(unsigned, key);
  });

  it("a signed ruleset with the right key (PEM, raw or CryptoKey) loads and decides", async () => {
    expect(readIntegrity(unsigned).signed).toBe(false);
    for (const k of [key.pem, key.pub, await crypto.subtle.importKey("raw", key.pub, { name: "Ed25519" }, false, ["verify"])]) {
      const pdp = await verifiedWorkerPdp(wasm, signed, k);
      expect(pdp.isAllowed(query)).toBe(true);
    }
    // Same decision as the unverified host on the same bytes.
    expect(new WorkerPdp(wasm, signed).isAllowed(query)).toBe(true);
  });

  it("tampering anywhere (content, digest, signature, key id) is refused with IntegrityError", async () => {
    const { offset } = readIntegrity(signed);
    const spots = [20, 40, Math.floor(offset / 2), offset - 4, offset + 8, offset + 45, signed.length - 1];
    for (const at of spots) {
      const err = await verifiedWorkerPdp(wasm, tamper(signed, at), key.pem).then(() => undefined, (e: unknown) => e);
      expect(err, `byte ${at}`).toBeInstanceOf(IntegrityError);
      expect(err, `byte ${at}`).toBeInstanceOf(RulesetLoadError);
      expect((err as Error).message, `byte ${at}`).toMatch(/digest mismatch|does not verify|unknown integrity|INTEGRITY|signature/);
    }
  });

  it("an unsigned ruleset is refused when a key is configured; so is one signed by another key", async () => {
    await expect(verifiedWorkerPdp(wasm, unsigned, key.pem)).rejects.toThrow(/unsigned but a public key is configured/);
    await expect(verifiedWorkerPdp(wasm, await sign(unsigned, other), key.pem)).rejects.toThrow(/does not verify with the configured public key/);
    await expect(verifiedWorkerPdp(wasm, signed, "not a key")).rejects.toThrow(IntegrityError);
    await expect(verifiedWorkerPdp(wasm, signed, undefined as never)).rejects.toThrow(/public key is required/);
  });

  it("KV and fetched bundles are verified too", async () => {
    const kv = { get: async (k: string) => (k === "good" ? signed.slice().buffer : k === "bad" ? unsigned.slice().buffer : null) };
    expect((await verifiedFromKV(wasm, kv, "good", key.pem)).isAllowed(query)).toBe(true);
    await expect(verifiedFromKV(wasm, kv, "bad", key.pem)).rejects.toBeInstanceOf(IntegrityError);
    await expect(verifiedFromKV(wasm, kv, "none", key.pem)).rejects.toThrow(/no ruleset in KV/);
    expect((await verifiedFromResponse(wasm, new Response(signed), key.pem)).isAllowed(query)).toBe(true);
    await expect(verifiedFromResponse(wasm, new Response(tamper(signed, 40)), key.pem)).rejects.toBeInstanceOf(IntegrityError);
    await expect(verifiedFromResponse(wasm, new Response("gone", { status: 404 }), key.pem)).rejects.toThrow(/HTTP 404/);
  });

  it("verifies a private copy: changing the caller's buffer afterwards changes nothing", async () => {
    const mine = signed.slice();
    const pdp = await verifiedWorkerPdp(wasm, mine, key.pem);
    mine.fill(0);
    expect(pdp.isAllowed(query)).toBe(true);
  });
});
