// The JSON Schema validator hosts plug into schema enforcement (schema-section.ts): validation by
// @cfworker/json-schema (eval-free: Node, workerd and browsers), with its errors rewritten into
// the paths and messages Cerbos 0.55 reports (it validates with santhosh-tekuri/jsonschema v5 and
// lists the leaf errors). Every message form here is checked against the real binary
// (test/schemas/differential.test.ts); keywords without a known form keep the library's message.
import {
  dereference,
  validate,
  type OutputUnit,
  type Schema,
  type SchemaDraft,
  schemaArrayKeyword,
  schemaKeyword,
  schemaMapKeyword,
} from "@cfworker/json-schema";
import type { AttrValidator, SchemaBundle, SchemaValidatorFactory, ValidationError } from "./schema-section.ts";

type Lookup = Record<string, Schema | boolean>;

/** Builds one validator per bundled schema; all of them share a lookup so `$ref`s between
 *  `_schemas/` files resolve without loading anything. */
export const jsonSchemaValidator: SchemaValidatorFactory = (bundle: SchemaBundle): AttrValidator => {
  const lookup: Lookup = {};
  for (const [ref, doc] of Object.entries(bundle.schemas)) {
    // cfworker's dereference annotates the document; validate a copy so the bundle stays as read.
    const copy = structuredClone(doc) as Schema | boolean;
    if (typeof copy === "object" && copy !== null && copy.$id === undefined) copy.$id = ref;
    dereference(copy, lookup, new URL(ref));
    lookup[ref] = copy;
  }
  return (ref, attr, source) => {
    const schema = lookup[ref];
    if (schema === undefined) return [loadError(ref, source, "schema not found")];
    const draft = draftOf(schema);
    let units: OutputUnit[];
    try {
      units = validate(attr, schema, draft, lookup, false).errors;
    } catch (e) {
      // An unresolvable $ref: Cerbos would not have loaded the schema; report it (fail closed).
      return [loadError(ref, source, (e as Error).message.split("\n")[0] ?? "invalid schema")];
    }
    return toCerbosErrors(units, schema, draft, lookup, attr, source);
  };
};

function loadError(ref: string, source: ValidationError["source"], why: string): ValidationError {
  const which = source === "SOURCE_PRINCIPAL" ? "principal" : "resource";
  return { path: "", message: `Failed to load ${which} schema "${ref}": ${why}`, source };
}

function draftOf(schema: Schema | boolean): SchemaDraft {
  const s = typeof schema === "object" ? String(schema.$schema ?? "") : "";
  if (s.includes("draft-04")) return "4";
  if (s.includes("draft-07") || s.includes("draft-06")) return "7";
  if (s.includes("2019-09")) return "2019-09";
  return "2020-12"; // santhosh-tekuri v5's default draft
}

// Keywords whose failure only says "a subschema failed": santhosh reports the subschema's own
// errors instead (the leaves of its error tree), so these are dropped.
const CONTAINERS = new Set([
  "properties", "patternProperties", "items", "prefixItems", "additionalItems", "$ref", "$recursiveRef",
  "allOf", "anyOf", "if", "then", "else", "dependentSchemas", "dependencies", "propertyNames",
  "unevaluatedProperties", "unevaluatedItems",
]);

function toCerbosErrors(
  units: OutputUnit[],
  root: Schema | boolean,
  draft: SchemaDraft,
  lookup: Lookup,
  attr: unknown,
  source: ValidationError["source"],
): ValidationError[] {
  const out: ValidationError[] = [];
  const grouped = new Map<string, ValidationError>();
  const disallowed = new Set<string>(); // instance paths reported as additionalProperties names
  // santhosh stops at a failed `type`: nothing else of that schema object is reported.
  const typeFailed = units.filter((u) => u.keyword === "type").map((u) => u.keywordLocation.slice(0, -"type".length));
  for (const u of units) {
    if (u.keyword !== "type" && typeFailed.some((p) => u.keywordLocation.startsWith(p))) continue;
    const path = instancePath(u.instanceLocation);
    if (u.keyword === "false" && disallowed.has(path)) continue;
    if (CONTAINERS.has(u.keyword)) continue;
    if (u.keyword === "additionalProperties") {
      const owner = schemaAt(root, u.keywordLocation, lookup);
      if (owner?.additionalProperties !== false) continue; // a schema: its own errors are the leaves
      const name = /^Property "(.*)" does not match/s.exec(u.error)?.[1] ?? "";
      disallowed.add(`${path === "/" ? "" : path}/${escapePointer(name)}`);
      group(grouped, out, `ap ${path}`, { path, message: "", source }, name, (names) => `additionalProperties ${names.map(quote).join(", ")} not allowed`);
      continue;
    }
    if (u.keyword === "required") {
      const name = /required property "(.*)"\.$/s.exec(u.error)?.[1] ?? "";
      group(grouped, out, `rq ${path} ${u.keywordLocation}`, { path, message: "", source }, name, (names) => `missing properties: ${names.map(quote).join(", ")}`);
      continue;
    }
    if (u.keyword === "oneOf" && /\(0 matches\)/.test(u.error)) continue; // the subschemas' errors follow
    const owner = schemaAt(root, u.keywordLocation, lookup);
    const value = valueAt(attr, u.instanceLocation);
    out.push({ path, message: message(u, owner, value, draft, lookup), source });
  }
  return out;
}

/** Collects names into one error per key (santhosh lists all missing/extra properties at once). */
function group(
  grouped: Map<string, ValidationError & { names?: string[] }>,
  out: ValidationError[],
  key: string,
  init: ValidationError,
  name: string,
  render: (names: string[]) => string,
): void {
  let e = grouped.get(key) as (ValidationError & { names?: string[] }) | undefined;
  if (!e) {
    e = { ...init, names: [] };
    grouped.set(key, e);
    out.push(e);
  }
  e.names!.push(name);
  e.message = render(e.names!);
  Object.defineProperty(e, "names", { enumerable: false });
}

function message(u: OutputUnit, owner: Schema | undefined, v: unknown, draft: SchemaDraft, lookup: Lookup): string {
  const kv = owner?.[u.keyword];
  switch (u.keyword) {
    case "type": {
      const types = Array.isArray(kv) ? kv : [kv];
      return `expected ${types.join(" or ")}, but got ${jsonType(v)}`;
    }
    case "enum":
      return `value must be one of ${(kv as unknown[]).map(goValue).join(", ")}`;
    case "const":
      return `value must be ${goValue(kv)}`;
    case "minimum":
      return `must be >= ${num(kv)} but found ${goFloat(v as number)}`;
    case "maximum":
      return `must be <= ${num(kv)} but found ${goFloat(v as number)}`;
    case "exclusiveMinimum":
      return typeof kv === "boolean"
        ? `must be > ${num(owner?.minimum)} but found ${goFloat(v as number)}`
        : `must be > ${num(kv)} but found ${goFloat(v as number)}`;
    case "exclusiveMaximum":
      return typeof kv === "boolean"
        ? `must be < ${num(owner?.maximum)} but found ${goFloat(v as number)}`
        : `must be < ${num(kv)} but found ${goFloat(v as number)}`;
    case "multipleOf":
      return `${goFloat(v as number)} not multipleOf ${num(kv)}`;
    case "minLength":
      return `length must be >= ${kv}, but got ${[...(v as string)].length}`;
    case "maxLength":
      return `length must be <= ${kv}, but got ${[...(v as string)].length}`;
    case "pattern":
      return `does not match pattern ${quote(String(kv))}`;
    case "format":
      return `${quote(String(v))} is not valid ${quote(String(kv))}`;
    case "minItems":
      return `minimum ${kv} items required, but found ${(v as unknown[]).length} items`;
    case "maxItems":
      return `maximum ${kv} items required, but found ${(v as unknown[]).length} items`;
    case "uniqueItems": {
      const m = /indexes (\d+) and (\d+)/.exec(u.error);
      return m ? `items at index ${m[1]} and ${m[2]} are equal` : u.error;
    }
    case "minProperties":
      return `minimum ${kv} properties allowed, but found ${Object.keys(v as object).length} properties`;
    case "maxProperties":
      return `maximum ${kv} properties allowed, but found ${Object.keys(v as object).length} properties`;
    case "not":
      return "not failed";
    case "oneOf": {
      const hits = (kv as Array<Schema | boolean>)
        .map((s, i) => (validate(v, s, draft, lookup, true).valid ? i : -1))
        .filter((i) => i >= 0);
      return `valid against schemas at indexes ${hits[0]} and ${hits[1]}`;
    }
    default:
      return u.error;
  }
}

/** "#/a/0" → "/a/0"; the root is "/" (as Cerbos reports it). */
function instancePath(loc: string): string {
  const p = loc.startsWith("#") ? loc.slice(1) : loc;
  return p === "" ? "/" : p;
}

function escapePointer(s: string): string {
  return s.replace(/~/g, "~0").replace(/\//g, "~1");
}

function unescapePointer(s: string): string {
  let t = s;
  try {
    t = decodeURIComponent(s);
  } catch {
    /* keep as is */
  }
  return t.replace(/~1/g, "/").replace(/~0/g, "~");
}

function valueAt(doc: unknown, loc: string): unknown {
  let v = doc;
  for (const t of instancePath(loc).split("/").slice(1)) {
    if (t === "" && v === doc && loc.replace(/^#/, "") === "") break;
    v = (v as Record<string, unknown> | undefined)?.[unescapePointer(t)];
  }
  return v;
}

/** The schema object holding the failed keyword: walks the keyword location from the root,
 *  following `$ref`s through the shared lookup as the validator did. */
function schemaAt(root: Schema | boolean, keywordLocation: string, lookup: Lookup): Schema | undefined {
  const toks = keywordLocation.replace(/^#/, "").split("/").slice(1).map(unescapePointer);
  let node: unknown = root;
  let i = 0;
  const obj = (x: unknown): Record<string, unknown> | undefined =>
    x && typeof x === "object" ? (x as Record<string, unknown>) : undefined;
  while (i < toks.length - 1) {
    const n = obj(node);
    if (!n) return undefined;
    const t = toks[i]!;
    if (t === "$ref" || t === "$recursiveRef") {
      const abs = (n.__absolute_ref__ ?? n.__absolute_recursive_ref__ ?? n[t]) as string;
      node = lookup[abs];
      i++;
    } else if (schemaArrayKeyword[t] && Array.isArray(n[t])) {
      node = (n[t] as unknown[])[Number(toks[i + 1])];
      i += 2;
    } else if (schemaMapKeyword[t]) {
      node = obj(n[t])?.[toks[i + 1]!];
      i += 2;
    } else if (schemaKeyword[t]) {
      node = n[t];
      i++;
    } else return undefined;
  }
  return obj(node) as Schema | undefined;
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return "number";
  return typeof v; // boolean, string, object
}

/** Go's %q of a string as santhosh's quote() writes it: single quotes around the %q body. */
function quote(s: string): string {
  const body = JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${body}'`;
}

/** A schema number as Go prints the json.Number santhosh keeps (its source text; JSON.parse
 *  keeps only the value, which prints the same for every integer and plain decimal). */
function num(v: unknown): string {
  return String(v);
}

/** Enum/const values as santhosh formats them: strings and numbers quoted, null as <nil>. */
function goValue(v: unknown): string {
  if (v === null) return "<nil>";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return JSON.stringify(String(v));
  if (typeof v === "boolean") return String(v);
  return goPlain(v);
}

/** Go's %v of decoded JSON (arrays "[a b]", objects "map[k:v]" with sorted keys). */
function goPlain(v: unknown): string {
  if (v === null) return "<nil>";
  if (Array.isArray(v)) return `[${v.map(goPlain).join(" ")}]`;
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${goPlain(o[k])}`).join(" ")}]`;
  }
  return String(v);
}

/** Go's %v of a float64 (strconv 'g', shortest): exponent form below 1e-4 and from 1e6. */
export function goFloat(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : x < 0 ? "-Inf" : "NaN";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 6) {
    const [m, e] = x.toExponential().split("e");
    const n = Number(e);
    return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  return String(x);
}
