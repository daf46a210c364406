// Constant RE2 patterns → regex programs (spec/format.ts RX_*, docs/format.md §3.1). The pattern is
// parsed and compiled by @bufbuild/re2 (a port of Go's regexp/syntax), whose Prog we re-encode:
// the evaluator then only runs a Thompson NFA over code-point ranges, so case folding and Unicode
// classes are resolved here, at build time, and the .wasm carries no Unicode tables.
import { RE2JS } from "@bufbuild/re2";
import { RegexEmpty, RegexOp, RX_HEADER_SIZE, RX_INST_SIZE, RX_MAX_INSTS, RX_RANGE_SIZE } from "../../spec/format.ts";

/** The parts of @bufbuild/re2's Inst we read (its class is not exported, only reachable). */
interface Inst {
  op: number;
  out: number;
  arg: number;
  runes: number[];
  matchRune(r: number): boolean;
}
type InstOps = Record<"ALT" | "ALT_MATCH" | "CAPTURE" | "EMPTY_WIDTH" | "FAIL" | "MATCH" | "NOP" | "RUNE" | "RUNE1" | "RUNE_ANY" | "RUNE_ANY_NOT_NL", number>;

const MAX_RUNE = 0x10ffff;
/** RE2's parser flag on a one-rune instruction: match the rune's case-folding orbit. */
const FOLD_CASE = 1;
const ALL_EMPTY = RegexEmpty.BEGIN_LINE | RegexEmpty.END_LINE | RegexEmpty.BEGIN_TEXT | RegexEmpty.END_TEXT |
  RegexEmpty.WORD_BOUNDARY | RegexEmpty.NO_WORD_BOUNDARY;

export interface RegexProgram {
  bytes: Uint8Array;
  insts: number;
  ranges: number;
}

/** Compiles a valid RE2 pattern (regexError(pattern) === undefined) into program bytes. Throws
 *  when the program exceeds RX_MAX_INSTS instructions. */
export function compileRegex(pattern: string): RegexProgram {
  const prog = RE2JS.compile(pattern).re2().prog as unknown as { inst: Inst[]; start: number };
  const ops = (prog.inst[0] as object).constructor as unknown as InstOps;
  const n = prog.inst.length;
  if (n > RX_MAX_INSTS) throw new Error(`regular expression too large (${n} instructions, at most ${RX_MAX_INSTS})`);
  const insts: number[] = [];
  const pool: number[] = [];
  const shared = new Map<string, number>(); // identical range lists share pool entries
  const ranges = (list: number[]): [number, number] => {
    const key = list.join(",");
    let at = shared.get(key);
    if (at === undefined) {
      at = pool.length / 2;
      pool.push(...list);
      shared.set(key, at);
    }
    return [at, list.length / 2];
  };
  for (const inst of prog.inst) {
    switch (inst.op) {
      case ops.MATCH:
        insts.push(RegexOp.MATCH, 0, 0, 0);
        break;
      case ops.ALT:
      case ops.ALT_MATCH: // a hint for backtrackers; both branches are followed either way
        insts.push(RegexOp.ALT, inst.out, inst.arg, 0);
        break;
      case ops.EMPTY_WIDTH:
        // RE2's EmptyOp bits are RegexEmpty's; anything else would be a library change we must see
        if ((inst.arg & ~ALL_EMPTY) !== 0) throw new Error(`internal: unknown RE2 empty-width flags ${inst.arg}`);
        insts.push(RegexOp.EMPTY, inst.out, inst.arg, 0);
        break;
      case ops.CAPTURE: // matches() reports no groups: captures are plain epsilon moves
      case ops.NOP:
        insts.push(RegexOp.EMPTY, inst.out, 0, 0);
        break;
      case ops.FAIL:
        insts.push(RegexOp.RANGES, 0, 0, 0);
        break;
      case ops.RUNE:
      case ops.RUNE1:
      case ops.RUNE_ANY:
      case ops.RUNE_ANY_NOT_NL: {
        const [at, count] = ranges(runeRanges(inst));
        insts.push(RegexOp.RANGES, inst.out, at, count);
        break;
      }
      default:
        throw new Error(`internal: unknown RE2 instruction ${inst.op}`);
    }
  }
  const bytes = new Uint8Array(RX_HEADER_SIZE + n * RX_INST_SIZE + (pool.length / 2) * RX_RANGE_SIZE);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(0, n, true);
  dv.setUint32(4, prog.start, true);
  dv.setUint32(8, pool.length / 2, true);
  [...insts, ...pool].forEach((w, i) => dv.setUint32(RX_HEADER_SIZE + 4 * i, w, true));
  return { bytes, insts: n, ranges: pool.length / 2 };
}

/** An instruction's runes as sorted, merged inclusive (lo, hi) pairs. A single rune with the
 *  fold-case flag stands for its whole simple case-folding orbit (e.g. k K U+212A KELVIN SIGN). */
function runeRanges(inst: Inst): number[] {
  if (inst.runes.length === 1) {
    const r = inst.runes[0]!;
    if ((inst.arg & FOLD_CASE) === 0) return [r, r];
    return toRanges(foldOrbit(r).filter((c) => c === r || inst.matchRune(c)));
  }
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i + 1 < inst.runes.length; i += 2) pairs.push([inst.runes[i]!, Math.min(inst.runes[i + 1]!, MAX_RUNE)]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    if (out.length && lo <= out[out.length - 1]! + 1) out[out.length - 1] = Math.max(out[out.length - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

function toRanges(points: number[]): number[] {
  const sorted = [...new Set(points)].sort((a, b) => a - b);
  const out: number[] = [];
  for (const c of sorted) {
    if (out.length && c === out[out.length - 1]! + 1) out[out.length - 1] = c;
    else out.push(c, c);
  }
  return out;
}

// Candidates for a rune's folding orbit: every code point linked to it by single-code-point
// lower/upper case mappings, transitively. RE2's own equalsIgnoreCase (Inst.matchRune) then
// keeps exactly the orbit's members; the mappings only have to over-approximate it.
let caseLinks: Map<number, number[]> | undefined;

function links(): Map<number, number[]> {
  if (caseLinks) return caseLinks;
  caseLinks = new Map();
  const link = (a: number, b: number) => {
    if (a === b) return;
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const l = caseLinks!.get(x);
      if (l) l.push(y);
      else caseLinks!.set(x, [y]);
    }
  };
  for (let c = 0; c <= 0x1ffff; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const s = String.fromCodePoint(c);
    for (const m of [s.toLowerCase(), s.toUpperCase()]) {
      const cp = m.codePointAt(0)!;
      if (m.length === String.fromCodePoint(cp).length) link(c, cp);
    }
  }
  return caseLinks;
}

function foldOrbit(r: number): number[] {
  const seen = new Set([r]);
  const todo = [r];
  while (todo.length) {
    for (const x of links().get(todo.pop()!) ?? []) {
      if (!seen.has(x)) {
        seen.add(x);
        todo.push(x);
      }
    }
  }
  return [...seen];
}

/** Program bytes → one line per instruction, for `verdict disasm`: `  3 ALT -> 1, 4`. */
export function disassembleRegex(bytes: Uint8Array): string[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < RX_HEADER_SIZE) return ["<truncated regex program>"];
  const n = dv.getUint32(0, true);
  const start = dv.getUint32(4, true);
  const rangeAt = RX_HEADER_SIZE + n * RX_INST_SIZE;
  if (rangeAt + dv.getUint32(8, true) * RX_RANGE_SIZE !== bytes.length) return ["<malformed regex program>"];
  const cp = (c: number) => (c >= 0x21 && c <= 0x7e ? `'${String.fromCharCode(c)}'` : `U+${c.toString(16).toUpperCase().padStart(4, "0")}`);
  const out = [`start ${start}`];
  for (let i = 0; i < n; i++) {
    const [op, next, arg, count] = [0, 4, 8, 12].map((o) => dv.getUint32(RX_HEADER_SIZE + i * RX_INST_SIZE + o, true)) as [number, number, number, number];
    let text: string;
    if (op === RegexOp.MATCH) text = "MATCH";
    else if (op === RegexOp.ALT) text = `ALT -> ${next}, ${arg}`;
    else if (op === RegexOp.EMPTY) {
      const flags = Object.entries(RegexEmpty).filter(([k, v]) => Number.isNaN(Number(k)) && (arg & (v as number)) !== 0).map(([k]) => k);
      text = `EMPTY${flags.length ? ` ${flags.join("|")}` : ""} -> ${next}`;
    } else if (op === RegexOp.RANGES) {
      const shown: string[] = [];
      for (let k = 0; k < Math.min(count, 8); k++) {
        const at = rangeAt + (arg + k) * RX_RANGE_SIZE;
        if (at + RX_RANGE_SIZE > bytes.length) break;
        const lo = dv.getUint32(at, true);
        const hi = dv.getUint32(at + 4, true);
        shown.push(lo === hi ? cp(lo) : `${cp(lo)}-${cp(hi)}`);
      }
      text = count === 0 ? "FAIL" : `RANGES [${shown.join(" ")}${count > 8 ? ` …${count - 8} more` : ""}] -> ${next}`;
    } else text = `?? ${op}`;
    out.push(`${String(i).padStart(3)} ${text}`);
  }
  return out;
}
