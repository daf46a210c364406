// Test doubles for the CEL stage: an in-memory RulesetTables and a CelSource placed at a
// chosen line:col of a fake file (multi-line text continues at column 1 of following lines).
import type { ConstValue, RulesetTables } from "../../compiler/encode/builder-api.ts";
import type { CelSource, Span } from "../../compiler/model.ts";
import { DiagnosticBag } from "../../compiler/diagnostics.ts";
import { disassembleCode, lowerCel, type LowerScope } from "../../compiler/cel/index.ts";

export class FakeTables implements RulesetTables {
  strings: string[] = [];
  consts: ConstValue[] = [];
  exprs: Array<{ code: Uint8Array; source: string; maxStack: number; locals: number }> = [];
  attributes = { principal: new Set<string>(), resource: new Set<string>() };
  auxData = false;
  intern(s: string): number {
    const i = this.strings.indexOf(s);
    return i >= 0 ? i : this.strings.push(s) - 1;
  }
  constant(v: ConstValue): number {
    const key = show(v);
    const i = this.consts.findIndex((c) => show(c) === key);
    return i >= 0 ? i : this.consts.push(v) - 1;
  }
  addExpression(e: { code: Uint8Array; source: string; maxStack: number; locals: number }): number {
    return this.exprs.push(e) - 1;
  }
  useAttribute(root: "principal" | "resource", key: string): void {
    this.attributes[root].add(key);
  }
  useAuxData(): void {
    this.auxData = true;
  }
}

/** Compact, stable text of a constant for golden listings. */
export function show(v: ConstValue): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") return Number.isInteger(v) ? v.toFixed(1) : String(v); // doubles always show a point
  if (typeof v === "string") return JSON.stringify(v);
  if ("int" in v) return `${v.int}`;
  if ("uint" in v) return `${v.uint}u`;
  if ("bytes" in v) return `b[${[...v.bytes].join(",")}]`;
  if ("list" in v) return `[${v.list.map(show).join(", ")}]`;
  if ("map" in v) return `{${v.map.map(([k, x]) => `${show(k)}: ${show(x)}`).join(", ")}}`;
  if ("timestamp" in v) return `timestamp(${v.timestamp.seconds}s ${v.timestamp.nanos}ns)`;
  if ("duration" in v) return `duration(${v.duration.seconds}s ${v.duration.nanos}ns)`;
  if ("regex" in v) return `regex(${JSON.stringify(v.regex.pattern)})`;
  return `type(${v.type})`;
}

export function source(text: string, line = 1, column = 1, file = "policy.yaml"): CelSource {
  const span: Span = { file, line, column };
  return {
    text,
    span,
    positionAt(offset: number): Span {
      const before = text.slice(0, offset).split("\n");
      return before.length === 1
        ? { file, line, column: column + offset }
        : { file, line: line + before.length - 1, column: before[before.length - 1]!.length + 1 };
    },
  };
}

export function scopeOf(variables: string[] = [], constants: Record<string, unknown> = {}, allowRuntime = true): LowerScope {
  return { variables: new Map(variables.map((v, i) => [v, i])), constants: new Map(Object.entries(constants)), allowRuntime };
}

/** Lowers `text`; returns the diagnostics, the tables, and a disassembly of the result. */
export function lower(text: string, scope: LowerScope = scopeOf(), at: [number, number] = [1, 1]) {
  const tables = new FakeTables();
  const diags = new DiagnosticBag();
  const index = lowerCel(source(text, at[0], at[1]), scope, tables, diags);
  const expr = index === undefined ? undefined : tables.exprs[index];
  const listing = expr
    ? disassembleCode(expr.code, { string: (s) => tables.strings[s] ?? `?${s}`, constant: (i) => show(tables.consts[i]!) })
    : [];
  return { index, expr, diags: diags.items, tables, listing };
}
