// Public entry of the front end: policy file text → model Policies + diagnostics (parse, then
// validate). Each YAML document is one policy; empty or comment-only documents are ignored.
import { isScalar, type Document } from "yaml";
import { DiagnosticBag, sortDiagnostics, type Diagnostic } from "../diagnostics.ts";
import type { Policy } from "../model.ts";
import { validatePolicy } from "../validate/index.ts";
import { readPolicy } from "./read-policy.ts";
import { quotedStringProblems } from "./quoted-strings.ts";
import { lineCounterFor, parseYaml, spanAt } from "./yaml-source.ts";

export interface ParseOptions {
  /**
   * Cerbos 0.55 refuses files holding more than one YAML document ("more than one YAML document
   * detected"). Our contract allows several; set this to reproduce Cerbos's behaviour exactly.
   */
  singleDocument?: boolean;
}

export interface ParseResult {
  policies: Policy[];
  diagnostics: Diagnostic[];
}

export function parsePolicySource(file: string, text: string, options: ParseOptions = {}): ParseResult {
  const diags = new DiagnosticBag();
  const policies: Policy[] = [];
  if (text.trim() === "") return { policies, diagnostics: [] };

  // Cerbos rejects `key: "quoted" followed by more text` before parsing (JSON is exempt): YAML
  // would otherwise misread expressions such as `expr: "a" == P.id`.
  if (!looksLikeJson(text)) {
    const problems = quotedStringProblems(text);
    for (const offset of problems) {
      diags.error(
        "VD1029",
        spanAt({ file, text, lines: lineCounterFor(text), documents: [] }, offset),
        "invalid YAML string: text continues after the closing quote",
        "use a literal (`|`) or folded (`>`) block for strings containing quotes",
      );
    }
    if (problems.length > 0) return { policies, diagnostics: sortDiagnostics(diags.items) };
  }

  const src = parseYaml(file, text);
  let syntaxErrors = false;
  for (const doc of src.documents) {
    for (const err of doc.errors) {
      syntaxErrors = true;
      diags.error("VD1001", spanAt(src, err.pos[0]), lowerFirst(err.message.split("\n")[0].replace(/\.$/, "")));
    }
  }
  if (syntaxErrors) return { policies, diagnostics: sortDiagnostics(diags.items) };

  const nonEmpty = src.documents.filter((d) => !isEmptyDocument(d));
  if (options.singleDocument && nonEmpty.length > 1) {
    diags.error("VD1028", spanAt(src, nonEmpty[1].range[0]), "more than one YAML document detected", "put each policy in its own file");
    return { policies, diagnostics: sortDiagnostics(diags.items) };
  }

  src.documents.forEach((doc, index) => {
    // An empty document (`---` alone, or only comments) is not a policy.
    if (isEmptyDocument(doc)) return;
    const before = diags.items.length;
    const read = readPolicy(src, doc, index, diags);
    if (!read) return;
    validatePolicy(read, diags);
    // Like Cerbos, a policy with errors is not handed on.
    if (!diags.items.slice(before).some((d) => d.severity === "error")) policies.push(read.policy);
  });
  return { policies, diagnostics: sortDiagnostics(diags.items) };
}

/** `---` alone, or only comments: the document has no node, or a null scalar with no text. */
function isEmptyDocument(doc: Document.Parsed): boolean {
  const c = doc.contents;
  return c === null || (isScalar(c) && c.value === null && (c.source ?? "") === "" && !c.anchor && !c.tag);
}

/** Cerbos's test: JSON is whatever starts with `{` after leading whitespace. */
function looksLikeJson(text: string): boolean {
  return text.trimStart().startsWith("{");
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0].toLowerCase() + s.slice(1) : s;
}
