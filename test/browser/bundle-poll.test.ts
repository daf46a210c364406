// Bundle URL in the browser (issue 5): host/browser/bundle.ts in headless Chromium against a
// 127.0.0.1 server that answers If-None-Match with 304. A 304 downloads nothing and swaps nothing
// (no subscriber call, same version); a new ETag swaps in place and the DOM gates re-apply; a
// corrupted bundle is refused (reported to onError), the last good ruleset keeps serving, and its
// ETag is not downloaded again; the next good upload recovers. Expected decisions come from
// host/node's Pdp on the same bytes. Also: the entry's size (separate from host/browser's budget).
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileDirectory, compilePolicies } from "../../compiler/index.ts";
import { menuChecks, PRINCIPALS } from "../../examples/expenses-menu/data.ts";
import { Pdp } from "../../host/node/index.ts";
import { repoRoot } from "../oracle/paths.ts";
import { chromiumMissing, launchChromium, type RunningBrowser, skipBrowser } from "./harness.ts";

const policyPath = join(repoRoot, "examples", "expenses", "expense.yaml");

function compileV2(): Uint8Array {
  const text = readFileSync(policyPath, "utf8").replace(
    '    - name: manager-read-own-region\n      actions: ["read"]',
    '    - name: manager-read-own-region\n      actions: ["read", "delete"]',
  );
  if (!text.includes('actions: ["read", "delete"]')) throw new Error("expense.yaml changed: update the v2 edit in this test");
  const { ruleset } = compilePolicies([{ path: "expense.yaml", text }]);
  if (!ruleset) throw new Error("v2 did not compile");
  return ruleset;
}

function expected(ruleset: Uint8Array, key: string): string[] {
  const pdp = Pdp.fromRuleset(ruleset);
  const principal = PRINCIPALS[key]!.principal;
  return menuChecks()
    .filter((c) => pdp.isAllowed({ principal, resource: c.resource, action: c.action }))
    .map((c) => c.testId)
    .sort();
}

interface BundleServer {
  baseUrl: string;
  publish(bytes: Uint8Array, etag: string): void;
  /** Responses to the bundle URL: status and the If-None-Match the request carried. */
  log: Array<{ status: number; ifNoneMatch?: string; bytes: number }>;
  close(): Promise<void>;
}

async function startBundleServer(entryJs: string, wasm: Uint8Array): Promise<BundleServer> {
  let current: { bytes: Uint8Array; etag: string } | undefined;
  const log: BundleServer["log"] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><div id="menu"></div><script type="module" src="/entry.js"></script>`);
    } else if (path === "/entry.js") {
      res.writeHead(200, { "content-type": "text/javascript" });
      res.end(entryJs);
    } else if (path === "/verdict.wasm") {
      res.writeHead(200, { "content-type": "application/wasm" });
      res.end(wasm);
    } else if (path === "/policies.vrdt" && current) {
      const inm = req.headers["if-none-match"];
      if (inm === current.etag) {
        log.push({ status: 304, ifNoneMatch: inm, bytes: 0 });
        res.writeHead(304, { etag: current.etag });
        res.end();
      } else {
        log.push({ status: 200, ifNoneMatch: inm, bytes: current.bytes.length });
        res.writeHead(200, { "content-type": "application/octet-stream", etag: current.etag, "cache-control": "no-cache" });
        res.end(current.bytes);
      }
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const addr = server.address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${addr.port}`,
    publish(bytes, etag) {
      current = { bytes, etag };
    },
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const PAGE_ENTRY = `
import { loadBundle } from "./host/browser/bundle.ts";
import { bindGates } from "./host/dom/index.ts";
import { menuChecks, PRINCIPALS } from "./examples/expenses-menu/data.ts";
const menu = document.getElementById("menu");
for (const c of menuChecks()) {
  const b = document.createElement("button");
  b.dataset.testid = c.testId;
  b.dataset.verdictResource = c.resource.kind;
  b.dataset.verdictId = c.resource.id;
  b.dataset.verdictAction = c.action;
  b.dataset.verdictAttr = JSON.stringify(c.resource.attr ?? {});
  menu.append(b);
}
const errors = [];
const swaps = [];
const { verdict, poll } = await loadBundle("/verdict.wasm", "/policies.vrdt", {
  intervalMs: 100,
  onError: (e) => errors.push(e.name + ": " + e.message),
  onUpdate: (rev) => swaps.push(rev),
});
let notified = 0;
verdict.subscribe(() => notified++);
bindGates(verdict, { principal: PRINCIPALS["emea-manager"].principal });
globalThis.bundleTest = { verdict, poll, errors, swaps, get notified() { return notified; } };
document.body.dataset.ready = "true";
`;

async function shown(page: Page): Promise<string[]> {
  return (
    await page.locator("#menu button").evaluateAll((els) => (els as HTMLButtonElement[]).filter((e) => !e.hidden && e.dataset.verdictAllowed === "true").map((e) => e.dataset.testid!))
  ).sort();
}

type PageState = { version: number; notified: number; counts: Record<string, number>; errors: string[]; swaps: string[]; revision?: string; lastError: boolean };
const state = (page: Page): Promise<PageState> =>
  page.evaluate(() => {
    const t = (globalThis as any).bundleTest;
    return { version: t.verdict.version, notified: t.notified, counts: { ...t.poll.counts }, errors: [...t.errors], swaps: [...t.swaps], revision: t.poll.revision, lastError: t.poll.lastError !== undefined };
  });

describe("verdict/browser/bundle size", () => {
  it("host/browser/bundle.ts adds ≤ 2 KB min+gzip on top of host/browser (which stays external, as built)", async () => {
    const r = await build({
      entryPoints: [join(repoRoot, "host/browser/bundle.ts")],
      bundle: true,
      minify: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      write: false,
      logLevel: "silent",
      plugins: [{ name: "ext", setup: (b) => b.onResolve({ filter: /^\.\/index\.ts$/ }, () => ({ path: "./browser.mjs", external: true })) }],
    });
    const gz = gzipSync(r.outputFiles[0]!.contents, { level: 9 }).length;
    expect(gz).toBeGreaterThan(200);
    expect(gz).toBeLessThanOrEqual(2048);
  });
});

describe.skipIf(skipBrowser)(`bundle URL polling in headless Chromium${skipBrowser ? ` — skipped: ${chromiumMissing}` : ""}`, () => {
  let server: BundleServer | undefined;
  let run: RunningBrowser | undefined;
  const v1 = compileDirectory(join(repoRoot, "examples", "expenses")).ruleset!;
  const v2 = compileV2();

  beforeAll(async () => {
    const bundle = await build({
      stdin: { contents: PAGE_ENTRY, resolveDir: repoRoot, loader: "ts", sourcefile: "bundle-page.ts" },
      bundle: true,
      format: "esm",
      target: "es2022",
      platform: "browser",
      write: false,
      logLevel: "warning",
    });
    server = await startBundleServer(bundle.outputFiles[0]!.text, readFileSync(join(repoRoot, "build", "verdict.wasm")));
    run = await launchChromium();
  });

  afterAll(async () => {
    await run?.close();
    await server?.close();
  });

  it("304s cost nothing, a new ETag swaps and re-gates, a corrupted bundle is refused and the last good one keeps serving", async () => {
    expect(expected(v2, "emea-manager")).not.toEqual(expected(v1, "emea-manager"));
    const s = server!;
    s.publish(v1, '"v1"');
    const page = await run!.context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    try {
      await page.goto(s.baseUrl);
      await page.waitForSelector("body[data-ready=true]");
      expect(await shown(page)).toEqual(expected(v1, "emea-manager"));

      // Unchanged bundle: conditional requests, 304s, no swap.
      await page.waitForFunction(() => (globalThis as any).bundleTest.poll.counts["not-modified"] >= 3, undefined, { timeout: 5000 });
      let st = await state(page);
      expect(st).toMatchObject({ version: 0, notified: 0, counts: { updated: 0, refused: 0, failed: 0 }, swaps: [], errors: [], lastError: false });
      expect(s.log[0]).toEqual({ status: 200, ifNoneMatch: undefined, bytes: v1.length });
      expect(s.log.slice(1).every((r) => r.status === 304 && r.ifNoneMatch === '"v1"')).toBe(true);
      expect(s.log.length).toBeGreaterThanOrEqual(4);

      // New ETag: one download, one in-place swap, subscribers told, gates re-applied.
      s.publish(v2, '"v2"');
      await page.waitForFunction(() => (globalThis as any).bundleTest.verdict.version === 1, undefined, { timeout: 5000 });
      expect(await shown(page)).toEqual(expected(v2, "emea-manager"));
      st = await state(page);
      expect(st).toMatchObject({ version: 1, notified: 1, swaps: ['etag:"v2"'], revision: 'etag:"v2"', errors: [] });
      const v2Downloads = s.log.filter((r) => r.status === 200 && r.bytes === v2.length);
      expect(v2Downloads).toEqual([{ status: 200, ifNoneMatch: '"v1"', bytes: v2.length }]);

      // Corrupted upload (one byte flipped): refused, reported, v2 keeps serving and gating.
      const corrupt = v2.slice();
      corrupt[corrupt.length - 1]! ^= 0xff;
      s.publish(corrupt, '"v3-corrupt"');
      await page.waitForFunction(() => (globalThis as any).bundleTest.poll.counts.refused >= 1, undefined, { timeout: 5000 });
      const before = s.log.length;
      await page.waitForFunction((n) => (globalThis as any).bundleTest.poll.counts["not-modified"] >= n, (await state(page)).counts["not-modified"]! + 3, { timeout: 5000 });
      st = await state(page);
      expect(st.version).toBe(1);
      expect(st.notified).toBe(1);
      expect(st.counts.refused).toBe(1);
      expect(st.revision).toBe('etag:"v2"');
      expect(st.lastError).toBe(true); // a 304 for the refused ETag does not clear it
      expect(st.errors).toHaveLength(1);
      expect(st.errors[0]).toMatch(/^RulesetLoadError: /);
      expect(await shown(page)).toEqual(expected(v2, "emea-manager"));
      // The refused bundle was downloaded once; later polls send its ETag and get 304s.
      expect(s.log.filter((r) => r.status === 200 && r.ifNoneMatch === '"v2"')).toHaveLength(1);
      expect(s.log.slice(before).every((r) => r.status === 304 && r.ifNoneMatch === '"v3-corrupt"')).toBe(true);

      // Garbage (not a ruleset at all) is refused the same way.
      s.publish(new TextEncoder().encode("<html>oops</html>"), '"v4-html"');
      await page.waitForFunction(() => (globalThis as any).bundleTest.poll.counts.refused >= 2, undefined, { timeout: 5000 });
      expect((await state(page)).version).toBe(1);

      // A good upload recovers.
      s.publish(v1, '"v5"');
      await page.waitForFunction(() => (globalThis as any).bundleTest.verdict.version === 2, undefined, { timeout: 5000 });
      expect(await shown(page)).toEqual(expected(v1, "emea-manager"));
      st = await state(page);
      expect(st).toMatchObject({ notified: 2, revision: 'etag:"v5"', lastError: false, swaps: ['etag:"v2"', 'etag:"v5"'] });
      expect(pageErrors).toEqual([]);

      // stop(): no more requests.
      await page.evaluate(() => (globalThis as any).bundleTest.poll.stop());
      await page.waitForTimeout(150);
      const stopped = s.log.length;
      await page.waitForTimeout(400);
      expect(s.log.length).toBe(stopped);
    } finally {
      await page.close();
    }
  });

  it("reports an unreachable or failing bundle URL to onError and keeps serving", async () => {
    const s = server!;
    s.publish(v1, '"w1"');
    const page = await run!.context.newPage();
    try {
      await page.goto(s.baseUrl);
      await page.waitForSelector("body[data-ready=true]");
      await page.route("**/policies.vrdt", (r) => r.fulfill({ status: 503, body: "down" }));
      await page.waitForFunction(() => (globalThis as any).bundleTest.poll.counts.failed >= 2, undefined, { timeout: 5000 });
      const st = await state(page);
      expect(st.version).toBe(0);
      expect(st.errors[0]).toMatch(/^BundleFetchError: GET .*policies\.vrdt: HTTP 503$/);
      expect(await shown(page)).toEqual(expected(v1, "emea-manager"));
      await page.unroute("**/policies.vrdt");
      await page.waitForFunction(() => (globalThis as any).bundleTest.poll.lastError === undefined, undefined, { timeout: 5000 });
      expect((await state(page)).version).toBe(0); // same ETag: 304, nothing to swap
    } finally {
      await page.close();
    }
  });
});
