// Test-only: compiles ONE CEL expression with the real compiler pieces (compiler/cel lowerCel into
// a compiler/encode RulesetBuilder, then writeRuleset) and evaluates it in the real evaluator
// (build/verdict.wasm, through its ABI: load → check → eval_expr), returning a canonical typed
// value. Used by the cel-spec conformance runner.
//
// Bindings (conformance `bindings`, e.g. x = 123) are passed as RESOURCE ATTRIBUTES: every free
// occurrence of a bound name in the text is rewritten to `R.attr["name"]` (dotted names such as
// `a.b.c` by longest prefix, as cel-go resolves qualified identifiers), and the values are
// written as value cells into the resource block of a request that `check` records for
// `eval_expr`. Why attributes and not variables: `eval_expr` evaluates an expression on its own,
// and VARS slots are only filled by the rule evaluation in `check`, so a `V.x` would read as
// unset; attributes are plain cells the VM selects from, so any CEL type (int, uint, bytes,
// timestamps…) arrives exactly as bound — the host request encoder would turn numbers into
// doubles, so the harness writes the cells itself.
import { TYPE_NAMES } from "../../host/common/decode-value.ts";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { lowerCel } from "../../compiler/cel/index.ts";
import { DiagnosticBag } from "../../compiler/diagnostics.ts";
import { RulesetBuilder } from "../../compiler/encode/tables.ts";
import { writeRuleset } from "../../compiler/encode/write.ts";
import type { CelSource, Span } from "../../compiler/model.ts";
import { instantiateEvaluator, type Abi } from "../../host/common/abi.ts";
import { ValueReader } from "../../host/common/decode-value.ts";
import { readRulesetIndex } from "../../host/common/ruleset-strings.ts";
import {
  CELL_SIZE, CL_A, CL_B, CL_C, NONE, Tag, RQ_SIZE, RQ_NOW_SECONDS, RQ_NOW_NANOS, RQ_RESOURCE_COUNT, RQ_PRINCIPAL,
  RQ_RESOURCES, RQ_AUX_DATA, PB_SIZE, PB_ID, PB_VERSION, PB_SCOPE, PB_ROLES, PB_ATTR, RS_SIZE, RS_KIND, RS_ID,
  RS_VERSION, RS_SCOPE, RS_ATTR, RS_ACTIONS,
} from "../../spec/format.ts";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A CEL value in canonical form: integers as bigint, maps as ordered entry lists. */
export type CelValue =
  | { type: "null"; value: null }
  | { type: "bool"; value: boolean }
  | { type: "int"; value: bigint }
  | { type: "uint"; value: bigint }
  | { type: "double"; value: number }
  | { type: "string"; value: string }
  | { type: "bytes"; value: Uint8Array }
  | { type: "list"; value: CelValue[] }
  | { type: "map"; value: Array<[CelValue, CelValue]> }
  | { type: "timestamp"; value: { seconds: bigint; nanos: number } }
  | { type: "duration"; value: { seconds: bigint; nanos: number } }
  | { type: "type"; value: string }
  | { type: "optional"; value: CelValue | null }
  | { type: "error"; value: string; code: number }
  /** a cell the harness cannot represent (MESSAGE, ITER, ABSENT, unknown tag) */
  | { type: "other"; value: string };

export type EvalOutcome =
  /** the compiler refused the expression (diagnostics text) */
  | { kind: "compile-error"; message: string; rewritten: string }
  /** the evaluator refused the ruleset or the request (Status code) */
  | { kind: "abi-error"; message: string; rewritten: string }
  /** evaluated: canonical value, and what the host's JSON decoder (host/common) makes of the cell */
  | { kind: "value"; value: CelValue; hostJson: unknown; rewritten: string };

// ---- bindings → attribute rewrite ----------------------------------------------------------

const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_]/;

/** Rewrites free occurrences of the bound names to `R.attr["name"]`. A tiny lexer skips string
 *  and bytes literals (any quote style, raw or not) and member names after a dot. Names bound by
 *  comprehensions are not tracked (no conformance binding test shadows a binding). The reserved
 *  words true/false/null are never rewritten: CEL ignores bindings of them. */
export function rewriteBindings(expr: string, names: readonly string[]): string {
  const bound = new Set(names.filter((n) => !["true", "false", "null"].includes(n)));
  if (bound.size === 0) return expr;
  let out = "";
  let i = 0;
  while (i < expr.length) {
    const ch = expr[i]!;
    // string / bytes literal, with optional r/b prefixes
    const q = quoteAt(expr, i);
    if (q) {
      out += expr.slice(i, q.end);
      i = q.end;
      continue;
    }
    if (IDENT_START.test(ch)) {
      let j = i;
      while (j < expr.length && IDENT_CHAR.test(expr[j]!)) j++;
      // dotted chain a.b.c (no spaces, as in the conformance data)
      const parts = [expr.slice(i, j)];
      let k = j;
      while (expr[k] === "." && k + 1 < expr.length && IDENT_START.test(expr[k + 1]!)) {
        let m = k + 1;
        while (m < expr.length && IDENT_CHAR.test(expr[m]!)) m++;
        parts.push(expr.slice(k + 1, m));
        k = m;
      }
      const prevNonSpace = out.trimEnd().slice(-1);
      const isMember = prevNonSpace === ".";
      let replaced = false;
      if (!isMember) {
        for (let n = parts.length; n >= 1; n--) {
          const name = parts.slice(0, n).join(".");
          if (bound.has(name)) {
            out += `R.attr[${JSON.stringify(name)}]` + (n < parts.length ? "." + parts.slice(n).join(".") : "");
            replaced = true;
            break;
          }
        }
      }
      if (!replaced) out += parts.join(".");
      i = k;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

function quoteAt(s: string, i: number): { end: number } | undefined {
  let j = i;
  let raw = false;
  while (j < s.length && j - i < 2 && /[rRbB]/.test(s[j]!)) {
    if (s[j] === "r" || s[j] === "R") raw = true;
    j++;
  }
  const c = s[j];
  if (c !== "'" && c !== '"') return undefined;
  // a prefix letter must not be the tail of an identifier
  if (j > i && i > 0 && IDENT_CHAR.test(s[i - 1]!)) return undefined;
  const triple = s.slice(j, j + 3) === c.repeat(3);
  const close = triple ? c.repeat(3) : c;
  let k = j + close.length;
  while (k < s.length) {
    if (!raw && s[k] === "\\") {
      k += 2;
      continue;
    }
    if (s.startsWith(close, k)) return { end: k + close.length };
    k++;
  }
  return { end: s.length };
}

// ---- compilation ---------------------------------------------------------------------------

function celSource(text: string): CelSource {
  const span: Span = { file: "<cel-harness>", line: 1, column: 1 };
  return { text, span, positionAt: (offset: number) => ({ ...span, column: offset + 1 }) };
}

/** Compiles one expression into a complete ruleset holding just that expression (EXPRS[index]). */
export function compileExpression(text: string): { ruleset?: Uint8Array; index?: number; diagnostics: string[] } {
  const builder = new RulesetBuilder();
  const diags = new DiagnosticBag();
  let index: number | undefined;
  try {
    index = lowerCel(celSource(text), { variables: new Map(), constants: new Map(), allowRuntime: true }, builder, diags);
  } catch (e) {
    return { diagnostics: [`lowerCel threw: ${e instanceof Error ? e.message : String(e)}`] };
  }
  const diagnostics = diags.items.map((d) => `${d.severity}[${d.code}] col ${d.span.column}: ${d.message}`);
  if (index === undefined || diags.hasErrors) return { diagnostics };
  return { ruleset: writeRuleset(builder), index, diagnostics };
}

// ---- evaluation ----------------------------------------------------------------------------

interface EvalExports {
  eval_expr(i: number): number;
}

const SCRATCH = 1 << 20;

export class CelHarness {
  private scratch = 0;
  private pos = 0;
  private constructor(private readonly abi: Abi) {
    this.scratch = abi.alloc(SCRATCH);
  }

  static create(wasmPath = process.env.VERDICT_WASM ?? join(repoRoot, "build", "verdict.wasm")): CelHarness {
    const abi = instantiateEvaluator(readFileSync(wasmPath));
    if (typeof (abi.ex as unknown as Partial<EvalExports>).eval_expr !== "function") {
      throw new Error(`${wasmPath} does not export eval_expr`);
    }
    return new CelHarness(abi);
  }

  /** Compiles and evaluates `expr` with the given bindings (name → value). */
  evaluate(expr: string, bindings: Record<string, CelValue> = {}): EvalOutcome {
    const rewritten = rewriteBindings(expr, Object.keys(bindings));
    const c = compileExpression(rewritten);
    if (!c.ruleset || c.index === undefined) return { kind: "compile-error", message: c.diagnostics.join("; "), rewritten };
    const abi = this.abi;
    const p = abi.copyIn(c.ruleset);
    const st = abi.ex.load(p, c.ruleset.length);
    if (st !== 0) {
      abi.free(p);
      return { kind: "abi-error", message: `load status ${st}`, rewritten };
    }
    const req = this.writeRequest(bindings);
    const cs = abi.ex.check(req);
    if (cs !== 0) return { kind: "abi-error", message: `check status ${cs}`, rewritten };
    const cell = (abi.ex as unknown as EvalExports).eval_expr(c.index) >>> 0;
    if (cell === 0) return { kind: "abi-error", message: "eval_expr returned 0", rewritten };
    const strings = readRulesetIndex(c.ruleset).strings;
    const reader = new ValueReader(abi.dv, abi.u8, strings);
    const value = this.read(cell, reader, 0);
    let hostJson: unknown;
    try {
      hostJson = reader.json(cell);
    } catch (e) {
      hostJson = { hostDecodeThrew: e instanceof Error ? e.message : String(e) };
    }
    return { kind: "value", value, hostJson, rewritten };
  }

  // ---- request cells (written by hand so every CEL type can be bound) ----

  private bump(n: number, align = 8): number {
    const p = (this.pos + align - 1) & ~(align - 1);
    if (p + n > this.scratch + SCRATCH) throw new Error("cel-harness: request scratch buffer full");
    this.pos = p + n;
    return p;
  }

  private setHead(cell: number, tag: Tag, a: number, b: bigint): void {
    const dv = this.abi.dv;
    dv.setUint32(cell, tag, true);
    dv.setUint32(cell + CL_A, a >>> 0, true);
    dv.setBigUint64(cell + CL_B, BigInt.asUintN(64, b), true);
  }

  private writeBytes(cell: number, tag: Tag.STRING | Tag.BYTES, b: Uint8Array): void {
    const p = this.bump(Math.max(b.length, 1), 1);
    this.abi.u8.set(b, p);
    this.setHead(cell, tag, b.length, (BigInt(NONE) << 32n) | BigInt(p));
  }

  private writeCell(cell: number, v: CelValue): void {
    switch (v.type) {
      case "null":
        return this.setHead(cell, Tag.NULL, 0, 0n);
      case "bool":
        return this.setHead(cell, Tag.BOOL, 0, v.value ? 1n : 0n);
      case "int":
        return this.setHead(cell, Tag.INT, 0, v.value);
      case "uint":
        return this.setHead(cell, Tag.UINT, 0, v.value);
      case "double":
        this.setHead(cell, Tag.DOUBLE, 0, 0n);
        this.abi.dv.setFloat64(cell + CL_B, v.value, true);
        return;
      case "string":
        return this.writeBytes(cell, Tag.STRING, new TextEncoder().encode(v.value));
      case "bytes":
        return this.writeBytes(cell, Tag.BYTES, v.value);
      case "list": {
        const base = this.bump(CELL_SIZE * Math.max(v.value.length, 1));
        v.value.forEach((x, i) => this.writeCell(base + i * CELL_SIZE, x));
        return this.setHead(cell, Tag.LIST, v.value.length, BigInt(base));
      }
      case "map": {
        const base = this.bump(2 * CELL_SIZE * Math.max(v.value.length, 1));
        v.value.forEach(([k, x], i) => {
          this.writeCell(base + 2 * i * CELL_SIZE, k);
          this.writeCell(base + (2 * i + 1) * CELL_SIZE, x);
        });
        return this.setHead(cell, Tag.MAP, v.value.length, BigInt(base));
      }
      case "timestamp":
        return this.setHead(cell, Tag.TIMESTAMP, v.value.nanos, v.value.seconds);
      case "duration":
        return this.setHead(cell, Tag.DURATION, v.value.nanos | 0, v.value.seconds);
      default:
        throw new Error(`cel-harness: cannot bind a ${v.type} value`);
    }
  }

  /** A request with an empty principal and one resource whose attributes are the bindings. */
  private writeRequest(bindings: Record<string, CelValue>): number {
    this.pos = this.scratch;
    const u8 = this.abi.u8;
    const req = this.bump(RQ_SIZE);
    const pb = this.bump(PB_SIZE);
    const rs = this.bump(RS_SIZE);
    u8.fill(0, req, this.pos);
    const str = (cell: number, s: string) => this.writeCell(cell, { type: "string", value: s });
    str(pb + PB_ID, "principal");
    str(pb + PB_VERSION, "default");
    str(pb + PB_SCOPE, "");
    this.writeCell(pb + PB_ROLES, { type: "list", value: [{ type: "string", value: "user" }] });
    this.writeCell(pb + PB_ATTR, { type: "map", value: [] });
    str(rs + RS_KIND, "cel_harness");
    str(rs + RS_ID, "1");
    str(rs + RS_VERSION, "default");
    str(rs + RS_SCOPE, "");
    this.writeCell(rs + RS_ATTR, {
      type: "map",
      value: Object.entries(bindings).map(([k, v]) => [{ type: "string", value: k }, v] as [CelValue, CelValue]),
    });
    this.writeCell(rs + RS_ACTIONS, { type: "list", value: [] });
    const dv = this.abi.dv;
    dv.setBigInt64(req + RQ_NOW_SECONDS, 1619103920n, true); // 2021-04-22T15:05:20Z (Cerbos's cel_eval clock)
    dv.setUint32(req + RQ_NOW_NANOS, 21_000_000, true);
    dv.setUint32(req + RQ_RESOURCE_COUNT, 1, true);
    dv.setUint32(req + RQ_PRINCIPAL, pb, true);
    dv.setUint32(req + RQ_RESOURCES, rs, true);
    dv.setUint32(req + RQ_AUX_DATA, 0, true);
    return req;
  }

  // ---- result cells → canonical values ----

  private read(cell: number, reader: ValueReader, depth: number): CelValue {
    if (depth > 64) return { type: "other", value: "nested too deep" };
    const dv = this.abi.dv;
    const tag = this.abi.u8[cell]!;
    const a = dv.getUint32(cell + CL_A, true);
    const lo = dv.getUint32(cell + CL_B, true);
    switch (tag) {
      case Tag.NULL:
        return { type: "null", value: null };
      case Tag.BOOL:
        return { type: "bool", value: lo !== 0 };
      case Tag.INT:
        return { type: "int", value: dv.getBigInt64(cell + CL_B, true) };
      case Tag.UINT:
        return { type: "uint", value: dv.getBigUint64(cell + CL_B, true) };
      case Tag.DOUBLE:
        return { type: "double", value: dv.getFloat64(cell + CL_B, true) };
      case Tag.STRING:
        return { type: "string", value: reader.string(cell) };
      case Tag.BYTES:
        return { type: "bytes", value: this.abi.u8.slice(lo, lo + a) };
      case Tag.LIST:
        return { type: "list", value: Array.from({ length: a }, (_, i) => this.read(lo + i * CELL_SIZE, reader, depth + 1)) };
      case Tag.MAP:
        return {
          type: "map",
          value: Array.from({ length: a }, (_, i) => [
            this.read(lo + 2 * i * CELL_SIZE, reader, depth + 1),
            this.read(lo + (2 * i + 1) * CELL_SIZE, reader, depth + 1),
          ] as [CelValue, CelValue]),
        };
      case Tag.TIMESTAMP:
        return { type: "timestamp", value: { seconds: dv.getBigInt64(cell + CL_B, true), nanos: a } };
      case Tag.DURATION:
        return { type: "duration", value: { seconds: dv.getBigInt64(cell + CL_B, true), nanos: a | 0 } };
      case Tag.TYPE:
        return { type: "type", value: TYPE_NAMES[a as Tag] ?? `tag${a}` };
      case Tag.OPTIONAL:
        return { type: "optional", value: a !== 0 && lo !== 0 ? this.read(lo, reader, depth + 1) : null };
      case Tag.ERROR:
        return { type: "error", value: reader.errorMessage(cell), code: a };
      default:
        return { type: "other", value: `tag ${tag} A=${a} B=${lo}/${dv.getUint32(cell + CL_C, true)}` };
    }
  }
}

// ---- comparison and display ------------------------------------------------------------------

/** CEL-value equality for test assertions: exact types, NaN equals NaN, map entries unordered. */
export function sameValue(x: CelValue, y: CelValue): boolean {
  if (x.type !== y.type) return false;
  switch (x.type) {
    case "double": {
      const b = y.value as number;
      return (Number.isNaN(x.value) && Number.isNaN(b)) || x.value === b;
    }
    case "bytes": {
      const b = y.value as Uint8Array;
      return x.value.length === b.length && x.value.every((v, i) => v === b[i]);
    }
    case "list": {
      const b = y.value as CelValue[];
      return x.value.length === b.length && x.value.every((v, i) => sameValue(v, b[i]!));
    }
    case "map": {
      const b = y.value as Array<[CelValue, CelValue]>;
      return x.value.length === b.length && x.value.every(([k, v]) => b.some(([k2, v2]) => sameValue(k, k2) && sameValue(v, v2)));
    }
    case "timestamp":
    case "duration": {
      const b = y.value as { seconds: bigint; nanos: number };
      return x.value.seconds === b.seconds && x.value.nanos === b.nanos;
    }
    case "optional": {
      const b = y.value as CelValue | null;
      return x.value === null || b === null ? x.value === b : sameValue(x.value, b);
    }
    case "error":
      return true;
    default:
      return x.value === y.value;
  }
}

/** Compact display of a value, for failure messages and reports. */
export function showValue(v: CelValue): string {
  switch (v.type) {
    case "null":
      return "null";
    case "int":
      return `${v.value}`;
    case "uint":
      return `${v.value}u`;
    case "double":
      return Number.isInteger(v.value) ? v.value.toFixed(1) : String(v.value);
    case "string":
      return JSON.stringify(v.value);
    case "bytes":
      return `b"${Buffer.from(v.value).toString("hex")}"`;
    case "list":
      return `[${v.value.map(showValue).join(", ")}]`;
    case "map":
      return `{${v.value.map(([k, x]) => `${showValue(k)}: ${showValue(x)}`).join(", ")}}`;
    case "timestamp":
      return `timestamp(${v.value.seconds}s+${v.value.nanos}ns)`;
    case "duration":
      return `duration(${v.value.seconds}s+${v.value.nanos}ns)`;
    case "optional":
      return v.value === null ? "optional.none()" : `optional.of(${showValue(v.value)})`;
    case "error":
      return `error(${v.code}: ${v.value})`;
    default:
      return `${v.type}(${String(v.value)})`;
  }
}
