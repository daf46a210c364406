// Builtins that build a new list or map from old ones: cel.@mapInsert (the accumulator step of
// transformMap/transformMapEntry, compiler/cel/macros.ts) and list sort()/sortBy() (ext.Lists; sortBy
// lowers to @sortByAssociatedKeys). Containers are never modified in place: comprehension
// accumulators and request values may be shared with other values.
import { Tag, Builtin, CelError } from "../../spec/format";
import { tagOf, cA, cP, setPtr, setErrCode, setErrWith, mapFind, payloadOk, copyCell, compare, CMP_NO_OVERLOAD } from "../value";
import { arenaAlloc, spendSteps } from "../arena";

export function callContainers(fn: u32, a: usize, argc: u32): bool {
  if (fn == Builtin.SORT || fn == Builtin.SORT_BY_KEYS) { sortBy(a, argc == 2 ? a + 16 : a); return true; }
  if (fn != Builtin.MAP_INSERT) return false;
  const b = a + 16;
  const kt = tagOf(b);
  const pair = argc == 3;
  if (tagOf(a) != Tag.MAP || !payloadOk(a) || !payloadOk(b) ||
      (pair ? kt != Tag.BOOL && kt != Tag.INT && kt != Tag.UINT && kt != Tag.STRING : kt != Tag.MAP)) {
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
