// `verdict compile DIR [-o FILE]`: policies → ruleset. Diagnostics go to stderr, sorted, one per
// line as `file:line:col: severity[CODE]: message`; exit 3 when any error exists (as `cerbos
// compile`), and then no file is written.
import { statSync, writeFileSync } from "node:fs";
import { compileDirectory } from "../../compiler/index.ts";
import { renderDiagnostic, sortDiagnostics } from "../../compiler/diagnostics.ts";
import { EXIT, type Io, parse, str, UsageError } from "../args.ts";

export const COMPILE_HELP = `Usage: verdict compile DIR [-o FILE]

Compiles the Cerbos policies under DIR into a Verdict ruleset. Without -o it only checks them.

Options:
  -o, --output FILE   write the ruleset to FILE
  -q, --quiet         print only diagnostics
  -h, --help          show this help

Exit codes: 0 compiled, 2 usage error, 3 policy errors.
`;

export async function compileCommand(argv: string[], io: Io): Promise<number> {
  const p = parse("compile", argv, { output: { type: "string", short: "o" }, quiet: { type: "boolean", short: "q" } }, { min: 1, max: 1 });
  if (p.values.help) {
    io.stdout(COMPILE_HELP);
    return EXIT.OK;
  }
  const dir = p.positionals[0]!;
  const out = str(p, "output");
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`\`${dir}\` is not a directory`, "compile");
  const { ruleset, diagnostics } = compileDirectory(dir);
  const sorted = sortDiagnostics(diagnostics);
  for (const d of sorted) io.stderr(renderDiagnostic(d) + "\n");
  const errors = sorted.filter((d) => d.severity === "error").length;
  if (errors > 0 || !ruleset) {
    io.stderr(`verdict: ${errors} error${errors === 1 ? "" : "s"}; no ruleset written\n`);
    return EXIT.COMPILE_ERRORS;
  }
  if (out) {
    writeFileSync(out, ruleset);
    if (!p.values.quiet) io.stdout(`wrote ${out} (${ruleset.length} bytes)\n`);
  } else if (!p.values.quiet) {
    io.stdout(`OK: policies compile (${ruleset.length} bytes)\n`);
  }
  return EXIT.OK;
}
