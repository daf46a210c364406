// Schema references of resource policies (`schemas.principalSchema.ref: cerbos:///x.json`) must
// name a JSON Schema under the store's `_schemas/` folder, and that file must be a schema (an
// object or a boolean), as Cerbos checks when it compiles. Enforcing schemas on requests is a
// later stage; this one only refuses policies whose schemas cannot load.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { DiagnosticBag } from "./diagnostics.ts";
import type { Policy, SchemaRef } from "./model.ts";

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
