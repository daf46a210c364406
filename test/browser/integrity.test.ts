// Issue 7, acceptance 2 (browser): in real headless Chromium, host/browser/verified.ts (the
// VerifiedVerdict entry that wraps the browser host) verifies a signed ruleset with WebCrypto:
// signed + right key → loads and decides; tampered, unsigned or signed by another key → refused
// with a clear IntegrityError, at load and on a later swap (the verified ruleset stays in force).
// Everything is served from 127.0.0.1; the browser and the server are always closed.
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileDirectory } from "../../compiler/index.ts";
import { fnv1aChecksum } from "../../compiler/encode/write.ts";
import { signRuleset } from "../../compiler/encode/integrity.ts";
import { readIntegrity } from "../../host/common/index.ts";
import { H_CHECKSUM } from "../../spec/format.ts";
import { TENANTS_DIR } from "../hardening/tenants.ts";
import { repoRoot } from "../oracle/paths.ts";
import { chromiumMissing, launchChromium, skipBrowser, startStaticServer, type RunningBrowser, type StaticServer } from "./harness.ts";

const keys = generateKeyPairSync("ed25519");
const other = generateKeyPairSync("ed25519");
const pubPem = keys.publicKey.export({ format: "pem", type: "spki" }) as string;
const unsigned = compileDirectory(TENANTS_DIR, { integrity: true }).ruleset!;
const signed = signRuleset(unsigned, keys.privateKey);
const foreign = signRuleset(unsigned, other.privateKey);

/** One byte changed in the middle of the content, FNV checksum recomputed: only the digest can tell. */
function tamper(bytes: Uint8Array): Uint8Array {
  const t = bytes.slice();
  const at = Math.floor(readIntegrity(bytes).offset / 2);
  t[at] = t[at]! ^ 0x01;
  new DataView(t.buffer).setUint32(H_CHECKSUM, fnv1aChecksum(t), true);
  return t;
}

const ENTRY = `
import { VerifiedVerdict, IntegrityError } from ${JSON.stringify(join(repoRoot, "host", "browser", "verified.ts"))};
import { Verdict, RulesetLoadError } from ${JSON.stringify(join(repoRoot, "host", "browser", "index.ts"))};
globalThis.integrityTest = { VerifiedVerdict, Verdict, IntegrityError, RulesetLoadError };
`;

interface PageOutcome {
  ok: boolean;
  allowed?: boolean;
  name?: string;
  message?: string;
  isIntegrityError?: boolean;
  isLoadError?: boolean;
}

describe.skipIf(skipBrowser)(`signed rulesets in headless Chromium (host/browser/verified)${skipBrowser ? ` — skipped: ${chromiumMissing}` : ""}`, () => {
  let run: RunningBrowser | undefined;
  let server: StaticServer | undefined;

  beforeAll(async () => {
    const bundle = await build({
      stdin: { contents: ENTRY, resolveDir: repoRoot, loader: "ts" },
      bundle: true,
      format: "esm",
      target: "es2022",
      platform: "browser",
      write: false,
      logLevel: "warning",
    });
    server = await startStaticServer(undefined);
    server.set("/", `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="/entry.js"></script>`, "text/html");
    server.set("/entry.js", bundle.outputFiles[0]!.text, "text/javascript");
    server.set("/verdict.wasm", readFileSync(join(repoRoot, "build", "verdict.wasm")), "application/wasm");
    server.set("/signed.vrdt", signed);
    server.set("/tampered.vrdt", tamper(signed));
    server.set("/unsigned.vrdt", unsigned);
    server.set("/foreign.vrdt", foreign);
    run = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await run?.close();
    await server?.close();
  });

  /** Loads `/name.vrdt` in a fresh page with the public key; reports what happened. */
  async function loadInPage(name: string): Promise<PageOutcome> {
    const page = await run!.context.newPage();
    try {
      await page.goto(`${server!.baseUrl}/`);
      await page.waitForFunction(() => "integrityTest" in globalThis, undefined, { timeout: 10_000 });
      return await page.evaluate(
        async ([file, key]) => {
          const t = (globalThis as unknown as { integrityTest: Record<string, any> }).integrityTest;
          try {
            const v = await t.VerifiedVerdict.load("/verdict.wasm", `/${file}.vrdt`, { publicKey: key });
            const allowed = v.isAllowed({ principal: { id: "alice", roles: ["admin"] }, resource: { kind: "document", id: "d1" }, action: "view" });
            return { ok: true, allowed };
          } catch (e) {
            const err = e as Error;
            return { ok: false, name: err.name, message: err.message, isIntegrityError: e instanceof t.IntegrityError, isLoadError: e instanceof t.RulesetLoadError };
          }
        },
        [name, pubPem] as const,
      );
    } finally {
      await page.close();
    }
  }

  it("a signed ruleset with the right public key loads and decides (WebCrypto Ed25519 in Chromium)", async () => {
    expect(await loadInPage("signed")).toEqual({ ok: true, allowed: true });
  });

  it("a tampered signed ruleset is refused with a clear IntegrityError", async () => {
    const r = await loadInPage("tampered");
    expect(r).toMatchObject({ ok: false, name: "IntegrityError", isIntegrityError: true, isLoadError: true });
    expect(r.message).toMatch(/digest mismatch: the ruleset was modified/);
  });

  it("an unsigned ruleset is refused when a key is configured", async () => {
    const r = await loadInPage("unsigned");
    expect(r).toMatchObject({ ok: false, name: "IntegrityError", isIntegrityError: true });
    expect(r.message).toMatch(/unsigned but a public key is configured/);
  });

  it("a ruleset signed by another key is refused", async () => {
    const r = await loadInPage("foreign");
    expect(r).toMatchObject({ ok: false, name: "IntegrityError", isIntegrityError: true });
    expect(r.message).toMatch(/does not verify with the configured public key/);
  });

  it("swaps are verified too: a bad swap is refused and the verified ruleset stays in force; sync setRuleset and a missing key are refused", async () => {
    const page = await run!.context.newPage();
    try {
      await page.goto(`${server!.baseUrl}/`);
      await page.waitForFunction(() => "integrityTest" in globalThis, undefined, { timeout: 10_000 });
      const r = await page.evaluate(async (key) => {
        const t = (globalThis as unknown as { integrityTest: Record<string, any> }).integrityTest;
        const q = { principal: { id: "alice", roles: ["admin"] }, resource: { kind: "document", id: "d1" }, action: "view" };
        const v = await t.VerifiedVerdict.load("/verdict.wasm", "/signed.vrdt", { publicKey: key });
        const errors: string[] = [];
        for (const f of ["/tampered.vrdt", "/unsigned.vrdt", "/foreign.vrdt"]) {
          try {
            await v.loadRuleset(f);
            errors.push(`${f}: accepted`);
          } catch (e) {
            errors.push(`${f}: ${(e as Error).name}`);
          }
        }
        const bytes = new Uint8Array(await (await fetch("/signed.vrdt")).arrayBuffer());
        let sync = "accepted";
        try {
          v.setRuleset(bytes);
        } catch (e) {
          sync = `${(e as Error).name}: ${(e as Error).message}`;
        }
        let noKey = "accepted";
        try {
          await t.VerifiedVerdict.load("/verdict.wasm", "/signed.vrdt", {});
        } catch (e) {
          noKey = (e as Error).message;
        }
        await v.loadRuleset("/signed.vrdt");
        return { errors, version: v.version, allowed: v.isAllowed(q), sync, noKey };
      }, pubPem);
      expect(r.errors).toEqual(["/tampered.vrdt: IntegrityError", "/unsigned.vrdt: IntegrityError", "/foreign.vrdt: IntegrityError"]);
      expect(r.sync).toMatch(/^IntegrityError: .*setVerifiedRuleset/);
      expect(r.noKey).toMatch(/needs a publicKey/);
      expect(r.version).toBe(1); // only the good swap counted
      expect(r.allowed).toBe(true);
    } finally {
      await page.close();
    }
  });
});
