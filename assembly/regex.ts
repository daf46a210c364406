// RE2 `matches` (Builtin.MATCHES) and Cerbos globs (GLOBS): an unanchored search of a compiled regex program (Tag.REGEX
// constant, spec/format.ts RX_*) over a UTF-8 string. The compiler already turned the pattern into
// a Thompson NFA over code-point ranges (compiler/cel/regex.ts), so this is a Pike-style
// simulation without captures: one set of threads per input position, each instruction at most
// once per position (linear in pattern × input, never backtracking), every thread step paid from
// the check's step budget. matches() only asks whether some match exists, so thread order and
// leftmost-first priority do not matter and the first MATCH reached answers true.
import { Tag, Builtin, CelError, RegexOp, RegexEmpty, RX_HEADER_SIZE, RX_MAX_INSTS, WellKnown } from "../spec/format";
import { tagOf, cA, cP, setBool, setErrCode, payloadOk, memOk } from "./value";
import { arenaAlloc, spendSteps } from "./arena";
import { isWord } from "./names"; // ASCII letters, digits and '_': RE2's \b word characters
import { constCells, globCount, globRecords } from "./ruleset";
import { failCheck } from "./decide";

/** Length of the UTF-8 sequence starting with byte b. */
export function runeLen(b: u8): i32 {
  if (b < 0x80) return 1;
  if (b < 0xe0) return 2;
  if (b < 0xf0) return 3;
  return 4;
}

/** Code point of the len-byte sequence at p (one loop: the per-length formulas cost ~100 B). */
export function decode(p: usize, len: i32): u32 {
  let r = <u32>load<u8>(p);
  if (len == 1) return r;
  r &= 0x7f >> len; // lead-byte payload: 5, 4 or 3 bits
  for (let k = 1; k < len; k++) r = (r << 6) | (<u32>load<u8>(p + k) & 0x3f);
  return r;
}

/** Whether the n bytes at p match the Cerbos glob with sid `sid`: "*" matches everything, other
 *  globs run their GLOBS program (the compiler anchored it); a sid without one matches nothing.
 *  A match that runs out of steps or arena fails the whole check (never a silent non-match,
 *  which could skip a DENY). */
export function globMatch(sid: u32, p: usize, n: u32): bool {
  if (sid == WellKnown.STAR) return true;
  let lo: u32 = 0, hi = globCount;
  while (lo < hi) {
    const m = (lo + hi) >> 1, e = globRecords + (<usize>m << 3), s = load<u32>(e);
    if (s < sid) lo = m + 1;
    else if (s > sid) hi = m;
    else {
      const c = constCells + (<usize>load<u32>(e, 4) << 4);
      if (tagOf(c) != Tag.REGEX) return false;
      const r = search(cP(c), p, n);
      if (r < 0) failCheck();
      return r > 0;
    }
  }
  return false;
}

/** A well-formed program of exactly len bytes: every instruction index and range run lies inside
 *  it. The loader refuses a ruleset holding a bad one; the builtin re-checks before running, as a
 *  REGEX cell could also come from host memory. */
export function regexOk(p: usize, len: u32): bool {
  if (len < RX_HEADER_SIZE) return false;
  const n = load<u32>(p), nr = load<u32>(p, 8);
  if (n == 0 || n > RX_MAX_INSTS || load<u32>(p, 4) >= n ||
      <u64>RX_HEADER_SIZE + (<u64>n << 4) + (<u64>nr << 3) != <u64>len) return false;
  for (let i: u32 = 0; i < n; i++) {
    const q = p + RX_HEADER_SIZE + (<usize>i << 4);
    const op = load<u32>(q), arg = load<u32>(q, 8);
    // (EMPTY bits outside RegexEmpty never hold: such an instruction is dead, not dangerous)
    if (load<u32>(q, 4) >= n || op - 1 > 3 || (op == RegexOp.ALT && arg >= n) ||
        (op == RegexOp.RANGES && (arg > nr || load<u32>(q, 12) > nr - arg))) return false;
  }
  return true;
}

export function callRegex(fn: u32, a: usize, argc: u32): bool {
  if (fn != Builtin.MATCHES) return false;
  const re = a + 16;
  if (argc != 2 || tagOf(a) != Tag.STRING || !payloadOk(a) || tagOf(re) != Tag.REGEX ||
      !memOk(cP(re), cA(re)) || !regexOk(cP(re), cA(re))) {
    setErrCode(a, CelError.NO_MATCHING_OVERLOAD);
    return true;
  }
  const r = search(cP(re), cP(a), cA(a));
  if (r < 0) setErrCode(a, CelError.BUDGET_EXCEEDED);
  else setBool(a, r != 0);
  return true;
}

// Thread set of the current position: `stk` holds instructions still to expand, `mark[pc] == gen`
// says pc was already added at this position (so the stack never exceeds the instruction count).
let mark: usize = 0;
let stk: usize = 0;
let top: u32 = 0;
let gen: u32 = 0;

function add(pc: u32): void {
  const m = mark + (<usize>pc << 2);
  if (load<u32>(m) == gen) return;
  store<u32>(m, gen);
  store<u32>(stk + (<usize>(top++) << 2), pc);
}

/** BEGIN_TEXT | BEGIN_LINE at the text edge (-1), BEGIN_LINE after a newline. */
function edge(c: i32): u32 {
  return c < 0 ? RegexEmpty.BEGIN_TEXT | RegexEmpty.BEGIN_LINE : c == 10 ? RegexEmpty.BEGIN_LINE : 0;
}

/** Binary search of n sorted, disjoint (lo, hi) ranges at r. */
function inRanges(r: usize, n: u32, c: u32): bool {
  let lo: u32 = 0, hi = n;
  while (lo < hi) {
    const m = (lo + hi) >> 1, e = r + (<usize>m << 3);
    if (c < load<u32>(e)) hi = m;
    else if (c > load<u32>(e, 4)) lo = m + 1;
    else return true;
  }
  return false;
}

/** 1: the program matches somewhere in the n bytes at s; 0: nowhere; -1: out of steps or arena. */
function search(prog: usize, s: usize, n: u32): i32 {
  const ni = load<u32>(prog), start = load<u32>(prog, 4);
  const insts = prog + RX_HEADER_SIZE, ranges = insts + (<usize>ni << 4);
  const buf = arenaAlloc(<usize>ni * 12);
  if (buf == 0) return -1;
  mark = buf; stk = buf + (<usize>ni << 2);
  const list = buf + (<usize>ni << 3); // where the threads that consumed this code point go next
  memory.fill(mark, 0, <usize>ni << 2);
  gen = 1; top = 0;
  let i: u32 = 0, prev: i32 = -1;
  while (true) {
    // Next code point (-1 at the end); a truncated or stray byte reads as U+FFFD, width 1.
    let cur: i32 = -1, w: u32 = 1;
    if (i < n) {
      cur = <i32>load<u8>(s + i);
      if (cur >= 0x80) {
        w = <u32>runeLen(<u8>cur);
        if (cur < 0xc0 || i + w > n) { cur = 0xfffd; w = 1; }
        else cur = <i32>decode(s + i, <i32>w);
      }
    }
    // END_* are BEGIN_* shifted left by one: the same test on the code point after the position
    const ctx = edge(prev) | edge(cur) << 1 |
      (isWord(<u32>prev) != isWord(<u32>cur) ? RegexEmpty.WORD_BOUNDARY : RegexEmpty.NO_WORD_BOUNDARY);
    add(start); // unanchored: a new match attempt at every position
    let nl: u32 = 0;
    while (top > 0) {
      if (!spendSteps(1)) return -1;
      const pc = load<u32>(stk + (<usize>(--top) << 2));
      const q = insts + (<usize>pc << 4), op = load<u32>(q), arg = load<u32>(q, 8);
      if (op == RegexOp.MATCH) return 1;
      if (op == RegexOp.RANGES) {
        // -1 (the end) as u32 lies above every range: nothing is consumed there
        if (inRanges(ranges + (<usize>arg << 3), load<u32>(q, 12), <u32>cur)) store<u32>(list + (<usize>(nl++) << 2), load<u32>(q, 4));
        continue;
      }
      if (op == RegexOp.ALT) add(arg);
      else if ((arg & ~ctx) != 0) continue; // EMPTY whose assertions fail here
      add(load<u32>(q, 4));
    }
    if (cur < 0) return 0;
    gen++;
    for (let k: u32 = 0; k < nl; k++) add(load<u32>(list + (<usize>k << 2)));
    prev = cur;
    i += w;
  }
}
