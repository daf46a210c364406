// Browser audit sink (issue 5): host/browser/audit.ts's beaconSink in headless Chromium. Decision
// entries (built by AuditLog from host/browser/full's checkInputs) leave in batches by
// navigator.sendBeacon and reach a 127.0.0.1 collector with the entries' fields; what is queued
// is flushed when the page is hidden or goes away (pagehide); and nothing is lost silently: a full
// queue, a failing or unreachable collector (fetch transport) and a batch sendBeacon refuses
// (over its quota) whose fallback POST fails are all counted as dropped.
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { join } from "node:path";
import { build } from "esbuild";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileDirectory } from "../../compiler/index.ts";
import { Pdp } from "../../host/node/index.ts";
import { repoRoot } from "../oracle/paths.ts";
import { chromiumMissing, launchChromium, type RunningBrowser, skipBrowser } from "./harness.ts";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  lines: Array<Record<string, any>>;
}

const PAGE_ENTRY = `
import { Verdict } from "./host/browser/index.ts";
import { checkInputs } from "./host/browser/full.ts";
import { AuditLog, beaconSink } from "./host/browser/audit.ts";
const verdict = await Verdict.load("/verdict.wasm", "/expenses.vrdt");
let beacons = 0;
const realBeacon = navigator.sendBeacon.bind(navigator);
navigator.sendBeacon = (url, data) => { beacons++; return realBeacon(url, data); };
let n = 0;
globalThis.auditTest = {
  verdict,
  get beacons() { return beacons; },
  make(opts) {
    const errors = [];
    const sink = beaconSink({ ...opts, onError: (m) => errors.push(m) });
    const log = new AuditLog({ sinks: [sink], rulesetId: () => "etag:\\"r1\\"" });
    const record = (inputs) => {
      const t0 = performance.now();
      const outputs = checkInputs(verdict, inputs, new Date("2024-05-01T12:00:00Z"));
      log.record({ callId: "call-" + (++n), timestamp: new Date("2024-05-01T12:00:00Z"), inputs, outputs });
      return performance.now() - t0;
    };
    return { sink, log, record, errors };
  },
};
document.body.dataset.ready = "true";
`;

const INPUT = (i: number): Record<string, unknown> => ({
  requestId: `r-${i}`,
  principal: { id: "bob", roles: ["user"], attr: { region: "EMEA" } },
  resource: { kind: "expense", id: `E${i}`, attr: { ownerId: i % 2 ? "bob" : "carol", region: "EMEA" } },
  actions: ["read", "delete"],
});

describe.skipIf(skipBrowser)(`browser audit sink (sendBeacon) in headless Chromium${skipBrowser ? ` — skipped: ${chromiumMissing}` : ""}`, () => {
  let server: Server | undefined;
  let baseUrl = "";
  let run: RunningBrowser | undefined;
  const received: Received[] = [];
  const ruleset = compileDirectory(join(repoRoot, "examples", "expenses")).ruleset!;
  const pdp = Pdp.fromRuleset(ruleset);

  beforeAll(async () => {
    const bundle = await build({
      stdin: { contents: PAGE_ENTRY, resolveDir: repoRoot, loader: "ts", sourcefile: "audit-page.ts" },
      bundle: true,
      format: "esm",
      target: "es2022",
      platform: "browser",
      write: false,
      logLevel: "warning",
    });
    const entryJs = bundle.outputFiles[0]!.text;
    const wasm = readFileSync(join(repoRoot, "build", "verdict.wasm"));
    server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
      if (req.method === "POST") {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          received.push({ path, headers: req.headers, lines: text.split("\n").filter(Boolean).map((l) => JSON.parse(l)) });
          res.writeHead(path === "/collect" ? 204 : 500);
          res.end();
        });
        return;
      }
      const files: Record<string, [string, string | Uint8Array]> = {
        "/": ["text/html; charset=utf-8", `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="/entry.js"></script>`],
        "/entry.js": ["text/javascript", entryJs],
        "/verdict.wasm": ["application/wasm", wasm],
        "/expenses.vrdt": ["application/octet-stream", ruleset],
      };
      const f = files[path];
      res.writeHead(f ? 200 : 404, f ? { "content-type": f[0] } : {});
      res.end(f ? f[1] : undefined);
    });
    await new Promise<void>((resolve, reject) => {
      server!.once("error", reject);
      server!.listen(0, "127.0.0.1", () => resolve());
    });
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    run = await launchChromium();
  });

  afterAll(async () => {
    await run?.close();
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  async function open(): Promise<Page> {
    const page = await run!.context.newPage();
    await page.goto(baseUrl);
    await page.waitForSelector("body[data-ready=true]", { state: "attached" });
    return page;
  }
  const linesAt = (path: string): Array<Record<string, any>> => received.filter((r) => r.path === path).flatMap((r) => r.lines);
  async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it("sends batches by sendBeacon that reach the collector with the entries' fields", async () => {
    const page = await open();
    try {
      const stats = await page.evaluate(async (inputs) => {
        const t = (globalThis as any).auditTest;
        const a = t.make({ url: "/collect", maxBatch: 5, flushIntervalMs: 100 });
        for (const input of inputs) a.record([input]);
        await a.log.flush();
        return { stats: a.log.stats(), beacons: t.beacons, errors: a.errors };
      }, Array.from({ length: 12 }, (_, i) => INPUT(i)));
      await until(() => linesAt("/collect").length >= 12, "12 entries at the collector");
      const batches = received.filter((r) => r.path === "/collect");
      expect(batches.map((b) => b.lines.length)).toEqual([5, 5, 2]);
      expect(stats.beacons).toBe(3);
      expect(stats.errors).toEqual([]);
      expect(stats.stats).toMatchObject({ decisions: 12, dropped: 0, sinks: { "beacon:/collect": { accepted: 12, written: 12, dropped: 0, pending: 0, unconfirmed: 12 } } });
      expect(batches[0]!.headers["content-type"]?.toLowerCase()).toBe("text/plain;charset=utf-8");
      const lines = linesAt("/collect");
      expect(lines.map((l) => l.callId)).toEqual(Array.from({ length: 12 }, (_, i) => expect.stringMatching(/^call-\d+$/)));
      for (let i = 0; i < 12; i++) {
        const l = lines[i]!;
        expect(l["log.logger"]).toBe("cerbos.audit");
        expect(l["log.kind"]).toBe("decision");
        expect(l.timestamp).toBe("2024-05-01T12:00:00.000Z");
        expect(l.rulesetId).toBe('etag:"r1"');
        expect(l.checkResources.inputs).toEqual([INPUT(i)]);
        const [want] = pdp.checkInputs([INPUT(i)] as never, { now: new Date("2024-05-01T12:00:00Z") });
        expect(l.checkResources.outputs).toEqual([JSON.parse(JSON.stringify(want))]);
        expect(l.checkResources.outputs[0].actions.read.policy).toBe("resource.expense.vdefault");
        expect(l.auditTrail).toEqual({ effectivePolicies: { "resource.expense.vdefault": { attributes: {} } } });
      }
      // bob may read his own expenses (odd i), never delete
      expect(lines.map((l) => l.checkResources.outputs[0].actions.read.effect)).toEqual(Array.from({ length: 12 }, (_, i) => (i % 2 ? "EFFECT_ALLOW" : "EFFECT_DENY")));
      expect(lines.every((l) => l.checkResources.outputs[0].actions.delete.effect === "EFFECT_DENY")).toBe(true);
    } finally {
      await page.close();
    }
  });

  it("flushes what is queued when the page is hidden, and when it goes away (pagehide)", async () => {
    const page = await open();
    try {
      const before = linesAt("/collect").length;
      const pending = await page.evaluate((inputs) => {
        const t = (globalThis as any).auditTest;
        const a = t.make({ url: "/collect", maxBatch: 100, flushIntervalMs: 60_000 });
        for (const input of inputs) a.record([input]);
        const queued = a.sink.stats().pending;
        Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
        document.dispatchEvent(new Event("visibilitychange"));
        return { queued, after: a.sink.stats() };
      }, [INPUT(1), INPUT(2), INPUT(3)]);
      expect(pending.queued).toBe(3);
      expect(pending.after).toMatchObject({ written: 3, pending: 0, dropped: 0, unconfirmed: 3 });
      await until(() => linesAt("/collect").length >= before + 3, "hidden flush");
      expect(linesAt("/collect").slice(before).map((l) => l.checkResources.inputs[0].requestId)).toEqual(["r-1", "r-2", "r-3"]);

      // pagehide: entries recorded just before navigating away still arrive.
      const countBefore = linesAt("/collect").length;
      await page.evaluate((inputs) => {
        const t = (globalThis as any).auditTest;
        Object.defineProperty(document, "visibilityState", { value: "visible", configurable: true });
        const a = t.make({ url: "/collect", maxBatch: 100, flushIntervalMs: 60_000 });
        for (const input of inputs) a.record([input]);
      }, [INPUT(7), INPUT(8)]);
      await page.goto("about:blank");
      await until(() => linesAt("/collect").length >= countBefore + 2, "pagehide flush");
      expect(linesAt("/collect").slice(countBefore).map((l) => l.checkResources.inputs[0].requestId)).toEqual(["r-7", "r-8"]);
    } finally {
      await page.close();
    }
  });

  it("loses nothing silently: full queue, failing and unreachable collectors, refused beacons are counted as dropped", async () => {
    const page = await open();
    try {
      const r = await page.evaluate(async ({ inputs, big, deadUrl }) => {
        const t = (globalThis as any).auditTest;
        // 1. bounded queue: 5 slots, no timer before the 8 records
        const q = t.make({ url: "/collect", maxBatch: 100, maxQueue: 5, flushIntervalMs: 60_000 });
        const times = inputs.map((i: unknown) => q.record([i]));
        const queueStats = q.log.stats();
        await q.log.flush();
        // 2. failing collector (HTTP 500) over the fetch transport: the sends fail and are counted
        const f = t.make({ url: "/fail", transport: "fetch", maxBatch: 3, flushIntervalMs: 50 });
        inputs.forEach((i: unknown) => f.record([i]));
        await f.log.flush();
        // 3. unreachable collector (closed port)
        const d = t.make({ url: deadUrl, transport: "fetch", maxBatch: 4, flushIntervalMs: 50 });
        inputs.forEach((i: unknown) => d.record([i]));
        await d.log.flush();
        // 4. sendBeacon refuses an oversized batch (> 64 KB quota); the fallback POST fails: counted
        const b = t.make({ url: "/fail", maxBatch: 2, flushIntervalMs: 50 });
        const beaconsBefore = t.beacons;
        b.record([big]);
        b.record([big]);
        await b.log.flush();
        return {
          maxRecordMs: Math.max(...times),
          queue: { stats: queueStats, after: q.log.stats() },
          fail: { stats: f.log.stats(), errors: f.errors },
          dead: { stats: d.log.stats(), errors: d.errors },
          refused: { stats: b.log.stats(), errors: b.errors, beacons: t.beacons - beaconsBefore },
        };
      }, {
        inputs: Array.from({ length: 8 }, (_, i) => INPUT(i)),
        big: { ...INPUT(99), resource: { kind: "expense", id: "E99", attr: { ownerId: "bob", blob: "x".repeat(40_000) } } },
        deadUrl: "http://127.0.0.1:9/collect",
      });
      expect(r.maxRecordMs).toBeLessThan(200);
      expect(r.queue.stats).toMatchObject({ decisions: 8, dropped: 3, sinks: { "beacon:/collect": { accepted: 5, dropped: 3, pending: 5 } } });
      expect(r.queue.after).toMatchObject({ dropped: 3, sinks: { "beacon:/collect": { written: 5, pending: 0 } } });

      expect(r.fail.stats).toMatchObject({ decisions: 8, dropped: 8, sinks: { "beacon:/fail": { accepted: 8, written: 0, dropped: 8, pending: 0, unconfirmed: 0 } } });
      expect(r.fail.errors).toEqual(["audit /fail: 3 entries dropped: HTTP 500", "audit /fail: 3 entries dropped: HTTP 500", "audit /fail: 2 entries dropped: HTTP 500"]);
      expect(received.filter((x) => x.path === "/fail").length).toBeGreaterThanOrEqual(3); // they did reach it, and it failed

      expect(r.dead.stats).toMatchObject({ dropped: 8, sinks: { "beacon:http://127.0.0.1:9/collect": { written: 0, dropped: 8, pending: 0 } } });
      expect(r.dead.errors).toHaveLength(2);

      expect(r.refused.beacons).toBe(1); // tried, refused (too large), then the fetch fallback got a 500
      expect(r.refused.stats).toMatchObject({ dropped: 2, sinks: { "beacon:/fail": { accepted: 2, written: 0, dropped: 2, unconfirmed: 0 } } });
      expect(r.refused.errors).toEqual(["audit /fail: 2 entries dropped: HTTP 500"]);
    } finally {
      await page.close();
    }
  });
});
