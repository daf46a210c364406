// Number ↔ text: Go's "%g" (cel-go's string(double)) and "%f"/"%e" for format(), built on
// the exact shortest-digits generator in shortest.ts; and decimal parsing for int()/uint()/double().
import { shortestDigits, digitsDp } from "./shortest";
import { putWord, writePadded } from "../strings";

export const digits: usize = memory.data(48);
/** Digit count and decimal point position of the last `shortest` call (value = 0.d1d2.. × 10^dp). */
export let nd: i32 = 0;
export let dp: i32 = 0;

/** Shortest round-trip digits of |v| (finite, non-zero) into `digits` / nd / dp. */
export function shortest(v: f64): void {
  nd = shortestDigits(v, digits);
  dp = digitsDp;
}

/** 10^e for 0 <= e <= 511 by binary powers (Math.pow costs ~1.5 KB of wasm). */
export function pow10(e: i32): f64 {
  let r = 1.0, b = 10.0;
  while (e > 0) { if (e & 1) r *= b; b *= b; e >>= 1; }
  return r;
}

/** Writes Go's %g (shortest) text of v at out; returns the byte count (≤ 32). */
export function fmtG(out: usize, v: f64): u32 {
  if (isNaN(v)) return putWord(out, 0x4e614e /* "NaN" */);
  if (!isFinite(v)) return putWord(out, v < 0 ? 0x666e492d /* "-Inf" */ : 0x666e492b /* "+Inf" */);
  let i: u32 = 0;
  if (v < 0 || (v == 0 && 1 / v < 0)) { store<u8>(out, 45); i = 1; }
  if (v == 0) { store<u8>(out + i, 48); return i + 1; }
  shortest(v);
  const x = dp - 1;
  // strconv's shortest 'g': exponent form when the exponent is < -4 or >= 6 (eprec fixed at 6).
  if (x < -4 || x >= 6) {
    store<u8>(out + i, load<u8>(digits)); i++;
    if (nd > 1) { store<u8>(out + i, 46); i++; memory.copy(out + i, digits + 1, nd - 1); i += nd - 1; }
    return i + expText(out + i, x);
  }
  return i + plain(out + i, -1);
}

/** "e+06"-style exponent (sign and at least two digits). */
function expText(out: usize, x: i32): u32 {
  store<u8>(out, 101);
  store<u8>(out + 1, x < 0 ? 45 : 43);
  const a = x < 0 ? -x : x;
  const w: u32 = a < 100 ? 2 : 3; // |x| <= 324
  writePadded(out + 2, <u32>a, w);
  return 2 + w;
}

/** Positional text of the current digits; frac < 0: as many fraction digits as needed. */
function plain(out: usize, frac: i32): u32 {
  let i: u32 = 0;
  if (dp <= 0) { store<u8>(out, 48); i = 1; }
  else for (let k = 0; k < dp; k++) { store<u8>(out + i, k < nd ? load<u8>(digits + k) : 48); i++; }
  const fd = frac >= 0 ? frac : (nd - dp > 0 ? nd - dp : 0);
  if (fd > 0) {
    store<u8>(out + i, 46); i++;
    for (let k = 0; k < fd; k++) {
      const idx = dp + k;
      store<u8>(out + i, idx >= 0 && idx < nd ? load<u8>(digits + idx) : 48); i++;
    }
  }
  return i;
}

/** Go's %.<prec>f for |v| < 1e21 (format()'s %f); rounds half away from zero on the decimal digits. */
export function fmtF(out: usize, v: f64, prec: i32): u32 {
  if (isNaN(v)) return putWord(out, 0x4e614e /* "NaN" */);
  if (!isFinite(v)) return putWord(out, v < 0 ? 0x666e492d /* "-Inf" */ : 0x666e492b /* "+Inf" */);
  let i: u32 = 0;
  if (v < 0) { store<u8>(out, 45); i = 1; v = -v; }
  if (v == 0) { nd = 1; dp = 1; store<u8>(digits, 48); }
  else shortest(v);
  // Round the digit string to dp + prec digits.
  const keep = dp + prec;
  if (keep < nd) {
    if (keep < 0) { nd = 1; store<u8>(digits, 48); dp = 1; }
    else {
      let up = load<u8>(digits + keep) >= 53;
      nd = keep;
      let k = keep - 1;
      while (up && k >= 0) {
        const d = load<u8>(digits + k) + 1;
        if (d > 57) { store<u8>(digits + k, 48); k--; } else { store<u8>(digits + k, d); up = false; }
      }
      if (up) { memory.copy(digits + 1, digits, nd); store<u8>(digits, 49); nd++; dp++; }
      if (nd == 0) { nd = 1; store<u8>(digits, 48); dp = 1; }
    }
  }
  return i + plain(out + i, prec);
}


/** Go strconv.ParseInt/ParseUint (base 10, optional sign). ok=false on syntax or range errors. */
export let parseOk: bool = false;
export function parseInt64(p: usize, n: u32, unsigned: bool): u64 {
  parseOk = false;
  let i: u32 = 0, neg = false;
  if (n > 0 && (load<u8>(p) == 43 || (load<u8>(p) == 45 && !unsigned))) { neg = load<u8>(p) == 45; i = 1; }
  if (i >= n) return 0;
  let v: u64 = 0;
  for (; i < n; i++) {
    const c = <u32>load<u8>(p + i) - 48;
    if (c > 9) return 0;
    if (v > (0xffffffffffffffff - c) / 10) return 0;
    v = v * 10 + c;
  }
  if (!unsigned && (neg ? v > 0x8000000000000000 : v > 0x7fffffffffffffff)) return 0;
  parseOk = true;
  return neg ? 0 - v : v;
}

/** Decimal float text (Go ParseFloat syntax subset: sign, digits, '.', exponent, inf/nan). */
export function parseF64(p: usize, n: u32): f64 {
  parseOk = false;
  let i: u32 = 0, neg = false;
  if (n > 0 && (load<u8>(p) == 43 || load<u8>(p) == 45)) { neg = load<u8>(p) == 45; i = 1; }
  const rest = n - i;
  if (rest == 3 || rest == 8) {
    let lower = true;
    let word: u64 = rest == 3 ? 0x666e69 /* "inf" */ : 0x7974696e69666e69 /* "infinity" */;
    for (let k: u32 = 0; k < rest; k++, word >>= 8) if ((load<u8>(p + i + k) | 0x20) != <u8>word) lower = false;
    if (lower) { parseOk = true; return neg ? -Infinity : Infinity; }
    if (rest == 3 && !neg && i == 0 && (load<u8>(p) | 0x20) == 110 && (load<u8>(p + 1) | 0x20) == 97 && (load<u8>(p + 2) | 0x20) == 110) {
      parseOk = true; return NaN;
    }
  }
  let m: u64 = 0, e: i32 = 0, any = false, sig: i32 = 0;
  for (; i < n; i++) {
    const c = <u32>load<u8>(p + i) - 48;
    if (c > 9) break;
    any = true;
    if (sig < 19) { m = m * 10 + c; if (m != 0) sig++; } else e++;
  }
  if (i < n && load<u8>(p + i) == 46) {
    for (i++; i < n; i++) {
      const c = <u32>load<u8>(p + i) - 48;
      if (c > 9) break;
      any = true;
      if (sig < 19) { m = m * 10 + c; if (m != 0) sig++; e--; }
    }
  }
  if (!any) return 0;
  if (i < n && (load<u8>(p + i) | 0x20) == 101) {
    i++;
    let en = false, ev: i32 = 0, ed = false;
    if (i < n && (load<u8>(p + i) == 43 || load<u8>(p + i) == 45)) { en = load<u8>(p + i) == 45; i++; }
    for (; i < n; i++) {
      const c = <i32>load<u8>(p + i) - 48;
      if (c < 0 || c > 9) break;
      ed = true;
      if (ev < 100000) ev = ev * 10 + c;
    }
    if (!ed) return 0;
    e += en ? -ev : ev;
  }
  if (i != n) return 0;
  parseOk = true;
  // Exact when m < 2^53 and |e| <= 22; otherwise within an ulp or two (documented limitation).
  let v = <f64>m;
  if (e > 0) { if (e > 400) v = m == 0 ? 0 : Infinity; else v *= pow10(e); }
  else if (e < 0) { if (e < -400) v = 0; else if (e < -300) v = v / pow10(-e - 300) / 1e300; else v /= pow10(-e); }
  return neg ? -v : v;
}
