// CEL text → Verdict's IR (ir.ts). The only module that imports @bufbuild/cel, whose parser
// reproduces cel-go's AST (macros expanded into comprehensions the way cel-go does it).
import { parse as bufParse } from "@bufbuild/cel";
import type { Expr as PbExpr } from "@bufbuild/cel-spec/cel/expr/syntax_pb.js";
import type { Expr, Literal, SyntaxError } from "./ir.ts";
import { expandMacro } from "./macros.ts";

export type ParseResult = { ok: true; expr: Expr } | { ok: false; error: SyntaxError };

/** Thrown while converting when the AST holds something Verdict cannot represent. */
class ConvertError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Parses are memoised by text: policies repeat conditions (the 2,063 conditions of the 50-kind
 *  bench policy are 186 distinct texts), and parsing was the largest part of compiling it
 *  (docs/performance.md). The IR is never mutated after parsing, and offsets are relative to the
 *  text, so one result serves every occurrence. Bounded: cleared when full. */
const parsed = new Map<string, ParseResult>();
const PARSE_CACHE_LIMIT = 20_000;

export function parseCel(text: string): ParseResult {
  let r = parsed.get(text);
  if (r === undefined) {
    if (parsed.size >= PARSE_CACHE_LIMIT) parsed.clear();
    r = parseUncached(text);
    parsed.set(text, r);
  }
  return r;
}

function parseUncached(text: string): ParseResult {
  let pe: ReturnType<typeof bufParse>;
  try {
    pe = bufParse(text);
  } catch (e) {
    return { ok: false, error: syntaxErrorOf(e, text) };
  }
  const positions = pe.sourceInfo?.positions ?? {};
  const offsetOf = (e: PbExpr): number => positions[e.id.toString()] ?? 0;
  try {
    return { ok: true, expr: convert(pe.expr, offsetOf) };
  } catch (e) {
    if (e instanceof ConvertError) return { ok: false, error: { offset: e.offset, message: e.message } };
    throw e;
  }
}

function syntaxErrorOf(e: unknown, text: string): SyntaxError {
  const err = e as { location?: { start?: { offset?: number } }; rawMessage?: string; message?: string };
  const offset = Math.min(Math.max(err.location?.start?.offset ?? 0, 0), text.length);
  // Drop the "<input>:l:c: " prefix: the diagnostic carries the real file position.
  const message = String(err.rawMessage ?? err.message ?? e).replace(/^<input>:\d+:\d+:\s*/, "");
  return { offset, message };
}

function convert(e: PbExpr, offsetOf: (e: PbExpr) => number): Expr {
  const offset = offsetOf(e);
  const k = e.exprKind;
  const rec = (x: PbExpr | undefined): Expr => {
    if (!x) throw new ConvertError("incomplete expression", offset);
    return convert(x, offsetOf);
  };
  switch (k.case) {
    case "constExpr":
      return { offset, k: "lit", lit: literal(k.value.constantKind, offset) };
    case "identExpr":
      return { offset, k: "ident", name: k.value.name };
    case "selectExpr":
      return { offset, k: "select", operand: rec(k.value.operand), field: k.value.field, test: k.value.testOnly };
    case "callExpr": {
      const target = k.value.target ? rec(k.value.target) : undefined;
      const args = k.value.args.map(rec);
      const m = expandMacro(offset, k.value.function, target, args);
      if (m && "error" in m) throw new ConvertError(m.error, offset);
      if (m) return m;
      return target
        ? { offset, k: "call", fn: k.value.function, target, args }
        : { offset, k: "call", fn: k.value.function, args };
    }
    case "listExpr":
      if (k.value.optionalIndices.length > 0) throw new ConvertError("optional list elements are not supported", offset);
      return { offset, k: "list", elems: k.value.elements.map(rec) };
    case "structExpr": {
      if (k.value.messageName) throw new ConvertError(`message construction \`${k.value.messageName}{}\` is not supported`, offset);
      const entries = k.value.entries.map((en) => {
        if (en.optionalEntry) throw new ConvertError("optional map entries are not supported", offset);
        if (en.keyKind.case !== "mapKey") throw new ConvertError("field initialisers need a message type", offset);
        return { key: rec(en.keyKind.value), value: rec(en.value) };
      });
      return { offset, k: "map", entries };
    }
    case "comprehensionExpr": {
      const c = k.value;
      return {
        offset, k: "comp", iterVar: c.iterVar, ...(c.iterVar2 ? { iterVar2: c.iterVar2 } : {}),
        range: rec(c.iterRange), accuVar: c.accuVar, init: rec(c.accuInit), cond: rec(c.loopCondition),
        step: rec(c.loopStep), result: rec(c.result),
      };
    }
    default:
      throw new ConvertError("unsupported expression", offset);
  }
}

function literal(c: Extract<PbExpr["exprKind"], { case: "constExpr" }>["value"]["constantKind"], offset: number): Literal {
  switch (c.case) {
    case "nullValue":
      return { kind: "null" };
    case "boolValue":
      return { kind: "bool", value: c.value };
    case "int64Value":
      return { kind: "int", value: BigInt(c.value) };
    case "uint64Value":
      return { kind: "uint", value: BigInt(c.value) };
    case "doubleValue":
      return { kind: "double", value: c.value };
    case "stringValue":
      return { kind: "string", value: c.value };
    case "bytesValue":
      return { kind: "bytes", value: c.value };
    default:
      throw new ConvertError("unsupported literal", offset);
  }
}
