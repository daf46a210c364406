// The evaluator's own heap, in place of AssemblyScript's TLSF allocator (the build uses the `stub`
// runtime and never calls its heap.*): TLSF cost ~1.5 KB of wasm for a handful of long-lived
// blocks — the ruleset, the request and config buffers the host writes, the arena's chunks and
// the per-ruleset work buffers. Blocks come in power-of-two size classes (16 B · 2^k) with one free
// list per class, so a host that allocates and frees a request buffer per check reuses the same
// block and memory stays flat. Failure (memory cannot grow) is 0, never a trap.

/** Payload alignment and header size: the header keeps payloads 16-byte aligned for the arena. */
const HDR: usize = 16;
const CLASSES: i32 = 28; // 16 B … 2 GiB
/** Free-list heads by class (pointer to the first free payload; its first word links the next). */
const freeLists: usize = memory.data(CLASSES * 4);
let top: usize = 0;

function classOf(n: usize): i32 {
  return n <= 16 ? 0 : 28 - <i32>clz<u32>(<u32>(n - 1));
}

/** A block of at least n bytes (contents undefined), 16-byte aligned; 0 when memory is exhausted. */
export function halloc(n: usize): usize {
  if (n > (1 << 30)) return 0;
  const k = classOf(n);
  const head = freeLists + (<usize>k << 2);
  let p = <usize>load<u32>(head);
  if (p != 0) {
    store<u32>(head, load<u32>(p));
    return p;
  }
  if (top == 0) top = (__heap_base + 15) & ~(<usize>15);
  p = top + HDR;
  const end = p + (<usize>16 << k);
  if (end < p) return 0; // past 4 GiB
  const have = <usize>memory.size() << 16;
  if (end > have) {
    // Grow by at least the current size (as TLSF did) plus 1 MiB: few grows, and a host that
    // holds a view of memory across an allocation sees it detach rarely (test/helpers does).
    const need = <i32>((end - have + 0xffff) >> 16);
    const pages = <i32>(have >> 16) + 16;
    if (memory.grow(need > pages ? need : pages) < 0 && memory.grow(need) < 0) return 0;
  }
  store<u32>(p - HDR, k);
  top = end;
  return p;
}

/** Returns a block from halloc to its class's free list (0 is ignored). */
export function hfree(p: usize): void {
  if (p == 0) return;
  const head = freeLists + (<usize>load<u32>(p - HDR) << 2);
  store<u32>(p, load<u32>(head));
  store<u32>(head, <u32>p);
}

/** Grows a block to n bytes, keeping its contents; 0 (the old block untouched) on failure. */
export function hrealloc(p: usize, n: usize): usize {
  const cap = <usize>16 << load<u32>(p - HDR);
  if (n <= cap) return p;
  const q = halloc(n);
  if (q == 0) return 0;
  memory.copy(q, p, cap);
  hfree(p);
  return q;
}
