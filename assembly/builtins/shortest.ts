// Shortest round-trip decimal digits of a double, exactly (Burger & Dybvig's free-format
// algorithm on small bignums), in place of AssemblyScript's Grisu2 dtoa: that cost ~2.7 KB of wasm
// (code plus cached-power tables plus parsing its JS-style text back), this ~0.8 KB. Like Go's
// strconv (cel-go's string(double) and %g), the bounds are inclusive when the mantissa is even and
// a tie between two shortest candidates goes to the even digit.

/** Decimal point position of the last `shortestDigits` call: value = 0.d1d2…dn × 10^digitsDp. */
export let digitsDp: i32 = 0;

// Bignums: L little-endian u32 limbs (enough for 2^1130 × 10 — the largest scaled value of a double).
const L: i32 = 40;
const R = memory.data(L * 4);   // remainder
const S = memory.data(L * 4);   // scale
const MP = memory.data(L * 4);  // distance to the upper neighbour boundary
const MM = memory.data(L * 4);  // distance to the lower neighbour boundary
const T = memory.data(L * 4);   // scratch

function limb(b: usize, i: i32): u64 { return <u64>load<u32>(b + (<usize>i << 2)); }
function setLimb(b: usize, i: i32, v: u64): void { store<u32>(b + (<usize>i << 2), <u32>v); }

/** b = v · 2^sh (v < 2^63) */
function setShl(b: usize, v: u64, sh: i32): void {
  memory.fill(b, 0, L * 4);
  const w = sh >> 5, s = <u64>(sh & 31);
  setLimb(b, w, v << s);
  setLimb(b, w + 1, s == 0 ? v >> 32 : v >> (32 - s));
  if (s != 0) setLimb(b, w + 2, v >> (64 - s));
}

/** b *= m (m < 2^32) */
function mulSmall(b: usize, m: u64): void {
  let c: u64 = 0;
  for (let i = 0; i < L; i++) {
    c += limb(b, i) * m;
    setLimb(b, i, c);
    c >>= 32;
  }
}

/** b *= 10^k */
function mulPow10(b: usize, k: i32): void {
  for (; k >= 9; k -= 9) mulSmall(b, 1_000_000_000);
  let m: u64 = 1;
  for (; k > 0; k--) m *= 10;
  mulSmall(b, m);
}

/** T = a + b */
function add(a: usize, b: usize): usize {
  let c: u64 = 0;
  for (let i = 0; i < L; i++) {
    c += limb(a, i) + limb(b, i);
    setLimb(T, i, c);
    c >>= 32;
  }
  return T;
}

/** a -= b (a ≥ b) */
function sub(a: usize, b: usize): void {
  let c: i64 = 0;
  for (let i = 0; i < L; i++) {
    c += <i64>limb(a, i) - <i64>limb(b, i);
    setLimb(a, i, <u64>c);
    c >>= 32;
  }
}

function cmp(a: usize, b: usize): i32 {
  for (let i = L - 1; i >= 0; i--) {
    const x = limb(a, i), y = limb(b, i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Writes the shortest digits ('0'..'9' bytes, at most 17) of |v| (finite, non-zero) at `digits`,
 *  sets digitsDp and returns the digit count. */
export function shortestDigits(v: f64, digits: usize): i32 {
  const bits = reinterpret<u64>(v);
  const be = <i32>((bits >> 52) & 0x7ff);
  let f = bits & 0xfffffffffffff;
  let e: i32;
  if (be == 0) e = -1074; else { f |= <u64>1 << 52; e = be - 1075; }
  const incl = (f & 1) == 0;
  // v = r/s; the neighbours' midpoints are at (r ± m)/s. The lower gap is half as wide when f is
  // a power of two (the exponent below has finer spacing).
  const edge = f == (<u64>1 << 52) && be > 1;
  const up: i32 = edge ? 2 : 1; // m+ = up · m-
  // e ≥ 0: r = f·2^(e+up), s = 2·up, m+ = up·2^e, m- = 2^e; e < 0: r = f·2^up, s = 2^(up-e),
  // m+ = up, m- = 1 — one form with the binary exponent split between r and s.
  const rs = e >= 0 ? e : 0, ss = e >= 0 ? 0 : -e;
  setShl(R, f, rs + up);
  setShl(S, 1, ss + up);
  setShl(MP, <u64>up, rs);
  setShl(MM, 1, rs);
  // k ≈ ceil(log10 v), possibly one too small; fixed up below.
  let k = <i32>Math.ceil((<f64>(e + 63 - <i32>clz(f))) * 0.30102999566398114 - 1e-10);
  if (k >= 0) mulPow10(S, k);
  else { mulPow10(R, -k); mulPow10(MP, -k); mulPow10(MM, -k); }
  let c = cmp(add(R, MP), S);
  while (c > 0 || (c == 0 && incl)) { mulSmall(S, 10); k++; c = cmp(add(R, MP), S); }
  digitsDp = k;
  let nd = 0;
  while (nd < 40) {
    mulSmall(R, 10); mulSmall(MP, 10); mulSmall(MM, 10);
    let d: u8 = 0;
    while (cmp(R, S) >= 0) { sub(R, S); d++; }
    c = cmp(R, MM);
    const low = c < 0 || (c == 0 && incl);
    c = cmp(add(R, MP), S);
    const high = c > 0 || (c == 0 && incl);
    if (high) {
      if (!low) d++;
      else {
        // Both d and d+1 round-trip: take the nearer, the even one on a tie.
        c = cmp(add(R, R), S);
        if (c > 0 || (c == 0 && (d & 1) != 0)) d++;
      }
    }
    store<u8>(digits + nd, 48 + d);
    nd++;
    if (low || high) break;
  }
  return nd;
}
