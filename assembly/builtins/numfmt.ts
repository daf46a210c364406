// Number ↔ text: Go's "%g" (cel-go's string(double)) and "%f"/"%e" for format(), from the
// host's digits (host.ts: V8's exact shortest / correctly rounded digits); and decimal parsing for
// int()/uint()/double() (the syntax Go accepts is checked here, the value comes from the host).
import { DIGITS_SHORTEST, DIGITS_FIXED } from "../../spec/format";
import { hostDigits, hostParse } from "../host";
import { putWord, writePadded, writeU64 } from "../strings";

export const digits: usize = memory.data(128);
/** Digit count and decimal point position of the last `hostDigits` call (value = 0.d1d2.. × 10^dp). */
export let nd: i32 = 0;
export let dp: i32 = 0;

/** Digits of finite v ≥ 0 into `digits` / nd / dp (mode: spec DIGITS_*). */
export function getDigits(v: f64, mode: i32): void {
  const r = hostDigits(v, mode, digits);
  nd = r & 255;
  dp = r >> 8;
}

/** Writes Go's %g (shortest) text of v at out; returns the byte count (≤ 32). */
export function fmtG(out: usize, v: f64): u32 { return fmtNum(out, v, DIGITS_SHORTEST); }

/** Go's strconv text of v at out: %g shortest (mode DIGITS_SHORTEST), %.<mode>e (0..100), or
 *  %.<p>f (DIGITS_FIXED + p, |v| < 1e21). NaN, +Inf, -Inf and the sign of -0 as Go writes them. */
export function fmtNum(out: usize, v: f64, mode: i32): u32 {
  if (isNaN(v)) return putWord(out, 0x4e614e /* "NaN" */);
  if (!isFinite(v)) return putWord(out, v < 0 ? 0x666e492d /* "-Inf" */ : 0x666e492b /* "+Inf" */);
  let i: u32 = 0;
  if (v < 0 || (v == 0 && 1 / v < 0)) { store<u8>(out, 45); i = 1; v = -v; }
  getDigits(v, mode);
  if (mode >= DIGITS_FIXED) {
    dp = nd - (mode - DIGITS_FIXED); // positional digits: the host reports no exponent
    return i + plain(out + i, mode - DIGITS_FIXED);
  }
  const x = dp - 1;
  // strconv's shortest 'g': exponent form when the exponent is < -4 or >= 6 (eprec fixed at 6).
  if (mode >= 0 || x < -4 || x >= 6) {
    i += mantissa(out + i);
    return i + expText(out + i, x);
  }
  return i + plain(out + i, -1);
}

/** Go encoding/json's text of a finite v: shortest digits, positional unless |v| < 1e-6 or
 *  |v| >= 1e21, then "1e+21"/"1e-7" (no exponent padding); -0 keeps its sign. */
export function fmtJson(out: usize, v: f64): u32 {
  let i: u32 = 0;
  if (v < 0 || (v == 0 && 1 / v < 0)) { store<u8>(out, 45); i = 1; v = -v; }
  getDigits(v, DIGITS_SHORTEST);
  if (v != 0 && (v < 1e-6 || v >= 1e21)) {
    i += mantissa(out + i);
    const x = dp - 1;
    store<u8>(out + i, 101);
    store<u8>(out + i + 1, x < 0 ? 45 : 43);
    return i + 2 + writeU64(out + i + 2, <u64>(x < 0 ? -x : x));
  }
  return i + plain(out + i, -1);
}

/** The current digits as d[.ddd]. */
function mantissa(out: usize): u32 {
  store<u8>(out, load<u8>(digits));
  if (nd <= 1) return 1;
  store<u8>(out + 1, 46);
  memory.copy(out + 2, digits + 1, nd - 1);
  return nd + 1;
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

/** Decimal float text (Go ParseFloat syntax subset: sign, digits, '.', exponent, inf/nan); the
 *  value itself is the host's correctly rounded parse. Out of range (±Inf) is an error, as in Go. */
export function parseF64(p: usize, n: u32): f64 {
  parseOk = false;
  let i: u32 = 0, neg = false;
  if (n > 0 && (load<u8>(p) == 43 || load<u8>(p) == 45)) { neg = load<u8>(p) == 45; i = 1; }
  // Go's special values: "inf"/"infinity" with an optional sign, "nan" without; any case.
  if (eqFold(p + i, n - i, 0x666e69 /* "inf" */) || eqFold(p + i, n - i, 0x7974696e69666e69 /* "infinity" */)) {
    parseOk = true; return neg ? -Infinity : Infinity;
  }
  if (eqFold(p, n, 0x6e616e /* "nan" */)) { parseOk = true; return NaN; }
  const m = i;
  i = skipDigits(p, i, n);
  if (i < n && load<u8>(p + i) == 46) i = skipDigits(p, i + 1, n);
  if (i == m || (i == m + 1 && load<u8>(p + m) == 46)) return 0; // no digits
  if (i < n && (load<u8>(p + i) | 0x20) == 101) {
    i++;
    if (i < n && (load<u8>(p + i) == 43 || load<u8>(p + i) == 45)) i++;
    const e = i;
    i = skipDigits(p, i, n);
    if (i == e) return 0;
  }
  if (i != n) return 0;
  const v = hostParse(p, n);
  parseOk = isFinite(v);
  return v;
}

/** eqWord ignoring ASCII case (w holds lowercase letters only: | 0x20 folds exactly those). */
function eqFold(p: usize, n: u32, w: u64): bool {
  for (let i: u32 = 0; i < n; i++, w >>= 8) if (w == 0 || <u64>(load<u8>(p + i) | 0x20) != (w & 0xff)) return false;
  return w == 0;
}

function skipDigits(p: usize, i: u32, n: u32): u32 {
  while (i < n && <u32>load<u8>(p + i) - 48 < 10) i++;
  return i;
}
