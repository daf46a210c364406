// Pdp.forPrincipal (host/common/principal-checker.ts): a bound principal decides exactly what
// Cerbos decides — checked against the Cerbos engine corpus's wantOutputs and against
// checkInputs — refuses invalid principals, resources and actions with RequestValidationError
// (never allowing), snapshots the principal, and survives the evaluator's block moving.
// Speed is measured only by `npm run bench` (docs/performance.md).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Pdp, RequestValidationError, type Principal, type Resource } from "../../host/node/index.ts";
import { loadEngineCases, normWant, SKIPPED_CASES } from "../conformance/engine-cases.ts";
import { corpusTestdataDir } from "../oracle/paths.ts";

const examples = fileURLToPath(new URL("../../examples/expenses", import.meta.url));
const pdp = Pdp.fromPolicyDir(examples);
const effect = (p: Principal, r: Resource, a: string): boolean =>
  pdp.checkInputs([{ principal: p, resource: r, actions: [a] }])[0]!.actions[a]!.effect === "EFFECT_ALLOW";

describe("forPrincipal against the Cerbos engine corpus", () => {
  const testdata = corpusTestdataDir();
  const suites = [
    { dirs: ["engine", "engine_strict_scope_search"], lenient: false },
    { dirs: ["engine", "engine_lenient_scope_search"], lenient: true },
  ];
  const skipped = new Set(SKIPPED_CASES.map((s) => s.file));
  for (const suite of suites) {
    it(`isAllowed and allowedMany equal wantOutputs (${suite.lenient ? "lenient" : "strict"} scope search)`, () => {
      const corpus = Pdp.fromPolicyDir(join(testdata, "store"), { globals: { environment: "test" }, lenientScopeSearch: suite.lenient });
      let compared = 0, allowed = 0;
      for (const tc of suite.dirs.flatMap((d) => (existsSync(join(testdata, d)) ? loadEngineCases(d) : []))) {
        if (tc.wantError || skipped.has(tc.file)) continue;
        tc.inputs.forEach((inp, i) => {
          if (inp.auxData) return; // a binding carries no aux data
          const want = normWant(tc.wantOutputs[i]!).actions;
          const can = corpus.forPrincipal(inp.principal);
          const many = can.allowedMany(inp.actions.map((action) => ({ resource: inp.resource, action })));
          inp.actions.forEach((a, k) => {
            const w = want[a]?.effect === "EFFECT_ALLOW";
            expect(can.isAllowed(inp.resource, a), `${tc.file} input ${i} ${a}`).toBe(w);
            expect(many[k], `${tc.file} input ${i} ${a} (allowedMany)`).toBe(w);
            compared++;
            allowed += w ? 1 : 0;
          });
        });
      }
      expect(compared).toBeGreaterThan(100);
      expect(allowed).toBeGreaterThan(50);
      expect(allowed).toBeLessThan(compared);
    });
  }
});

describe("forPrincipal", () => {
  const roleSets = [["admin"], ["user"], ["manager"], ["user", "admin"], ["manager", "user"], ["auditor"]];
  const resources: Resource[] = [];
  for (const owner of ["sally", "bob"]) for (const region of ["eu", "us"]) {
    resources.push({ kind: "expense", id: `e-${owner}-${region}`, attr: { ownerId: owner, region, amount: 12.5 } });
  }

  it("agrees with checkInputs, one by one and as a batch", () => {
    for (const roles of roleSets) {
      const p = { id: "sally", roles, attr: { region: "eu", department: "ops" } };
      const can = pdp.forPrincipal(p);
      const checks = resources.flatMap((resource) => ["create", "read", "delete", "frobnicate"].map((action) => ({ resource, action })));
      const many = can.allowedMany(checks);
      checks.forEach((c, i) => {
        const want = effect(p, c.resource, c.action);
        expect(can.isAllowed(c.resource, c.action)).toBe(want);
        expect(many[i]).toBe(want);
      });
    }
    expect(pdp.forPrincipal({ id: "x", roles: ["user"] }).allowedMany([])).toEqual([]);
  });

  it("snapshots the principal: later changes to the caller's object are not seen", () => {
    const p = { id: "sally", roles: ["user"], attr: { region: "eu" } };
    const r = { kind: "expense", id: "e1", attr: { ownerId: "sally", region: "eu" } };
    const can = pdp.forPrincipal(p);
    const before = can.isAllowed(r, "read");
    expect(before).toBe(effect(p, r, "read"));
    p.roles[0] = "admin";
    p.attr.region = "us";
    p.id = "bob";
    expect(can.isAllowed(r, "read")).toBe(before);
    expect(can.principal).toEqual({ id: "sally", roles: ["user"], attr: { region: "eu" } });
    expect(Object.isFrozen(can.principal)).toBe(true);
  });

  it("interleaves bindings (the principal slot is shared) without mixing them up", () => {
    const admin = pdp.forPrincipal({ id: "a", roles: ["admin"] });
    const user = pdp.forPrincipal({ id: "b", roles: ["user"] });
    const r = { kind: "expense", id: "e1", attr: { ownerId: "zed", region: "eu", amount: 1 } };
    for (let i = 0; i < 3; i++) {
      expect(admin.isAllowed(r, "delete")).toBe(effect({ id: "a", roles: ["admin"] }, r, "delete"));
      expect(user.isAllowed(r, "delete")).toBe(effect({ id: "b", roles: ["user"] }, r, "delete"));
    }
    expect(admin.isAllowed(r, "delete")).not.toBe(user.isAllowed(r, "delete"));
  });

  it("stays correct when more bindings are in use than the evaluator has principal slots", () => {
    const r = { kind: "expense", id: "e1", attr: { ownerId: "u7", region: "eu", amount: 1 } };
    const ps = Array.from({ length: 150 }, (_, i) => ({ id: `u${i}`, roles: [roleSets[i % roleSets.length]![0]!], attr: { region: i % 2 ? "eu" : "us" } }));
    const cans = ps.map((p) => pdp.forPrincipal(p));
    for (let round = 0; round < 2; round++) {
      ps.forEach((p, i) => {
        for (const a of ["read", "delete"]) expect(cans[i]!.isAllowed(r, a), `${p.id} ${a}`).toBe(effect(p, r, a));
      });
    }
  });

  it("handles requests larger than the initial buffers (the block grows and bindings re-encode)", () => {
    const big = "x".repeat(40_000);
    const p = { id: "sally", roles: ["user"], attr: { region: "eu", note: big } };
    const can = pdp.forPrincipal(p);
    const other = pdp.forPrincipal({ id: "bob", roles: ["admin"] });
    const r = { kind: "expense", id: "e1", attr: { ownerId: "sally", region: "eu", note: big } };
    const checks = Array.from({ length: 300 }, (_, i) => ({ resource: { ...r, id: `e${i}` }, action: i % 2 ? "read" : "delete" }));
    const many = can.allowedMany(checks);
    checks.forEach((c, i) => expect(many[i]).toBe(effect(p, c.resource, c.action)));
    expect(other.isAllowed(r, "delete")).toBe(effect({ id: "bob", roles: ["admin"] }, r, "delete"));
    expect(can.isAllowed(r, "read")).toBe(effect(p, r, "read"));
  });

  it("reads snake_case fields like the validator does", () => {
    const can = pdp.forPrincipal({ id: "sally", roles: ["user"], policy_version: "default" } as never);
    const r = { kind: "expense", id: "e1", policy_version: "default", attr: { ownerId: "sally" } };
    expect(can.isAllowed(r as never, "read")).toBe(effect({ id: "sally", roles: ["user"] }, { kind: "expense", id: "e1", attr: { ownerId: "sally" } }, "read"));
  });

  it("refuses invalid principals, resources and actions with RequestValidationError", () => {
    const bad: unknown[] = [null, 1, {}, { id: "", roles: ["user"] }, { id: "s", roles: [] }, { id: "s", roles: ["a", "a"] }, { id: "s", roles: ["user"], extra: 1 }, { id: "s", roles: ["user"], attr: [1] }];
    for (const p of bad) expect(() => pdp.forPrincipal(p as never), JSON.stringify(p)).toThrow(RequestValidationError);
    const can = pdp.forPrincipal({ id: "sally", roles: ["admin"] });
    const ok = { kind: "expense", id: "e1" };
    const badRes: unknown[] = [null, "expense", { kind: "", id: "e1" }, { kind: "expense", id: "" }, { kind: "expense", id: "e1", attr: 3 }, { kind: "expense", id: "e1", x: 1 }];
    for (const r of badRes) {
      expect(() => can.isAllowed(r as never, "read"), JSON.stringify(r)).toThrow(RequestValidationError);
      expect(() => can.allowedMany([{ resource: ok, action: "read" }, { resource: r as never, action: "read" }])).toThrow(RequestValidationError);
    }
    for (const a of ["", 1, undefined, null]) {
      expect(() => can.isAllowed(ok, a as never)).toThrow(RequestValidationError);
      expect(() => can.allowedMany([{ resource: ok, action: a as never }])).toThrow(RequestValidationError);
    }
    expect(() => can.allowedMany("nope" as never)).toThrow(RequestValidationError);
    expect(() => can.allowedMany([null as never])).toThrow(RequestValidationError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => pdp.forPrincipal({ id: "s", roles: ["user"], attr: cyclic })).toThrow(RequestValidationError);
    // Attributes no expression reads are never encoded (as in every request); a read one is.
    expect(() => can.isAllowed({ kind: "expense", id: "e1", attr: { ownerId: cyclic } }, "read")).toThrow(RequestValidationError);
    // The binding still works after refused calls.
    expect(can.isAllowed(ok, "read")).toBe(effect({ id: "sally", roles: ["admin"] }, ok, "read"));
  });

  it("uses the Pdp's clock and reports whether a check read it", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const timed = Pdp.fromPolicyDir(examples, { now: () => now });
    const p = { id: "sally", roles: ["user"], attr: { region: "eu" } };
    const r = { kind: "expense", id: "e1", attr: { ownerId: "sally", region: "eu", amount: 1 } };
    const can = timed.forPrincipal(p);
    for (const a of ["read", "create", "delete"]) {
      expect(can.isAllowed(r, a)).toBe(timed.checkInputs([{ principal: p, resource: r, actions: [a] }])[0]!.actions[a]!.effect === "EFFECT_ALLOW");
      expect(can.lastCheckReadNow).toBe(timed.lastCheckReadNow);
    }
  });
});
