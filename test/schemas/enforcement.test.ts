// Schema enforcement without the oracle: what the compiler bundles, how hosts refuse what they
// cannot enforce, and the Node host's paths (checkInputs, isAllowed's fast path, enforcement none).
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileDirectory, compilePolicies } from "../../compiler/index.ts";
import { Engine, RulesetLoadError } from "../../host/common/engine.ts";
import { readSchemaBundle } from "../../host/common/schema-section.ts";
import { jsonSchemaValidator } from "../../host/common/schema-validate.ts";
import { Pdp } from "../../host/node/index.ts";
import { loadWasmModule } from "../../host/node/wasm.ts";
import { Section } from "../../spec/format.ts";
import { writeSchemaStore } from "./fixture.ts";

const dir = writeSchemaStore();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const compiled = compileDirectory(dir);
const ruleset = compiled.ruleset!;

const valid = { dept: "sales", level: 3 };
const invalid = { dept: "hr", level: 3 };
const principal = (attr: Record<string, unknown>) => ({ id: "alice", roles: ["user"], attr });
const doc = (actions: string[], scope?: string) => ({
  principal: principal(invalid),
  resource: { kind: "doc", id: "d1", attr: { owner: "alice" }, ...(scope ? { scope } : {}) },
  actions,
});

describe("compiler: the SCHEMAS section", () => {
  it("bundles the root policy's schemas for every policy of the kind, scoped ones included", () => {
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const b = readSchemaBundle(ruleset)!;
    expect(Object.keys(b.policies).sort()).toEqual(["resource.doc.vdefault", "resource.doc.vdefault/acme"]);
    // The scoped policy declares other.json; Cerbos uses the root's schemas.
    expect(b.policies["resource.doc.vdefault/acme"]).toEqual(b.policies["resource.doc.vdefault"]);
    expect(b.policies["resource.doc.vdefault"]!.principal).toEqual({ ref: "cerbos:///principal.json" });
    // Files reached through $ref are bundled too; unreferenced ones are not.
    expect(Object.keys(b.schemas).sort()).toEqual(["cerbos:///common/defs.json", "cerbos:///principal.json", "cerbos:///resource.json"]);
  });

  it("compiles ignoreWhen globs to anchored expressions with Cerbos's ':' segments", () => {
    const re = readSchemaBundle(ruleset)!.policies["resource.doc.vdefault"]!.resource!.ignoreWhen!.map((s) => new RegExp(s, "s"));
    const ignored = (a: string) => re.some((r) => r.test(a));
    expect(["create", "list:all", "list:x"].every(ignored)).toBe(true);
    expect(["list", "list:a:b", "created", "view"].some(ignored)).toBe(false);
  });

  it("writes no SCHEMAS section when no policy has schemas", () => {
    const text = readFileSync(join(dir, "plain.yaml"), "utf8");
    const plain = compilePolicies([{ path: "plain.yaml", text }]);
    expect(readSchemaBundle(plain.ruleset!)).toBeUndefined();
  });

  it("never compiles a policy without its schema files", () => {
    const missing = compileDirectory(dir, { schemas: new Map() });
    expect(missing.ruleset).toBeUndefined();
    expect(missing.diagnostics.some((d) => d.code === "VD2014")).toBe(true);
  });
});

describe("hosts: fail closed", () => {
  const wasm = loadWasmModule();

  it("an engine without a validator refuses a ruleset whose schemas must be enforced", () => {
    for (const mode of ["warn", "reject"] as const) {
      expect(() => new Engine(wasm, ruleset, { schemaEnforcement: mode })).toThrow(RulesetLoadError);
      expect(() => new Engine(wasm, ruleset, { schemaEnforcement: mode })).toThrow(/schema validator/);
    }
    expect(() => new Engine(wasm, ruleset, { schemaEnforcement: "none" })).not.toThrow();
    expect(() => new Engine(wasm, ruleset, { schemaEnforcement: "reject", schemaValidator: jsonSchemaValidator })).not.toThrow();
  });

  it("refuses an unknown enforcement mode and a corrupt SCHEMAS section", () => {
    expect(() => new Engine(wasm, ruleset, { schemaEnforcement: "strict" as never, schemaValidator: jsonSchemaValidator })).toThrow(RulesetLoadError);
    const bad = ruleset.slice();
    const dv = new DataView(bad.buffer);
    for (let i = 0; i < dv.getUint32(20, true); i++) {
      if (dv.getUint32(32 + i * 12, true) === Section.SCHEMAS) bad[dv.getUint32(32 + i * 12 + 4, true) + 4] = 0x7b ^ 0xff; // break the JSON
    }
    expect(() => new Engine(wasm, bad, { schemaEnforcement: "warn", schemaValidator: jsonSchemaValidator })).toThrow(/SCHEMAS/);
  });
});

describe("Node host", () => {
  it("reject: every action DENY by the selected policy, nothing evaluated; warn: decided, errors reported", () => {
    const rej = Pdp.fromRuleset(ruleset, { schemaEnforcement: "reject" }).checkInputs([doc(["view", "delete"])])[0]!;
    expect(rej.actions).toEqual({
      view: { effect: "EFFECT_DENY", policy: "resource.doc.vdefault" },
      delete: { effect: "EFFECT_DENY", policy: "resource.doc.vdefault" },
    });
    expect(rej.validationErrors).toEqual([{ path: "/dept", message: 'value must be one of "marketing", "engineering", "sales"', source: "SOURCE_PRINCIPAL" }]);
    const warn = Pdp.fromRuleset(ruleset, { schemaEnforcement: "warn" }).checkInputs([doc(["view"])])[0]!;
    expect(warn.actions.view!.effect).toBe("EFFECT_ALLOW");
    expect(warn.validationErrors).toHaveLength(1);
    const none = Pdp.fromRuleset(ruleset).checkInputs([doc(["view"])])[0]!;
    expect(none.actions.view!.effect).toBe("EFFECT_ALLOW");
    expect(none.validationErrors).toBeUndefined();
  });

  it("the scoped policy is rejected under its own key, with the root's schemas", () => {
    const out = Pdp.fromRuleset(ruleset, { schemaEnforcement: "reject" }).checkInputs([doc(["view"], "acme")])[0]!;
    expect(out.actions.view).toEqual({ effect: "EFFECT_DENY", policy: "resource.doc.vdefault/acme" });
    expect(out.validationErrors?.map((e) => e.path)).toEqual(["/dept"]);
  });

  it("forPrincipal bindings (isAllowed, allowedMany) honour the rejection too", () => {
    const pdp = Pdp.fromRuleset(ruleset, { schemaEnforcement: "reject" });
    const res = { kind: "doc", id: "d1", attr: { owner: "alice" } };
    expect(pdp.forPrincipal(principal(valid)).isAllowed(res, "view")).toBe(true);
    expect(pdp.forPrincipal(principal(invalid)).isAllowed(res, "view")).toBe(false);
    expect(pdp.forPrincipal(principal(valid)).allowedMany([{ resource: res, action: "view" }, { resource: res, action: "delete" }])).toEqual(
      pdp.checkInputs([{ principal: principal(valid), resource: res, actions: ["view", "delete"] }]).map((o) => [o.actions.view!.effect === "EFFECT_ALLOW", o.actions.delete!.effect === "EFFECT_ALLOW"])[0],
    );
    expect(pdp.forPrincipal(principal(invalid)).allowedMany([{ resource: res, action: "view" }])).toEqual([false]);
  });

  it("isAllowed (fast path) honours the rejection", () => {
    const pdp = Pdp.fromRuleset(ruleset, { schemaEnforcement: "reject" });
    const q = (attr: Record<string, unknown>) => ({ principal: principal(attr), resource: { kind: "doc", id: "d1", attr: { owner: "alice" } }, action: "view" });
    expect(pdp.isAllowed(q(valid))).toBe(true);
    expect(pdp.isAllowed(q(invalid))).toBe(false);
  });

  it("kinds without schemas and batches mixing valid and invalid resources", () => {
    const pdp = Pdp.fromRuleset(ruleset, { schemaEnforcement: "reject" });
    const out = pdp.checkInputs([
      { principal: principal(valid), resource: { kind: "doc", id: "ok", attr: { owner: "x" } }, actions: ["view"] },
      { principal: principal(valid), resource: { kind: "doc", id: "bad", attr: {} }, actions: ["view"] },
      { principal: principal(invalid), resource: { kind: "plain", id: "p", attr: {} }, actions: ["view"] },
    ]);
    expect(out.map((o) => o.actions.view!.effect)).toEqual(["EFFECT_ALLOW", "EFFECT_DENY", "EFFECT_ALLOW"]);
    expect(out[1]!.validationErrors).toEqual([{ path: "/", message: "missing properties: 'owner'", source: "SOURCE_RESOURCE" }]);
    expect(out[0]!.validationErrors).toBeUndefined();
    expect(out[2]!.validationErrors).toBeUndefined();
  });
});
