// Validation rules one by one: each bad policy must produce the stable code at the line:col of
// the offending node. Positions are located by searching the fixture for the offending text.
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../compiler/diagnostics.ts";
import { parsePolicySource } from "../../compiler/parse/index.ts";

const RP_HEAD = ["apiVersion: api.cerbos.dev/v1", "resourcePolicy:", "  resource: doc", '  version: "default"'];

function rp(...lines: string[]): string {
  return [...RP_HEAD, ...lines, ""].join("\n");
}

function rule(...extra: string[]): string[] {
  return ["  rules:", "    - actions: [view]", "      effect: EFFECT_ALLOW", "      roles: [user]", ...extra.map((l) => `      ${l}`)];
}

/** 1-based line:col of the `nth` occurrence of `needle` in text. */
function posOf(text: string, needle: string, nth = 1): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i < nth; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`fixture has no ${needle}`);
  const before = text.slice(0, at).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function diagnose(text: string, file = "p.yaml"): Diagnostic[] {
  return parsePolicySource(file, text).diagnostics;
}

/** Asserts exactly one diagnostic with `code`, located at `needle`. */
function expectOne(text: string, code: string, needle: string, nth = 1): Diagnostic {
  const diags = diagnose(text);
  const hits = diags.filter((d) => d.code === code);
  expect(hits.map((d) => `${d.code} ${d.span.line}:${d.span.column} ${d.message}`), JSON.stringify(diags.map((d) => d.message))).toHaveLength(1);
  expect(hits[0].span).toMatchObject({ file: "p.yaml", ...posOf(text, needle, nth) });
  expect(hits[0].severity).toBe("error");
  return hits[0];
}

describe("document level", () => {
  it("rejects another apiVersion", () => {
    const t = rp(...rule()).replace("api.cerbos.dev/v1", "api.cerbos.dev/v2");
    expect(expectOne(t, "VD1007", "apiVersion").message).toContain("`api.cerbos.dev/v2`");
  });

  it("requires apiVersion", () => {
    const t = rp(...rule()).replace("apiVersion: api.cerbos.dev/v1\n", "");
    expectOne(t, "VD1010", "resourcePolicy");
  });

  it("requires exactly one policy kind", () => {
    expectOne("apiVersion: api.cerbos.dev/v1\ndescription: nothing\n", "VD1008", "apiVersion");
    const two = rp(...rule(), "derivedRoles:", "  name: x", "  definitions: [{name: a, parentRoles: [b]}]");
    expectOne(two, "VD1009", "derivedRoles:");
  });

  it("reports YAML syntax errors with their position", () => {
    const t = rp("  rules: [", "    - a");
    const diags = diagnose(t);
    expect(diags.length).toBeGreaterThan(0);
    expect(diags.every((d) => d.code === "VD1001")).toBe(true);
  });

  it("rejects a quoted string followed by more text, as Cerbos does", () => {
    const t = rp(...rule("condition:", "  match:", '    expr: "a" == P.attr.name'));
    expectOne(t, "VD1029", '"a" ==');
  });

  it("ignores empty documents and reads comment-only files as nothing", () => {
    expect(parsePolicySource("e.yaml", "# nothing here\n")).toEqual({ policies: [], diagnostics: [] });
    const r = parsePolicySource("m.yaml", `---\n---\n${rp(...rule())}---\n# trailing\n`);
    expect(r.diagnostics).toEqual([]);
    expect(r.policies).toHaveLength(1);
    // Two `---` markers open two documents; the first is empty, the policy is document 1.
    expect(r.policies[0].document).toBe(1);
  });

  it("rejects a document that is not a mapping", () => {
    expectOne("wat\n", "VD1003", "wat");
  });
});

describe("keys", () => {
  it("reports unknown fields with a did-you-mean suggestion", () => {
    const t = rp("  importDerivedRole: [x]", ...rule());
    const d = expectOne(t, "VD1004", "importDerivedRole");
    expect(d.message).toBe("unknown field `importDerivedRole`");
    expect(d.help).toContain("`importDerivedRoles`");
  });

  it("lists the valid fields when nothing is close", () => {
    const d = expectOne(rp("  zzzzzzzzzz: 1", ...rule()), "VD1004", "zzzzzzzzzz");
    expect(d.help).toContain("`resource`");
  });

  it("accepts snake_case proto field names", () => {
    const t = rp("  import_derived_roles: [x]", "  scope_permissions: SCOPE_PERMISSIONS_OVERRIDE_PARENT", ...rule());
    const r = parsePolicySource("p.yaml", t);
    expect(r.diagnostics).toEqual([]);
    const body = r.policies[0].body;
    expect(body.kind === "resource" && body.importDerivedRoles.map((i) => i.name)).toEqual(["x"]);
  });

  it("rejects duplicate keys, including a camelCase/snake_case pair", () => {
    expectOne(rp("  version: other", ...rule()), "VD1002", "version", 2);
    expectOne(rp("  importDerivedRoles: [a]", "  import_derived_roles: [b]", ...rule()), "VD1002", "import_derived_roles");
    const free = rp(...rule(), "  variables:", "    local:", "      a: R.id", "      a: P.id");
    expectOne(free, "VD1002", "a: P.id");
  });

  it("resolves anchors, aliases and merge keys", () => {
    const t = rp(
      "  rules:",
      "    - &base",
      "      actions: [view]",
      "      effect: EFFECT_ALLOW",
      "      roles: [user]",
      "    - <<: *base",
      "      actions: [edit]",
    );
    const r = parsePolicySource("p.yaml", t);
    expect(r.diagnostics).toEqual([]);
    const body = r.policies[0].body;
    if (body.kind !== "resource") throw new Error("expected a resource policy");
    expect(body.rules.map((x) => x.actions.map((a) => a.value))).toEqual([["view"], ["edit"]]);
    expect(body.rules[1].roles.map((x) => x.value)).toEqual(["user"]);
  });
});

describe("values", () => {
  it("rejects wrong value types", () => {
    expectOne(rp("  rules:", "    - actions: view", "      effect: EFFECT_ALLOW", "      roles: [user]"), "VD1005", "view");
    expectOne(rp(...rule(), "  scope: [a]"), "VD1005", "[a]");
  });

  it("treats an empty value as a type error for lists and mappings, as Cerbos does", () => {
    // The empty value sits right after the key's colon.
    const afterKey = (t: string, key: string) => {
      const p = posOf(t, key);
      return { line: p.line, column: p.column + key.length };
    };
    const noRules = rp("  rules:");
    const d = diagnose(noRules);
    expect(d.map((x) => [x.code, x.message])).toEqual([["VD1005", "expected a list, got an empty value"]]);
    expect(d[0].span).toMatchObject(afterKey(noRules, "rules:"));
    const noCondition = rp(...rule("condition:"));
    const c = diagnose(noCondition);
    expect(c.map((x) => [x.code, x.message])).toEqual([["VD1005", "expected a mapping, got an empty value"]]);
    expect(c[0].span).toMatchObject(afterKey(noCondition, "condition:"));
    expect(diagnose(rp("  rules: []"))).toEqual([]);
  });

  it("coerces integers and booleans to strings as Cerbos does", () => {
    const t = rp(...rule()).replace('version: "default"', "version: 20210210");
    const r = parsePolicySource("p.yaml", t);
    expect(r.diagnostics).toEqual([]);
    expect(r.policies[0].body.kind === "resource" && r.policies[0].body.version).toBe("20210210");
  });

  it("checks effect values and presence", () => {
    expectOne(rp("  rules:", "    - actions: [view]", "      effect: ALLOW", "      roles: [user]"), "VD1006", "ALLOW");
    expectOne(rp("  rules:", "    - actions: [view]", "      roles: [user]"), "VD1010", "actions");
  });

  it("checks scopePermissions values", () => {
    expectOne(rp("  scopePermissions: OVERRIDE", ...rule()), "VD1006", "OVERRIDE");
  });
});

describe("identifier patterns", () => {
  it.each([
    ["resource name", "VD1011", "  resource: doc", "  resource: doc*", "resource:"],
    ["version", "VD1012", '  version: "default"', '  version: "1.0"', "version"],
    ["scope", "VD1013", '  version: "default"', '  version: "default"\n  scope: .acme', "scope"],
  ])("%s", (_, code, from, to, needle) => {
    expectOne(rp(...rule()).replace(from, to), code, needle);
  });

  it("accepts the scope forms Cerbos allows", () => {
    for (const scope of ['""', '"."', "acme", "acme.hr-uk.x_1", "0a.b"]) {
      expect(diagnose(rp(`  scope: ${scope}`, ...rule())), scope).toEqual([]);
    }
  });

  it("rule names", () => {
    expectOne(rp(...rule("name: 1st")), "VD1014", "name");
    expect(diagnose(rp(...rule("name: a.b@c-d_e")))).toEqual([]);
  });

  it("derived role references and import names", () => {
    expectOne(rp("  rules:", "    - actions: [view]", "      effect: EFFECT_ALLOW", "      derivedRoles: [owner, 'bad name']"), "VD1015", "'bad name'");
    expectOne(rp("  importDerivedRoles: [ok, 'a/b']", ...rule()), "VD1015", "'a/b'");
  });

  it("principal policy names and role policy versions", () => {
    const pp = "apiVersion: api.cerbos.dev/v1\nprincipalPolicy:\n  principal: '{bob}'\n  version: default\n";
    expectOne(pp, "VD1011", "principal:");
    const role = "apiVersion: api.cerbos.dev/v1\nrolePolicy:\n  role: admin\n  version: ''\n  rules: [{resource: doc, allowActions: [view]}]\n";
    expect(diagnose(role)).toEqual([]);
    expectOne(role.replace("version: ''", "version: a-b"), "VD1012", "version");
  });

  it("variable and constant names must be CEL identifiers", () => {
    const t = rp(...rule(), "  constants:", "    local:", "      in: 1", "  variables:", "    local:", "      ok_1: R.id", "      'a-b': R.id");
    const diags = diagnose(t).filter((d) => d.code === "VD1025");
    expect(diags.map((d) => ({ line: d.span.line, column: d.span.column }))).toEqual([posOf(t, "in:"), posOf(t, "'a-b'")]);
    expect(diags[0].message).toContain("reserved keyword");
    expect(diags[1].message).toContain("`a-b` is not a valid identifier");
  });
});

describe("lists", () => {
  it("actions: required, non-empty, unique, no empty strings", () => {
    expectOne(rp("  rules:", "    - actions: []", "      effect: EFFECT_ALLOW", "      roles: [user]"), "VD1016", "actions");
    expectOne(rp("  rules:", "    - actions: [view, edit, view]", "      effect: EFFECT_ALLOW", "      roles: [user]"), "VD1017", "view]");
    expectOne(rp("  rules:", "    - effect: EFFECT_ALLOW", "      roles: [user]"), "VD1010", "effect");
    expectOne(rp("  rules:", "    - actions: [view]", "      effect: EFFECT_ALLOW", "      roles: [user, '']"), "VD1018", "''");
  });

  it("derived role definitions need parent roles and a non-empty definitions list", () => {
    const dr = "apiVersion: api.cerbos.dev/v1\nderivedRoles:\n  name: common\n  definitions:\n    - name: owner\n      parentRoles: []\n";
    expectOne(dr, "VD1016", "parentRoles");
    expectOne("apiVersion: api.cerbos.dev/v1\nderivedRoles:\n  name: common\n", "VD1010", "derivedRoles");
  });
});

describe("per-policy rules", () => {
  it("a resource rule needs roles or derived roles", () => {
    const t = rp("  rules:", "    - actions: [view]", "      effect: EFFECT_ALLOW", "      name: lonely");
    expect(expectOne(t, "VD1022", "actions").message).toBe("rule `lonely` does not specify any roles or derived roles to match");
  });

  it("rule names are unique within a policy", () => {
    const t = rp(...rule("name: r1"), ...rule("name: r1").slice(1), ...rule("name: r1").slice(1));
    const diags = diagnose(t).filter((d) => d.code === "VD1019");
    expect(diags.map((d) => d.span.line)).toEqual([posOf(t, "actions", 2).line, posOf(t, "actions", 3).line]);
  });

  it("derived role definitions are unique", () => {
    const dr = "apiVersion: api.cerbos.dev/v1\nderivedRoles:\n  name: common\n  definitions:\n    - name: a\n      parentRoles: [x]\n    - name: a\n      parentRoles: [y]\n";
    expectOne(dr, "VD1020", "name: a", 2);
  });

  it("principal policies: one rule block per resource, unique action rule names", () => {
    const pp = [
      "apiVersion: api.cerbos.dev/v1",
      "principalPolicy:",
      "  principal: bob",
      "  version: default",
      "  rules:",
      "    - resource: doc",
      "      actions:",
      "        - {name: r, action: view, effect: EFFECT_ALLOW}",
      "        - {name: r, action: edit, effect: EFFECT_DENY}",
      "    - resource: doc",
      "      actions: [{action: '*', effect: EFFECT_DENY}]",
      "",
    ].join("\n");
    expectOne(pp, "VD1019", "{name: r", 2);
    expectOne(pp, "VD1021", "resource: doc", 2);
  });

  it("role policies reject OVERRIDE_PARENT scope permissions", () => {
    const role = "apiVersion: api.cerbos.dev/v1\nrolePolicy:\n  role: admin\n  scopePermissions: SCOPE_PERMISSIONS_OVERRIDE_PARENT\n  rules: [{resource: doc, allowActions: [view]}]\n";
    expectOne(role, "VD1030", "SCOPE_PERMISSIONS_OVERRIDE_PARENT");
  });

  it("export policies reject the deprecated top-level variables", () => {
    const ev = "apiVersion: api.cerbos.dev/v1\nvariables:\n  a: R.id\nexportVariables:\n  name: v\n  definitions: {b: P.id}\n";
    expectOne(ev, "VD1027", "variables");
  });
});

describe("conditions and outputs", () => {
  it("a match has exactly one operator", () => {
    expectOne(rp(...rule("condition:", "  match:", "    expr: R.id", "    all: {of: [{expr: P.id}]}")), "VD1009", "all:");
    expectOne(rp(...rule("condition:", "  match: {}")), "VD1010", "match");
  });

  it("all/any/none need the {of: [...]} form, with at least one item", () => {
    const d = expectOne(rp(...rule("condition:", "  match:", "    all: [{expr: R.id}]")), "VD1005", "[{expr");
    expect(d.help).toContain("{of: [...]}");
    expectOne(rp(...rule("condition:", "  match:", "    any: {of: []}")), "VD1016", "of:");
  });

  it("builds nested match trees", () => {
    const t = rp(...rule(
      "condition:",
      "  match:",
      "    all:",
      "      of:",
      "        - expr: R.attr.a",
      "        - any: {of: [{expr: V.b}, {none: {of: [{expr: R.attr.c}]}}]}",
    ));
    const r = parsePolicySource("p.yaml", t);
    expect(r.diagnostics).toEqual([]);
    const body = r.policies[0].body;
    if (body.kind !== "resource") throw new Error("expected a resource policy");
    const strip = (m: any): unknown => (m.kind === "expr" ? m.expr.text : { [m.kind]: m.of.map(strip) });
    expect(strip(body.rules[0].condition!.match)).toEqual({ all: ["R.attr.a", { any: ["V.b", { none: ["R.attr.c"] }] }] });
  });

  it("script conditions are refused at the condition key", () => {
    expectOne(rp(...rule("condition:", "  script: input.x")), "VD1024", "condition");
  });

  it("outputs: legacy expr is ruleActivated, when overrides it, empty outputs are errors", () => {
    const legacy = parsePolicySource("p.yaml", rp(...rule("output:", "  expr: '\"a\"'"))).policies[0].body;
    expect(legacy.kind === "resource" && legacy.rules[0].output?.ruleActivated?.text).toBe('"a"');
    const both = parsePolicySource("p.yaml", rp(...rule("output:", "  expr: '\"a\"'", "  when: {ruleActivated: '\"b\"', conditionNotMet: '\"c\"'}"))).policies[0].body;
    if (both.kind !== "resource") throw new Error("expected a resource policy");
    expect([both.rules[0].output?.ruleActivated?.text, both.rules[0].output?.conditionNotMet?.text]).toEqual(['"b"', '"c"']);
    expectOne(rp(...rule("output: {when: {}}")), "VD1023", "output");
  });

  it("merges the deprecated top-level variables into variables.local and rejects clashes", () => {
    const t = ["apiVersion: api.cerbos.dev/v1", "variables:", "  top: R.id", ...RP_HEAD.slice(1), "  variables:", "    local:", "      loc: P.id", ...rule(), ""].join("\n");
    const r = parsePolicySource("p.yaml", t);
    expect(r.diagnostics).toEqual([]);
    const body = r.policies[0].body;
    expect(body.kind === "resource" && body.variables.local.entries.map((e) => e.name)).toEqual(["loc", "top"]);
    expectOne(t.replace("top: R.id", "loc: R.id"), "VD1026", "loc: R.id");
  });
});

describe("message style", () => {
  it("messages start lower case, have no final period and quote user input in backticks", () => {
    const fixtures = [
      rp("  importDerivedRole: [x]", "  scope: .bad", "  rules:", "    - actions: [a, a]", "      effect: NOPE", "      name: 9"),
      "apiVersion: v0\nrolePolicy:\n  role: '*'\n",
      "wat\n",
      rp(...rule("condition:", "  match:", "    expr: R.id", "    any: {of: []}")),
    ];
    const all = fixtures.flatMap((f) => diagnose(f));
    expect(all.length).toBeGreaterThan(6);
    for (const d of all) {
      expect(d.message, d.message).toMatch(/^[a-z`#]/);
      expect(d.message, d.message).not.toMatch(/\.$/);
      expect(d.code).toMatch(/^VD1\d{3}$/);
    }
    expect(all.find((d) => d.code === "VD1006")?.message).toContain("`NOPE`");
  });
});
