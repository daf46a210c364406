// Diagnostics: every stage returns them as values; nothing is encoded while any error exists.
// Rendered as `file:line:col: error[CODE]: message`. Codes are stable; tests assert on codes and
// positions, never on prose. Messages start lower case, no final period, user input in backticks.
import type { Span } from "./model.ts";

export type Severity = "error" | "warning";

export interface Diagnostic {
  code: string; // e.g. "VD1001"; the table of codes lives in compiler/codes.ts
  severity: Severity;
  message: string;
  span: Span;
  help?: string;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    a.span.file.localeCompare(b.span.file) ||
    a.span.line - b.span.line ||
    a.span.column - b.span.column ||
    a.code.localeCompare(b.code) ||
    a.message.localeCompare(b.message)
  );
}

/** Sorted, de-duplicated by file:line:col:code:message (Cerbos's ErrorSet does the same). */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of [...list].sort(compareDiagnostics)) {
    const key = `${d.span.file}:${d.span.line}:${d.span.column}:${d.code}:${d.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(d);
    }
  }
  return out;
}

export function renderDiagnostic(d: Diagnostic): string {
  const head = `${d.span.file}:${d.span.line}:${d.span.column}: ${d.severity}[${d.code}]: ${d.message}`;
  return d.help ? `${head}\n  help: ${d.help}` : head;
}

export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  error(code: string, span: Span, message: string, help?: string): void {
    this.items.push({ code, severity: "error", message, span, help });
  }
  warning(code: string, span: Span, message: string, help?: string): void {
    this.items.push({ code, severity: "warning", message, span, help });
  }
  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }
}
