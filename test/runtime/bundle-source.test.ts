// Bundle URL source: a compiled ruleset polled over HTTP with If-None-Match/ETag from a loopback
// server. 304s cost no reload (counted), a new ETag swaps, a corrupted bundle is refused by the
// evaluator's checksum and the last good ruleset keeps serving.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compilePolicies } from "../../compiler/index.ts";
import { BundlePoller } from "../../host/common/bundle-poller.ts";
import { type LoadedRuleset, ReloadingPdp } from "../../host/node/reloading-pdp.ts";
import { BundleSource } from "../../host/node/sources/bundle.ts";
import { docPolicy, within } from "./sources-helpers.ts";

function compile(role: string): Uint8Array {
  const { ruleset, diagnostics } = compilePolicies([{ path: "doc.yaml", text: docPolicy(role) }]);
  if (!ruleset) throw new Error(JSON.stringify(diagnostics));
  return ruleset;
}

// What the loopback server serves right now, and what it saw.
let body = compile("user");
let etag = '"v1"';
const seen = { requests: 0, notModified: 0, ifNoneMatch: [] as string[] };
let server: Server;
let url = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.requests++;
    const inm = req.headers["if-none-match"];
    if (typeof inm === "string") seen.ifNoneMatch.push(inm);
    if (inm === etag) {
      seen.notModified++;
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { etag, "content-type": "application/octet-stream", "content-length": body.length }).end(Buffer.from(body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ruleset.vrdt`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const allowed = (pdp: ReloadingPdp, role: string): boolean =>
  pdp.isAllowed({ principal: { id: "p", roles: [role] }, resource: { kind: "doc", id: "d" }, action: "view" });

describe("bundle URL source", () => {
  it("costs no reload on 304, swaps on a new ETag, refuses a corrupted bundle and keeps serving", async () => {
    const swaps: LoadedRuleset[] = [];
    const source = new BundleSource({ url, updatePollIntervalMs: 30 });
    const pdp = await ReloadingPdp.open(source, { onSwap: (l) => swaps.push(l) });
    try {
      expect(allowed(pdp, "user")).toBe(true);
      expect(pdp.status().ruleset).toMatchObject({ revision: 'etag:"v1"', policies: 1, source: `bundle ${url}` });

      // Unchanged: every poll is a 304 and nothing reloads.
      await within(3_000, "five 304s", () => source.notModified >= 5);
      expect(seen.ifNoneMatch.slice(0, 5)).toEqual(Array(5).fill('"v1"'));
      expect(swaps).toHaveLength(1);
      expect(pdp.status()).toMatchObject({ reloads: 0, refused: 0 });

      // A new bundle: admins only.
      body = compile("admin");
      etag = '"v2"';
      await within(3_000, "swap to v2", () => pdp.status().reloads === 1);
      expect([allowed(pdp, "user"), allowed(pdp, "admin")]).toEqual([false, true]);
      expect(pdp.status().ruleset.revision).toBe('etag:"v2"');

      // A corrupted upload (one byte flipped past the header): refused by the checksum.
      const corrupt = compile("user");
      corrupt[corrupt.length - 3] ^= 0xff;
      body = corrupt;
      etag = '"v3"';
      await within(3_000, "corrupt refused", () => pdp.status().refused === 1);
      const st = pdp.status();
      expect(st.lastError).toMatchObject({ revision: 'etag:"v3"', message: expect.stringMatching(/BAD_CHECKSUM|checksum/i) });
      expect(st.ruleset.revision).toBe('etag:"v2"');
      expect([allowed(pdp, "user"), allowed(pdp, "admin")]).toEqual([false, true]);

      // The refused bundle is not downloaded again: its ETag answers 304 and nothing more is refused.
      const before = source.notModified;
      await within(3_000, "304s for the refused ETag", () => source.notModified >= before + 3);
      expect(pdp.status()).toMatchObject({ reloads: 1, refused: 1 });

      // A good bundle recovers.
      body = compile("user");
      etag = '"v4"';
      await within(3_000, "swap to v4", () => pdp.status().reloads === 2);
      expect(pdp.status().lastError).toBeNull();
      expect(allowed(pdp, "user")).toBe(true);
      expect(swaps.map((s) => s.revision)).toEqual(['etag:"v1"', 'etag:"v2"', 'etag:"v4"']);
    } finally {
      await pdp.stop();
    }
  });

  it("BundlePoller (runtime-neutral) reports HTTP errors and timeouts and sends If-None-Match", async () => {
    const calls: Array<Record<string, string>> = [];
    const fake = async (_u: string, init: { headers: Record<string, string>; signal: AbortSignal }): Promise<Response> => {
      calls.push(init.headers);
      if (calls.length === 1) return new Response(new Uint8Array([1, 2, 3]), { status: 200, headers: { etag: '"a"' } });
      if (calls.length === 2) return new Response(null, { status: 304 });
      if (calls.length === 3) return new Response("nope", { status: 503 });
      return new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(new Error("aborted"))));
    };
    const p = new BundlePoller({ url: "http://bundle.invalid/x", fetch: fake, requestTimeoutMs: 50 });
    expect(await p.fetchOnce()).toMatchObject({ kind: "updated", revision: 'etag:"a"', bytes: new Uint8Array([1, 2, 3]) });
    expect(await p.fetchOnce()).toEqual({ kind: "not-modified", revision: 'etag:"a"' });
    expect(calls[1]!["if-none-match"]).toBe('"a"');
    await expect(p.fetchOnce()).rejects.toMatchObject({ name: "BundleFetchError", status: 503, message: "GET http://bundle.invalid/x: HTTP 503" });
    await expect(p.fetchOnce()).rejects.toThrow(/timed out after 50 ms/);
  });

  it("a server without ETags: the ruleset checksum identifies it and an identical body is no reload", async () => {
    const bytes = compile("user");
    let n = 0;
    const fake = async (): Promise<Response> => (n++, new Response(bytes.slice(), { status: 200 }));
    const source = new BundleSource({ url: "http://bundle.invalid/x", updatePollIntervalMs: 20, fetch: fake });
    const pdp = await ReloadingPdp.open(source);
    try {
      expect(pdp.status().ruleset.revision).toMatch(/^fnv:[0-9a-f]{8}$/);
      await within(2_000, "several polls", () => n >= 4);
      expect(pdp.status()).toMatchObject({ reloads: 0, refused: 0 });
    } finally {
      await pdp.stop();
    }
  });
});
