// Generic, position-keeping reads over the `yaml` AST, with Cerbos's unmarshalling rules: field
// names may be camelCase (proto JSON name) or snake_case (proto field name); unknown fields,
// duplicate keys and wrong value types are errors; `<<` merge keys and aliases are resolved;
// scalars coerce to strings the way Cerbos does (int → decimal, bool → true/false, null → "").
import { isAlias, isMap, isPair, isScalar, isSeq, type Alias, type Document, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from "yaml";
import type { DiagnosticBag } from "../diagnostics.ts";
import type { CelSource, Span } from "../model.ts";
import { didYouMean } from "../validate/did-you-mean.ts";
import { celSource, nodeSpan, spanAt, type YamlSource } from "./yaml-source.ts";

/** Where each field, list item and map entry sits, keyed by JSONPath (Cerbos's SourceCtx). */
export interface SourcePositions {
  /** field → its key; list item → the item; map entry → its value */
  fields: Map<string, Span>;
  /** map entry → its key */
  keys: Map<string, Span>;
}

export interface Entry {
  name: string; // canonical camelCase field name
  value: Node | null;
  keySpan: Span;
  path: string;
}

export function childPath(parent: string, name: string): string {
  return `${parent}.${name}`;
}

/** Map entry paths quote keys that would otherwise be ambiguous, as Cerbos prints them. */
export function mapKeyPath(parent: string, key: string): string {
  return /^[^.\[\]' ]*$/.test(key) ? `${parent}.${key}` : `${parent}.'${key}'`;
}

const snake = (camel: string) => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export class Reader {
  readonly positions: SourcePositions = { fields: new Map(), keys: new Map() };

  constructor(
    readonly src: YamlSource,
    readonly diags: DiagnosticBag,
    readonly document: Document.Parsed,
  ) {}

  span(node: Node | null | undefined, path?: string): Span {
    return nodeSpan(this.src, node, path);
  }

  /** Follows aliases to the anchored node (anchors themselves are properties on nodes). */
  resolve(node: Node | null | undefined): Node | null {
    let n: unknown = node ?? null;
    for (let guard = 0; isAlias(n) && guard < 64; guard++) {
      n = (n as Alias).resolve(this.document);
      if (n === undefined) return null;
    }
    return (n as Node | null) ?? null;
  }

  /**
   * Reads a mapping whose keys are proto fields. Returns undefined (after reporting) when the node
   * is not a mapping. Like Cerbos, an empty value (`condition:`) is not an empty mapping but an
   * error: only `{}` is.
   */
  fields(node: Node | null, path: string, allowed: readonly string[]): Map<string, Entry> | undefined {
    const n = this.resolve(node);
    const out = new Map<string, Entry>();
    if (!isMap(n)) {
      this.typeError(node, path, "a mapping");
      return undefined;
    }
    const byName = new Map<string, string>();
    for (const f of allowed) {
      byName.set(f, f);
      byName.set(snake(f), f);
    }
    for (const pair of this.pairs(n, path)) {
      const keyNode = pair.key as Scalar;
      const key = String(keyNode.value);
      const keySpan = this.span(keyNode, path);
      const name = byName.get(key);
      if (name === undefined) {
        const suggestion = didYouMean(key, allowed);
        this.diags.error(
          "VD1004",
          { ...keySpan, path: childPath(path, key) },
          `unknown field \`${key}\``,
          suggestion ? `did you mean \`${suggestion}\`?` : `expected one of ${allowed.map((a) => `\`${a}\``).join(", ")}`,
        );
        continue;
      }
      const fieldPath = childPath(path, name);
      const prev = out.get(name);
      if (prev) {
        this.diags.error(
          "VD1002",
          { ...keySpan, path: fieldPath },
          `duplicate field \`${key}\`: previous definition at ${prev.keySpan.line}:${prev.keySpan.column}`,
        );
        continue;
      }
      const entry: Entry = { name, value: (pair.value as Node | null) ?? null, keySpan: { ...keySpan, path: fieldPath }, path: fieldPath };
      out.set(name, entry);
      this.positions.fields.set(fieldPath, entry.keySpan);
    }
    return out;
  }

  /**
   * Key/value pairs of a mapping with `<<` merges applied (explicit keys win over merged ones) and
   * duplicate explicit keys reported. Non-scalar keys are errors, as in Cerbos.
   */
  pairs(map: YAMLMap, path: string): Pair[] {
    const merged: Pair[] = [];
    const explicit: Pair[] = [];
    const seen = new Map<string, Span>();
    for (const item of map.items) {
      if (!isPair(item)) continue;
      const key = this.resolve(item.key as Node);
      if (isScalar(key) && key.value === "<<" && key.type === "PLAIN") {
        for (const source of this.mergeSources(item.value as Node, path)) merged.push(...this.pairs(source, path));
        continue;
      }
      if (!isScalar(key) || (typeof key.value === "object" && key.value !== null)) {
        this.diags.error("VD1005", this.span(item.key as Node, path), "mapping keys must be scalars");
        continue;
      }
      const name = String(key.value ?? "");
      const keySpan = this.span(key);
      const prev = seen.get(name);
      if (prev) {
        this.diags.error(
          "VD1002",
          { ...keySpan, path: mapKeyPath(path, name) },
          `duplicate key \`${name}\`: previous definition at ${prev.line}:${prev.column}`,
        );
        continue;
      }
      seen.set(name, keySpan);
      explicit.push(isScalar(item.key) ? item : ({ key, value: item.value } as Pair));
    }
    const explicitKeys = new Set(explicit.map((p) => String((p.key as Scalar).value ?? "")));
    return [...merged.filter((p) => !explicitKeys.has(String((p.key as Scalar).value ?? ""))), ...explicit];
  }

  private mergeSources(node: Node | null, path: string): YAMLMap[] {
    const n = this.resolve(node);
    const list = isSeq(n) ? n.items.map((i) => this.resolve(i as Node)) : [n];
    const out: YAMLMap[] = [];
    for (const m of list) {
      if (isMap(m)) out.push(m);
      else this.diags.error("VD1005", this.span(node, path), "a `<<` merge key needs a mapping or an alias of one");
    }
    return out;
  }

  /** A sequence's items. An empty value (`rules:`) is an error, as in Cerbos; `[]` is not. */
  seq(entry: Entry | undefined): Array<{ node: Node | null; path: string; span: Span }> {
    if (!entry) return [];
    const n = this.resolve(entry.value);
    if (!isSeq(n)) {
      this.typeError(entry.value, entry.path, "a list");
      return [];
    }
    return (n as YAMLSeq).items.map((item, i) => {
      const path = `${entry.path}[${i}]`;
      const span = this.span(item as Node, path);
      this.positions.fields.set(path, span);
      return { node: (item as Node) ?? null, path, span };
    });
  }

  /** A map with free-form string keys (variables, constants, annotations), in source order. */
  entries(entry: Entry | undefined): Array<{ key: string; keySpan: Span; node: Node | null; valueSpan: Span; path: string }> {
    if (!entry) return [];
    const n = this.resolve(entry.value);
    if (!isMap(n)) {
      this.typeError(entry.value, entry.path, "a mapping");
      return [];
    }
    return this.pairs(n, entry.path).map((pair) => {
      const key = String((pair.key as Scalar).value ?? "");
      const path = mapKeyPath(entry.path, key);
      const keySpan = this.span(pair.key as Node, path);
      const value = (pair.value as Node | null) ?? null;
      // A key without a value (`name:`) has no node; point at the key.
      const valueSpan = value ? this.span(value, path) : keySpan;
      this.positions.keys.set(path, keySpan);
      this.positions.fields.set(path, valueSpan);
      return { key, keySpan, node: value, valueSpan, path };
    });
  }

  /** A string scalar, coerced like Cerbos (null → "", integers and booleans as written). */
  string(node: Node | null, path: string): string | undefined {
    const n = this.resolve(node);
    if (n === null) return "";
    if (!isScalar(n)) {
      this.typeError(node, path, "a string");
      return undefined;
    }
    const v = n.value;
    if (v === null) return "";
    if (typeof v === "string") return v;
    if (typeof v === "boolean") return String(v);
    if (typeof v === "number" && Number.isInteger(v)) {
      // Exact digits for large integers (a version like 20210210 must not become a float).
      const raw = n.source ?? this.src.text.slice(n.range?.[0] ?? 0, n.range?.[1] ?? 0);
      return /^[-+]?[0-9]+$/.test(raw) ? BigInt(raw).toString() : String(v);
    }
    if (typeof v === "bigint") return v.toString();
    this.typeError(node, path, "a string");
    return undefined;
  }

  stringField(fields: Map<string, Entry>, name: string): string {
    const e = fields.get(name);
    return e ? (this.string(e.value, e.path) ?? "") : "";
  }

  /** A list of strings with the span of each item. */
  stringList(entry: Entry | undefined): Array<{ value: string; span: Span }> {
    const out: Array<{ value: string; span: Span }> = [];
    for (const item of this.seq(entry)) {
      const value = this.string(item.node, item.path);
      if (value !== undefined) out.push({ value, span: item.span });
    }
    return out;
  }

  bool(entry: Entry | undefined): boolean {
    if (!entry) return false;
    const n = this.resolve(entry.value);
    if (isScalar(n) && typeof n.value === "boolean") return n.value;
    this.typeError(entry.value, entry.path, "a boolean");
    return false;
  }

  /** A CEL expression held in a string scalar. `span` is where Cerbos reports the expression. */
  cel(node: Node | null, path: string, span: Span): CelSource | undefined {
    const n = this.resolve(node);
    const text = this.string(n, path);
    if (text === undefined) return undefined;
    if (!isScalar(n)) {
      return { text, span, positionAt: () => span };
    }
    const source = celSource(this.src, n, text, path);
    return { text, span: { ...span, path }, positionAt: source.positionAt };
  }

  /** A YAML value as plain JSON-like data (constants are google.protobuf.Value). */
  plain(node: Node | null, path: string): unknown {
    const n = this.resolve(node);
    if (n === null) return null;
    if (isScalar(n)) {
      const v = n.value;
      if (typeof v === "bigint") return Number(v);
      if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
      this.typeError(node, path, "a JSON value");
      return null;
    }
    if (isSeq(n)) return n.items.map((item, i) => this.plain(item as Node, `${path}[${i}]`));
    if (isMap(n)) {
      const out: Record<string, unknown> = {};
      for (const pair of this.pairs(n, path)) {
        const key = String((pair.key as Scalar).value ?? "");
        out[key] = this.plain(pair.value as Node, mapKeyPath(path, key));
      }
      return out;
    }
    this.typeError(node, path, "a JSON value");
    return null;
  }

  typeError(node: Node | null | undefined, path: string, expected: string): void {
    const n = this.resolve(node ?? null);
    const got = n === null || (isScalar(n) && n.value === null) ? "an empty value" : isMap(n) ? "a mapping" : isSeq(n) ? "a list" : isScalar(n) ? describeScalar(n) : "a value";
    this.diags.error("VD1005", node ? this.span(node, path) : spanAt(this.src, 0, path), `expected ${expected}, got ${got}`);
  }
}

function describeScalar(n: Scalar): string {
  const v = n.value;
  if (v === null) return "null";
  if (typeof v === "number") return Number.isInteger(v) ? "an integer" : "a number";
  if (typeof v === "boolean") return "a boolean";
  return "a string";
}
