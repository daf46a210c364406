// Cerbos's compile/ and index/ corpus cases, for the errors the front end owns.
//
// compile/ cases, by who reports their errors (Cerbos's `error` sentinel decides):
//   parse/validate (ours): invalid_identifiers ("invalid constant/variable name"), invalid_output
//     ("empty output"), rule_with_no_roles ("invalid resource rule"), script_condition ("scripts in
//     conditions are no longer supported"), variable_redefined (the top-level vs `variables.local`
//     clash; the clash with the import is link's).
//   link/CEL (another stage): ambiguous_derived_roles, bad_cel_expr, bad_constants, bad_variables,
//     constant_redefined, invalid_schemas, missing_schemas, non_existent_constants_import,
//     non_existent_derived_roles_import, non_existent_variables_import, scoped_pp_missing_ancestor,
//     scoped_rp_missing_ancestor, scoped_rp_missing_import, unknown_derived_role,
//     variables_index_lookup, yaml_comment_in_condition. The front end must accept their files.
//   valid (no wantErrors): every file must read with no diagnostics.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { renderDiagnostic, type Diagnostic } from "../../compiler/diagnostics.ts";
import { parsePolicySource } from "../../compiler/parse/index.ts";
import { corpusDir, readTxtar } from "../helpers/corpus.ts";

const FRONT_END_ERRORS = new Set([
  "invalid constant name",
  "invalid variable name",
  "empty output",
  "invalid resource rule",
  "scripts in conditions are no longer supported",
  "variable redefined",
]);

interface WantError {
  file: string;
  error: string;
  position?: { line: number; column: number; path?: string };
}

function parseArchive(files: Map<string, string> | Record<string, string>): Map<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  const entries = files instanceof Map ? [...files] : Object.entries(files);
  for (const [name, text] of entries) {
    if (!/\.(ya?ml|json)$/.test(name) || /(^|\/)(_schemas|testdata)\//.test(name) || /_test\.(ya?ml|json)$/.test(name)) continue;
    // Cerbos's store loads exactly one policy per file.
    out.set(name, parsePolicySource(name, text, { singleDocument: true }).diagnostics);
  }
  return out;
}

const compileDir = path.join(corpusDir(), "compile");
const compileCases = readdirSync(compileDir)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => {
    const want = (parse(readFileSync(path.join(compileDir, f), "utf8")) ?? {}) as { wantErrors?: WantError[] };
    return { name: f.replace(/\.yaml$/, ""), wantErrors: want.wantErrors ?? [], files: readTxtar(path.join(compileDir, `${f}.input`)).files };
  });

describe("corpus compile/ cases", () => {
  it("covers the whole corpus", () => {
    expect(compileCases.length).toBeGreaterThan(25);
  });

  const ours = compileCases.filter((c) => c.wantErrors.some((e) => FRONT_END_ERRORS.has(e.error)));
  const later = compileCases.filter((c) => c.wantErrors.length > 0 && !ours.includes(c));
  const valid = compileCases.filter((c) => c.wantErrors.length === 0);

  it.each(ours.map((c) => [c.name, c] as const))("%s: we report each front-end error at Cerbos's file and line", (_, c) => {
    const diags = parseArchive(c.files);
    for (const want of c.wantErrors.filter((e) => FRONT_END_ERRORS.has(e.error))) {
      const mine = diags.get(want.file) ?? [];
      const where = `${want.file}:${want.position?.line ?? "?"} ${want.error}\nmine:\n${mine.map(renderDiagnostic).join("\n")}`;
      if (want.position) {
        expect(mine.some((d) => d.severity === "error" && d.span.line === want.position!.line), where).toBe(true);
      } else {
        expect(mine.some((d) => d.severity === "error"), where).toBe(true);
      }
    }
  });

  it.each(later.map((c) => [c.name, c] as const))("%s: the front end accepts the files (the error is link/CEL-level)", (_, c) => {
    for (const [file, diags] of parseArchive(c.files)) expect(diags.map(renderDiagnostic), file).toEqual([]);
  });

  it.each(valid.map((c) => [c.name, c] as const))("%s: valid case reads with no diagnostics", (_, c) => {
    for (const [file, diags] of parseArchive(c.files)) expect(diags.map(renderDiagnostic), file).toEqual([]);
  });
});

// index/ cases list per-file load failures (parse and validation errors) with positions.
const indexDir = path.join(corpusDir(), "index");
const indexCases = readdirSync(indexDir)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => {
    const doc = parse(readFileSync(path.join(indexDir, f), "utf8")) as {
      files: Record<string, string>;
      wantErrList?: { loadFailures?: Array<{ file: string; error: string; errorDetails?: { position?: { line: number; column: number } } }> };
    };
    return { name: f.replace(/\.yaml$/, ""), files: doc.files, loadFailures: doc.wantErrList?.loadFailures ?? [] };
  })
  .filter((c) => c.loadFailures.length > 0);

describe("corpus index/ load failures", () => {
  it("has cases with load failures", () => {
    expect(indexCases.length).toBeGreaterThanOrEqual(5);
  });

  it.each(indexCases.map((c) => [c.name, c] as const))("%s: each failing file gets an error at Cerbos's line", (_, c) => {
    const diags = parseArchive(c.files);
    // A failure named after a directory (schemas_in_wrong_dir: a nested `_schemas/`) is about the
    // store layout, not a file's contents; discovery owns that rule.
    for (const want of c.loadFailures.filter((f) => f.file in c.files)) {
      const mine = diags.get(want.file) ?? [];
      const where = `${want.file} ${want.error}\nmine:\n${mine.map(renderDiagnostic).join("\n")}`;
      const line = want.errorDetails?.position?.line;
      expect(mine.some((d) => d.severity === "error" && (line === undefined || d.span.line === line)), where).toBe(true);
    }
    // Files Cerbos loads without failure must not get errors from us unless Cerbos rejects them
    // later (a script condition is a compile error in Cerbos).
    const failing = new Set(c.loadFailures.map((f) => f.file));
    for (const [file, list] of diags) {
      if (failing.has(file)) continue;
      expect(list.filter((d) => d.code !== "VD1024").map(renderDiagnostic), file).toEqual([]);
    }
  });
});
