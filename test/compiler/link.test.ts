// Link-stage behaviour that the Cerbos corpus does not pin down precisely: codes, positions and the
// store-index quirks we reproduce on purpose.
import { describe, expect, it } from "vitest";
import { compilePolicies } from "../../compiler/index.ts";

const rp = (resource: string, scope = "", extra = "", rules = "  rules:\n    - actions: [view]\n      effect: EFFECT_ALLOW\n      roles: [user]\n") =>
  `apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  resource: ${resource}\n  version: default\n${scope ? `  scope: ${scope}\n` : ""}${extra}${rules}`;

const codes = (files: Array<{ path: string; text: string }>) =>
  compilePolicies(files).diagnostics.filter((d) => d.severity === "error").map((d) => `${d.span.file}:${d.span.line}:${d.code}`);

describe("link", () => {
  it("reports variable cycles once, at the first variable by name", () => {
    const extra = "  variables:\n    local:\n      b: V.a\n      a: V.b\n      c: V.c\n";
    const r = compilePolicies([{ path: "p.yaml", text: rp("doc", "", extra) }]);
    const cyc = r.diagnostics.filter((d) => d.code === "VD2011");
    expect(cyc.map((d) => [d.span.line, d.message])).toEqual([
      [8, expect.stringMatching(/^variables `a` \(p\.yaml:8:\d+\) and `b` \(p\.yaml:7:\d+\) form a cycle$/)],
      [9, "variable `c` references itself"],
    ]);
    expect(r.ruleset).toBeUndefined();
  });

  it("requires every ancestor scope, unless a role policy there covers the resource", () => {
    expect(codes([{ path: "a.yaml", text: rp("doc", "acme.hr") }, { path: "b.yaml", text: rp("doc") }])).toEqual([
      "a.yaml:2:VD2012",
    ]);
    const role =
      "apiVersion: api.cerbos.dev/v1\nrolePolicy:\n  role: boss\n  scope: acme\n  rules:\n    - resource: \"*\"\n      allowActions: [view]\n";
    expect(codes([{ path: "a.yaml", text: rp("doc", "acme.hr") }, { path: "b.yaml", text: rp("doc") }, { path: "r.yaml", text: role }])).toEqual([]);
  });

  it("treats a disabled ancestor as missing and reports duplicates at the later file", () => {
    const disabled = rp("doc", "acme").replace("apiVersion: api.cerbos.dev/v1\n", "apiVersion: api.cerbos.dev/v1\ndisabled: true\n");
    expect(codes([{ path: "a.yaml", text: rp("doc", "acme.hr") }, { path: "b.yaml", text: rp("doc") }, { path: "c.yaml", text: disabled }])).toEqual([
      "a.yaml:2:VD2012",
    ]);
    expect(codes([{ path: "x/b.yaml", text: rp("doc") }, { path: "x/a.yaml", text: rp("doc") }])).toEqual(["x/b.yaml:2:VD2001"]);
  });

  it("reproduces Cerbos's scopePermissions conflict check (the first policy of a scope is not recorded)", () => {
    const consent = "  scopePermissions: SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS\n";
    const override = "  scopePermissions: SCOPE_PERMISSIONS_OVERRIDE_PARENT\n";
    const base = [{ path: "0.yaml", text: rp("a") }, { path: "00.yaml", text: rp("b") }, { path: "000.yaml", text: rp("c") }];
    // first in scope: consent (not recorded), then override and override: no conflict
    expect(codes([...base, { path: "1.yaml", text: rp("a", "s", consent) }, { path: "2.yaml", text: rp("b", "s", override) }, { path: "3.yaml", text: rp("c", "s", override) }])).toEqual([]);
    expect(codes([...base, { path: "1.yaml", text: rp("a", "s", consent) }, { path: "2.yaml", text: rp("b", "s", override) }, { path: "3.yaml", text: rp("c", "s", consent) }])).toEqual([
      "3.yaml:2:VD2013",
    ]);
  });

  it("reports unknown and ambiguous derived roles at the reference", () => {
    const dr = (name: string) =>
      `apiVersion: api.cerbos.dev/v1\nderivedRoles:\n  name: ${name}\n  definitions:\n    - name: owner\n      parentRoles: [user]\n`;
    const rules = "  rules:\n    - actions: [view]\n      effect: EFFECT_ALLOW\n      derivedRoles: [owner, ghost]\n";
    const r = codes([
      { path: "d1.yaml", text: dr("one") },
      { path: "d2.yaml", text: dr("two") },
      { path: "p.yaml", text: rp("doc", "", "  importDerivedRoles: [one, two, three]\n", rules) },
    ]);
    // sorted by column: `owner` (ambiguous) comes before `ghost` (unknown)
    expect(r).toEqual(["p.yaml:5:VD2002", "p.yaml:9:VD2006", "p.yaml:9:VD2005"]);
  });
});
