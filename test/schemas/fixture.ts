// A policy store for the schema differential test, written to a temp dir: JSON Schemas that use
// every keyword Verdict maps to Cerbos's messages, a root resource policy with principal and
// resource schemas (ignoreWhen on the resource side), a scoped policy declaring other schemas
// (Cerbos applies the root's), a kind without schemas, and a seeded generator of attribute
// values that hit each keyword's success and failure paths.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prng as rng } from "../helpers/prng.ts";

const PRINCIPAL_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  required: ["dept", "level"],
  properties: {
    dept: { type: "string", enum: ["marketing", "engineering", "sales"] },
    level: { type: "integer", minimum: 1, maximum: 10 },
    score: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 100, multipleOf: 0.5 },
    name: { type: "string", minLength: 2, maxLength: 8, pattern: "^[a-z]+$" },
    email: { type: "string", format: "email" },
    tags: { type: "array", minItems: 1, maxItems: 3, uniqueItems: true, items: { type: "string" } },
    flag: { const: true },
    either: { type: ["string", "boolean"] },
    ref: { $ref: "#/$defs/code" },
    shared: { $ref: "cerbos:///common/defs.json#/$defs/region" },
    any: { anyOf: [{ type: "string", maxLength: 3 }, { type: "integer" }] },
    one: { oneOf: [{ type: "number" }, { type: "integer" }] },
    neg: { not: { type: "string" } },
    meta: {
      type: "object",
      required: ["k"],
      minProperties: 1,
      maxProperties: 3,
      additionalProperties: false,
      properties: { k: { type: "string" }, v: { type: "integer" }, w: {} },
    },
    nested: { type: "object", additionalProperties: { type: "integer", minimum: 0 } },
  },
  $defs: { code: { type: "string", minLength: 3 } },
};

const RESOURCE_SCHEMA = {
  type: "object",
  required: ["owner"],
  properties: {
    owner: { type: "string", minLength: 1 },
    amount: { type: "number", minimum: 0 },
    status: { enum: ["open", "closed", 1, null, true] },
    items: { type: "array", items: { type: "object", required: ["id"], properties: { id: { type: "integer" } } } },
  },
};

const DEFS = { $defs: { region: { type: "string", enum: ["eu", "us"] } } };
const OTHER = { type: "object", required: ["never"] };

const POLICIES: Record<string, string> = {
  "doc.yaml": `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: doc
  version: default
  schemas:
    principalSchema: {ref: "cerbos:///principal.json"}
    resourceSchema: {ref: "cerbos:///resource.json", ignoreWhen: {actions: ["create", "list:*"]}}
  rules:
    - actions: ["*"]
      roles: [user]
      effect: EFFECT_ALLOW
    - actions: ["delete"]
      roles: [user]
      effect: EFFECT_DENY
      condition: {match: {expr: "R.attr.owner != P.id"}}
`,
  "doc_acme.yaml": `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: doc
  version: default
  scope: acme
  schemas:
    resourceSchema: {ref: "cerbos:///other.json"}
  rules:
    - actions: ["view"]
      roles: [user]
      effect: EFFECT_ALLOW
`,
  "plain.yaml": `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: plain
  version: default
  rules:
    - actions: ["*"]
      roles: [user]
      effect: EFFECT_ALLOW
`,
};

export function writeSchemaStore(): string {
  const dir = mkdtempSync(join(tmpdir(), "verdict-schemas-"));
  mkdirSync(join(dir, "_schemas", "common"), { recursive: true });
  writeFileSync(join(dir, "_schemas", "principal.json"), JSON.stringify(PRINCIPAL_SCHEMA, null, 2));
  writeFileSync(join(dir, "_schemas", "resource.json"), JSON.stringify(RESOURCE_SCHEMA, null, 2));
  writeFileSync(join(dir, "_schemas", "common", "defs.json"), JSON.stringify(DEFS, null, 2));
  writeFileSync(join(dir, "_schemas", "other.json"), JSON.stringify(OTHER, null, 2));
  for (const [f, text] of Object.entries(POLICIES)) writeFileSync(join(dir, f), text);
  return dir;
}

export { prng as rng } from "../helpers/prng.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

// Per attribute, values that pass and values that fail each keyword (and wrong types).
const POOLS: Record<string, Json[]> = {
  dept: ["marketing", "engineering", "sales", "accounting", "", 3, null],
  level: [1, 5, 10, 0, 11, 2.5, -3, "5", 1e6],
  score: [0.5, 99.5, 50, 0, 100, 100.5, 0.25, 33.3, -1, 1234567, 0.00001, true],
  name: ["ab", "abcdefgh", "a", "abcdefghi", "Ab", "ab1", "é", "ééé", "x'y", 7],
  email: ["a@b.co", "nope", "", "a@", 5],
  tags: [["a"], ["a", "b", "c"], [], ["a", "b", "c", "d"], ["a", "a"], ["x", 1], "a"],
  flag: [true, false, "true", null],
  either: ["s", false, 1, null, []],
  ref: ["abc", "ab", 12],
  shared: ["eu", "us", "asia", 1],
  any: ["ab", 3, "abcd", 2.5, true],
  one: [1.5, 2, "x"],
  neg: [1, "s", null],
  meta: [{ k: "x" }, { k: 1 }, {}, { v: 2 }, { k: "x", z: 1 }, { k: "x", v: 1, w: 2, z: 3 }, { k: "x", a: 1, b: 2 }, "m"],
  nested: [{ a: 1 }, { a: -1 }, { a: "x", b: 2.5 }, {}],
  owner: ["alice", "bob", "", 1],
  amount: [0, 10.5, -0.5, "10"],
  status: ["open", "closed", 1, null, true, "x", 2, false],
  items: [[{ id: 1 }], [{}], [{ id: "1" }, { id: 2.5 }], "x"],
};

const PRINCIPAL_KEYS = ["dept", "level", "score", "name", "email", "tags", "flag", "either", "ref", "shared", "any", "one", "neg", "meta", "nested"];
const RESOURCE_KEYS = ["owner", "amount", "status", "items"];

function attrs(r: () => number, keys: string[], required: string[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const k of keys) {
    // Required keys are usually present; others about half the time.
    const p = required.includes(k) ? 0.85 : 0.5;
    if (r() < p) {
      const pool = POOLS[k]!;
      out[k] = pool[Math.floor(r() * pool.length)]!;
    }
  }
  return out;
}

const ACTIONS = ["view", "edit", "delete", "create", "list:all", "list:mine"];
const SCOPES = ["", "", "acme", "acme.sub", "zzz"];

export interface SchemaRequest {
  requestId: string;
  principal: { id: string; roles: string[]; attr: Record<string, Json> };
  resources: Array<{ actions: string[]; resource: { kind: string; id: string; scope?: string; attr: Record<string, Json> } }>;
  includeMeta: true;
}

export function generateRequests(seed: number, count: number, perRequest: number): SchemaRequest[] {
  const r = rng(seed);
  const out: SchemaRequest[] = [];
  for (let i = 0; i < count; i++) {
    const principal = { id: r() < 0.5 ? "alice" : "bob", roles: ["user"], attr: attrs(r, PRINCIPAL_KEYS, ["dept", "level"]) };
    const resources: SchemaRequest["resources"] = [];
    for (let j = 0; j < perRequest; j++) {
      const acts = ACTIONS.filter(() => r() < 0.4);
      if (acts.length === 0) acts.push(ACTIONS[Math.floor(r() * ACTIONS.length)]!);
      const scope = SCOPES[Math.floor(r() * SCOPES.length)]!;
      const resource: SchemaRequest["resources"][number]["resource"] = {
        kind: r() < 0.85 ? "doc" : "plain",
        id: `r${i}-${j}`,
        attr: attrs(r, RESOURCE_KEYS, ["owner"]),
      };
      if (scope) resource.scope = scope;
      resources.push({ actions: acts, resource });
    }
    out.push({ requestId: `q${i}`, principal, resources, includeMeta: true });
  }
  return out;
}
