// `verdict disasm FILE`: a ruleset as stable text (compiler/disasm.ts). A policy directory is
// compiled first, so `verdict disasm policies/` shows what the compiler would emit.
import { readFileSync, statSync } from "node:fs";
import { compileDirectory } from "../../compiler/index.ts";
import { disassemble } from "../../compiler/disasm.ts";
import { renderDiagnostic, sortDiagnostics } from "../../compiler/diagnostics.ts";
import { EXIT, type Io, parse } from "../args.ts";

export const DISASM_HELP = `Usage: verdict disasm FILE|DIR

Prints a ruleset (FILE) as text. Given a policy directory, compiles it first.

Exit codes: 0 ok, 1 unreadable or corrupt ruleset, 2 usage error, 3 policy errors.
`;

export async function disasmCommand(argv: string[], io: Io): Promise<number> {
  const p = parse("disasm", argv, {}, { min: 1, max: 1 });
  if (p.values.help) {
    io.stdout(DISASM_HELP);
    return EXIT.OK;
  }
  const path = p.positionals[0]!;
  let bytes: Uint8Array;
  try {
    if (statSync(path).isDirectory()) {
      const { ruleset, diagnostics } = compileDirectory(path, { integrity: true }); // as `verdict compile` writes it
      if (!ruleset) {
        for (const d of sortDiagnostics(diagnostics)) io.stderr(renderDiagnostic(d) + "\n");
        return EXIT.COMPILE_ERRORS;
      }
      bytes = ruleset;
    } else {
      bytes = new Uint8Array(readFileSync(path));
    }
  } catch (e) {
    io.stderr(`verdict: error[VD6006]: cannot read \`${path}\`: ${(e as Error).message}\n`);
    return EXIT.FAILURE;
  }
  try {
    const text = disassemble(bytes);
    io.stdout(text.endsWith("\n") ? text : text + "\n");
  } catch (e) {
    io.stderr(`verdict: error[VD6006]: \`${path}\`: ${(e as Error).message}\n`);
    return EXIT.FAILURE;
  }
  return EXIT.OK;
}

