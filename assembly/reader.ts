// Bounds-checked access to host-written memory and to the loaded ruleset's strings.
// Everything the host passes (ruleset bytes, request blocks, config) is untrusted: a wasm load
// outside linear memory traps, so every pointer/length is checked here before it is read.
import { halloc } from "./heap";
import { FNV_OFFSET, FNV_PRIME, NONE } from "../spec/format";
import { stringCount, stringIndex, stringBlob, stringHash, stringHashMask } from "./ruleset";

/** True when [p, p+n) lies inside linear memory (p = 0 is never valid). */
export function inMemory(p: usize, n: usize): bool {
  const lim = <usize>memory.size() << 16;
  return p != 0 && n <= lim && p <= lim - n;
}

/** FNV-1a 32 over [p, p+n): the ruleset checksum and the string hash table share it. */
export function fnv1a(p: usize, n: usize): u32 {
  let h: u32 = FNV_OFFSET;
  for (let i: usize = 0; i < n; i++) {
    h ^= <u32>load<u8>(p + i);
    h *= FNV_PRIME;
  }
  return h;
}

// ---- strings of the loaded ruleset --------------------------------------------------------

// @ts-ignore: decorator
@inline export function strPtr(sid: u32): usize {
  return stringBlob + <usize>load<u32>(stringIndex + (<usize>sid << 3));
}
// @ts-ignore: decorator
@inline export function strLen(sid: u32): u32 {
  return load<u32>(stringIndex + (<usize>sid << 3), 4);
}

export function strEq(sid: u32, p: usize, n: u32): bool {
  if (sid >= stringCount) return false;
  if (strLen(sid) != n) return false;
  return memory.compare(strPtr(sid), p, n) == 0;
}

/** Lexicographic byte order of two sids (UTF-8 byte order = code point order, like Go's sort). */
export function strCmp(a: u32, b: u32): i32 {
  const an = strLen(a), bn = strLen(b);
  const n = an < bn ? an : bn;
  const c = memory.compare(strPtr(a), strPtr(b), n);
  if (c != 0) return c;
  return <i32>an - <i32>bn;
}

/** The sid whose bytes equal [p, p+n), or NONE. Uses the open-addressing table built at load. */
export function findSid(p: usize, n: u32): u32 {
  if (stringHash == 0) return NONE;
  let i = fnv1a(p, n) & stringHashMask;
  while (true) {
    const s = load<u32>(stringHash + (<usize>i << 2));
    if (s == NONE) return NONE;
    if (strLen(s) == n && memory.compare(strPtr(s), p, n) == 0) return s;
    i = (i + 1) & stringHashMask;
  }
  return NONE;
}

/** Mask of the table buildStringHash returned last. */
export let builtHashMask: u32 = 0;

/** Builds the sid lookup table for the given STRINGS (heap block, caller frees). 0 on OOM.
 *  Duplicate strings keep the lowest sid, so lookups are deterministic. */
export function buildStringHash(count: u32, index: usize, blob: usize): usize {
  let size: u32 = 16;
  while (size < count * 2) size <<= 1;
  const table = halloc(<usize>size << 2);
  if (table == 0) return 0;
  memory.fill(table, 0xff, <usize>size << 2);
  const mask = size - 1;
  builtHashMask = mask;
  for (let s: u32 = 0; s < count; s++) {
    const p = blob + <usize>load<u32>(index + (<usize>s << 3));
    const n = load<u32>(index + (<usize>s << 3), 4);
    let i = fnv1a(p, n) & mask;
    while (true) {
      const o = load<u32>(table + (<usize>i << 2));
      if (o == NONE) { store<u32>(table + (<usize>i << 2), s); break; }
      const on = load<u32>(index + (<usize>o << 3), 4);
      if (on == n && memory.compare(blob + <usize>load<u32>(index + (<usize>o << 3)), p, n) == 0) break;
      i = (i + 1) & mask;
    }
  }
  return table;
}
