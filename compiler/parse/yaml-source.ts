// YAML/JSON text → `yaml` document ASTs that keep source ranges, plus the helpers that turn those
// ranges into model Spans and CelSources. JSON needs no separate path: it is valid YAML, and going
// through the same parser keeps line:col positions for JSON files too.
import { LineCounter, parseAllDocuments, isScalar, type Document, type Node, type Scalar } from "yaml";
import type { CelSource, Span } from "../model.ts";
import { scalarOffsets, type ScalarStyle } from "./scalar-offsets.ts";

export interface YamlSource {
  file: string;
  text: string;
  lines: LineCounter;
  documents: Document.Parsed[];
}

export function parseYaml(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, {
    lineCounter: lines,
    keepSourceTokens: true,
    // We detect duplicate keys ourselves so that the message can point at both definitions.
    uniqueKeys: false,
    // `<<` merge keys are resolved by the policy reader (Cerbos supports them); keep them as pairs.
    merge: false,
    prettyErrors: false,
    // Plain scalars starting with the reserved `@` or `` ` `` stay errors: goccy (Cerbos) rejects them too.
    strict: true,
  });
  // parseAllDocuments returns an EmptyStream (an array) for an empty input.
  return { file, text, lines, documents: Array.isArray(documents) ? documents : [documents] };
}

/** Line starts of `text`, for positions outside a parsed document (pre-parse checks). */
export function lineCounterFor(text: string): LineCounter {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lc.addNewLine(i + 1);
  return lc;
}

export function spanAt(src: YamlSource, offset: number, path?: string): Span {
  const { line, col } = src.lines.linePos(offset);
  return path === undefined ? { file: src.file, line, column: col } : { file: src.file, line, column: col, path };
}

export function nodeSpan(src: YamlSource, node: Node | null | undefined, path?: string, fallback = 0): Span {
  return spanAt(src, node?.range?.[0] ?? fallback, path);
}

/** A CelSource for a string scalar, mapping offsets through quoting, escapes and folding. */
export function celSource(src: YamlSource, node: Scalar, text: string, path: string): CelSource {
  const [start, end] = node.range ?? [0, 0];
  const style = (node.type ?? "PLAIN") as ScalarStyle;
  // A non-string scalar (e.g. `expr: true`) is used as written; map it as a plain scalar.
  const parentIndent = (node.srcToken as { indent?: number } | undefined)?.indent;
  const map = isScalar(node) && typeof node.value === "string"
    ? scalarOffsets(src.text, start, end, style, text, parentIndent)
    : scalarOffsets(src.text, start, end, "PLAIN", text);
  const span = spanAt(src, map.offsets[0] ?? start, path);
  return {
    text,
    span,
    positionAt(offset: number): Span {
      const i = Math.max(0, Math.min(Math.trunc(offset), map.offsets.length - 1));
      return spanAt(src, map.offsets[i], path);
    },
  };
}
