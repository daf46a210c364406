// Schema references of resource policies (`schemas.principalSchema.ref: cerbos:///x.json`) must
// name a JSON Schema under the store's `_schemas/` folder, and that file must be a schema (an
// object or a boolean), as Cerbos checks when it compiles. The schemas that apply are then bundled
// into the ruleset's SCHEMAS section; hosts validate requests against them (host/common/schema-*).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { DiagnosticBag } from "./diagnostics.ts";
import type { Policy, ResourcePolicy, SchemaRef } from "./model.ts";
import { globRegExpSource } from "./link/glob.ts";
import { policyKeyFromFqn, resourcePolicyFqn } from "./link/names.ts";

export const SCHEMA_DIR = "_schemas";
const SCHEME = "cerbos:///";

/** Reads every `.json` file under `<dir>/_schemas` (hidden entries skipped), keyed by its path
 *  relative to `_schemas` with `/` separators. */
export function readSchemaFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const root = path.join(dir, SCHEMA_DIR);
  if (!existsSync(root) || !statSync(root).isDirectory()) return out;
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(root, rel)).sort()) {
      if (name.startsWith(".")) continue;
      const r = rel ? `${rel}/${name}` : name;
      const full = path.join(root, r);
      if (statSync(full).isDirectory()) walk(r);
      else if (name.endsWith(".json")) out.set(r, readFileSync(full, "utf8"));
    }
  };
  walk("");
  return out;
}

export function checkSchemaRefs(policies: Policy[], schemas: Map<string, string>, bag: DiagnosticBag): void {
  for (const p of policies) {
    if (p.body.kind !== "resource" || !p.body.schemas) continue;
    const { principalSchema, resourceSchema } = p.body.schemas;
    if (principalSchema) checkRef("principal", principalSchema, schemas, bag);
    if (resourceSchema) checkRef("resource", resourceSchema, schemas, bag);
  }
}

function checkRef(which: string, ref: SchemaRef, schemas: Map<string, string>, bag: DiagnosticBag): void {
  const prefix = `failed to load ${which} schema \`${ref.ref}\``;
  if (!ref.ref.startsWith(SCHEME)) {
    bag.error("VD2014", ref.span, `${prefix}: only \`${SCHEME}\` references are supported`);
    return;
  }
  const rel = ref.ref.slice(SCHEME.length);
  const text = schemas.get(rel);
  if (text === undefined) {
    bag.error("VD2014", ref.span, `${prefix}: schema \`${SCHEMA_DIR}/${rel}\` doesn't exist`);
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    bag.error("VD2015", ref.span, `${prefix}: not valid JSON: ${(e as Error).message}`);
    return;
  }
  if (typeof value !== "boolean" && (typeof value !== "object" || value === null || Array.isArray(value))) {
    bag.error("VD2015", ref.span, `${prefix}: a JSON Schema must be an object or a boolean`);
  }
}

/** What the SCHEMAS section (spec/format.ts) carries: the JSON Schemas (by `cerbos:///` ref) and,
 *  per resource policy key, the schemas Cerbos validates requests against when that policy is the
 *  one it selects. */
export interface SchemaBundle {
  schemas: Record<string, unknown>;
  policies: Record<string, { principal?: BundledRef; resource?: BundledRef }>;
}
export interface BundledRef {
  ref: string;
  /** ignoreWhen.actions globs as anchored RegExp sources (flag "s"), when present: the host
   *  skips validation when every requested action matches one. */
  ignoreWhen?: string[];
}

/** Builds the bundle, or undefined when no policy has schemas. Cerbos (0.55) validates against the
 *  schemas of the *root-scope* policy of the selected policy's resource and version, whatever a
 *  scoped policy declares itself (verified against the binary: test/schemas/). Referenced schema
 *  files are followed through `$ref`s to other `_schemas/` files so the host never loads files. */
export function bundleSchemas(policies: Policy[], files: Map<string, string>): SchemaBundle | undefined {
  const roots = new Map<string, NonNullable<ResourcePolicy["schemas"]>>();
  for (const p of policies) {
    if (!p.disabled && p.body.kind === "resource" && p.body.scope === "" && p.body.schemas) {
      const s = p.body.schemas;
      if (s.principalSchema || s.resourceSchema) roots.set(`${p.body.resource}\u0000${p.body.version}`, s);
    }
  }
  if (roots.size === 0) return undefined;
  const bundle: SchemaBundle = { schemas: {}, policies: {} };
  const embed = (ref: string): void => {
    if (ref in bundle.schemas || !ref.startsWith(SCHEME)) return;
    const text = files.get(ref.slice(SCHEME.length));
    if (text === undefined) return;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return; // reported by checkSchemaRefs (VD2015) for direct refs
    }
    bundle.schemas[ref] = doc;
    for (const r of refsIn(doc)) embed(new URL(r, ref).href.replace(/#.*$/, ""));
  };
  const one = (r: SchemaRef | undefined): BundledRef | undefined => {
    if (!r) return undefined;
    embed(r.ref);
    return r.ignoreWhenActions.length ? { ref: r.ref, ignoreWhen: r.ignoreWhenActions.map(globRegExpSource) } : { ref: r.ref };
  };
  for (const p of policies) {
    if (p.disabled || p.body.kind !== "resource") continue;
    const s = roots.get(`${p.body.resource}\u0000${p.body.version}`);
    if (!s) continue;
    const entry: SchemaBundle["policies"][string] = {};
    const pr = one(s.principalSchema);
    const rr = one(s.resourceSchema);
    if (pr) entry.principal = pr;
    if (rr) entry.resource = rr;
    bundle.policies[policyKeyFromFqn(resourcePolicyFqn(p.body.resource, p.body.version, p.body.scope))] = entry;
  }
  return bundle;
}

/** Every `$ref` string in a JSON document (local `#...` refs excluded). */
function refsIn(doc: unknown, out: string[] = []): string[] {
  if (Array.isArray(doc)) for (const v of doc) refsIn(v, out);
  else if (doc && typeof doc === "object") {
    for (const [k, v] of Object.entries(doc)) {
      if (k === "$ref" && typeof v === "string" && !v.startsWith("#")) out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}
