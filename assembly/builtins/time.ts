// Timestamps (seconds + nanos 0..999999999, UTC) and durations (seconds + nanos of the same
// sign, limited like Go's time.Duration to ±2^63 ns): arithmetic, civil-date getters, parsing
// and formatting. Civil dates use Howard Hinnant's days↔civil algorithms (proleptic Gregorian).
import { Tag, CelError } from "../../spec/format";
import { setTime, setErr, setErrCode, setInt, cA, cI, tagOf, newStr, overflow, badConversion } from "../value";
import { readDigits, writePadded, writeU64, eqWord } from "../strings";

export const TS_MIN: i64 = -62135596800; // 0001-01-01T00:00:00Z
export const TS_MAX: i64 = 253402300799; // 9999-12-31T23:59:59Z
const NS: i64 = 1_000_000_000;

/** Duration cell → total nanoseconds; false in `durOk` when it does not fit i64. */
export let durOk: bool = true;
export function durNanos(c: usize): i64 {
  const s = cI(c), n = <i64><i32>cA(c);
  durOk = s <= 9223372035 && s >= -9223372035;
  return durOk ? s * NS + n : 0;
}
export function setDur(c: usize, ns: i64): void { setTime(c, Tag.DURATION, ns / NS, <i32>(ns % NS)); }

/** Timestamp from seconds and possibly out-of-range nanos; OVERFLOW outside year 1..9999. */
export function setTs(c: usize, s: i64, n: i64, off: i32 = 0): void {
  s += n / NS;
  n %= NS;
  if (n < 0) { n += NS; s--; }
  if (s < TS_MIN || s > TS_MAX) { overflow(c); return; }
  setTime(c, Tag.TIMESTAMP, s, <i32>n);
  store<i16>(c, <i16>off, 2);
}

/** The UTC offset (minutes) a timestamp was written with: Go keeps the zone and prints it. */
export function tsOff(c: usize): i32 { return <i32>load<i16>(c, 2); }

/** a + b into a, for (ts, dur), (dur, ts), (dur, dur). False when the types don't match. */
export function timeAdd(a: usize, b: usize, neg: bool): bool {
  const ta = tagOf(a), tb = tagOf(b);
  if (ta == Tag.TIMESTAMP && tb == Tag.DURATION) {
    const d = durNanos(b);
    if (!durOk) { overflow(a); return true; }
    const s = cI(a), n = <i64>cA(a);
    if (neg) setTs(a, s - d / NS, n - d % NS, tsOff(a)); else setTs(a, s + d / NS, n + d % NS, tsOff(a));
    return true;
  }
  if (ta == Tag.DURATION && tb == Tag.TIMESTAMP && !neg) {
    const d = durNanos(a);
    if (!durOk) { overflow(a); return true; }
    setTs(a, cI(b) + d / NS, <i64>cA(b) + d % NS, tsOff(b));
    return true;
  }
  if (ta == Tag.DURATION && tb == Tag.DURATION) {
    const x = durNanos(a); const ok1 = durOk;
    const y = durNanos(b);
    if (!ok1 || !durOk) { overflow(a); return true; }
    const r = neg ? x - y : x + y;
    const ovf = neg ? ((x ^ y) & (x ^ r)) < 0 : ((x ^ r) & (y ^ r)) < 0;
    if (ovf) overflow(a); else setDur(a, r);
    return true;
  }
  if (ta == Tag.TIMESTAMP && tb == Tag.TIMESTAMP && neg) {
    tsDiff(a, cI(a), <i64>cA(a), cI(b), <i64>cA(b));
    return true;
  }
  return false;
}

/** (s1,n1) - (s2,n2) as a duration into c (OVERFLOW beyond ±2^63 ns, as Go's checked Sub). */
export function tsDiff(c: usize, s1: i64, n1: i64, s2: i64, n2: i64): void {
  const ds = s1 - s2; // both in the timestamp range: cannot overflow
  if (ds > 9223372035 || ds < -9223372035) { overflow(c); return; }
  setDur(c, ds * NS + (n1 - n2));
}

// ---- civil calendar ------------------------------------------------------------------------

export function daysFromCivil(y: i64, m: i64, d: i64): i64 {
  y -= m <= 2 ? 1 : 0;
  const era = (y >= 0 ? y : y - 399) / 400;
  const yoe = y - era * 400;
  const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

let cy: i64 = 0, cm: i32 = 0, cd: i32 = 0;
function civilFromDays(z: i64): void {
  z += 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  cd = <i32>(doy - (153 * mp + 2) / 5 + 1);
  cm = <i32>(mp < 10 ? mp + 3 : mp - 9);
  cy = yoe + era * 400 + (cm <= 2 ? 1 : 0);
}

function floorDiv(a: i64, b: i64): i64 { const q = a / b; return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q; }

/** Parses a fixed offset "+hh:mm" / "-hh:mm" / "UTC" / "Z" into seconds; i64.MIN_VALUE if not one. */
export function parseOffset(p: usize, n: u32): i64 {
  if (n == 0 || eqWord(p, n, 0x435455 /* "UTC" */) || eqWord(p, n, 0x5a /* "Z" */)) return 0;
  if (n == 6 && load<u8>(p + 3) == 58) {
    const sign = load<u8>(p);
    const h = readDigits(p + 1, 2), m = readDigits(p + 4, 2);
    if ((sign == 43 || sign == 45) && h >= 0 && m >= 0 && h < 24 && m < 60) {
      const s = <i64>(h * 3600 + m * 60);
      return sign == 45 ? -s : s;
    }
  }
  return i64.MIN_VALUE;
}

export const G_YEAR: i32 = 0, G_MONTH = 1, G_DATE = 2, G_DAY_OF_MONTH = 3, G_DAY_OF_WEEK = 4,
  G_DAY_OF_YEAR = 5, G_HOURS = 6, G_MINUTES = 7, G_SECONDS = 8, G_MILLIS = 9;

/** Timestamp getter g in a zone offset (seconds) into out. */
export function tsGet(out: usize, s: i64, nanos: i32, off: i64, g: i32): void {
  const t = s + off;
  const days = floorDiv(t, 86400);
  const sod = t - days * 86400;
  let v: i64 = 0;
  if (g <= G_DAY_OF_YEAR) {
    civilFromDays(days);
    if (g == G_YEAR) v = cy;
    else if (g == G_MONTH) v = cm - 1;
    else if (g == G_DATE) v = cd;
    else if (g == G_DAY_OF_MONTH) v = cd - 1;
    else if (g == G_DAY_OF_WEEK) { v = (days + 4) % 7; if (v < 0) v += 7; }
    else v = days - daysFromCivil(cy, 1, 1);
  } else if (g == G_HOURS) v = sod / 3600;
  else if (g == G_MINUTES) v = (sod / 60) % 60;
  else if (g == G_SECONDS) v = sod % 60;
  else v = nanos / 1_000_000;
  setInt(out, v);
}

/** Duration getters are totals (Go's Hours()/Minutes()/Seconds()/Milliseconds(), truncated). */
export function durGet(out: usize, c: usize, g: i32): bool {
  const s = cI(c), n = <i64><i32>cA(c);
  if (g == G_HOURS) setInt(out, s / 3600);
  else if (g == G_MINUTES) setInt(out, s / 60);
  else if (g == G_SECONDS) setInt(out, s);
  else if (g == G_MILLIS) setInt(out, s * 1000 + n / 1_000_000);
  else return false;
  return true;
}

// ---- parsing -------------------------------------------------------------------------------

/** RFC 3339 (Go's time.RFC3339 parser): YYYY-MM-DDTHH:MM:SS[.frac](Z|±hh:mm). */
export function parseTimestamp(out: usize, p: usize, n: u32): void {
  if (n < 20) { badConversion(out); return; }
  const y = readDigits(p, 4), mo = readDigits(p + 5, 2), d = readDigits(p + 8, 2);
  const h = readDigits(p + 11, 2), mi = readDigits(p + 14, 2), se = readDigits(p + 17, 2);
  const t = load<u8>(p + 10);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 ||
      load<u8>(p + 4) != 45 || load<u8>(p + 7) != 45 || (t != 84 && t != 116) ||
      load<u8>(p + 13) != 58 || load<u8>(p + 16) != 58) { badConversion(out); return; }
  const dim = mo == 2 ? ((y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28) : (mo == 4 || mo == 6 || mo == 9 || mo == 11) ? 30 : 31;
  if (d > dim) { badConversion(out); return; }
  let i: u32 = 19;
  let nanos: i64 = 0;
  if (load<u8>(p + i) == 46) {
    i++;
    let digits = 0;
    while (i < n) {
      const c = <i32>load<u8>(p + i) - 48;
      if (c < 0 || c > 9) break;
      if (digits < 9) { nanos = nanos * 10 + c; digits++; }
      i++;
    }
    if (digits == 0) { badConversion(out); return; }
    while (digits < 9) { nanos *= 10; digits++; }
  }
  let off: i64 = 0;
  const z = load<u8>(p + i);
  if ((z == 90 || z == 122) && i + 1 == n) off = 0;
  else if (i + 6 == n) {
    off = parseOffset(p + i, 6);
    if (off == i64.MIN_VALUE || z == 85 || z == 90) { badConversion(out); return; }
  } else { badConversion(out); return; }
  const secs = daysFromCivil(y, mo, d) * 86400 + <i64>(h * 3600 + mi * 60 + se) - off;
  setTs(out, secs, nanos, <i32>(off / 60));
}

/** Go's time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+ or "0". */
export function parseDuration(out: usize, p: usize, n: u32): void {
  let i: u32 = 0;
  let neg = false;
  if (n > 0 && (load<u8>(p) == 45 || load<u8>(p) == 43)) { neg = load<u8>(p) == 45; i = 1; }
  if (n - i == 1 && load<u8>(p + i) == 48) { setDur(out, 0); return; }
  if (i >= n) { badConversion(out); return; }
  let total: u64 = 0;
  while (i < n) {
    let whole: u64 = 0, frac: u64 = 0, scale: u64 = 1;
    let any = false;
    while (i < n) {
      const c = <i32>load<u8>(p + i) - 48;
      if (c < 0 || c > 9) break;
      if (whole > 922337203685477580) { badConversion(out); return; }
      whole = whole * 10 + <u64>c; any = true; i++;
    }
    if (i < n && load<u8>(p + i) == 46) {
      i++;
      while (i < n) {
        const c = <i32>load<u8>(p + i) - 48;
        if (c < 0 || c > 9) break;
        if (scale < 1_000_000_000_000_000_000) { frac = frac * 10 + <u64>c; scale *= 10; }
        any = true; i++;
      }
    }
    if (!any) { badConversion(out); return; }
    const u0 = i;
    while (i < n) {
      const c = load<u8>(p + i);
      if (c == 46 || (c >= 48 && c <= 57)) break;
      i++;
    }
    const un = i - u0, up = p + u0;
    let unit: u64 = 0;
    if (eqWord(up, un, 0x736e /* "ns" */)) unit = 1;
    else if (eqWord(up, un, 0x7375 /* "us" */) || (un == 3 && load<u8>(up + 2) == 115 &&
      ((load<u8>(up) == 0xc2 && load<u8>(up + 1) == 0xb5) || (load<u8>(up) == 0xce && load<u8>(up + 1) == 0xbc)))) unit = 1000;
    else if (eqWord(up, un, 0x736d /* "ms" */)) unit = 1_000_000;
    else if (eqWord(up, un, 0x73 /* "s" */)) unit = 1_000_000_000;
    else if (eqWord(up, un, 0x6d /* "m" */)) unit = 60_000_000_000;
    else if (eqWord(up, un, 0x68 /* "h" */)) unit = 3_600_000_000_000;
    else { badConversion(out); return; }
    if (whole > 9223372036854775807 / unit) { badConversion(out); return; }
    let v = whole * unit;
    if (frac > 0) v += <u64>(<f64>frac * (<f64>unit / <f64>scale));
    total += v;
    if (total > 9223372036854775808) { badConversion(out); return; }
  }
  if (!neg && total > 9223372036854775807) { badConversion(out); return; }
  setDur(out, neg ? <i64>(0 - total) : <i64>total);
}

// ---- formatting ----------------------------------------------------------------------------

/** RFC 3339 text of a timestamp in UTC, trailing fraction zeros trimmed like Go's RFC3339Nano
 *  (".1Z", not ".100Z"; checked against Cerbos in test/conformance/functions-differential). */
export function formatTimestamp(out: usize, s: i64, nanos: i32, off: i32): void {
  s += <i64>off * 60;
  const days = floorDiv(s, 86400);
  const sod = <i32>(s - days * 86400);
  civilFromDays(days);
  let fl: u32 = 0, frac = nanos;
  if (nanos != 0) { fl = 10; while (frac % 10 == 0) { frac /= 10; fl--; } }
  const p = newStr(out, 20 + fl + (off != 0 ? 5 : 0));
  if (p == 0) return;
  writePadded(p, <u32>cy, 4); store<u8>(p + 4, 45);
  writePadded(p + 5, <u32>cm, 2); store<u8>(p + 7, 45);
  writePadded(p + 8, <u32>cd, 2); store<u8>(p + 10, 84);
  writePadded(p + 11, <u32>(sod / 3600), 2); store<u8>(p + 13, 58);
  writePadded(p + 14, <u32>((sod / 60) % 60), 2); store<u8>(p + 16, 58);
  writePadded(p + 17, <u32>(sod % 60), 2);
  if (fl != 0) {
    store<u8>(p + 19, 46);
    writePadded(p + 20, <u32>frac, fl - 1);
  }
  const z = p + 19 + fl;
  if (off == 0) { store<u8>(z, 90); return; } // Z
  const a = off < 0 ? -off : off;
  store<u8>(z, off < 0 ? 45 : 43);
  writePadded(z + 1, <u32>(a / 60), 2); store<u8>(z + 3, 58);
  writePadded(z + 4, <u32>(a % 60), 2);
}

const fmtBuf: usize = memory.data(40);

/** CEL's duration text: seconds with up to 9 fraction digits and an "s", e.g. "5400s", "-1.5s". */
export function formatDuration(out: usize, s: i64, nanos: i32): void {
  const buf = fmtBuf;
  let i: u32 = 0;
  if (s < 0 || nanos < 0) { store<u8>(buf, 45); i = 1; }
  i += writeU64(buf + i, <u64>(s < 0 ? -s : s));
  let n = nanos < 0 ? -nanos : nanos;
  if (n != 0) {
    store<u8>(buf + i, 46); i++;
    let w: u32 = 9;
    while (n % 10 == 0) { n /= 10; w--; }
    writePadded(buf + i, <u32>n, w); i += w;
  }
  store<u8>(buf + i, 115); i++;
  const p = newStr(out, i);
  if (p != 0) memory.copy(p, buf, i);
}

