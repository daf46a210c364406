// cel-go extension functions that only reshape bits and bytes: ext.Math's bit operations,
// ext.Encoders' base64, ext.Strings' quote. One file because they share nothing with the
// numeric, string-search or time families and each is a few dozen bytes of wasm.
import { Tag, Builtin, CelError } from "../../spec/format";
import { tagOf, cA, cB, cP, setCell, setErrCode, setPtr, newStr, payloadOk } from "../value";
import { arenaAlloc } from "../arena";

export function callCodec(fn: u32, a: usize, argc: u32): bool {
  if (fn >= <u32>Builtin.MATH_BIT_AND && fn <= <u32>Builtin.MATH_BIT_SHIFT_RIGHT) bits(fn, a, argc);
  else if (fn == Builtin.BASE64_ENCODE) encode64(a);
  else if (fn == Builtin.BASE64_DECODE) decode64(a);
  else if (fn == Builtin.QUOTE) quote(a);
  else return false;
  return true;
}

/** ext.Math: both operands int or both uint (shifts: int or uint by an int). A shift past 63 is 0,
 *  a negative one an error; right shifts are logical for ints too (cel-go shifts the bits as uint). */
function bits(fn: u32, a: usize, argc: u32): void {
  const t = tagOf(a), b = a + 16, x = cB(a), y = cB(b);
  const want = fn >= <u32>Builtin.MATH_BIT_SHIFT_LEFT ? <u32>Tag.INT : t;
  if ((t != Tag.INT && t != Tag.UINT) || (argc == 2 && tagOf(b) != want)) { setErrCode(a, CelError.NO_MATCHING_OVERLOAD); return; }
  let r: u64;
  switch (fn) {
    case Builtin.MATH_BIT_AND: r = x & y; break;
    case Builtin.MATH_BIT_OR: r = x | y; break;
    case Builtin.MATH_BIT_XOR: r = x ^ y; break;
    case Builtin.MATH_BIT_NOT: r = ~x; break;
    default:
      if (<i64>y < 0) { setErrCode(a, CelError.INVALID_ARGUMENT); return; }
      r = y > 63 ? 0 : fn == Builtin.MATH_BIT_SHIFT_LEFT ? x << y : x >> y;
  }
  setCell(a, t, 0, r);
}

/** The standard alphabet by arithmetic: A–Z, a–z, 0–9, +, / (no 64-byte table in data). */
function b64char(v: u32): u8 {
  return <u8>(v < 26 ? v + 65 : v < 52 ? v + 71 : v < 62 ? v - 4 : v == 62 ? 43 : 47);
}

/** bytes → standard base64 with padding. */
export function encode64(a: usize): void {
  if (tagOf(a) != Tag.BYTES || !payloadOk(a)) { setErrCode(a, CelError.NO_MATCHING_OVERLOAD); return; }
  const p = cP(a), n = cA(a);
  const o = newStr(a, (n + 2) / 3 * 4);
  if (o == 0) return;
  let j: usize = o;
  for (let i: u32 = 0; i < n; i += 3) {
    const rest = n - i;
    const v = (<u32>load<u8>(p + i) << 16) | (rest > 1 ? <u32>load<u8>(p + i + 1) << 8 : 0) | (rest > 2 ? <u32>load<u8>(p + i + 2) : 0);
    for (let k: u32 = 0; k < 4; k++) {
      store<u8>(j + k, k > rest ? 61 /* = */ : b64char((v >> (18 - 6 * k)) & 63));
    }
    j += 4;
  }
}

function sextet(c: u32): i32 {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  return c == 43 ? 62 : c == 47 ? 63 : -1;
}

/** string → bytes: standard base64, padded or (as cel-go falls back to) unpadded. Anything else,
 *  is an error; leftover bits in the last character are ignored, as Go's (non-strict) decoder does. */
function decode64(a: usize): void {
  if (tagOf(a) != Tag.STRING || !payloadOk(a)) { setErrCode(a, CelError.NO_MATCHING_OVERLOAD); return; }
  const p = cP(a);
  let n = cA(a);
  if ((n & 3) == 0 && n > 0 && load<u8>(p + n - 1) == 61) n -= load<u8>(p + n - 2) == 61 ? 2 : 1;
  if ((n & 3) == 1) { setErrCode(a, CelError.INVALID_ARGUMENT); return; }
  const out = arenaAlloc(<usize>(n * 3 / 4) + 1);
  if (out == 0) { setErrCode(a, CelError.BUDGET_EXCEEDED); return; }
  let acc: u32 = 0, bitsHeld: u32 = 0, m: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const s = sextet(load<u8>(p + i));
    if (s < 0) { setErrCode(a, CelError.INVALID_ARGUMENT); return; }
    acc = (acc << 6) | <u32>s;
    bitsHeld += 6;
    if (bitsHeld >= 8) { bitsHeld -= 8; store<u8>(out + m++, <u8>(acc >> bitsHeld)); }
  }
  setPtr(a, Tag.BYTES, m, out);
}

/** strings.quote: a double-quoted literal; \a \b \f \n \r \t \v \\ \" escaped, the rest verbatim. */
function quote(a: usize): void {
  if (tagOf(a) != Tag.STRING || !payloadOk(a)) { setErrCode(a, CelError.NO_MATCHING_OVERLOAD); return; }
  const p = cP(a), n = cA(a);
  const out = arenaAlloc(<usize>n * 2 + 2);
  if (out == 0) { setErrCode(a, CelError.BUDGET_EXCEEDED); return; }
  let m: u32 = 0;
  store<u8>(out + m++, 34);
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(p + i);
    // \a..\r are 7..13 → "abtnvfr" (packed little-endian in one word); " and \ escape themselves.
    const e: u32 = c >= 7 && c <= 13 ? <u32>(<u64>0x7266766e746261 >> ((c - 7) << 3)) & 0xff : c == 34 || c == 92 ? c : 0;
    if (e != 0) store<u8>(out + m++, 92);
    store<u8>(out + m++, <u8>(e != 0 ? e : c));
  }
  store<u8>(out + m++, 34);
  setPtr(a, Tag.STRING, m, out);
}
