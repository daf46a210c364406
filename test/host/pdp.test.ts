// The Node Pdp against real policies, the real compiler and the built evaluator. Expected
// decisions were recorded from Cerbos 0.55.0 serving the same policy.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { compileDirectory } from "../../compiler/index.ts";
import { CompileError, Pdp, RequestValidationError, RulesetLoadError } from "../../host/node/index.ts";
import { locateWasm } from "../../host/node/wasm.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const tmp = mkdtempSync(join(tmpdir(), "verdict-pdp-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function dir(name: string, files: Record<string, string>): string {
  const d = join(tmp, name);
  mkdirSync(d, { recursive: true });
  for (const [f, t] of Object.entries(files)) writeFileSync(join(d, f), t);
  return d;
}

const DOC = `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: doc
  version: default
  rules:
    - actions: ["view"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      output:
        when:
          ruleActivated: '"hi " + P.id'
    - actions: ["edit"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          expr: R.attr.owner == P.id
    - actions: ["jwt"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          expr: request.auxData.jwt.sub == P.id
`;
const policies = dir("doc", { "doc.yaml": DOC });
const principal = { id: "a", roles: ["user"] };

describe("Pdp.fromPolicyDir", () => {
  const pdp = Pdp.fromPolicyDir(policies);

  it("answers CheckResources exactly like Cerbos (minus the call id)", () => {
    const res = pdp.checkResources({
      requestId: "r1",
      principal,
      resources: [{ actions: ["view", "x"], resource: { kind: "doc", id: "1" } }],
      includeMeta: true,
    });
    const { cerbosCallId, ...rest } = res;
    expect(cerbosCallId).toMatch(/^[0-9A-Z]{26}$/);
    expect(rest).toEqual({
      requestId: "r1",
      results: [
        {
          resource: { id: "1", kind: "doc" },
          actions: { view: "EFFECT_ALLOW", x: "EFFECT_DENY" },
          meta: { actions: { view: { matchedPolicy: "resource.doc.vdefault" }, x: { matchedPolicy: "resource.doc.vdefault" } } },
          outputs: [{ src: "resource.doc.vdefault#rule-001", val: "hi a", action: "view" }],
        },
      ],
    });
  });

  it("answers engine inputs with CheckOutputs", () => {
    const out = pdp.checkInputs([
      { requestId: "q", principal, resource: { kind: "doc", id: "2", attr: { owner: "a" } }, actions: ["edit"] },
      { principal, resource: { kind: "doc", id: "3", attr: { owner: "b" } }, actions: ["edit"] },
    ]);
    expect(out).toEqual([
      { requestId: "q", resourceId: "2", actions: { edit: { effect: "EFFECT_ALLOW", policy: "resource.doc.vdefault" } }, effectiveDerivedRoles: [], outputs: [] },
      { resourceId: "3", actions: { edit: { effect: "EFFECT_DENY", policy: "resource.doc.vdefault" } }, effectiveDerivedRoles: [], outputs: [] },
    ]);
  });

  it("isAllowed is true only for an explicit ALLOW", () => {
    expect(pdp.isAllowed({ principal, resource: { kind: "doc", id: "1" }, action: "view" })).toBe(true);
    expect(pdp.isAllowed({ principal, resource: { kind: "doc", id: "1" }, action: "delete" })).toBe(false);
    expect(pdp.isAllowed({ principal, resource: { kind: "nothing", id: "1" }, action: "view" })).toBe(false);
  });

  it("refuses malformed requests with Cerbos's validation errors, never deciding", () => {
    expect(() => pdp.checkResources({ principal: { id: "", roles: [] }, resources: [] } as never)).toThrow(RequestValidationError);
    expect(() => pdp.isAllowed({ principal: { id: "a", roles: [] }, resource: { kind: "doc", id: "1" }, action: "view" })).toThrow(
      /principal.roles: value is required/,
    );
    expect(() => pdp.checkInputs([{ principal, resource: { kind: "", id: "" }, actions: [] } as never])).toThrow(RequestValidationError);
    expect(() => pdp.checkResources(null as never)).toThrow(RequestValidationError);
  });

  it("refuses JWT aux data it cannot verify, like Cerbos without key sets", () => {
    const req = { principal, resources: [{ actions: ["view"], resource: { kind: "doc", id: "1" } }], auxData: { jwt: { token: "a.b.c" } } };
    expect(() => pdp.checkResources(req)).toThrow("invalid auxData");
  });
});

describe("aux data", () => {
  const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const token = `${b64url({ alg: "none" })}.${b64url({ sub: "a" })}.sig`;
  const req = (t: string) => ({ principal, resources: [{ actions: ["jwt"], resource: { kind: "doc", id: "1" } }], auxData: { jwt: { token: t } } });

  it("decodes JWT claims when verification is disabled (auxData.jwt.disableVerification)", () => {
    const pdp = Pdp.fromPolicyDir(policies, { jwt: { disableVerification: true } });
    expect(pdp.checkResources(req(token)).results[0]!.actions).toEqual({ jwt: "EFFECT_ALLOW" });
    expect(pdp.checkResources(req(`${b64url({})}.${b64url({ sub: "b" })}.x`)).results[0]!.actions).toEqual({ jwt: "EFFECT_DENY" });
    expect(() => pdp.checkResources(req("not-a-jwt"))).toThrow("invalid auxData");
  });

  it("passes decoded claims through checkInputs, and a caller-supplied verifier through checkResources", () => {
    const pdp = Pdp.fromPolicyDir(policies, { jwt: { decode: (t) => (t === "good" ? { sub: "a" } : { sub: "?" }) } });
    expect(pdp.checkResources(req("good")).results[0]!.actions).toEqual({ jwt: "EFFECT_ALLOW" });
    const [out] = pdp.checkInputs([{ principal, resource: { kind: "doc", id: "1" }, actions: ["jwt"], auxData: { jwt: { sub: "a" } } }]);
    expect(out!.actions.jwt!.effect).toBe("EFFECT_ALLOW");
  });
});

describe("Pdp construction", () => {
  it("fromFile and fromRuleset decide the same as fromPolicyDir", () => {
    const { ruleset } = compileDirectory(policies);
    const file = join(tmp, "doc.vrdt");
    writeFileSync(file, ruleset!);
    const q = { principal, resource: { kind: "doc", id: "1" }, action: "view" };
    expect(Pdp.fromFile(file).isAllowed(q)).toBe(true);
    expect(Pdp.fromRuleset(ruleset!).isAllowed(q)).toBe(true);
  });

  it("throws CompileError carrying sorted diagnostics", () => {
    const bad = dir("bad", { "doc.yaml": DOC.replace("EFFECT_DENY", "x").replace('["edit"]\n      effect: EFFECT_ALLOW', '["edit"]\n      effect: EFFECT_MAYBE') });
    let err: unknown;
    try {
      Pdp.fromPolicyDir(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CompileError);
    const diags = (err as CompileError).diagnostics;
    expect(diags.length).toBeGreaterThan(0);
    expect(diags[0]).toMatchObject({ severity: "error", span: { file: "doc.yaml" } });
    expect((err as Error).message).toMatch(/doc\.yaml:\d+:\d+: error\[VD\d{4}\]/);
  });

  it("refuses bytes that are not a ruleset", () => {
    expect(() => Pdp.fromRuleset(new Uint8Array(64))).toThrow(RulesetLoadError);
  });

  it("finds the evaluator in the source tree and in the bundle directory", () => {
    expect(locateWasm()).toBe(join(root, "build", "verdict.wasm"));
    expect(existsSync(join(root, "dist", "verdict.wasm"))).toBe(true);
  });

  it("works from the dist/node.mjs bundle", async () => {
    const mod = (await import(join(root, "dist", "node.mjs"))) as { Pdp: typeof Pdp };
    const pdp = mod.Pdp.fromRuleset(compileDirectory(policies).ruleset!);
    expect(pdp.isAllowed({ principal, resource: { kind: "doc", id: "1" }, action: "view" })).toBe(true);
  });
});

describe("Pdp robustness", () => {
  const pdp = Pdp.fromPolicyDir(policies);

  it("never crashes and never allows on arbitrary request bodies", () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const atoms = [null, true, false, 0, -1.5, 1e308, "", "view", "user", "a", "ü🙂", [], {}];
    const value = (d: number): unknown => {
      const r = rnd();
      if (d > 3 || r < 0.5) return atoms[Math.floor(rnd() * atoms.length)];
      if (r < 0.75) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(d + 1));
      const keys = ["principal", "resources", "id", "roles", "kind", "actions", "resource", "attr", "requestId", "includeMeta"];
      return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 5) }, () => [keys[Math.floor(rnd() * keys.length)]!, value(d + 1)]));
    };
    for (let i = 0; i < 2000; i++) {
      const body = value(0);
      try {
        const res = pdp.checkResources(body as never);
        for (const r of res.results) for (const e of Object.values(r.actions)) expect(["EFFECT_ALLOW", "EFFECT_DENY"]).toContain(e);
      } catch (e) {
        expect(e).toBeInstanceOf(RequestValidationError);
      }
    }
  });

  it("refuses cyclic attributes as an invalid request", () => {
    const attr: Record<string, unknown> = {};
    attr.owner = attr;
    expect(() => pdp.checkInputs([{ principal, resource: { kind: "doc", id: "1", attr }, actions: ["edit"] }])).toThrow(RequestValidationError);
    expect(pdp.isAllowed({ principal, resource: { kind: "doc", id: "1" }, action: "view" })).toBe(true);
  });

  it("handles large batches and large attribute values", () => {
    const res = pdp.checkResources({
      principal,
      resources: Array.from({ length: 500 }, (_, i) => ({ actions: ["view", "edit"], resource: { kind: "doc", id: `${i}`, attr: { owner: i % 2 ? "a" : "b" } } })),
    });
    expect(res.results).toHaveLength(500);
    expect(res.results[499]!.actions).toEqual({ view: "EFFECT_ALLOW", edit: "EFFECT_ALLOW" });
    expect(res.results[498]!.actions).toEqual({ view: "EFFECT_ALLOW", edit: "EFFECT_DENY" });
    const owner = "x".repeat(1_000_000) + "ü";
    const big = pdp.checkInputs([{ principal: { id: owner, roles: ["user"] }, resource: { kind: "doc", id: "1", attr: { owner } }, actions: ["edit"] }]);
    expect(big[0]!.actions.edit!.effect).toBe("EFFECT_ALLOW");
  });
});
