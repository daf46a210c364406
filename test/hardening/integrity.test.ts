// Acceptance 2: signed rulesets. A host given a public key refuses unsigned, tampered or foreign-
// signed rulesets, on the synchronous Node path (Pdp) and the async WebCrypto path every host shares.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { compileDirectory } from "../../compiler/index.ts";
import { fnv1aChecksum } from "../../compiler/encode/write.ts";
import { signRuleset } from "../../compiler/encode/integrity.ts";
import { IntegrityError, readIntegrity, RulesetLoadError, verifyRuleset } from "../../host/common/index.ts";
import { Pdp } from "../../host/node/index.ts";
import { H_CHECKSUM, IN_FLAGS } from "../../spec/format.ts";
import { TENANTS_DIR } from "./tenants.ts";

const keys = generateKeyPairSync("ed25519");
const other = generateKeyPairSync("ed25519");
const pubPem = keys.publicKey.export({ format: "pem", type: "spki" }) as string;
const otherPem = other.publicKey.export({ format: "pem", type: "spki" }) as string;
const unsigned = compileDirectory(TENANTS_DIR, { integrity: true }).ruleset!;
const signed = signRuleset(unsigned, keys.privateKey);

/** Changes one byte and recomputes the FNV checksum, so only the digest/signature can catch it. */
function tamper(bytes: Uint8Array, at: number): Uint8Array {
  const t = bytes.slice();
  t[at] = t[at]! ^ 0x01;
  new DataView(t.buffer).setUint32(H_CHECKSUM, fnv1aChecksum(t), true);
  return t;
}

const query = { principal: { id: "alice", roles: ["admin"] }, resource: { kind: "document", id: "d1" }, action: "view" };

describe("signed rulesets", () => {
  it("a signed ruleset loads and decides with the right key (sync and WebCrypto paths)", async () => {
    expect(Pdp.fromRuleset(signed, { publicKey: pubPem }).isAllowed(query)).toBe(true);
    await expect(verifyRuleset(signed, pubPem)).resolves.toBeUndefined();
    // The evaluator skips the INTEGRITY section: no key configured, same decision.
    expect(Pdp.fromRuleset(signed).isAllowed(query)).toBe(true);
  });

  it("tampering anywhere (header, rows, strings, the signature itself) is refused", async () => {
    const { offset } = readIntegrity(signed);
    const spots = [20, 40, 300, Math.floor(offset / 2), offset - 8, offset + 8, offset + 45, signed.length - 1];
    for (const at of spots) {
      const t = tamper(signed, at);
      expect(() => Pdp.fromRuleset(t, { publicKey: pubPem }), `byte ${at}`).toThrow(IntegrityError);
      await expect(verifyRuleset(t, pubPem), `byte ${at}`).rejects.toThrow(IntegrityError);
    }
  });

  it("unsigned, signed by another key, or with the SIGNED flag cleared: refused", async () => {
    expect(() => Pdp.fromRuleset(unsigned, { publicKey: pubPem })).toThrow(/unsigned/);
    await expect(verifyRuleset(unsigned, pubPem)).rejects.toThrow(/unsigned/);
    expect(() => Pdp.fromRuleset(signed, { publicKey: otherPem })).toThrow(/does not verify/);
    await expect(verifyRuleset(signed, otherPem)).rejects.toThrow(/does not verify/);
    const cleared = signed.slice();
    new DataView(cleared.buffer).setUint32(readIntegrity(signed).offset + IN_FLAGS, 0, true);
    new DataView(cleared.buffer).setUint32(H_CHECKSUM, fnv1aChecksum(cleared), true);
    expect(() => Pdp.fromRuleset(cleared, { publicKey: pubPem })).toThrow(/unsigned/);
    // Extra flag bits are covered by neither digest nor signature, so they are refused outright.
    const extra = signed.slice();
    new DataView(extra.buffer).setUint32(readIntegrity(signed).offset + IN_FLAGS, 3, true);
    new DataView(extra.buffer).setUint32(H_CHECKSUM, fnv1aChecksum(extra), true);
    expect(() => Pdp.fromRuleset(extra, { publicKey: pubPem })).toThrow(/flags/);
    await expect(verifyRuleset(extra, pubPem)).rejects.toThrow(/flags/);
    // A ruleset without any INTEGRITY section (compiled in-process without it) is refused too.
    const bare = compileDirectory(TENANTS_DIR).ruleset!;
    expect(() => Pdp.fromRuleset(bare, { publicKey: pubPem })).toThrow(IntegrityError);
    // IntegrityError is a RulesetLoadError: callers that handle bad rulesets handle these.
    expect(new IntegrityError("x")).toBeInstanceOf(RulesetLoadError);
  });

  it("the Pdp verifies its own copy: changing the caller's buffer afterwards changes nothing", () => {
    const mine = signed.slice();
    const pdp = Pdp.fromRuleset(mine, { publicKey: pubPem });
    mine.fill(0);
    expect(pdp.isAllowed(query)).toBe(true);
  });

  it("verdict keygen + compile --sign produce a ruleset the host accepts; a bad key file is a usage error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "verdict-sign-"));
    const io = { out: "", err: "" };
    const sink = { stdout: (s: string) => void (io.out += s), stderr: (s: string) => void (io.err += s), readStdin: async () => "" };
    expect(await main(["keygen", "-o", join(dir, "k")], sink)).toBe(0);
    expect(await main(["keygen", "-o", join(dir, "k")], sink)).toBe(2); // never overwrites a key
    const out = join(dir, "r.vrdt");
    expect(await main(["compile", TENANTS_DIR, "-o", out, "--sign", join(dir, "k.key")], sink)).toBe(0);
    expect(io.out).toMatch(/signed/);
    const pdp = Pdp.fromFile(out, { publicKey: readFileSync(join(dir, "k.pub"), "utf8") });
    expect(pdp.isAllowed(query)).toBe(true);
    expect(() => Pdp.fromFile(out, { publicKey: pubPem })).toThrow(IntegrityError);
    expect(await main(["compile", TENANTS_DIR, "-o", out, "--sign", join(dir, "k.pub")], sink)).toBe(2);
  });
});
