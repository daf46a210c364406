// 16-byte value cells (layout in spec/format.ts: tag u8 · A u32 at +4 · B 8 bytes at +8) and the
// CEL value semantics shared by the VM and the builtins: constructors, truthiness, heterogeneous
// equality, ordering, map lookup. Everything writes into caller-provided cells or the arena.
import { Tag, CelError, CELL_SIZE, NONE } from "../spec/format";
import { arenaAlloc, spendSteps } from "./arena";
import { bytesEq, bytesCmp } from "./strings";

/** Expression being evaluated: errors record it in B high. */
export let curExpr: u32 = NONE;
export function setCurExpr(e: u32): void { curExpr = e; }

// ---- raw access ---------------------------------------------------------------------------

export function tagOf(c: usize): u32 { return <u32>load<u8>(c); }
export function cA(c: usize): u32 { return load<u32>(c, 4); }
export function cB(c: usize): u64 { return load<u64>(c, 8); }
export function cI(c: usize): i64 { return load<i64>(c, 8); }
export function cF(c: usize): f64 { return load<f64>(c, 8); }
export function cP(c: usize): usize { return <usize>load<u32>(c, 8); }
export function cHi(c: usize): u32 { return load<u32>(c, 12); }

export function setCell(c: usize, tag: u32, a: u32, b: u64): void {
  store<u32>(c, tag);
  store<u32>(c, a, 4);
  store<u64>(c, b, 8);
}
export function copyCell(dst: usize, src: usize): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst, load<u64>(src, 8), 8);
}
export function setBool(c: usize, v: bool): void { setCell(c, Tag.BOOL, 0, v ? 1 : 0); }
export function setInt(c: usize, v: i64): void { setCell(c, Tag.INT, 0, <u64>v); }
export function setUint(c: usize, v: u64): void { setCell(c, Tag.UINT, 0, v); }
export function setDouble(c: usize, v: f64): void { setCell(c, Tag.DOUBLE, 0, reinterpret<u64>(v)); }
export function setNull(c: usize): void { setCell(c, Tag.NULL, 0, 0); }
export function setPtr(c: usize, tag: u32, n: u32, p: usize): void {
  setCell(c, tag, n, (<u64>NONE << 32) | <u64>(<u32>p));
}
export function setStr(c: usize, p: usize, n: u32): void { setPtr(c, Tag.STRING, n, p); }
export function setTime(c: usize, tag: u32, sec: i64, nanos: i32): void { setCell(c, tag, <u32>nanos, <u64>sec); }

/** ERROR cell: A = code, B low = detail cell (0 if none), B high = expression. */
export function setErr(c: usize, code: CelError, detail: usize): void {
  setCell(c, Tag.ERROR, <u32>code, (<u64>curExpr << 32) | <u64>(<u32>detail));
}
/** ERROR without detail: the common case, one argument less at ~120 call sites (−0.2 KB wasm). */
export function setErrCode(c: usize, code: CelError): void { setErr(c, code, 0); }
/** The most common error: ~50 call sites, one operand less each. */
export function noOverload(c: usize): void { setErr(c, CelError.NO_MATCHING_OVERLOAD, 0); }
export function overBudget(c: usize): void { setErr(c, CelError.BUDGET_EXCEEDED, 0); }
export function overflow(c: usize): void { setErr(c, CelError.OVERFLOW, 0); }
export function badConversion(c: usize): void { setErr(c, CelError.CONVERSION, 0); }
/** ERROR with a copy of `detailSrc` as detail (copied because the source slot will be reused). */
export function setErrWith(c: usize, code: CelError, detailSrc: usize): void {
  const d = arenaAlloc(CELL_SIZE);
  if (d != 0) copyCell(d, detailSrc);
  setErr(c, code, d);
}

export function isTrue(c: usize): bool { return tagOf(c) == Tag.BOOL && cB(c) != 0; }
export function isFalse(c: usize): bool { return tagOf(c) == Tag.BOOL && cB(c) == 0; }
export function isErr(c: usize): bool { return tagOf(c) == Tag.ERROR; }

// ---- memory safety ------------------------------------------------------------------------

/** True when [p, p+n) lies inside linear memory: request data is host-written and untrusted. */
export function memOk(p: usize, n: usize): bool {
  const lim = <usize>memory.size() << 16;
  return p != 0 && n <= lim && p <= lim - n;
}
/** Checks a STRING/BYTES/LIST/MAP cell's payload is addressable. */
export function payloadOk(c: usize): bool {
  const t = tagOf(c);
  const n = <usize>cA(c);
  if (t == Tag.STRING || t == Tag.BYTES) return n == 0 || memOk(cP(c), n);
  if (t == Tag.LIST) return n == 0 || (n < 0x1000000 && memOk(cP(c), n << 4));
  if (t == Tag.MAP) return n == 0 || (n < 0x800000 && memOk(cP(c), n << 5));
  return true;
}

/** A fresh arena string of n bytes written into cell c; returns the byte pointer (0 on OOM → c is an error). */
export function newStr(c: usize, n: u32): usize {
  const p = arenaAlloc(n == 0 ? 1 : <usize>n);
  if (p == 0) { setErrCode(c, CelError.BUDGET_EXCEEDED); return 0; }
  setStr(c, p, n);
  return p;
}

// ---- equality and ordering ----------------------------------------------------------------

function isNum(t: u32): bool { return t == Tag.INT || t == Tag.UINT || t == Tag.DOUBLE; }

/** Orders a double against an i64 by mathematical value (no rounding of large ints). NaN → 2. */
function cmpDI(d: f64, i: i64): i32 {
  if (isNaN(d)) return 2;
  if (d < -9223372036854775808.0) return -1;
  if (d >= 9223372036854775808.0) return 1;
  const w = Math.trunc(d);
  const wi = <i64>w;
  if (wi < i) return -1;
  if (wi > i) return 1;
  const f = d - w;
  return f < 0 ? -1 : f > 0 ? 1 : 0;
}
function cmpDU(d: f64, u: u64): i32 {
  if (isNaN(d)) return 2;
  if (d < 0) return -1;
  if (d >= 18446744073709551616.0) return 1;
  const w = Math.trunc(d);
  const wu = <u64>w;
  if (wu < u) return -1;
  if (wu > u) return 1;
  return d - w > 0 ? 1 : 0;
}
function cmpIU(i: i64, u: u64): i32 {
  if (i < 0) return -1;
  const x = <u64>i;
  return x < u ? -1 : x > u ? 1 : 0;
}

/** Numeric comparison across int/uint/double: -1, 0, 1, or 2 when unordered (NaN). */
export function cmpNum(a: usize, b: usize): i32 {
  const ta = tagOf(a), tb = tagOf(b);
  if (ta == Tag.DOUBLE) {
    const x = cF(a);
    if (tb == Tag.DOUBLE) {
      const y = cF(b);
      return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
    }
    return tb == Tag.INT ? cmpDI(x, cI(b)) : cmpDU(x, cB(b));
  }
  if (ta == Tag.INT) {
    const x = cI(a);
    if (tb == Tag.INT) { const y = cI(b); return x < y ? -1 : x > y ? 1 : 0; }
    if (tb == Tag.UINT) return cmpIU(x, cB(b));
    const r = cmpDI(cF(b), x);
    return r == 2 ? 2 : -r;
  }
  const x = cB(a);
  if (tb == Tag.UINT) { const y = cB(b); return x < y ? -1 : x > y ? 1 : 0; }
  if (tb == Tag.INT) return -cmpIU(cI(b), x);
  const r = cmpDU(cF(b), x);
  return r == 2 ? 2 : -r;
}

export const CMP_UNORDERED: i32 = 2;
export const CMP_NO_OVERLOAD: i32 = 3;

/** CEL ordering: -1/0/1, CMP_UNORDERED (NaN), or CMP_NO_OVERLOAD for types without `<`. */
export function compare(a: usize, b: usize): i32 {
  const ta = tagOf(a), tb = tagOf(b);
  if (isNum(ta) && isNum(tb)) return cmpNum(a, b);
  if (ta != tb) return CMP_NO_OVERLOAD;
  if (ta == Tag.STRING || ta == Tag.BYTES) {
    if (!payloadOk(a) || !payloadOk(b)) return CMP_NO_OVERLOAD;
    return bytesCmp(cP(a), cA(a), cP(b), cA(b));
  }
  if (ta == Tag.BOOL) { const x = cB(a), y = cB(b); return x < y ? -1 : x > y ? 1 : 0; }
  if (ta == Tag.TIMESTAMP || ta == Tag.DURATION) {
    const x = cI(a), y = cI(b);
    if (x != y) return x < y ? -1 : 1;
    const m = <i32>cA(a), n = <i32>cA(b);
    return m < n ? -1 : m > n ? 1 : 0;
  }
  return CMP_NO_OVERLOAD;
}

export const EQ_ERROR: i32 = -1;

/** Heterogeneous CEL equality: 1 equal, 0 not equal, EQ_ERROR when the step budget ran out
 *  (deep values from the request could be huge or even cyclic). Errors must be screened first. */
export function equals(a: usize, b: usize): i32 { return eqDeep(a, b, 0); }

/** Nesting bound for deep equality: request data could be cyclic, and the wasm stack is finite. */
const MAX_EQ_DEPTH: i32 = 64;

function eqDeep(a: usize, b: usize, depth: i32): i32 {
  if (!spendSteps(1) || depth > MAX_EQ_DEPTH) return EQ_ERROR;
  const ta = tagOf(a), tb = tagOf(b);
  if (isNum(ta) && isNum(tb)) return cmpNum(a, b) == 0 ? 1 : 0;
  if (ta != tb) return 0;
  switch (ta) {
    case Tag.NULL: return 1;
    case Tag.BOOL: return cB(a) == cB(b) ? 1 : 0;
    case Tag.STRING: {
      if (cHi(a) != NONE && cHi(a) == cHi(b)) return 1; // same interned sid
      // falls through
    }
    case Tag.BYTES: {
      if (!payloadOk(a) || !payloadOk(b)) return 0;
      return bytesEq(cP(a), cA(a), cP(b), cA(b)) ? 1 : 0;
    }
    case Tag.TIMESTAMP:
    case Tag.DURATION: return cB(a) == cB(b) && cA(a) == cA(b) ? 1 : 0;
    case Tag.TYPE: return cA(a) == cA(b) ? 1 : 0;
    case Tag.LIST: {
      const n = cA(a);
      if (n != cA(b)) return 0;
      if (!payloadOk(a) || !payloadOk(b)) return 0;
      const pa = cP(a), pb = cP(b);
      for (let i: u32 = 0; i < n; i++) {
        const r = eqDeep(pa + (<usize>i << 4), pb + (<usize>i << 4), depth + 1);
        if (r != 1) return r;
      }
      return 1;
    }
    case Tag.MAP: {
      const n = cA(a);
      if (n != cA(b)) return 0;
      if (!payloadOk(a) || !payloadOk(b)) return 0;
      const pa = cP(a);
      for (let i: u32 = 0; i < n; i++) {
        const e = pa + (<usize>i << 5);
        const v = mapFind(b, e);
        if (v == 0) return 0;
        if (v == usize.MAX_VALUE) return EQ_ERROR;
        const r = eqDeep(e + 16, v, depth + 1);
        if (r != 1) return r;
      }
      return 1;
    }
    case Tag.MESSAGE: return cA(a) == cA(b) && cB(a) == cB(b) ? 1 : 0;
  }
  return 0;
}

/** Pointer to the value cell stored under `key` in MAP `m`, 0 when absent, usize.MAX_VALUE when
 *  the step budget ran out. Numeric keys match across int/uint/double as CEL requires. */
export function mapFind(m: usize, key: usize): usize {
  const n = cA(m);
  if (!payloadOk(m)) return 0;
  const p = cP(m);
  const kt = tagOf(key);
  for (let i: u32 = 0; i < n; i++) {
    const e = p + (<usize>i << 5);
    if (kt == Tag.STRING && tagOf(e) == Tag.STRING) {
      // Fast path for the common attr lookup: compare sids, then lengths, then bytes.
      if (cHi(key) != NONE && cHi(key) == cHi(e)) return e + 16;
      if (cA(key) != cA(e)) continue;
    }
    const r = equals(e, key);
    if (r == 1) return e + 16;
    if (r == EQ_ERROR) return usize.MAX_VALUE;
  }
  return 0;
}
