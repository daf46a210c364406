// Where a CEL diagnostic points. Cerbos reports an invalid expression at the YAML node that holds
// it (the `expr:` key, an output's key, a variable's value), and tools built around Cerbos's
// file:line match on that; the exact token inside the expression goes into `help` so nothing is lost.
import type { CelSource } from "../model.ts";
import type { DiagnosticBag } from "../diagnostics.ts";

export function reportCel(diags: DiagnosticBag, code: string, src: CelSource, offset: number, message: string): void {
  const at = src.positionAt(offset);
  const same = at.line === src.span.line && at.column === src.span.column;
  diags.error(code, src.span, `invalid expression \`${oneLine(src.text)}\`: ${message}`, same ? undefined : `at ${at.line}:${at.column}`);
}

function oneLine(text: string): string {
  const t = text.trim().replace(/\s*\n\s*/g, " ");
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}
