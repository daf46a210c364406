// The package entry for Workers (dist/workers.mjs, built by scripts/build.mjs from host/workers and
// meant for the `workerd` export condition) loads and decides inside workerd, with no Node APIs.
import { describe, expect, it } from "vitest";
import wasm from "../../build/verdict.wasm";
import ruleset from "../../build/expenses.bin";
// @ts-ignore -- a JS bundle without its own .d.ts; typed below as the source it is built from
import * as bundledModule from "../../dist/workers.mjs";

const bundled = bundledModule as typeof import("../../host/workers/index.ts");

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
    expect(pdp.checkResources({ principal: { id: "bob", roles: ["user"] }, resources: [{ resource: { kind: "expense", id: "E2", attr: { ownerId: "carol" } }, actions: ["read"] }] }).results[0]?.actions).toEqual({ read: "EFFECT_DENY" });
    await expect(bundled.WorkerPdp.fromResponse(wasm, new Response("gone", { status: 404 }))).rejects.toThrow(/HTTP 404/);
  });
});
