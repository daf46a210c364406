// Bundle refresh in workerd (issue 5): host/workers/bundle.ts keeps a WorkerPdp current from a URL
// polled with If-None-Match/ETag (an in-test origin that answers 304 for the current ETag) or
// from KV, at most every maxAgeSeconds, in the background under ctx.waitUntil. 304s swap nothing;
// a new ETag swaps; a corrupted bundle is refused (onError), the last good one keeps serving and
// its ETag is not downloaded again; the first load is awaited; nothing loaded → 503.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import wasm from "../../build/verdict.wasm";
import ruleset from "../../build/expenses.bin";
import { BundleRefresher, withBundleRefresh } from "../../host/workers/bundle.ts";
import { withAuthorization } from "../../host/workers/index.ts";
// @ts-ignore -- JS bundles without their own .d.ts; typed below as the sources they are built from
import * as distBundleModule from "../../dist/workers-bundle.mjs";
// @ts-ignore -- as above
import * as distWorkersModule from "../../dist/workers.mjs";

const distBundle = distBundleModule as typeof import("../../host/workers/bundle.ts");
const distWorkers = distWorkersModule as typeof import("../../host/workers/index.ts");

declare module "cloudflare:test" {
  export function createExecutionContext(): { waitUntil(p: Promise<unknown>): void; passThroughOnException(): void };
  export function waitOnExecutionContext(ctx: { waitUntil(p: Promise<unknown>): void }): Promise<void>;
}

const v1 = new Uint8Array(ruleset);
const corrupt = v1.slice();
corrupt[corrupt.length - 1]! ^= 0xff;
const bob = { id: "bob", roles: ["user"] };
const E2 = { kind: "expense", id: "E2", attr: { ownerId: "carol" } };

/** A bundle origin: serves `current` with its ETag, 304 for a matching If-None-Match. */
function origin() {
  const o = {
    current: { bytes: v1, etag: '"v1"' } as { bytes: Uint8Array; etag: string } | { status: number },
    log: [] as Array<{ status: number; inm: string | null }>,
    fetch: async (_url: string, init: { headers: Record<string, string> }): Promise<Response> => {
      const inm = init.headers["if-none-match"] ?? null;
      const c = o.current;
      if ("status" in c) {
        o.log.push({ status: c.status, inm });
        return new Response("down", { status: c.status });
      }
      const status = inm === c.etag ? 304 : 200;
      o.log.push({ status, inm });
      return status === 304 ? new Response(null, { status, headers: { etag: c.etag } }) : new Response(c.bytes as Uint8Array<ArrayBuffer>, { headers: { etag: c.etag } });
    },
  };
  return o;
}

/** A second valid ruleset: the engine corpus store, compiled by the project's globalSetup. */
async function v2Bytes(): Promise<Uint8Array> {
  const { inject } = await import("vitest");
  const b64 = inject("verdictCorpus").rulesetBase64;
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

describe("workers: BundleRefresher over a URL with ETag", () => {
  it("loads first (awaited), 304s swap nothing, a new ETag swaps in the background via waitUntil", async () => {
    const o = origin();
    const updates: string[] = [];
    const r = new BundleRefresher(wasm, { url: "https://bundles.example/p.vrdt", fetch: o.fetch, maxAgeSeconds: 0, onUpdate: (rev) => updates.push(rev) });
    expect(() => r.pdp()).toThrow(/no ruleset loaded yet/);
    const ctx = createExecutionContext();
    const first = await r.ready(ctx);
    expect(first.isAllowed({ principal: bob, resource: E2, action: "read" })).toBe(false);
    expect(o.log).toEqual([{ status: 200, inm: null }]);

    // Due (maxAgeSeconds 0): ready() returns the current PDP at once and schedules the check.
    const ctx2 = createExecutionContext();
    expect(await r.ready(ctx2)).toBe(first);
    await waitOnExecutionContext(ctx2);
    expect(o.log[1]).toEqual({ status: 304, inm: '"v1"' });
    expect(r.pdp()).toBe(first); // 304: same PDP object, nothing swapped
    expect(await r.refresh()).toBe("not-modified");
    expect(r.pdp()).toBe(first);

    const v2 = await v2Bytes();
    o.current = { bytes: v2, etag: '"v2"' };
    const ctx3 = createExecutionContext();
    expect(await r.ready(ctx3)).toBe(first); // this request is still answered by v1
    await waitOnExecutionContext(ctx3);
    expect(r.pdp()).not.toBe(first);
    expect(r.status()).toMatchObject({ revision: 'etag:"v2"', counts: { updated: 2, "not-modified": 2, refused: 0, failed: 0 }, lastError: undefined });
    expect(updates).toEqual(['etag:"v1"', 'etag:"v2"']);
  });

  it("refuses a corrupted bundle, keeps the last good one, does not download it again, recovers on a new upload", async () => {
    const o = origin();
    const errors: string[] = [];
    const r = new BundleRefresher(wasm, { url: "https://bundles.example/p.vrdt", fetch: o.fetch, maxAgeSeconds: 0, onError: (e) => errors.push(String(e)) });
    await r.refresh();
    const good = r.pdp();
    o.current = { bytes: corrupt, etag: '"bad"' };
    expect(await r.refresh()).toBe("refused");
    expect(r.pdp()).toBe(good);
    expect(good.isAllowed({ principal: bob, resource: { ...E2, attr: { ownerId: "bob" } }, action: "read" })).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/RulesetLoadError/);
    expect(await r.refresh()).toBe("not-modified");
    expect(o.log.slice(-2)).toEqual([{ status: 200, inm: '"v1"' }, { status: 304, inm: '"bad"' }]);
    expect(r.status()).toMatchObject({ revision: 'etag:"v1"', counts: { refused: 1 }, lastError: expect.stringMatching(/^RulesetLoadError: /) });

    o.current = { status: 503 };
    expect(await r.refresh()).toBe("failed");
    expect(r.pdp()).toBe(good);
    expect(errors[1]).toMatch(/HTTP 503/);

    o.current = { bytes: v1, etag: '"v1-again"' };
    expect(await r.refresh()).toBe("updated");
    expect(r.pdp()).not.toBe(good);
    expect(r.status()).toMatchObject({ revision: 'etag:"v1-again"', lastError: undefined });
  });

  it("checks at most every maxAgeSeconds, and shares one running check", async () => {
    const o = origin();
    const r = new BundleRefresher(wasm, { url: "https://bundles.example/p.vrdt", fetch: o.fetch, maxAgeSeconds: 3600 });
    await Promise.all([r.refresh(), r.refresh(), r.refresh()]);
    expect(o.log).toHaveLength(1);
    for (let i = 0; i < 5; i++) {
      const ctx = createExecutionContext();
      await r.ready(ctx);
      await waitOnExecutionContext(ctx);
    }
    expect(o.log).toHaveLength(1);
  });

  it("withBundleRefresh + withAuthorization: decisions from the loaded bundle; 503 when none could be loaded", async () => {
    const o = origin();
    const r = new BundleRefresher(wasm, { url: "https://bundles.example/p.vrdt", fetch: o.fetch, maxAgeSeconds: 60 });
    const handler = withBundleRefresh(
      r,
      withAuthorization({ pdp: () => r.pdp(), map: () => ({ principal: bob, resource: E2, action: "read" }) }, () => new Response("ok")),
    );
    const ctx = createExecutionContext();
    expect((await handler(new Request("https://x.example/"), {}, ctx)).status).toBe(403);
    await waitOnExecutionContext(ctx);

    const down = origin();
    down.current = { status: 500 };
    const r2 = new BundleRefresher(wasm, { url: "https://bundles.example/p.vrdt", fetch: down.fetch });
    const h2 = withBundleRefresh(r2, () => new Response("never"));
    const res = await h2(new Request("https://x.example/"), {}, createExecutionContext());
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ code: 14, message: "no ruleset loaded" });
  });
});

describe("workers: BundleRefresher over KV", () => {
  it("swaps only when the value changes, refuses a corrupted value once, recovers", async () => {
    let value: ArrayBuffer | null = v1.slice().buffer;
    let reads = 0;
    const kv = { get: async (_k: string, _t: "arrayBuffer") => (reads++, value) };
    const r = new BundleRefresher(wasm, { kv, key: "rules", maxAgeSeconds: 0 });
    expect(await r.refresh()).toBe("updated");
    const first = r.pdp();
    expect(await r.refresh()).toBe("not-modified");
    expect(r.pdp()).toBe(first);
    value = corrupt.slice().buffer;
    expect(await r.refresh()).toBe("refused");
    expect(await r.refresh()).toBe("not-modified"); // the same bad value is not loaded again
    expect(r.status().counts.refused).toBe(1);
    expect(r.pdp()).toBe(first);
    value = (await v2Bytes()).slice().buffer;
    expect(await r.refresh()).toBe("updated");
    expect(r.pdp()).not.toBe(first);
    value = null;
    expect(await r.refresh()).toBe("failed");
    expect(reads).toBe(6);
    expect(() => new BundleRefresher(wasm, {})).toThrow(TypeError);
  });
});

describe("workers: dist/workers-bundle.mjs (verdict/workers/bundle) shares dist/workers.mjs", () => {
  it("refreshes into WorkerPdp instances of the gating entry, and its errors are that entry's classes", async () => {
    const o = origin();
    const r = new distBundle.BundleRefresher(wasm, { url: "https://bundles.example/p.vrdt", fetch: o.fetch });
    expect(() => r.pdp()).toThrow(distWorkers.RulesetLoadError);
    expect(await r.refresh()).toBe("updated");
    expect(r.pdp()).toBeInstanceOf(distWorkers.WorkerPdp);
    expect(r.pdp().isAllowed({ principal: bob, resource: { ...E2, attr: { ownerId: "bob" } }, action: "read" })).toBe(true);
  });
});
