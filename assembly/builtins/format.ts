// "...".format([args]) from cel-go's strings extension, the common verbs: %s %v %d %f (with
// precision) %e %x %X %o %b %%, and json.encode(v). Output is assembled in a static scratch
// buffer and copied to the arena; text over FMT_MAX bytes is ERROR BUDGET_EXCEEDED, not a trap.
import { Tag, Builtin, CelError, DIGITS_FIXED } from "../../spec/format";
import { tagOf, cA, cB, cI, cF, cP, setErr, setErrCode, newStr, payloadOk, noOverload, copyCell } from "../value";
import { putWord, bytesCmp } from "../strings";
import { spendSteps } from "../arena";
import { encode64 } from "./codec";
import { fmtNum, fmtJson } from "./numfmt";
import { formatTimestamp, formatDuration, tsOff } from "./time";
import { scalarText } from "./conv";

const FMT_MAX: u32 = 4096;
const buf: usize = memory.data(4096 + 64);
const cellTmp: usize = memory.data(32); // a scalar's text, or a STRING cell
let w: u32 = 0;
let fail: CelError = 0;

function room(n: u32): bool {
  if (w + n > FMT_MAX) { fail = CelError.BUDGET_EXCEEDED; return false; }
  return true;
}
function put(p: usize, n: u32): void { if (room(n)) { memory.copy(buf + w, p, n); w += n; } }
function putc(c: u32): void { if (room(1)) { store<u8>(buf + w, <u8>c); w++; } }

export function callFormat(fn: u32, a: usize, argc: u32): bool {
  if (fn == Builtin.JSON_ENCODE) {
    w = 0; fail = 0;
    json(a, 0);
    return done(a);
  }
  if (fn != Builtin.FORMAT) return false;
  const l = a + 16;
  if (argc != 2 || tagOf(a) != Tag.STRING || tagOf(l) != Tag.LIST || !payloadOk(a) || !payloadOk(l)) {
    noOverload(a); return true;
  }
  w = 0; fail = 0;
  const p = cP(a), n = cA(a);
  let argi: u32 = 0;
  for (let i: u32 = 0; i < n && fail == 0; i++) {
    const c = <u32>load<u8>(p + i);
    if (c != 37) { putc(c); continue; }
    i++;
    if (i >= n) { fail = CelError.INVALID_ARGUMENT; break; }
    let prec: i32 = -1;
    if (load<u8>(p + i) == 46) {
      prec = 0; i++;
      while (i < n && <u32>load<u8>(p + i) - 48 < 10) { prec = prec * 10 + <i32>load<u8>(p + i) - 48; if (prec > 100) prec = 100; i++; }
      if (i >= n) { fail = CelError.INVALID_ARGUMENT; break; }
    }
    const v = <u32>load<u8>(p + i);
    if (v == 37) { putc(37); continue; }
    if (argi >= cA(l)) { fail = CelError.INDEX_OUT_OF_RANGE; break; }
    verb(v, cP(l) + (<usize>argi << 4), prec);
    argi++;
  }
  return done(a);
}

function done(a: usize): bool {
  if (fail != 0) { setErrCode(a, fail); return true; }
  const o = newStr(a, w);
  if (o != 0) memory.copy(o, buf, w);
  return true;
}

const MAX_SAFE: u64 = (1 << 53) - 1;

/** json.encode: the value as cel-go converts it to JSON (ints beyond ±(2^53 − 1) as strings,
 *  bytes as base64, timestamps and durations as their string() text, maps need string keys),
 *  written like Go's encoding/json (compact, keys sorted, HTML-safe escapes). */
function json(x: usize, depth: i32): void {
  if (depth > 32) { fail = CelError.BUDGET_EXCEEDED; return; }
  const t = tagOf(x);
  if (t == Tag.DOUBLE) {
    const d = cF(x);
    if (!isFinite(d)) { fail = CelError.INVALID_ARGUMENT; return; } // JSON has no NaN/Inf
    if (room(32)) w += fmtJson(buf + w, d);
    return;
  }
  if (t == Tag.INT || t == Tag.UINT) {
    const v = cI(x), big = t == Tag.INT ? (v > <i64>MAX_SAFE || v < -<i64>MAX_SAFE) : <u64>v > MAX_SAFE;
    if (big) putc(34);
    put(cellTmp, <u32>scalarText(cellTmp, x));
    if (big) putc(34);
    return;
  }
  if (t == Tag.BOOL || t == Tag.NULL) { str(x, 0); return; }
  if (t == Tag.STRING || t == Tag.BYTES || t == Tag.TIMESTAMP || t == Tag.DURATION) {
    let s = x;
    if (t != Tag.STRING) {
      copyCell(cellTmp, x);
      if (t == Tag.BYTES) encode64(cellTmp);
      else if (t == Tag.TIMESTAMP) formatTimestamp(cellTmp, cI(x), <i32>cA(x), tsOff(x));
      else formatDuration(cellTmp, cI(x), <i32>cA(x));
      s = cellTmp;
    }
    if (tagOf(s) != Tag.STRING || !payloadOk(s)) { fail = CelError.INVALID_ARGUMENT; return; }
    quoteJson(cP(s), cA(s));
    return;
  }
  if ((t != Tag.LIST && t != Tag.MAP) || !payloadOk(x)) { fail = CelError.INVALID_ARGUMENT; return; }
  const n = cA(x), p = cP(x);
  if (t == Tag.LIST) {
    putc(91);
    for (let i: u32 = 0; i < n && fail == 0; i++) { if (i > 0) putc(44); json(p + (<usize>i << 4), depth + 1); }
    putc(93);
    return;
  }
  // Keys in byte order, as Go sorts them: each round takes the smallest key above the last one
  // (CEL map keys are unique), paid from the step budget.
  putc(123);
  let last: usize = 0;
  for (let i: u32 = 0; i < n && fail == 0; i++) {
    if (!spendSteps(<i32>n)) { fail = CelError.BUDGET_EXCEEDED; return; }
    let best: usize = 0;
    for (let j: u32 = 0; j < n; j++) {
      const k = p + (<usize>j << 5);
      if (tagOf(k) != Tag.STRING || !payloadOk(k)) { fail = CelError.INVALID_ARGUMENT; return; } // JSON keys are strings
      if ((last == 0 || keyCmp(k, last) > 0) && (best == 0 || keyCmp(k, best) < 0)) best = k;
    }
    if (i > 0) putc(44);
    quoteJson(cP(best), cA(best));
    putc(58);
    json(best + 16, depth + 1);
    last = best;
  }
  putc(125);
}

function keyCmp(a: usize, b: usize): i32 { return bytesCmp(cP(a), cA(a), cP(b), cA(b)); }

/** A JSON string as Go's encoding/json writes it: ", \\, \n, \r, \t, \b, \f escaped by name,
 *  other controls and <, >, &, U+2028, U+2029 as \u00XX/\u20XX. */
function quoteJson(p: usize, n: u32): void {
  putc(34);
  for (let i: u32 = 0; i < n && fail == 0; i++) {
    const c = <u32>load<u8>(p + i);
    let e: u32 = 0; // a named escape's letter
    if (c == 34 || c == 92) e = c;
    else if (c == 10) e = 110;
    else if (c == 13) e = 114;
    else if (c == 9) e = 116;
    else if (c == 8) e = 98;
    else if (c == 12) e = 102;
    if (e != 0) { putc(92); putc(e); continue; }
    let u: u32 = 0xffffffff; // a \u escape's code unit
    if (c < 32 || c == 60 || c == 62 || c == 38) u = c;
    else if (c == 0xe2 && i + 2 < n && load<u8>(p + i + 1) == 0x80 && (load<u8>(p + i + 2) | 1) == 0xa9) { u = 0x2028 | (<u32>load<u8>(p + i + 2) & 1); i += 2; }
    if (u == 0xffffffff) { putc(c); continue; }
    if (!room(6)) return;
    store<u16>(buf + w, 0x755c); // "\u"
    for (let k: u32 = 0; k < 4; k++) store<u8>(buf + w + 2 + k, <u8>hexDigit((u >> (12 - 4 * k)) & 15, false));
    w += 6;
  }
  putc(34);
}

function verb(v: u32, x: usize, prec: i32): void {
  const t = tagOf(x);
  if (v == 115 || v == 118) { str(x, 0); return; } // %s %v
  if (v == 100) { // %d
    if (t == Tag.INT || t == Tag.UINT || (t == Tag.DOUBLE && !isFinite(cF(x)))) put(cellTmp, scalarText(cellTmp, x));
    else fail = CelError.INVALID_ARGUMENT;
    return;
  }
  if (v == 102 || v == 101) { // %f %e
    let d: f64 = 0;
    if (t == Tag.DOUBLE) d = cF(x); else if (t == Tag.INT) d = <f64>cI(x); else if (t == Tag.UINT) d = <f64>cB(x);
    else { fail = CelError.INVALID_ARGUMENT; return; }
    if (prec < 0) prec = 6;
    if (v == 102 && Math.abs(d) >= 1e21 && isFinite(d)) { fail = CelError.UNSUPPORTED; return; }
    if (room(<u32>prec + 32)) w += fmtNum(buf + w, d, v == 102 ? DIGITS_FIXED + prec : prec); // %f positional, %e d.ddde±XX
    return;
  }
  if (v == 120 || v == 88 || v == 111 || v == 98) { // %x %X %o %b
    const base: u64 = v == 111 ? 8 : v == 98 ? 2 : 16;
    const upper = v == 88;
    if (t == Tag.STRING || t == Tag.BYTES) {
      if (base != 16 || !payloadOk(x)) { fail = CelError.INVALID_ARGUMENT; return; }
      const s = cP(x);
      for (let i: u32 = 0; i < cA(x); i++) { const b = <u32>load<u8>(s + i); putc(hexDigit(b >> 4, upper)); putc(hexDigit(b & 15, upper)); }
      return;
    }
    let u: u64 = 0;
    if (t == Tag.INT) { const i = cI(x); if (i < 0) { putc(45); u = <u64>(0 - i); } else u = <u64>i; }
    else if (t == Tag.UINT) u = cB(x);
    else { fail = CelError.INVALID_ARGUMENT; return; }
    const tmp = buf + FMT_MAX; // 64 spare bytes after the output area
    let k: u32 = 0;
    do { store<u8>(tmp + k, <u8>hexDigit(<u32>(u % base), upper)); k++; u /= base; } while (u != 0);
    while (k > 0) { k--; putc(<u32>load<u8>(tmp + k)); }
    return;
  }
  fail = CelError.INVALID_ARGUMENT;
}

function hexDigit(d: u32, upper: bool): u32 { return d < 10 ? 48 + d : (upper ? 55 : 87) + d; }

/** %s of any value; depth bounds nesting (request data could be deep or cyclic). */
function str(x: usize, depth: i32): void {
  if (depth > 32) { fail = CelError.BUDGET_EXCEEDED; return; }
  const t = tagOf(x);
  const k = scalarText(cellTmp, x); // int, uint, double, bool as string() writes them
  if (k >= 0) { put(cellTmp, k); return; }
  switch (t) {
    case Tag.STRING: case Tag.BYTES: if (payloadOk(x)) put(cP(x), cA(x)); else fail = CelError.INVALID_ARGUMENT; return;
    case Tag.NULL: if (room(4)) w += putWord(buf + w, 0x6c6c756e /* "null" */); return;
    case Tag.TIMESTAMP: case Tag.DURATION: {
      if (t == Tag.TIMESTAMP) formatTimestamp(cellTmp, cI(x), <i32>cA(x), tsOff(x)); else formatDuration(cellTmp, cI(x), <i32>cA(x));
      if (tagOf(cellTmp) == Tag.STRING) put(cP(cellTmp), cA(cellTmp)); else fail = CelError.BUDGET_EXCEEDED;
      return;
    }
    case Tag.LIST: case Tag.MAP: {
      if (!payloadOk(x)) { fail = CelError.INVALID_ARGUMENT; return; }
      const isMap = t == Tag.MAP;
      putc(isMap ? 123 : 91);
      const n = cA(x), p = cP(x);
      for (let i: u32 = 0; i < n && fail == 0; i++) {
        if (i > 0) { putc(44); putc(32); }
        if (isMap) { str(p + (<usize>i << 5), depth + 1); putc(58); putc(32); str(p + (<usize>i << 5) + 16, depth + 1); }
        else str(p + (<usize>i << 4), depth + 1);
      }
      putc(isMap ? 125 : 93);
      return;
    }
  }
  fail = CelError.INVALID_ARGUMENT;
}


