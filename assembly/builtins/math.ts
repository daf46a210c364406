// cel-go ext.Math functions that need no allocation: abs, ceil/floor/round/trunc, sign,
// isNaN/isInf/isFinite, sqrt, greatest/least (over arguments or one list).
import { Tag, Builtin, CelError } from "../../spec/format";
import { tagOf, cA, cB, cI, cF, cP, setInt, setDouble, setBool, setErr, setErrCode, copyCell, compare, payloadOk, CMP_NO_OVERLOAD, noOverload, overflow } from "../value";

export function callMath(fn: u32, a: usize, argc: u32): bool {
  const sqrt = fn == Builtin.MATH_SQRT;
  if (!sqrt && (fn < <u32>Builtin.MATH_GREATEST || fn > <u32>Builtin.MATH_IS_FINITE)) return false;
  const t = tagOf(a);
  if (fn == Builtin.MATH_GREATEST || fn == Builtin.MATH_LEAST) {
    let p = a, n = argc;
    if (argc == 1 && t == Tag.LIST && payloadOk(a)) { p = cP(a); n = cA(a); }
    if (n == 0) { setErrCode(a, CelError.INVALID_ARGUMENT); return true; }
    let best = p;
    for (let i: u32 = 0; i < n; i++) {
      const e = p + (<usize>i << 4);
      const et = tagOf(e);
      if (et != Tag.INT && et != Tag.UINT && et != Tag.DOUBLE) { noOverload(a); return true; }
      const r = compare(e, best);
      if (r == CMP_NO_OVERLOAD) { noOverload(a); return true; }
      if (fn == Builtin.MATH_GREATEST ? r == 1 : r == -1) best = e;
    }
    copyCell(a, best);
    return true;
  }
  if (argc != 1) { noOverload(a); return true; }
  if (sqrt) { // Go's math.Sqrt of float64(x) for every numeric type (negative: NaN)
    if (t == Tag.INT) setDouble(a, <f64>cI(a));
    else if (t == Tag.UINT) setDouble(a, <f64>cB(a));
    else if (t != Tag.DOUBLE) { noOverload(a); return true; }
    setDouble(a, Math.sqrt(cF(a)));
    return true;
  }
  if (t == Tag.INT || t == Tag.UINT) {
    if (fn == Builtin.MATH_ABS && t == Tag.INT) {
      const x = cI(a);
      if (x == i64.MIN_VALUE) overflow(a); else setInt(a, x < 0 ? -x : x);
    } else if (fn == Builtin.MATH_SIGN) {
      if (t == Tag.INT) { const x = cI(a); setInt(a, x > 0 ? 1 : x < 0 ? -1 : 0); }
      else store<u64>(a, cI(a) != 0 ? 1 : 0, 8);
    } else if (fn != Builtin.MATH_ABS) noOverload(a);
    return true;
  }
  if (t != Tag.DOUBLE) { noOverload(a); return true; }
  const d = cF(a);
  switch (fn) {
    case Builtin.MATH_ABS: setDouble(a, Math.abs(d)); break;
    case Builtin.MATH_CEIL: setDouble(a, Math.ceil(d)); break;
    case Builtin.MATH_FLOOR: setDouble(a, Math.floor(d)); break;
    case Builtin.MATH_ROUND: { const t = Math.trunc(d); setDouble(a, Math.abs(d - t) >= 0.5 ? t + (d < 0 ? -1 : 1) : t); break; } // Go's math.Round: half away from zero
    case Builtin.MATH_TRUNC: setDouble(a, Math.trunc(d)); break;
    case Builtin.MATH_SIGN: setDouble(a, d > 0 ? 1.0 : d < 0 ? -1.0 : d); break;
    case Builtin.MATH_IS_NAN: setBool(a, isNaN(d)); break;
    case Builtin.MATH_IS_INF: setBool(a, !isFinite(d) && !isNaN(d)); break;
    default: setBool(a, isFinite(d)); break;
  }
  return true;
}
