// CEL arithmetic operators (+ - * / % and unary -). Operands never mix types (cel-go has no
// int+double overload); int64/uint64 overflow and division/modulus by zero are errors, never
// traps (wasm's i64.div_s traps on MIN/-1 and on /0, so both are screened first).
import { Tag, Op, CelError, CELL_SIZE } from "../../spec/format";
import { tagOf, cA, cB, cI, cF, cP, setInt, setUint, setDouble, setErr, setErrCode, setPtr, newStr, payloadOk, noOverload, overBudget, overflow } from "../value";
import { arenaAlloc } from "../arena";
import { timeAdd, setDur, durNanos, durOk } from "./time";

/** a OP b, result into a. Error operands were screened by the caller. */
export function arith(op: u32, a: usize, b: usize): void {
  const ta = tagOf(a), tb = tagOf(b);
  if (ta == Tag.INT && tb == Tag.INT) { intOp(op, a, cI(a), cI(b)); return; }
  if (ta == Tag.UINT && tb == Tag.UINT) { uintOp(op, a, cB(a), cB(b)); return; }
  if (ta == Tag.DOUBLE && tb == Tag.DOUBLE) {
    const x = cF(a), y = cF(b);
    if (op == Op.ADD) setDouble(a, x + y);
    else if (op == Op.SUB) setDouble(a, x - y);
    else if (op == Op.MUL) setDouble(a, x * y);
    else if (op == Op.DIV) setDouble(a, x / y); // IEEE: /0 is ±Inf or NaN, as in cel-go
    else noOverload(a);
    return;
  }
  if (op == Op.ADD || op == Op.SUB) {
    if (timeAdd(a, b, op == Op.SUB)) return;
    if (op == Op.ADD && ta == tb && (ta == Tag.STRING || ta == Tag.BYTES || ta == Tag.LIST)) { concat(a, b); return; }
  }
  noOverload(a);
}

function intOp(op: u32, c: usize, x: i64, y: i64): void {
  let r: i64 = 0;
  if (op == Op.ADD) { r = x + y; if (((x ^ r) & (y ^ r)) < 0) { overflow(c); return; } }
  else if (op == Op.SUB) { r = x - y; if (((x ^ y) & (x ^ r)) < 0) { overflow(c); return; } }
  else if (op == Op.MUL) {
    if ((x == -1 && y == i64.MIN_VALUE) || (y == -1 && x == i64.MIN_VALUE)) { overflow(c); return; }
    r = x * y;
    if (x != 0 && r / x != y) { overflow(c); return; }
  } else if (op == Op.DIV || op == Op.MOD) {
    if (y == 0) { setErr(c, op == Op.DIV ? CelError.DIVISION_BY_ZERO : CelError.MODULUS_BY_ZERO, 0); return; }
    if (y == -1 && x == i64.MIN_VALUE) { overflow(c); return; }
    r = op == Op.DIV ? x / y : x % y;
  } else { noOverload(c); return; }
  setInt(c, r);
}

function uintOp(op: u32, c: usize, x: u64, y: u64): void {
  let r: u64 = 0;
  if (op == Op.ADD) { r = x + y; if (r < x) { overflow(c); return; } }
  else if (op == Op.SUB) { if (y > x) { overflow(c); return; } r = x - y; }
  else if (op == Op.MUL) { r = x * y; if (x != 0 && r / x != y) { overflow(c); return; } }
  else if (op == Op.DIV || op == Op.MOD) {
    if (y == 0) { setErr(c, op == Op.DIV ? CelError.DIVISION_BY_ZERO : CelError.MODULUS_BY_ZERO, 0); return; }
    r = op == Op.DIV ? x / y : x % y;
  } else { noOverload(c); return; }
  setUint(c, r);
}

/** Unary minus in place: int (MIN overflows), double, duration. uint has no negation in CEL. */
export function negate(c: usize): void {
  const t = tagOf(c);
  if (t == Tag.INT) { const x = cI(c); if (x == i64.MIN_VALUE) overflow(c); else setInt(c, -x); }
  else if (t == Tag.DOUBLE) setDouble(c, -cF(c));
  else if (t == Tag.DURATION) { const d = durNanos(c); if (!durOk || d == i64.MIN_VALUE) overflow(c); else setDur(c, -d); }
  else if (t != Tag.ERROR) noOverload(c);
}

/** string+string, bytes+bytes, list+list into a fresh arena block. */
function concat(a: usize, b: usize): void {
  if (!payloadOk(a) || !payloadOk(b)) { setErrCode(a, CelError.INVALID_ARGUMENT); return; }
  const t = tagOf(a);
  const na = cA(a), nb = cA(b);
  const n = na + nb;
  if (n < na) { overBudget(a); return; }
  if (nb == 0) return;
  if (na == 0) { memory.copy(a, b, CELL_SIZE); return; }
  const unit: usize = t == Tag.LIST ? 16 : 1;
  const pa = cP(a), pb = cP(b);
  if (t == Tag.LIST) {
    const p = arenaAlloc(<usize>n * unit);
    if (p == 0) { overBudget(a); return; }
    memory.copy(p, pa, <usize>na * unit);
    memory.copy(p + <usize>na * unit, pb, <usize>nb * unit);
    setPtr(a, t, n, p);
    return;
  }
  const p = newStr(a, n);
  if (p == 0) return;
  memory.copy(p, pa, na);
  memory.copy(p + na, pb, nb);
  if (t == Tag.BYTES) setPtr(a, Tag.BYTES, n, p);
}
