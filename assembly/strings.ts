// UTF-8 helpers over (pointer, byte length) pairs. CEL counts strings in code points, so
// size/charAt/indexOf/substring translate between code-point and byte positions here.

/** Code points seen by the last cpOffset scan (all of them when it ran to the end). */
let cpSeen: u32 = 0;

/** Number of code points: every byte that is not a continuation byte starts one. One scan
 *  shared with cpOffset (a code point index that never matches counts them all). */
export function cpCount(p: usize, n: u32): u32 {
  cpOffset(p, n, 0xffffffff);
  return cpSeen;
}

/** Byte offset of code point `cp` (n when cp is the end; -1 when past the end). */
export function cpOffset(p: usize, n: u32, cp: u32): i32 {
  let seen: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    if ((load<u8>(p + i) & 0xc0) != 0x80) {
      if (seen == cp) return <i32>i;
      seen++;
    }
  }
  cpSeen = seen;
  return seen == cp ? <i32>n : -1;
}

/** Code-point index of byte offset `b` (which must be a code point boundary). */
export function cpIndexAt(p: usize, b: u32): u32 {
  return cpCount(p, b);
}

/** memcmp: one small out-of-line copy (memory.compare is inlined at every use and is large). */
export function memcmp(a: usize, b: usize, n: u32): i32 {
  for (let i: u32 = 0; i < n; i++) {
    const x = <i32>load<u8>(a + i), y = <i32>load<u8>(b + i);
    if (x != y) return x - y;
  }
  return 0;
}

export function bytesEq(a: usize, an: u32, b: usize, bn: u32): bool {
  return an == bn && memcmp(a, b, an) == 0;
}

/** Lexicographic byte order, which for UTF-8 equals code point order. */
export function bytesCmp(a: usize, an: u32, b: usize, bn: u32): i32 {
  const n = an < bn ? an : bn;
  const c = memcmp(a, b, n);
  if (c != 0) return c < 0 ? -1 : 1;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** First byte index >= from where needle occurs, or -1. */
export function find(h: usize, hn: u32, nd: usize, nn: u32, from: u32): i32 {
  if (nn > hn) return -1;
  for (let i = from; i + nn <= hn; i++) {
    if (memcmp(h + i, nd, nn) == 0) return <i32>i;
  }
  return -1;
}

/** Last byte index <= from where needle occurs, or -1. */
export function findLast(h: usize, hn: u32, nd: usize, nn: u32, from: u32): i32 {
  if (nn > hn) return -1;
  let i: i32 = <i32>(hn - nn);
  if (<i32>from < i) i = <i32>from;
  for (; i >= 0; i--) {
    if (memcmp(h + <usize>i, nd, nn) == 0) return i;
  }
  return -1;
}

// Short ASCII literals are u64 words, little-endian (0x65757274 = "true"): one i64.const per use,
// where an AS string literal is a UTF-16 object in the data segment plus a charCodeAt loop.

/** True when [p, p+n) is the text packed in word w (at most 8 characters, none NUL). */
export function eqWord(p: usize, n: u32, w: u64): bool {
  for (let i: u32 = 0; i < n; i++) {
    if (w == 0 || <u64>load<u8>(p + i) != (w & 0xff)) return false;
    w >>= 8;
  }
  return w == 0;
}

/** Writes the text packed in word w at p; returns its length. */
export function putWord(p: usize, w: u64): u32 {
  let n: u32 = 0;
  for (; w != 0; w >>= 8) store<u8>(p + n++, <u8>w);
  return n;
}

/** Writes the decimal digits of v at p; returns the byte count. */
export function writeU64(p: usize, v: u64): u32 {
  let n: u32 = 0;
  let t = v;
  do { n++; t /= 10; } while (t != 0);
  for (let i = n; i > 0; i--) {
    store<u8>(p + i - 1, <u8>(48 + v % 10));
    v /= 10;
  }
  return n;
}

export function writeI64(p: usize, v: i64): u32 {
  if (v < 0) {
    store<u8>(p, 45);
    return 1 + writeU64(p + 1, <u64>(0 - v)); // wraps correctly for MIN
  }
  return writeU64(p, <u64>v);
}

/** Writes v as exactly `w` digits, zero-padded. */
export function writePadded(p: usize, v: u32, w: u32): void {
  for (let i = w; i > 0; i--) {
    store<u8>(p + i - 1, <u8>(48 + v % 10));
    v /= 10;
  }
}

/** Parses exactly n ASCII digits at p; -1 when any is not a digit. */
export function readDigits(p: usize, n: u32): i32 {
  let v: i32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const c = <i32>load<u8>(p + i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}
