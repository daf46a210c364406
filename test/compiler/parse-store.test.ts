// The corpus's policy store and policy_formats must read cleanly: these are the policies Cerbos's
// own engine tests load, so any diagnostic here is a false positive of ours.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { discoverPolicyFiles } from "../../compiler/load.ts";
import { parsePolicySource } from "../../compiler/parse/index.ts";
import { renderDiagnostic } from "../../compiler/diagnostics.ts";
import { corpusDir } from "../helpers/corpus.ts";

const store = path.join(corpusDir(), "store");
const formats = path.join(corpusDir(), "policy_formats");

/** The model without positions: CEL sources become their text, spans are dropped. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.positionAt === "function") return { cel: o.text };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (k !== "span" && k !== "file" && v !== undefined) out[k] = shape(v);
    return out;
  }
  return value;
}

describe("corpus store", () => {
  const files = discoverPolicyFiles(store);

  it("discovers every policy and no test, schema or hidden file", () => {
    expect(files.length).toBeGreaterThan(40);
    for (const f of files) {
      expect(f.path).not.toMatch(/(^|\/)(\.|_schemas\/|testdata\/)|_test\.(ya?ml|json)$/);
    }
    const kinds = new Set(files.map((f) => f.path.split("/")[0]));
    expect([...kinds].sort()).toEqual(["derived_roles", "export_constants", "export_variables", "principal_policies", "resource_policies", "role_policies"]);
  });

  it.each(files.map((f) => [f.path, f.text]))("%s parses with no diagnostics", (file, text) => {
    const result = parsePolicySource(file, text);
    expect(result.diagnostics.map(renderDiagnostic)).toEqual([]);
    expect(result.policies).toHaveLength(1);
    const dir = file.split("/")[0];
    const expectedKind = {
      derived_roles: "derivedRoles",
      export_constants: "exportConstants",
      export_variables: "exportVariables",
      principal_policies: "principal",
      resource_policies: "resource",
      role_policies: "role",
    }[dir];
    expect(result.policies[0].body.kind).toBe(expectedKind);
  });
});

describe("corpus policy_formats", () => {
  const read = (name: string) => parsePolicySource(name, readFileSync(path.join(formats, name), "utf8"));

  it.each(["derived_roles_01", "export_constants_01", "export_variables_01", "principal_policy_01", "resource_policy_01"])(
    "%s reads the same from YAML and JSON",
    (base) => {
      const y = read(`${base}.yaml`);
      const j = read(`${base}.json`);
      expect(y.diagnostics).toEqual([]);
      expect(j.diagnostics).toEqual([]);
      expect(y.policies).toHaveLength(1);
      expect(shape(j.policies)).toEqual(shape(y.policies));
    },
  );

  it("keeps JSON positions: spans point at the JSON keys", () => {
    const text = readFileSync(path.join(formats, "resource_policy_01.json"), "utf8");
    const [policy] = parsePolicySource("p.json", text).policies;
    const lines = text.split("\n");
    const at = (s: { line: number; column: number }) => lines[s.line - 1].slice(s.column - 1);
    expect(at(policy.span)).toMatch(/^"resourcePolicy"/);
    if (policy.body.kind !== "resource") throw new Error("expected a resource policy");
    const rule = policy.body.rules.find((r) => r.condition)!;
    expect(at(rule.actions[0].span)).toMatch(new RegExp(`^"${rule.actions[0].value}"`));
  });

  it("reads each document of a multi-document file as its own policy", () => {
    const r = read("multiple_policies.yaml");
    expect(r.diagnostics).toEqual([]);
    expect(r.policies.map((p) => p.document)).toEqual([0, 1]);
    // The kinds as written at the top level of each document, in order.
    const text = readFileSync(path.join(formats, "multiple_policies.yaml"), "utf8");
    const written = [...text.matchAll(/^(resourcePolicy|principalPolicy|derivedRoles|rolePolicy):/gm)].map((m) => m[1]);
    const kindKey = { resource: "resourcePolicy", principal: "principalPolicy", derivedRoles: "derivedRoles", role: "rolePolicy" } as Record<string, string>;
    expect(r.policies.map((p) => kindKey[p.body.kind])).toEqual(written);
  });

  it("rejects multi-document files in Cerbos's single-document mode", () => {
    const text = readFileSync(path.join(formats, "multiple_policies.yaml"), "utf8");
    const r = parsePolicySource("multiple_policies.yaml", text, { singleDocument: true });
    expect(r.policies).toEqual([]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["VD1028"]);
  });

  it.each(["single_policy_trailing_spaces.yaml", "single_policy_others_commented.yaml"])("%s holds exactly one policy", (name) => {
    const text = readFileSync(path.join(formats, name), "utf8");
    const r = parsePolicySource(name, text, { singleDocument: true });
    expect(r.diagnostics).toEqual([]);
    expect(r.policies).toHaveLength(1);
  });
});

