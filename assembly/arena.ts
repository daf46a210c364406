import { halloc } from "./heap";

// Per-check bump arena: computed values, the VM stack and locals live here, never in managed
// objects. Memory comes from the heap in chunks that are kept and reused by every later check,
// so a long-running evaluator stays at a flat footprint (the largest check it ever saw, capped).
// Also holds the per-check step budget: it is reset with the arena because both bound one check.

/** Normal chunk size; a bigger request gets a chunk of its own size. */
const CHUNK: usize = 64 << 10;
/** Total bytes the arena may ever hold (per check and overall). */
const ARENA_CAP: usize = 8 << 20;
const MAX_CHUNKS: i32 = 64;
/** Instructions (and deep-equality steps) one check may execute before BUDGET_EXCEEDED. */
export const STEP_BUDGET: i32 = 1_000_000;

// (pointer u32, size u32) per chunk, static so the arena itself allocates nothing managed.
const chunks: usize = memory.data(MAX_CHUNKS * 8);
let chunkCount: i32 = 0;
let chunkBytes: usize = 0;
let cur: i32 = -1;
let top: usize = 0;
let end: usize = 0;

export let stepsLeft: i32 = STEP_BUDGET;
export function spendSteps(n: i32): bool {
  stepsLeft -= n;
  return stepsLeft >= 0;
}

export function arenaReset(): void {
  cur = -1;
  top = 0;
  end = 0;
  stepsLeft = STEP_BUDGET;
}

/** 16-byte aligned block of `bytes`, or 0 when the budget is exhausted. Contents are undefined. */
export function arenaAlloc(bytes: usize): usize {
  if (bytes > ARENA_CAP) return 0;
  bytes = (bytes + 15) & ~(<usize>15);
  if (top + bytes <= end && top != 0) {
    const r = top;
    top += bytes;
    return r;
  }
  // Move to the next kept chunk that fits (smaller ones are skipped for this check).
  while (cur + 1 < chunkCount) {
    cur++;
    const p = <usize>load<u32>(chunks + (<usize>cur << 3));
    const n = <usize>load<u32>(chunks + (<usize>cur << 3), 4);
    if (n >= bytes) {
      top = p + bytes;
      end = p + n;
      return p;
    }
  }
  if (chunkCount >= MAX_CHUNKS) return 0;
  const size = bytes > CHUNK ? bytes : CHUNK;
  if (chunkBytes + size > ARENA_CAP) return 0;
  const p = halloc(size); // 16-byte aligned; CHUNK is exactly one heap size class
  if (p == 0) return 0;
  store<u32>(chunks + (<usize>chunkCount << 3), <u32>p);
  store<u32>(chunks + (<usize>chunkCount << 3), <u32>size, 4);
  chunkCount++;
  chunkBytes += size;
  cur = chunkCount - 1;
  top = p + bytes;
  end = p + size;
  return p;
}
