// Builtins that build a new list or map from old ones: cel.@mapInsert (the accumulator step of
// transformMap/transformMapEntry, compiler/cel/macros.ts) and list sort()/sortBy() (ext.Lists; sortBy
// lowers to @sortByAssociatedKeys). Containers are never modified in place: comprehension
// accumulators and request values may be shared with other values.
import { Tag, Builtin, CelError } from "../../spec/format";
import { callString } from "./strings";
import { tagOf, cA, cP, setPtr, setErrCode, setErrWith, mapFind, payloadOk, copyCell, compare, CMP_NO_OVERLOAD, setStr, setBool, equals, EQ_ERROR } from "../value";
import { arenaAlloc, spendSteps } from "../arena";

export function callContainers(fn: u32, a: usize, argc: u32): bool {
  if (fn == Builtin.SORT || fn == Builtin.SORT_BY_KEYS) { sortBy(a, argc == 2 ? a + 16 : a); return true; }
  if (fn == Builtin.HIERARCHY) { hierarchy(a, argc); return true; }
  if (fn >= <u32>Builtin.HIER_ANCESTOR_OF && fn <= <u32>Builtin.HIER_COMMON_ANCESTORS) { hierarchyRelation(fn, a); return true; }
  if (fn != Builtin.MAP_INSERT) return false;
  const b = a + 16;
  const kt = tagOf(b);
  const pair = argc == 3;
  if (tagOf(a) != Tag.MAP || !payloadOk(a) || !payloadOk(b) ||
      (pair ? kt < <u32>Tag.BOOL || kt > <u32>Tag.STRING : kt != Tag.MAP)) {
    setErrCode(a, CelError.NO_MATCHING_OVERLOAD);
    return true;
  }
  // The added entries: the (key, value) cells right after the map, or the other map's entries.
  const src: usize = pair ? b : cP(b);
  const m: u32 = pair ? 1 : cA(b);
  for (let i: u32 = 0; i < m; i++) {
    const k = src + (<usize>i << 5);
    const found = mapFind(a, k);
    if (found == usize.MAX_VALUE) { setErrCode(a, CelError.BUDGET_EXCEEDED); return true; }
    if (found != 0) { setErrWith(a, CelError.DUPLICATE_KEY, k); return true; }
  }
  const n = cA(a);
  const p = arenaAlloc(<usize>(n + m) << 5);
  if (p == 0) { setErrCode(a, CelError.BUDGET_EXCEEDED); return true; }
  if (n != 0) memory.copy(p, cP(a), <usize>n << 5);
  if (m != 0) memory.copy(p + (<usize>n << 5), src, <usize>m << 5);
  setPtr(a, Tag.MAP, n + m, p);
  return true;
}

/** The list at `a` reordered by ascending `keys` (same length; all of one comparable type, as
 *  cel-go requires). Insertion sort: stable, which Go's sort.Slice also is up to 12 elements;
 *  longer lists with equal keys may order ties differently from cel-go. */
function sortBy(a: usize, keys: usize): void {
  const n = cA(a);
  if (tagOf(a) != Tag.LIST || tagOf(keys) != Tag.LIST || !payloadOk(a) || !payloadOk(keys)) {
    setErrCode(a, CelError.NO_MATCHING_OVERLOAD);
    return;
  }
  if (n == 0) return;
  const kp = cP(keys), lp = cP(a), t = tagOf(kp);
  let ok = cA(keys) == n && compare(kp, kp) != CMP_NO_OVERLOAD;
  for (let i: u32 = 1; ok && i < n; i++) ok = tagOf(kp + (<usize>i << 4)) == t;
  if (!ok) { setErrCode(a, CelError.INVALID_ARGUMENT); return; }
  const idx = arenaAlloc(<usize>n << 2), out = arenaAlloc(<usize>n << 4);
  if (idx == 0 || out == 0 || !spendSteps(<i32>n)) { setErrCode(a, CelError.BUDGET_EXCEEDED); return; }
  for (let i: u32 = 0; i < n; i++) {
    let j = i;
    const ki = kp + (<usize>i << 4);
    while (j > 0 && compare(ki, kp + (<usize>load<u32>(idx + ((<usize>j - 1) << 2)) << 4)) == -1) {
      if (!spendSteps(1)) { setErrCode(a, CelError.BUDGET_EXCEEDED); return; }
      store<u32>(idx + (<usize>j << 2), load<u32>(idx + ((<usize>j - 1) << 2)));
      j--;
    }
    store<u32>(idx + (<usize>j << 2), i);
  }
  for (let i: u32 = 0; i < n; i++) copyCell(out + (<usize>i << 4), lp + (<usize>load<u32>(idx + (<usize>i << 2)) << 4));
  setPtr(a, Tag.LIST, n, out);
}

const DOT: usize = memory.data<u8>([46]);

/** Cerbos's hierarchy(): a list of path segments — split on "." or the given delimiter, or a list
 *  of strings as it is. A LIST cell, so equality, size() and indexing are the list's. */
function hierarchy(a: usize, argc: u32): void {
  const t = tagOf(a);
  if (t == Tag.LIST && argc == 1 && payloadOk(a)) {
    for (let i: u32 = 0; i < cA(a); i++) {
      if (tagOf(cP(a) + (<usize>i << 4)) != Tag.STRING) { setErrCode(a, CelError.NO_MATCHING_OVERLOAD); return; }
    }
    return;
  }
  if (t != Tag.STRING || (argc == 2 && tagOf(a + 16) != Tag.STRING)) { setErrCode(a, CelError.NO_MATCHING_OVERLOAD); return; }
  if (argc == 1) setStr(a + 16, DOT, 1);
  callString(Builtin.SPLIT, a, 2);
}

/** How many leading segments two hierarchies share. */
function sharedPrefix(x: usize, y: usize): u32 {
  const n = min(cA(x), cA(y));
  let i: u32 = 0;
  for (; i < n; i++) {
    const r = equals(cP(x) + (<usize>i << 4), cP(y) + (<usize>i << 4));
    if (r != 1) break;
  }
  return i;
}

/** a.ancestorOf(b) and the other hierarchy relations, by segment counts and shared prefixes
 *  (the edge cases — equal and empty hierarchies — as Cerbos 0.55 answers them in
 *  test/conformance/functions-differential). */
function hierarchyRelation(fn: u32, a: usize): void {
  const b = a + 16;
  if (tagOf(a) != Tag.LIST || tagOf(b) != Tag.LIST || !payloadOk(a) || !payloadOk(b)) { setErrCode(a, CelError.NO_MATCHING_OVERLOAD); return; }
  const n = cA(a), m = cA(b), k = sharedPrefix(a, b);
  if (fn == Builtin.HIER_COMMON_ANCESTORS) {
    // A hierarchy is not its own ancestor: equal ones share all but the last segment.
    setPtr(a, Tag.LIST, k == n && k == m && k > 0 ? k - 1 : k, cP(a));
    return;
  }
  let r: bool;
  switch (fn) {
    case Builtin.HIER_ANCESTOR_OF: r = k == n && n < m; break;
    case Builtin.HIER_DESCENDENT_OF: r = k == m && m < n; break;
    case Builtin.HIER_IMMEDIATE_CHILD_OF: r = k == m && n == m + 1; break;
    case Builtin.HIER_IMMEDIATE_PARENT_OF: r = k == n && m == n + 1; break;
    case Builtin.HIER_SIBLING_OF: r = n == m && n > 0 && k >= n - 1; break; // equal ones are siblings too
    default: r = k == n || k == m; // overlaps
  }
  setBool(a, r);
}
