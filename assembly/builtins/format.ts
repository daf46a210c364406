// "...".format([args]) from cel-go's strings extension, the common verbs: %s %v %d %f (with
// precision) %e %x %X %o %b %%. Output is assembled in a static scratch buffer and copied to the
// arena; text over FMT_MAX bytes is ERROR BUDGET_EXCEEDED rather than a trap.
import { Tag, Builtin, CelError, DIGITS_FIXED } from "../../spec/format";
import { tagOf, cA, cB, cI, cF, cP, setErr, setErrCode, newStr, payloadOk, noOverload } from "../value";
import { putWord } from "../strings";
import { fmtNum } from "./numfmt";
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
  if (fail != 0) { setErrCode(a, fail); return true; }
  const o = newStr(a, w);
  if (o != 0) memory.copy(o, buf, w);
  return true;
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


