// Cerbos glob matching (gobwas/glob compiled with ':' as the only separator), over UTF-8 bytes:
//   *      any run of characters except ':'         **   any run, ':' included
//   ?      one character except ':'                 [abc] [a-z] [!a-z]  one character (any)
//   {a,b}  alternatives (nestable, may hold wildcards)   \x  literal x
// A lone "*" means "**" (Cerbos's fixGlob), so "*" matches everything including "a:b".
// A malformed pattern (unclosed '[' or '{') matches nothing, as Cerbos drops globs that fail to
// compile. Whether a pattern is a glob at all is the caller's decision (rows carry flags).

const SEP: u8 = 0x3a; // ':'
/** Continuations of open {alternatives}: (start, end) byte offsets of the rest of the pattern. */
const MAX_CONT: i32 = 32;
const conts = memory.data(MAX_CONT * 8);
/** Step budget per match so hostile patterns cannot run away (backtracking is exponential). */
let steps: i32 = 0;

let gp: usize = 0; // pattern bytes
let vp: usize = 0; // value bytes
let vn: i32 = 0;

export function globMatch(pat: usize, pn: u32, val: usize, n: u32): bool {
  if (pn == 1 && load<u8>(pat) == 0x2a) return true; // lone "*" = "**"
  if (!wellFormed(pat, pn)) return false;
  gp = pat; vp = val; vn = <i32>n;
  steps = 100000;
  return matchFrom(0, <i32>pn, 0, 0);
}

/** Brackets and braces balance (outside escapes); gobwas refuses the pattern otherwise. */
function wellFormed(p: usize, n: u32): bool {
  let braces = 0;
  let i: u32 = 0;
  while (i < n) {
    const c = load<u8>(p + i);
    if (c == 0x5c) { i += 2; continue; }
    if (c == 0x5b) { // '['
      let j = i + 1;
      while (j < n && load<u8>(p + j) != 0x5d) j++;
      if (j >= n) return false;
      i = j + 1;
      continue;
    }
    if (c == 0x7b) braces++;
    else if (c == 0x7d) { if (braces == 0) return false; braces--; }
    i++;
  }
  return braces == 0 && braces < MAX_CONT;
}

/** Length of the UTF-8 sequence starting with byte b. */
export function runeLen(b: u8): i32 {
  if (b < 0x80) return 1;
  if (b < 0xe0) return 2;
  if (b < 0xf0) return 3;
  return 4;
}

/** Code point of the len-byte sequence at p (one loop: the per-length formulas cost ~100 B). */
export function decode(p: usize, len: i32): u32 {
  let r = <u32>load<u8>(p);
  if (len == 1) return r;
  r &= 0x7f >> len; // lead-byte payload: 5, 4 or 3 bits
  for (let k = 1; k < len; k++) r = (r << 6) | (<u32>load<u8>(p + k) & 0x3f);
  return r;
}

/** Matches pattern [pi, pe) then the pending continuations 0..k-1 against value from vi. */
function matchFrom(pi: i32, pe: i32, vi: i32, k: i32): bool {
  if (--steps < 0) return false;
  while (pi < pe) {
    const c = load<u8>(gp + pi);
    if (c == 0x2a) { // '*' or '**'
      let sup = false;
      pi++;
      while (pi < pe && load<u8>(gp + pi) == 0x2a) { sup = true; pi++; }
      // Try every possible length, shortest first.
      let j = vi;
      while (true) {
        if (matchFrom(pi, pe, j, k)) return true;
        if (j >= vn) return false;
        if (!sup && load<u8>(vp + j) == SEP) return false;
        j++;
      }
    }
    if (c == 0x3f) { // '?': one rune, not the separator
      if (vi >= vn) return false;
      const b = load<u8>(vp + vi);
      if (b == SEP) return false;
      vi += runeLen(b);
      if (vi > vn) return false;
      pi++;
      continue;
    }
    if (c == 0x5b) { // '[...]'
      if (vi >= vn) return false;
      const rl = runeLen(load<u8>(vp + vi));
      if (vi + rl > vn) return false;
      const r = decode(vp + vi, rl);
      let j = pi + 1;
      let neg = false;
      if (j < pe && load<u8>(gp + j) == 0x21) { neg = true; j++; }
      let hit = false;
      while (j < pe && load<u8>(gp + j) != 0x5d) {
        const l1 = runeLen(load<u8>(gp + j));
        const lo = decode(gp + j, l1);
        j += l1;
        if (j + 1 < pe && load<u8>(gp + j) == 0x2d && load<u8>(gp + j + 1) != 0x5d) { // range lo-hi
          const l2 = runeLen(load<u8>(gp + j + 1));
          const hi = decode(gp + j + 1, l2);
          j += 1 + l2;
          if (r >= lo && r <= hi) hit = true;
        } else if (r == lo) hit = true;
      }
      if (hit == neg) return false;
      pi = j + 1;
      vi += rl;
      continue;
    }
    if (c == 0x7b) { // '{a,b}': try each alternative followed by the rest
      const close = closing(pi, pe);
      if (close < 0 || k >= MAX_CONT) return false;
      const slot = conts + (<usize>k << 3);
      const oldS = load<i32>(slot), oldE = load<i32>(slot, 4);
      store<i32>(slot, close + 1);
      store<i32>(slot, pe, 4);
      let a = pi + 1;
      let ok = false;
      while (a <= close) {
        const b = altEnd(a, close);
        if (matchFrom(a, b, vi, k + 1)) { ok = true; break; }
        a = b + 1;
      }
      store<i32>(slot, oldS);
      store<i32>(slot, oldE, 4);
      return ok;
    }
    if (c == 0x5c && pi + 1 < pe) pi++; // escaped literal
    if (vi >= vn || load<u8>(vp + vi) != load<u8>(gp + pi)) return false;
    pi++;
    vi++;
  }
  if (k > 0) {
    const slot = conts + (<usize>(k - 1) << 3);
    return matchFrom(load<i32>(slot), load<i32>(slot, 4), vi, k - 1);
  }
  return vi == vn;
}

/** Offset of the '}' closing the '{' at pi, or -1. */
function closing(pi: i32, pe: i32): i32 {
  let depth = 0;
  for (let i = pi; i < pe; i++) {
    const c = load<u8>(gp + i);
    if (c == 0x5c) { i++; continue; }
    if (c == 0x5b) { while (i < pe && load<u8>(gp + i) != 0x5d) i++; continue; }
    if (c == 0x7b) depth++;
    else if (c == 0x7d && --depth == 0) return i;
  }
  return -1;
}

/** End of the alternative starting at a (the next top-level ',' or the closing '}'). */
function altEnd(a: i32, close: i32): i32 {
  let depth = 0;
  for (let i = a; i < close; i++) {
    const c = load<u8>(gp + i);
    if (c == 0x5c) { i++; continue; }
    if (c == 0x5b) { while (i < close && load<u8>(gp + i) != 0x5d) i++; continue; }
    if (c == 0x7b) depth++;
    else if (c == 0x7d) depth--;
    else if (c == 0x2c && depth == 0) return i;
  }
  return close;
}
