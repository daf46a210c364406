// Growable u32 word buffers on the heap (never managed objects): the response the host reads
// through out_ptr/out_len, and the per-resource scratch lists (outputs, evaluation errors) that
// are copied into it once a resource is decided. Buffers are kept and reused across checks.
import { halloc, hrealloc } from "./heap";
import { Status } from "../spec/format";

/** A word vector: [ptr, capacity in words, length in words] in a 12-byte static record. */
export function vecNew(): usize {
  return halloc(12);
}
// @ts-ignore: decorator
@inline export function vecPtr(v: usize): usize { return <usize>load<u32>(v); }
// @ts-ignore: decorator
@inline export function vecLen(v: usize): u32 { return load<u32>(v, 8); }
export function vecClear(v: usize): void { store<u32>(v, 0, 8); }
export function vecAt(v: usize, i: u32): u32 { return load<u32>(vecPtr(v) + (<usize>i << 2)); }
export function vecSet(v: usize, i: u32, w: u32): void { store<u32>(vecPtr(v) + (<usize>i << 2), w); }

/** Out-of-memory is sticky until cleared: pushes are dropped and check() reports it. */
export let vecFailed = false;
export function clearVecFailed(): void { vecFailed = false; }

// Largest response we build (words); beyond it the check fails with OUT_OF_MEMORY.
const MAX_WORDS: u32 = 16 << 20;

function grow(v: usize, need: u32): bool {
  const cap = load<u32>(v, 4);
  if (need <= cap) return true;
  if (need > MAX_WORDS) return false;
  let n: u32 = cap < 64 ? 64 : cap;
  while (n < need) n <<= 1;
  const old = vecPtr(v);
  const p = old == 0 ? halloc(<usize>n << 2) : hrealloc(old, <usize>n << 2);
  if (p == 0) return false;
  store<u32>(v, <u32>p);
  store<u32>(v, n, 4);
  return true;
}

export function vecPush(v: usize, w: u32): void {
  const n = vecLen(v);
  if (!grow(v, n + 1)) { vecFailed = true; return; }
  store<u32>(vecPtr(v) + (<usize>n << 2), w);
  store<u32>(v, n + 1, 8);
}

/** Appends `count` words of `src` starting at word `from`. */
export function vecAppend(v: usize, src: usize, from: u32, count: u32): void {
  const n = vecLen(v);
  if (!grow(v, n + count)) { vecFailed = true; return; }
  memory.copy(vecPtr(v) + (<usize>n << 2), vecPtr(src) + (<usize>from << 2), <usize>count << 2);
  store<u32>(v, n + count, 8);
}

export function vecStatus(): i32 { return vecFailed ? Status.OUT_OF_MEMORY : Status.OK; }
