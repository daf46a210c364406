// List functions: Cerbos's set helpers (hasIntersection, intersect, except, isSubset) and the
// cel-go sets/lists extensions that are cheap to do without allocation beyond the result.
// Membership uses CEL heterogeneous equality.
import { Tag, Builtin, CelError } from "../../spec/format";
import { tagOf, cA, cP, cI, setBool, setErr, setErrCode, setPtr, setInt, copyCell, equals, payloadOk, EQ_ERROR, noOverload, overBudget, newStr } from "../value";
import { arenaAlloc } from "../arena";

function isList(c: usize): bool { return tagOf(c) == Tag.LIST && payloadOk(c); }

/** 1 when list l contains v, 0 when not, EQ_ERROR when the budget ran out. */
function contains(l: usize, v: usize): i32 {
  const n = cA(l), p = cP(l);
  for (let i: u32 = 0; i < n; i++) {
    const r = equals(v, p + (<usize>i << 4));
    if (r != 0) return r;
  }
  return 0;
}

export function callList(fn: u32, a: usize, argc: u32): bool {
  const b = a + 16;
  switch (fn) {
    case Builtin.HAS_INTERSECTION:
    case Builtin.INTERSECT:
    case Builtin.EXCEPT:
    case Builtin.IS_SUBSET:
    case Builtin.SETS_CONTAINS:
    case Builtin.SETS_EQUIVALENT:
    case Builtin.SETS_INTERSECTS: break;
    case Builtin.REVERSE:
    case Builtin.DISTINCT:
    case Builtin.FLATTEN:
    case Builtin.SLICE:
    case Builtin.LISTS_RANGE: return listExt(fn, a, argc);
    default: return false;
  }
  if (argc != 2 || !isList(a) || !isList(b)) { noOverload(a); return true; }
  let x = a, y = b;
  if (fn == Builtin.HAS_INTERSECTION || fn == Builtin.INTERSECT || fn == Builtin.SETS_INTERSECTS) {
    if (cA(x) > cA(y)) { x = b; y = a; } // Cerbos walks the shorter list
  }
  if (fn == Builtin.SETS_CONTAINS) { x = b; y = a; } // sets.contains(a, b): every b in a
  const n = cA(x), p = cP(x);
  const collect = fn == Builtin.INTERSECT || fn == Builtin.EXCEPT;
  const out = collect ? arenaAlloc(<usize>n << 4) : 0;
  if (collect && out == 0 && n != 0) { overBudget(a); return true; }
  let k: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const e = p + (<usize>i << 4);
    const r = contains(y, e);
    if (r == EQ_ERROR) { overBudget(a); return true; }
    const found = r == 1;
    if (collect) { if (found == (fn == Builtin.INTERSECT)) { copyCell(out + (<usize>k << 4), e); k++; } continue; }
    if (found && (fn == Builtin.HAS_INTERSECTION || fn == Builtin.SETS_INTERSECTS)) { setBool(a, true); return true; }
    if (!found && (fn == Builtin.IS_SUBSET || fn == Builtin.SETS_CONTAINS || fn == Builtin.SETS_EQUIVALENT)) { setBool(a, false); return true; }
  }
  if (collect) { setPtr(a, Tag.LIST, k, out); return true; }
  if (fn == Builtin.SETS_EQUIVALENT) {
    // Equivalent: a ⊆ b (checked above) and b ⊆ a.
    const m = cA(b), q = cP(b);
    for (let i: u32 = 0; i < m; i++) {
      const r = contains(a, q + (<usize>i << 4));
      if (r == EQ_ERROR) { overBudget(a); return true; }
      if (r == 0) { setBool(a, false); return true; }
    }
  }
  setBool(a, fn == Builtin.IS_SUBSET || fn == Builtin.SETS_CONTAINS || fn == Builtin.SETS_EQUIVALENT);
  return true;
}

/** ext.Strings reverse(): the code points in reverse order (each UTF-8 sequence kept intact). */
function reverseString(a: usize): void {
  const p = cP(a), n = cA(a);
  const o = newStr(a, n);
  if (o == 0) return;
  for (let i: u32 = 0; i < n;) {
    const c = load<u8>(p + i);
    const l = min<u32>(c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4, n - i);
    memory.copy(o + n - i - l, p + i, l);
    i += l;
  }
}

/** cel-go ext.Lists: reverse(), distinct(), flatten([depth]), slice(i, j), lists.range(n). */
function listExt(fn: u32, a: usize, argc: u32): bool {
  if (fn == Builtin.LISTS_RANGE) {
    if (argc != 1 || tagOf(a) != Tag.INT) { noOverload(a); return true; }
    const n = cI(a);
    if (n < 0 || n > 0x100000) { setErr(a, n < 0 ? CelError.INVALID_ARGUMENT : CelError.BUDGET_EXCEEDED, 0); return true; }
    const out = arenaAlloc(<usize>n << 4);
    if (out == 0 && n != 0) { overBudget(a); return true; }
    for (let i: i64 = 0; i < n; i++) setInt(out + (<usize>i << 4), i);
    setPtr(a, Tag.LIST, <u32>n, out);
    return true;
  }
  if (fn == Builtin.REVERSE && tagOf(a) == Tag.STRING && payloadOk(a)) { reverseString(a); return true; }
  if (argc == 0 || !isList(a)) { noOverload(a); return true; }
  const n = cA(a), p = cP(a);
  if (fn == Builtin.SLICE) {
    const b = a + 16, c = a + 32;
    if (argc != 3 || tagOf(b) != Tag.INT || tagOf(c) != Tag.INT) { noOverload(a); return true; }
    const s = cI(b), e = cI(c);
    if (s < 0 || e < 0 || s > e || e > <i64>n) { setErrCode(a, CelError.INDEX_OUT_OF_RANGE); return true; }
    setPtr(a, Tag.LIST, <u32>(e - s), p + (<usize>s << 4));
    return true;
  }
  if (fn == Builtin.FLATTEN) {
    let depth: i64 = 1;
    if (argc == 2) {
      if (tagOf(a + 16) != Tag.INT) { noOverload(a); return true; }
      depth = cI(a + 16);
      if (depth < 0) { setErrCode(a, CelError.INVALID_ARGUMENT); return true; }
    }
    flatten(a, depth);
    return true;
  }
  if (argc != 1) { noOverload(a); return true; }
  const out = arenaAlloc(<usize>n << 4);
  if (out == 0 && n != 0) { overBudget(a); return true; }
  let k: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    if (fn == Builtin.REVERSE) { copyCell(out + (<usize>i << 4), p + (<usize>(n - 1 - i) << 4)); k++; continue; }
    const e = p + (<usize>i << 4);
    let seen = false;
    for (let j: u32 = 0; j < k; j++) {
      const r = equals(out + (<usize>j << 4), e);
      if (r == EQ_ERROR) { overBudget(a); return true; }
      if (r == 1) { seen = true; break; }
    }
    if (!seen) { copyCell(out + (<usize>k << 4), e); k++; }
  }
  setPtr(a, Tag.LIST, k, out);
  return true;
}

/** Flattens nested lists up to depth levels (iterative passes, so no recursion). */
function flatten(a: usize, depth: i64): void {
  for (let d: i64 = 0; d < depth; d++) {
    const n = cA(a), p = cP(a);
    let total: u64 = 0, nested = false;
    for (let i: u32 = 0; i < n; i++) {
      const e = p + (<usize>i << 4);
      if (tagOf(e) == Tag.LIST) {
        if (!payloadOk(e)) { setErrCode(a, CelError.INVALID_ARGUMENT); return; }
        total += cA(e); nested = true;
      } else total++;
    }
    if (!nested) return;
    if (total > 0x100000) { overBudget(a); return; }
    const out = arenaAlloc(<usize>total << 4);
    if (out == 0 && total != 0) { overBudget(a); return; }
    let k: usize = 0;
    for (let i: u32 = 0; i < n; i++) {
      const e = p + (<usize>i << 4);
      if (tagOf(e) == Tag.LIST) { const m = <usize>cA(e); memory.copy(out + (k << 4), cP(e), m << 4); k += m; }
      else { copyCell(out + (k << 4), e); k++; }
    }
    setPtr(a, Tag.LIST, <u32>total, out);
  }
}
