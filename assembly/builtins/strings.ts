// String functions: size, contains/startsWith/endsWith, and the cel-go strings extension
// (lowerAscii, upperAscii, replace, split, join, trim, indexOf, lastIndexOf, substring, charAt).
// Positions are code points (CEL strings are sequences of code points), byte work is UTF-8.
import { Tag, Builtin, CelError } from "../../spec/format";
import { tagOf, cA, cP, cI, setBool, setInt, setErr, setErrCode, setStr, setPtr, newStr, payloadOk, noOverload, overBudget } from "../value";
import { arenaAlloc } from "../arena";
import { cpCount, cpOffset, cpIndexAt, find, findLast, memcmp } from "../strings";

function isStr(c: usize): bool { return tagOf(c) == Tag.STRING && payloadOk(c); }

export function callString(fn: u32, a: usize, argc: u32): bool {
  const b = a + 16, c = a + 32;
  if (fn == Builtin.SIZE && argc == 1) {
    const t = tagOf(a);
    if (t == Tag.STRING && payloadOk(a)) setInt(a, <i64>cpCount(cP(a), cA(a)));
    else if (t == Tag.BYTES || t == Tag.LIST || t == Tag.MAP) setInt(a, <i64>cA(a));
    else noOverload(a);
    return true;
  }
  if (fn < <u32>Builtin.CONTAINS || (fn > <u32>Builtin.ENDS_WITH && fn < <u32>Builtin.LOWER_ASCII) || fn > <u32>Builtin.CHAR_AT) return false;
  if (fn == Builtin.JOIN) { join(a, argc); return true; }
  if (argc == 0 || !isStr(a)) { noOverload(a); return true; }
  const p = cP(a), n = cA(a);
  switch (fn) {
    case Builtin.CONTAINS:
    case Builtin.STARTS_WITH:
    case Builtin.ENDS_WITH: {
      if (argc != 2 || !isStr(b)) break;
      const q = cP(b), m = cA(b);
      let r = false;
      if (m <= n) {
        if (fn == Builtin.CONTAINS) r = find(p, n, q, m, 0) >= 0;
        else r = memcmp(fn == <u32>Builtin.STARTS_WITH ? p : p + n - m, q, m) == 0;
      }
      setBool(a, r);
      return true;
    }
    case Builtin.LOWER_ASCII:
    case Builtin.UPPER_ASCII: {
      if (argc != 1) break;
      const o = newStr(a, n);
      if (o == 0) return true;
      const lo: u32 = fn == Builtin.LOWER_ASCII ? 65 : 97;
      for (let i: u32 = 0; i < n; i++) {
        const ch = <u32>load<u8>(p + i);
        store<u8>(o + i, <u8>(ch - lo < 26 ? ch ^ 0x20 : ch));
      }
      return true;
    }
    case Builtin.TRIM: {
      if (argc != 1) break;
      let s: u32 = 0, e = n;
      while (s < e && isSpace(p, s, e)) s += spaceLen(p, s);
      while (e > s && isSpaceBefore(p, s, e)) e -= spaceLenBefore(p, e);
      setStr(a, p + s, e - s);
      return true;
    }
    case Builtin.REPLACE: {
      if ((argc != 3 && argc != 4) || !isStr(b) || !isStr(c)) break;
      let limit: i64 = -1;
      if (argc == 4) { if (tagOf(a + 48) != Tag.INT) break; limit = cI(a + 48); }
      replace(a, b, c, limit);
      return true;
    }
    case Builtin.SPLIT: {
      if ((argc != 2 && argc != 3) || !isStr(b)) break;
      let limit: i64 = -1;
      if (argc == 3) { if (tagOf(c) != Tag.INT) break; limit = cI(c); }
      split(a, b, limit);
      return true;
    }
    case Builtin.INDEX_OF:
    case Builtin.LAST_INDEX_OF: {
      if ((argc != 2 && argc != 3) || !isStr(b) || (argc == 3 && tagOf(c) != Tag.INT)) break;
      const q = cP(b), m = cA(b);
      const len = cpCount(p, n);
      const last = fn == Builtin.LAST_INDEX_OF;
      let from: i64 = argc == 3 ? cI(c) : (last ? <i64>len : 0);
      if (from < 0 || from > <i64>len) { setErrCode(a, CelError.INDEX_OUT_OF_RANGE); return true; }
      const fb = <u32>cpOffset(p, n, <u32>from);
      let r: i32;
      if (last) r = findLast(p, n, q, m, fb);
      else r = find(p, n, q, m, fb);
      setInt(a, r < 0 ? -1 : <i64>cpIndexAt(p, <u32>r));
      return true;
    }
    case Builtin.SUBSTRING: {
      if ((argc != 2 && argc != 3) || tagOf(b) != Tag.INT || (argc == 3 && tagOf(c) != Tag.INT)) break;
      const len = <i64>cpCount(p, n);
      const s = cI(b), e = argc == 3 ? cI(c) : len;
      if (s < 0 || s > len || e < s || e > len) { setErrCode(a, CelError.INDEX_OUT_OF_RANGE); return true; }
      const sb = <u32>cpOffset(p, n, <u32>s), eb = <u32>cpOffset(p, n, <u32>e);
      setStr(a, p + sb, eb - sb);
      return true;
    }
    case Builtin.CHAR_AT: {
      if (argc != 2 || tagOf(b) != Tag.INT) break;
      const len = <i64>cpCount(p, n);
      const i = cI(b);
      if (i < 0 || i > len) { setErrCode(a, CelError.INDEX_OUT_OF_RANGE); return true; }
      const sb = <u32>cpOffset(p, n, <u32>i);
      const eb = i == len ? sb : <u32>cpOffset(p, n, <u32>i + 1);
      setStr(a, p + sb, eb - sb);
      return true;
    }
  }
  noOverload(a);
  return true;
}

// Unicode White_Space as Go's strings.TrimSpace / unicode.IsSpace sees it (ASCII plus the
// common non-ASCII spaces: U+0085, U+00A0, U+1680, U+2000–200A, U+2028/9, U+202F, U+205F, U+3000).
function spaceAt(p: usize, i: u32, e: u32): u32 {
  const c = <u32>load<u8>(p + i);
  if (c == 32 || (c >= 9 && c <= 13)) return 1;
  if (c == 0xc2 && i + 1 < e) { const d = <u32>load<u8>(p + i + 1); return d == 0x85 || d == 0xa0 ? 2 : 0; }
  if (c == 0xe1 && i + 2 < e) return load<u8>(p + i + 1) == 0x9a && load<u8>(p + i + 2) == 0x80 ? 3 : 0;
  if (c == 0xe2 && i + 2 < e) {
    const d = <u32>load<u8>(p + i + 1), f = <u32>load<u8>(p + i + 2);
    if (d == 0x80 && (f <= 0x8a || f == 0xa8 || f == 0xa9 || f == 0xaf)) return 3;
    if (d == 0x81 && f == 0x9f) return 3;
    return 0;
  }
  if (c == 0xe3 && i + 2 < e) return load<u8>(p + i + 1) == 0x80 && load<u8>(p + i + 2) == 0x80 ? 3 : 0;
  return 0;
}
function isSpace(p: usize, i: u32, e: u32): bool { return spaceAt(p, i, e) != 0; }
function spaceLen(p: usize, i: u32): u32 { return spaceAt(p, i, 0xffffffff); }
function spaceLenBefore(p: usize, e: u32): u32 {
  let i = e - 1;
  while (i > 0 && (load<u8>(p + i) & 0xc0) == 0x80) i--;
  const l = spaceAt(p, i, e);
  return l == e - i ? l : 0;
}
function isSpaceBefore(p: usize, s: u32, e: u32): bool { return e > s && spaceLenBefore(p, e) != 0; }

function replace(a: usize, b: usize, c: usize, limit: i64): void {
  const p = cP(a), n = cA(a), q = cP(b), m = cA(b), r = cP(c), rn = cA(c);
  // First pass counts matches (Go: an empty needle matches at every code point boundary).
  let count: u32 = 0;
  let i: u32 = 0;
  while (limit < 0 || <i64>count < limit) {
    const k = nextMatch(p, n, q, m, i);
    if (k < 0) break;
    count++;
    i = <u32>k + (m == 0 ? stepCp(p, n, <u32>k) : m);
    if (m == 0 && <u32>k >= n) break;
  }
  if (count == 0) return;
  const total = <u64>n + <u64>count * <u64>rn - <u64>count * <u64>m;
  if (total > 0x7fffffff) { overBudget(a); return; }
  const o = newStr(a, <u32>total);
  if (o == 0) return;
  let w: u32 = 0;
  i = 0;
  for (let j: u32 = 0; j < count; j++) {
    const k = <u32>nextMatch(p, n, q, m, i);
    memory.copy(o + w, p + i, k - i); w += k - i;
    memory.copy(o + w, r, rn); w += rn;
    if (m == 0) {
      const s = stepCp(p, n, k);
      memory.copy(o + w, p + k, s); w += s;
      i = k + s;
    } else i = k + m;
  }
  memory.copy(o + w, p + i, n - i);
}

function nextMatch(p: usize, n: u32, q: usize, m: u32, from: u32): i32 {
  if (m == 0) return from <= n ? <i32>from : -1;
  return find(p, n, q, m, from);
}
/** Byte length of the code point at i (0 at the end): 1 + the first boundary after byte i. */
function stepCp(p: usize, n: u32, i: u32): u32 {
  return i >= n ? 0 : 1 + <u32>cpOffset(p + i + 1, n - i - 1, 0);
}

function split(a: usize, b: usize, limit: i64): void {
  const p = cP(a), n = cA(a), q = cP(b), m = cA(b);
  if (limit == 0) { setPtr(a, Tag.LIST, 0, arenaAlloc(0)); return; }
  // Count pieces first (Go strings.SplitN semantics; empty separator splits into code points).
  let pieces: u32 = 1;
  if (m == 0) pieces = cpCount(p, n);
  else { let i: u32 = 0; while (true) { const k = find(p, n, q, m, i); if (k < 0) break; pieces++; i = <u32>k + m; } }
  if (limit > 0 && <i64>pieces > limit) pieces = <u32>limit;
  const list = arenaAlloc(<usize>pieces << 4);
  if (list == 0) { overBudget(a); return; }
  let i: u32 = 0;
  for (let j: u32 = 0; j < pieces; j++) {
    const cell = list + (<usize>j << 4);
    if (j == pieces - 1) { setStr(cell, p + i, n - i); break; }
    if (m == 0) { const s = stepCp(p, n, i); setStr(cell, p + i, s); i += s; continue; }
    const k = <u32>find(p, n, q, m, i);
    setStr(cell, p + i, k - i);
    i = k + m;
  }
  setPtr(a, Tag.LIST, pieces, list);
}

function join(a: usize, argc: u32): void {
  const b = a + 16;
  if (argc < 1 || argc > 2 || tagOf(a) != Tag.LIST || !payloadOk(a) || (argc == 2 && !isStr(b))) {
    noOverload(a); return;
  }
  const n = cA(a), l = cP(a);
  const sep = argc == 2 ? cP(b) : 0, sn = argc == 2 ? cA(b) : 0;
  let total: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const e = l + (<usize>i << 4);
    if (!isStr(e)) { noOverload(a); return; }
    total += <u64>cA(e) + (i > 0 ? <u64>sn : 0);
  }
  if (total > 0x7fffffff) { overBudget(a); return; }
  const o = arenaAlloc(total == 0 ? 1 : <usize>total);
  if (o == 0) { overBudget(a); return; }
  let w: usize = 0;
  for (let i: u32 = 0; i < n; i++) {
    const e = l + (<usize>i << 4);
    if (i > 0) { memory.copy(o + w, sep, sn); w += sn; }
    memory.copy(o + w, cP(e), cA(e)); w += cA(e);
  }
  setStr(a, o, <u32>total);
}
