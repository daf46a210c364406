// A small position-carrying tree over the `yaml` package's AST. Suite and fixture files are decoded
// from this tree (not from plain JS values) because Cerbos reports load errors with `line:col`
// positions, and we must point at the same places: a key for an unknown field, a value for a bad
// value, and a mapping's first `:` for whole-message rules (that is where Cerbos's YAML parser
// anchors a mapping node).
import YAML, { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from "yaml";

export interface Pos {
  line: number;
  column: number;
}

export type YNode =
  | { kind: "map"; pos: Pos; entries: Array<{ key: string; keyPos: Pos; value: YNode }> }
  | { kind: "seq"; pos: Pos; items: YNode[] }
  | { kind: "scalar"; pos: Pos; value: string | number | boolean | null; quoted: boolean };

export class YamlSyntaxError extends Error {
  constructor(
    message: string,
    readonly pos: Pos,
  ) {
    super(message);
  }
}

/** Parses a single-document YAML or JSON text. Returns undefined for an empty document. */
export function parseYamlTree(text: string): YNode | undefined {
  const lc = new LineCounter();
  const docs = YAML.parseAllDocuments(text, { lineCounter: lc, uniqueKeys: false, intAsBigInt: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const nonEmpty = list.filter((d) => d.contents !== null || d.errors.length > 0);
  for (const d of nonEmpty) {
    if (d.errors.length > 0) {
      const e = d.errors[0];
      const p = lc.linePos(e.pos[0]);
      throw new YamlSyntaxError(e.message.split("\n")[0], { line: p.line, column: p.col });
    }
  }
  if (nonEmpty.length === 0) return undefined;
  // Cerbos takes exactly one document from a suite or fixture file; extra documents are ignored
  // by its single-document loader only when empty, so we keep the first non-empty one.
  const doc = nonEmpty[0];
  return convert(doc, doc.contents as Node, lc, text, 0);
}

function posOf(lc: LineCounter, offset: number): Pos {
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

function convert(doc: Document, node: Node | null, lc: LineCounter, text: string, depth: number): YNode {
  if (depth > 200) throw new YamlSyntaxError("document nested too deeply", { line: 1, column: 1 });
  if (node === null || node === undefined) return { kind: "scalar", pos: { line: 1, column: 1 }, value: null, quoted: false };
  if (isAlias(node)) {
    const target = node.resolve(doc) as Node | undefined;
    return convert(doc, target ?? null, lc, text, depth + 1);
  }
  const start = node.range ? node.range[0] : 0;
  if (isScalar(node)) {
    const v = node.value;
    const value = typeof v === "bigint" ? Number(v) : (v as string | number | boolean | null);
    const quoted = node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE" || node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED";
    return { kind: "scalar", pos: posOf(lc, start), value: (value as unknown) instanceof Date ? String(v) : value, quoted };
  }
  if (isSeq(node)) {
    return { kind: "seq", pos: posOf(lc, start), items: node.items.map((i) => convert(doc, i as Node, lc, text, depth + 1)) };
  }
  if (isMap(node)) {
    const own: Array<{ key: string; keyPos: Pos; value: YNode }> = [];
    const merged: Array<{ key: string; keyPos: Pos; value: YNode }> = [];
    let firstColon: Pos | undefined;
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const keyStart = keyNode?.range ? keyNode.range[0] : start;
      const keyEnd = keyNode?.range ? keyNode.range[1] : start;
      if (!firstColon) {
        const colon = text.indexOf(":", keyEnd);
        firstColon = posOf(lc, colon >= 0 ? colon : keyStart);
      }
      const keyValue = keyNode && isScalar(keyNode) ? keyNode.value : keyNode && isAlias(keyNode) ? (keyNode.resolve(doc) as { value?: unknown })?.value : null;
      const key = String(keyValue ?? "");
      // YAML merge keys (`<<: *anchor`): the merged mapping's entries apply only where the
      // mapping does not define the key itself, whatever the order.
      if (key === "<<" && !(isScalar(keyNode) && (keyNode.type === "QUOTE_DOUBLE" || keyNode.type === "QUOTE_SINGLE"))) {
        const src = convert(doc, pair.value as Node, lc, text, depth + 1);
        const sources = src.kind === "seq" ? src.items : [src];
        for (const s of sources) if (s.kind === "map") for (const e of s.entries) merged.push(e);
        continue;
      }
      own.push({ key, keyPos: posOf(lc, keyStart), value: convert(doc, pair.value as Node, lc, text, depth + 1) });
    }
    const seen = new Set(own.map((e) => e.key));
    const entries = [...own];
    for (const e of merged) {
      if (!seen.has(e.key)) {
        seen.add(e.key);
        entries.push(e);
      }
    }
    return { kind: "map", pos: firstColon ?? posOf(lc, start), entries };
  }
  return { kind: "scalar", pos: posOf(lc, start), value: null, quoted: false };
}

/** Plain JS value of a tree (for `google.protobuf.Value` fields such as attributes and outputs). */
export function toPlain(n: YNode): unknown {
  switch (n.kind) {
    case "scalar":
      return n.value;
    case "seq":
      return n.items.map(toPlain);
    case "map": {
      const o: Record<string, unknown> = {};
      for (const e of n.entries) o[e.key] = toPlain(e.value);
      return o;
    }
  }
}
