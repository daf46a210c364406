// Cerbos's compile/ corpus: every case with wantErrors must be rejected with an error in the same
// file (and, when Cerbos gives a position, on the same line); cases without wantErrors must compile
// cleanly. The whole store/ directory must compile with zero errors.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { compileDirectory, compilePolicies } from "../../compiler/index.ts";
import { renderDiagnostic } from "../../compiler/diagnostics.ts";
import { readSchemaFiles } from "../../compiler/schemas.ts";
import { corpusDir, readTxtar } from "../helpers/corpus.ts";

const compileDir = path.join(corpusDir(), "compile");
const storeDir = path.join(corpusDir(), "store");
// Cerbos's compile tests resolve schema references against this folder (mkSchemaMgr in compile_test.go).
const schemas = readSchemaFiles(path.join(corpusDir(), "schema", "fs"));

interface WantError {
  file: string;
  error: string;
  description: string;
  position?: { line: number; column: number; path?: string };
}

/**
 * Cases we cannot pass yet, with the reason. Each must still fail (so fixing one forces removing it).
 * (none at the moment)
 */
const KNOWN_FAILURES = new Map<string, string>([
]);

const cases = existsSync(compileDir) ? readdirSync(compileDir).filter((f) => f.endsWith(".yaml")).sort() : [];

describe("compile corpus", () => {
  it("finds the corpus", () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  for (const name of cases) {
    const spec = parseYaml(readFileSync(path.join(compileDir, name), "utf8")) as { wantErrors?: WantError[] };
    const archive = readTxtar(path.join(compileDir, `${name}.input`));
    const files = [...archive.files].map(([p, text]) => ({ path: p, text }));

    const check = () => {
      const r = compilePolicies(files, { schemas });
      const errors = r.diagnostics.filter((d) => d.severity === "error");
      const listing = errors.map(renderDiagnostic).join("\n");
      if (!spec.wantErrors || spec.wantErrors.length === 0) {
        expect(listing).toBe("");
        expect(r.ruleset).toBeInstanceOf(Uint8Array);
        return;
      }
      expect(r.ruleset).toBeUndefined();
      for (const want of spec.wantErrors) {
        const found = errors.some(
          (d) => d.span.file === want.file && (want.position === undefined || d.span.line === want.position.line),
        );
        expect(found, `missing ${want.error} in ${want.file}:${want.position?.line ?? "?"} (${want.description})\ngot:\n${listing}`).toBe(true);
      }
    };

    const known = KNOWN_FAILURES.get(name);
    if (known) it.fails(`${name} (known failure: ${known})`, check);
    else it(name, check);
  }

  it("compiles the whole store without errors", () => {
    const r = compileDirectory(storeDir);
    expect(r.diagnostics.filter((d) => d.severity === "error").map(renderDiagnostic)).toEqual([]);
    expect(r.ruleset!.length).toBeGreaterThan(1000);
  });
});
