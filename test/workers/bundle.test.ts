// The package entries for Workers (dist/workers.mjs for gating, the `workerd` export condition;
// dist/workers-api.mjs, the opt-in Cerbos HTTP API importing ./workers.mjs; both built by
// scripts/build.mjs from host/workers) load and decide inside workerd, with no Node APIs.
import { describe, expect, it } from "vitest";
import wasm from "../../build/verdict.wasm";
import ruleset from "../../build/expenses.bin";
// @ts-ignore -- a JS bundle without its own .d.ts; typed below as the source it is built from
import * as bundledModule from "../../dist/workers.mjs";
// @ts-ignore -- as above, typed as its source
import * as bundledApiModule from "../../dist/workers-api.mjs";

const bundled = bundledModule as typeof import("../../host/workers/index.ts");
const bundledApi = bundledApiModule as typeof import("../../host/workers/cerbos-api.ts");

describe("workers: dist/workers.mjs in workerd", () => {
  it("decides with the imported evaluator module and ruleset data", () => {
    const pdp = new bundled.WorkerPdp(wasm, ruleset);
    const principal = { id: "bob", roles: ["user"] };
    const resource = { kind: "expense", id: "E1", attr: { ownerId: "bob" } };
    expect([pdp.isAllowed({ principal, resource, action: "read" }), pdp.isAllowed({ principal, resource, action: "delete" })]).toEqual([true, false]);
  });

  it("refuses wasm bytes with a clear message (Workers cannot compile them)", () => {
    expect(() => new bundled.WorkerPdp(new Uint8Array([0, 97, 115, 109]) as never, ruleset)).toThrow(/WebAssembly\.Module/);
  });

  it("reads a ruleset from KV-like storage and reports a missing key", async () => {
    const kv = { get: async (key: string) => (key === "rules" ? ruleset : null) };
    const pdp = await bundled.WorkerPdp.fromKV(wasm, kv, "rules");
    expect(pdp.isAllowed({ principal: { id: "alice", roles: ["admin"] }, resource: { kind: "expense", id: "E2" }, action: "delete" })).toBe(true);
    await expect(bundled.WorkerPdp.fromKV(wasm, kv, "nope")).rejects.toBeInstanceOf(bundled.RulesetLoadError);
  });

  it("builds from a fetched bundle (Response)", async () => {
    const pdp = await bundled.WorkerPdp.fromResponse(wasm, new Response(ruleset));
    expect(pdp.check({ id: "bob", roles: ["user"] }, [{ resource: { kind: "expense", id: "E2", attr: { ownerId: "carol" } }, actions: ["read"] }])).toEqual([
      [{ effect: "EFFECT_DENY", policy: "resource.expense.vdefault" }],
    ]);
    await expect(bundled.WorkerPdp.fromResponse(wasm, new Response("gone", { status: 404 }))).rejects.toThrow(/HTTP 404/);
  });
});

describe("workers: dist/workers-api.mjs (opt-in Cerbos API) on a dist/workers.mjs WorkerPdp", () => {
  const pdp = new bundled.WorkerPdp(wasm, ruleset);
  const principal = { id: "bob", roles: ["user"] };

  it("answers Cerbos's CheckResources through the gating entry's evaluator", () => {
    const res = bundledApi.checkResources(pdp, {
      requestId: "r1",
      principal,
      resources: [{ resource: { kind: "expense", id: "E2", attr: { ownerId: "carol" } }, actions: ["read"] }],
      includeMeta: true,
    });
    expect(res.requestId).toBe("r1");
    expect(res.results).toEqual([
      { resource: { id: "E2", kind: "expense" }, actions: { read: "EFFECT_DENY" }, meta: { actions: { read: { matchedPolicy: "resource.expense.vdefault" } } } },
    ]);
  });

  it("maps errors across the two files: invalid → 400 code 3, bad JSON → 400", async () => {
    const post = (body: string) => bundledApi.handleCheckResources(pdp, new Request("https://x.example/api/check/resources", { method: "POST", body }));
    const invalid = await post(JSON.stringify({ principal: { id: "", roles: [] }, resources: [] }));
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ code: 3, message: expect.stringMatching(/^validation errors?:/) });
    expect((await post("{nope")).status).toBe(400);
    const ok = await post(JSON.stringify({ principal, resources: [{ resource: { kind: "expense", id: "E1", attr: { ownerId: "bob" } }, actions: ["read", "delete"] }] }));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { results: Array<{ actions: unknown }> }).results[0]?.actions).toEqual({ read: "EFFECT_ALLOW", delete: "EFFECT_DENY" });
  });
});
