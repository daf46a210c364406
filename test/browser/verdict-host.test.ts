// host/browser's Verdict, exercised in Node (the same runtime-neutral code runs in Chromium in
// the other browser tests): in-place ruleset swaps with subscribers, refusal of a bad ruleset,
// batch checks equal to single checks, flat memory over many swaps, and the DOM-free API surface.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileDirectory, compilePolicies } from "../../compiler/index.ts";
import { RulesetLoadError, Verdict } from "../../host/browser/index.ts";
import { checkInputs } from "../../host/browser/full.ts";
import { Pdp } from "../../host/node/index.ts";
import { menuChecks, PRINCIPALS } from "../../examples/expenses-menu/data.ts";
import { repoRoot } from "../oracle/paths.ts";

const wasm = readFileSync(join(repoRoot, "build", "verdict.wasm"));
const module = new WebAssembly.Module(wasm);
const expenses = compileDirectory(join(repoRoot, "examples", "expenses")).ruleset!;
const policyText = readFileSync(join(repoRoot, "examples", "expenses", "expense.yaml"), "utf8");
const allowAll = compilePolicies([{ path: "expense.yaml", text: policyText.replace('roles: ["admin"]', 'roles: ["*"]') }]).ruleset!;
const principal = PRINCIPALS.user!.principal;

describe("host/browser Verdict", () => {
  it("swaps rulesets in place, tells subscribers, and unsubscribes", () => {
    const v = new Verdict(module, expenses);
    const instance = (): unknown => (v as unknown as { session: { abi: unknown } }).session.abi;
    const before = instance();
    const seen: number[] = [];
    const off = v.subscribe(() => seen.push(v.version));
    const e2 = { kind: "expense", id: "E2", attr: { ownerId: "carol" } };
    const guest = { id: "gary", roles: ["guest"] }; // allowAll lets every role do what admin does
    expect(v.isAllowed({ principal: guest, resource: e2, action: "delete" })).toBe(false);
    v.setRuleset(allowAll);
    expect(v.isAllowed({ principal: guest, resource: e2, action: "delete" })).toBe(true);
    off();
    v.setRuleset(expenses);
    expect(v.isAllowed({ principal: guest, resource: e2, action: "delete" })).toBe(false);
    expect(seen).toEqual([1]);
    expect(v.version).toBe(2);
    expect(instance()).toBe(before); // same wasm instance throughout
  });

  it("refuses a bad ruleset and keeps the loaded one (no notification)", () => {
    const v = new Verdict(module, expenses);
    let calls = 0;
    v.subscribe(() => calls++);
    expect(() => v.setRuleset(new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]))).toThrow(RulesetLoadError);
    const corrupt = expenses.slice();
    corrupt[corrupt.length - 1] ^= 0xff;
    expect(() => v.setRuleset(corrupt)).toThrow(RulesetLoadError);
    expect(calls).toBe(0);
    expect(v.isAllowed({ principal, resource: { kind: "expense", id: "E1", attr: { ownerId: "bob" } }, action: "read" })).toBe(true);
  });

  it("decides a whole menu in one call, equal to the Node host one check at a time", () => {
    const v = new Verdict(module, expenses);
    const pdp = Pdp.fromRuleset(expenses);
    for (const { principal: p } of Object.values(PRINCIPALS)) {
      const checks = menuChecks();
      const batch = v.check(p, checks.map((c) => ({ resource: c.resource, actions: [c.action] })));
      expect(batch.map((d, i) => d[checks[i]!.action])).toEqual(checks.map((c) => pdp.isAllowed({ principal: p, resource: c.resource, action: c.action })));
      const cerbosShape = v.checkResources({ principal: p, resources: checks.map((c) => ({ resource: c.resource, actions: [c.action] })) });
      expect(cerbosShape.results.map((r, i) => r.actions[checks[i]!.action])).toEqual(batch.map((d, i) => (d[checks[i]!.action] ? "EFFECT_ALLOW" : "EFFECT_DENY")));
    }
    expect(v.check(principal, [])).toEqual([]);
    expect(() => v.check({ id: "x" } as never, [{ resource: { kind: "expense", id: "E1" }, actions: ["read"] }])).toThrow(TypeError);
  });

  it("full decoder (host/browser/full) equals Pdp.checkInputs", () => {
    const v = new Verdict(module, expenses);
    const pdp = Pdp.fromRuleset(expenses);
    const now = new Date("2024-01-01T00:00:00Z");
    const inputs = menuChecks().map((c, i) => ({ requestId: `r${i}`, principal: PRINCIPALS["emea-manager"]!.principal, resource: c.resource, actions: ["read", "delete", "create"] }));
    expect(checkInputs(v, inputs, now)).toEqual(pdp.checkInputs(inputs, { now }));
  });

  it("keeps memory flat over many swaps and checks (old ruleset, config and buffers are freed)", () => {
    const v = new Verdict(module, expenses);
    const memory = (v as unknown as { session: { abi: { ex: { memory: WebAssembly.Memory } } } }).session.abi.ex.memory;
    const cycle = (n: number): void => {
      for (let i = 0; i < n; i++) {
        v.setRuleset(i % 2 ? expenses : allowAll);
        v.check(principal, menuChecks().map((c) => ({ resource: c.resource, actions: [c.action] })));
      }
    };
    cycle(50);
    const after50 = memory.buffer.byteLength;
    cycle(500);
    expect(memory.buffer.byteLength).toBe(after50);
  });

  it("Verdict.load takes bytes or a compiled module (no network)", async () => {
    const a = await Verdict.load(wasm, expenses);
    const b = await Verdict.load(module, expenses.buffer.slice(expenses.byteOffset, expenses.byteOffset + expenses.byteLength) as ArrayBuffer);
    const q = { principal: PRINCIPALS.admin!.principal, resource: { kind: "expense", id: "E9" }, action: "delete" };
    expect(a.isAllowed(q)).toBe(true);
    expect(b.isAllowed(q)).toBe(true);
  });
});
