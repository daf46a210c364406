// Type conversions: int(), uint(), double(), string(), bool(), bytes(), dyn(), type(),
// timestamp(), duration() — with cel-go's range checks (errors, never wraps or traps).
import { Tag, Builtin, CelError } from "../../spec/format";
import { tagOf, cA, cB, cI, cF, cP, setInt, setUint, setDouble, setBool, setErr, setErrCode, setCell, setPtr, setStr, newStr, payloadOk, noOverload, overflow, badConversion } from "../value";
import { writeI64, writeU64, eqWord, putWord } from "../strings";
import { parseTimestamp, parseDuration, setTs, formatTimestamp, formatDuration, TS_MIN, TS_MAX, tsOff } from "./time";
import { fmtG, parseInt64, parseF64, parseOk } from "./numfmt";

const tmp: usize = memory.data(40);
/** Go's strconv.ParseBool spellings as little-endian words: six true, then six false. */
const BOOL_WORDS = memory.data<u64>([
  0x65757274 /* "true" */, 0x65757254 /* "True" */, 0x45555254 /* "TRUE" */, 0x74 /* "t" */, 0x54 /* "T" */, 0x31 /* "1" */,
  0x65736c6166 /* "false" */, 0x65736c6146 /* "False" */, 0x45534c4146 /* "FALSE" */, 0x66 /* "f" */, 0x46 /* "F" */, 0x30 /* "0" */,
]);

/** string() text of an int, uint, double or bool cell at out (≤ 32 bytes); -1 for other tags. */
export function scalarText(out: usize, c: usize): i32 {
  const t = tagOf(c);
  return t == Tag.INT ? writeI64(out, cI(c)) : t == Tag.UINT ? writeU64(out, cB(c)) : t == Tag.DOUBLE ? fmtG(out, cF(c)) :
    t == Tag.BOOL ? putWord(out, cB(c) != 0 ? 0x65757274 /* "true" */ : 0x65736c6166 /* "false" */) : -1;
}

export function callConv(fn: u32, a: usize, argc: u32): bool {
  if (fn < <u32>Builtin.TO_INT || fn > <u32>Builtin.TYPE || argc != 1) return false;
  const t = tagOf(a);
  const strOk = t == Tag.STRING && payloadOk(a);
  switch (fn) {
    case Builtin.TO_INT: {
      if (t == Tag.INT) return true;
      if (t == Tag.UINT) { if (cB(a) > <u64>i64.MAX_VALUE) overflow(a); else setInt(a, cI(a)); return true; }
      if (t == Tag.DOUBLE) {
        const d = cF(a);
        // cel-go: truncate; NaN, ±Inf and values outside (-2^63, 2^63) are range errors.
        if (!(d > -9223372036854775809.0 && d < 9223372036854775808.0)) overflow(a);
        else setInt(a, <i64>d);
        return true;
      }
      if (strOk) { const v = parseInt64(cP(a), cA(a), false); if (parseOk) setInt(a, <i64>v); else badConversion(a); return true; }
      if (t == Tag.TIMESTAMP) { setInt(a, cI(a)); return true; }
      break;
    }
    case Builtin.TO_UINT: {
      if (t == Tag.UINT) return true;
      if (t == Tag.INT) { if (cI(a) < 0) overflow(a); else setUint(a, cB(a)); return true; }
      if (t == Tag.DOUBLE) {
        const d = cF(a);
        if (!(d >= 0 && d < 18446744073709551616.0)) overflow(a);
        else setUint(a, <u64>d);
        return true;
      }
      if (strOk) { const v = parseInt64(cP(a), cA(a), true); if (parseOk) setUint(a, v); else badConversion(a); return true; }
      break;
    }
    case Builtin.TO_DOUBLE: {
      if (t == Tag.DOUBLE) return true;
      if (t == Tag.INT) { setDouble(a, <f64>cI(a)); return true; }
      if (t == Tag.UINT) { setDouble(a, <f64>cB(a)); return true; }
      if (strOk) { const v = parseF64(cP(a), cA(a)); if (parseOk) setDouble(a, v); else badConversion(a); return true; }
      break;
    }
    case Builtin.TO_STRING: {
      if (t == Tag.STRING) return true;
      const n = scalarText(tmp, a);
      if (n >= 0) {
        const p = newStr(a, n);
        if (p != 0) memory.copy(p, tmp, n);
        return true;
      }
      if (t == Tag.TIMESTAMP) { formatTimestamp(a, cI(a), <i32>cA(a), tsOff(a)); return true; }
      if (t == Tag.DURATION) { formatDuration(a, cI(a), <i32>cA(a)); return true; }
      if (t == Tag.BYTES && payloadOk(a)) {
        if (!validUtf8(cP(a), cA(a))) { badConversion(a); return true; }
        setStr(a, cP(a), cA(a));
        return true;
      }
      break;
    }
    case Builtin.TO_BOOL: {
      if (t == Tag.BOOL) return true;
      if (strOk) {
        const p = cP(a), n = cA(a);
        badConversion(a);
        for (let k: usize = 0; k < 12; k++) if (eqWord(p, n, load<u64>(BOOL_WORDS + (k << 3)))) setBool(a, k < 6);
        return true;
      }
      break;
    }
    case Builtin.TO_BYTES: {
      if (t == Tag.BYTES) return true;
      if (strOk) { setPtr(a, Tag.BYTES, cA(a), cP(a)); return true; }
      break;
    }
    case Builtin.DYN: return true;
    case Builtin.TYPE: { setCell(a, Tag.TYPE, t, 0); return true; }
    case Builtin.TIMESTAMP: {
      if (t == Tag.TIMESTAMP) return true;
      if (strOk) { parseTimestamp(a, cP(a), cA(a)); return true; }
      if (t == Tag.INT) { const s = cI(a); if (s < TS_MIN || s > TS_MAX) overflow(a); else setTs(a, s, 0); return true; }
      break;
    }
    case Builtin.DURATION: {
      if (t == Tag.DURATION) return true;
      if (strOk) { parseDuration(a, cP(a), cA(a)); return true; }
      break;
    }
  }
  noOverload(a);
  return true;
}

function validUtf8(p: usize, n: u32): bool {
  let i: u32 = 0;
  while (i < n) {
    const c = <u32>load<u8>(p + i);
    let k: u32 = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 && c >= 0xc2 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 && c <= 0xf4 ? 3 : 9;
    if (k == 9 || i + k >= n) return false;
    for (let j: u32 = 1; j <= k; j++) if ((load<u8>(p + i + j) & 0xc0) != 0x80) return false;
    i += k + 1;
  }
  return true;
}

