// Decodes a position tree into typed objects following a message descriptor, the way Cerbos's
// protobuf-backed loader does: protojson field names (camelCase, snake_case also accepted),
// "unknown field" errors at the key, bad values at the value. Validation rules (required fields,
// non-empty lists, ...) run afterwards, only when decoding succeeded, as in Cerbos.
import type { Pos, YNode } from "./yaml-tree.ts";
import { toPlain } from "./yaml-tree.ts";

export type FieldType =
  | { k: "string" }
  | { k: "bool" }
  | { k: "timestamp" }
  | { k: "value" }
  | { k: "effect" }
  | { k: "msg"; m: MessageDesc }
  | { k: "map"; v: FieldType }
  | { k: "list"; v: FieldType };

export interface FieldDesc {
  /** protobuf field name (snake_case), used in validation paths */
  proto: string;
  type: FieldType;
}

export interface MessageDesc {
  /** keyed by JSON name (camelCase) */
  fields: Record<string, FieldDesc>;
}

export interface LoadError {
  pos?: Pos;
  message: string;
}

export function renderLoadErrors(errors: LoadError[]): string {
  return errors.map((e) => (e.pos ? `${e.pos.line}:${e.pos.column} ${e.message}` : e.message)).join("\n");
}

export const EFFECTS = ["EFFECT_ALLOW", "EFFECT_DENY"] as const;

// A decoded message keeps the node positions of itself and its fields, so validation can anchor
// its messages where Cerbos does.
export const POS = Symbol("pos");
export type Decoded = Record<string, unknown> & { [POS]?: { self: Pos; fields: Record<string, Pos> } };

export function decodeMessage(node: YNode, desc: MessageDesc, errors: LoadError[]): Decoded {
  const out: Decoded = {};
  if (node.kind === "scalar" && node.value === null) return out;
  if (node.kind !== "map") {
    errors.push({ pos: node.pos, message: "invalid value: expected an object" });
    return out;
  }
  const fieldPos: Record<string, Pos> = {};
  // Non-enumerable so decoded fixtures compare and serialise as plain data.
  Object.defineProperty(out, POS, { value: { self: node.pos, fields: fieldPos }, enumerable: false });
  const byProto = new Map(Object.entries(desc.fields).map(([json, f]) => [f.proto, json]));
  for (const entry of node.entries) {
    const json = desc.fields[entry.key] ? entry.key : byProto.get(entry.key);
    if (json === undefined) {
      errors.push({ pos: entry.keyPos, message: `unknown field "${entry.key}"` });
      continue;
    }
    fieldPos[json] = entry.value.pos;
    const value = decodeValue(entry.value, desc.fields[json].type, errors);
    if (value !== undefined) out[json] = value;
  }
  return out;
}

function decodeValue(node: YNode, type: FieldType, errors: LoadError[]): unknown {
  const isNull = node.kind === "scalar" && node.value === null;
  switch (type.k) {
    case "value":
      return toPlain(node);
    case "string":
      if (isNull) return undefined;
      if (node.kind !== "scalar") {
        errors.push({ pos: node.pos, message: "invalid value: expected a string" });
        return undefined;
      }
      return String(node.value);
    case "bool":
      if (isNull) return undefined;
      if (node.kind !== "scalar" || typeof node.value !== "boolean") {
        errors.push({ pos: node.pos, message: "invalid value: expected a boolean" });
        return undefined;
      }
      return node.value;
    case "timestamp": {
      if (isNull) return undefined;
      const text = node.kind === "scalar" ? String(node.value) : "";
      if (node.kind !== "scalar" || !isRfc3339(text)) {
        errors.push({
          pos: node.pos,
          message: `invalid timestamp value "${text}": parsing time "${text}" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "${text}" as "2006"`,
        });
        return undefined;
      }
      return text;
    }
    case "effect":
      // Checked during validation, which reports it with the field path.
      return node.kind === "scalar" && node.value !== null ? String(node.value) : "";
    case "msg":
      return decodeMessage(node, type.m, errors);
    case "list": {
      if (isNull) return undefined;
      if (node.kind !== "seq") {
        errors.push({ pos: node.pos, message: "invalid value: expected a list" });
        return undefined;
      }
      return node.items.map((i) => decodeValue(i, type.v, errors));
    }
    case "map": {
      if (isNull) return undefined;
      if (node.kind !== "map") {
        errors.push({ pos: node.pos, message: "invalid value: expected an object" });
        return undefined;
      }
      const m: Record<string, unknown> = {};
      const keyPos: Record<string, Pos> = {};
      for (const e of node.entries) {
        keyPos[e.key] = e.value.pos;
        m[e.key] = decodeValue(e.value, type.v, errors);
      }
      Object.defineProperty(m, POS, { value: { self: node.pos, fields: keyPos }, enumerable: false });
      return m;
    }
  }
}

// Go's time.RFC3339Nano parse accepts this shape (fraction optional, `Z` or a numeric offset).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
function isRfc3339(s: string): boolean {
  return RFC3339.test(s) && !Number.isNaN(Date.parse(s));
}

export function posOf(obj: unknown, field?: string): Pos | undefined {
  const meta = (obj as Decoded | undefined)?.[POS];
  if (!meta) return undefined;
  return field === undefined ? meta.self : meta.fields[field];
}
