// The CEL virtual machine: runs one expression's bytecode (opcodes in spec/format.ts) over
// 16-byte cells. Stack, locals and computed values live in the per-check arena; nothing managed
// is allocated. It never traps: every operand, jump, constant, string and stack access is
// bounds-checked, malformed code yields ERROR INVALID_ARGUMENT, and the step budget and stack
// bound turn runaway evaluation into ERROR BUDGET_EXCEEDED.
import { Op, Tag, CelError, CELL_SIZE, EXPR_SIZE, EX_CODE_OFFSET, EX_CODE_LENGTH, EX_MAX_STACK, EX_LOCALS,
  VAR_SIZE, VA_NAME, ITER_NO_SECOND, NONE } from "../spec/format";
import { exprCount, exprRecords, codeBase, codeLength, constCount, constCells, varCount, varRecords } from "./ruleset";
import { varValues } from "./context";
import { arenaAlloc, spendSteps } from "./arena";
import {
  tagOf, cA, cB, cP, setCell, copyCell, setBool, setInt, setErr, setErrCode, setErrWith, setPtr, setCurExpr,
  isTrue, isFalse, equals, compare, mapFind, payloadOk, memOk, CMP_NO_OVERLOAD, CMP_UNORDERED, EQ_ERROR,
  noOverload, overBudget,
} from "./value";
import { arith, negate } from "./builtins/arith";
import { selectOp, loadRoot, sidCell } from "./builtins/fields";
import { callBuiltin } from "./builtins/index";
import { operandBytes } from "./codecheck";

export { isTrue, isFalse, isErr, tagOf } from "./value";
export { arenaReset, arenaAlloc } from "./arena";

/** Where the result goes when even a result cell cannot be allocated. */
const oomCell: usize = memory.data(16);

/** Evaluates EXPRS[expr] and returns a pointer to its result cell (valid until arenaReset). */
export function evalExpr(expr: u32): usize {
  setCurExpr(expr);
  let res = arenaAlloc(CELL_SIZE);
  if (res == 0) { overBudget(oomCell); return oomCell; }
  if (expr >= exprCount) { setErrCode(res, CelError.INVALID_ARGUMENT); return res; }
  const rec = exprRecords + <usize>expr * EXPR_SIZE;
  const off = load<u32>(rec, EX_CODE_OFFSET), len = load<u32>(rec, EX_CODE_LENGTH);
  if (<u64>off + <u64>len > <u64>codeLength) { setErrCode(res, CelError.INVALID_ARGUMENT); return res; }
  const maxStack = <usize>load<u16>(rec, EX_MAX_STACK) + 1; // +1: see the bound check in run()
  const nLocals = <u32>load<u16>(rec, EX_LOCALS);
  const base = arenaAlloc((maxStack + <usize>nLocals) << 4);
  if (base == 0) { overBudget(res); return res; }
  const locals = base + (maxStack << 4);
  for (let i: u32 = 0; i < nLocals; i++) setCell(locals + (<usize>i << 4), Tag.ABSENT, 0, 0);
  run(codeBase + off, codeBase + off + len, base, base + (maxStack << 4), locals, nLocals, res);
  return res;
}

function bad(res: usize): void { setErrCode(res, CelError.INVALID_ARGUMENT); }

/** Stack cells each opcode (0..NOT_STRICTLY_FALSE) needs, checked once before dispatch (the
 *  per-case checks cost ~0.2 KB); MK_LIST, MK_MAP and CALL check their counted operands. */
const MIN_DEPTH = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, // -, CONST .. LOAD_LOCAL
  1, 1, 1, 2, 1, 1, // STORE_LOCAL, SELECT, HAS, INDEX, POP, DUP
  0, 1, 1, 1, 2, 2, 1, 1, // JUMP, JUMP_IF_FALSE, AND_SHORT, OR_SHORT, AND, OR, NOT, NEG
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, // EQ .. MOD
  0, 0, 0, 1, 1, 1, 1, 1, 1, // MK_LIST, MK_MAP, CALL, BRANCH, ITER_INIT, ITER_NEXT, ITER_END, RET, NOT_STRICTLY_FALSE
]);

function run(start: usize, end: usize, base: usize, lim: usize, locals: usize, nLocals: u32, res: usize): void {
  let pc = start;
  let sp = base; // next free cell
  while (true) {
    if (!spendSteps(1) || sp >= lim) { overBudget(res); return; }
    if (pc >= end) { bad(res); return; }
    const op = <u32>load<u8>(pc);
    pc++;
    const depth = <u32>((sp - base) >> 4);
    // Operand width, checked once here so the cases can read operands freely (unknown op: bad).
    const w = operandBytes(op);
    if (w < 0 || pc + <usize>w > end || depth < <u32>load<u8>(MIN_DEPTH + op)) { bad(res); return; }
    const top = sp - 16; // valid when depth >= 1
    switch (op) {
      case Op.CONST: {
        const k = load<u32>(pc); pc += 4;
        if (k >= constCount) { bad(res); return; }
        copyCell(sp, constCells + (<usize>k << 4)); sp += 16;
        break;
      }
      case Op.NULL: setCell(sp, Tag.NULL, 0, 0); sp += 16; break;
      case Op.TRUE: setBool(sp, true); sp += 16; break;
      case Op.FALSE: setBool(sp, false); sp += 16; break;
      case Op.LOAD_ROOT: {
        if (!loadRoot(sp, <u32>load<u8>(pc))) { bad(res); return; }
        pc += 1; sp += 16;
        break;
      }
      case Op.LOAD_VAR: {
        const slot = load<u32>(pc); pc += 4;
        if (slot >= varCount) { bad(res); return; }
        const v = varValues + (<usize>slot << 4);
        if (varValues != 0 && memOk(v, 16) && tagOf(v) != Tag.ABSENT) copyCell(sp, v);
        else {
          // An unset variable (it errored, or was never evaluated) reads as Cerbos's
          // "undefined field 'name'": V is a variables object there, not a map.
          const name = load<u32>(varRecords + <usize>slot * VAR_SIZE, VA_NAME);
          if (!sidCell(sp, name)) setCell(sp, Tag.STRING, 0, <u64>NONE << 32);
          setErrWith(sp, CelError.NO_SUCH_FIELD, sp);
        }
        sp += 16;
        break;
      }
      case Op.LOAD_LOCAL: {
        const i = <u32>load<u8>(pc); pc += 1;
        if (i >= nLocals) { bad(res); return; }
        copyCell(sp, locals + (<usize>i << 4)); sp += 16;
        break;
      }
      case Op.STORE_LOCAL: {
        const i = <u32>load<u8>(pc); pc += 1;
        if (i >= nLocals) { bad(res); return; }
        sp -= 16; copyCell(locals + (<usize>i << 4), sp);
        break;
      }
      case Op.SELECT:
      case Op.HAS: {
        if (!selectOp(top, load<u32>(pc), op == Op.HAS)) { bad(res); return; }
        pc += 4;
        break;
      }
      case Op.INDEX: {
        sp -= 16; indexOp(sp - 16, sp);
        break;
      }
      case Op.POP: sp -= 16; break;
      case Op.DUP: copyCell(sp, top); sp += 16; break;
      case Op.JUMP:
      case Op.JUMP_IF_FALSE:
      case Op.AND_SHORT:
      case Op.OR_SHORT: {
        const t = pc + 4 + <usize><isize>load<i32>(pc);
        pc += 4;
        if (t < start || t >= end) { bad(res); return; }
        if (op == Op.JUMP) { pc = t; break; }
        if (op == Op.JUMP_IF_FALSE) { sp -= 16; if (isFalse(sp)) pc = t; }
        else if (op == Op.AND_SHORT ? isFalse(top) : isTrue(top)) pc = t;
        break;
      }
      case Op.AND:
      case Op.OR: {
        sp -= 16; logic(op == Op.AND, sp - 16, sp);
        break;
      }
      case Op.NOT: {
        const t = tagOf(top);
        if (t == Tag.BOOL) setBool(top, cB(top) == 0);
        else if (t != Tag.ERROR) noOverload(top);
        break;
      }
      case Op.NEG: negate(top); break;
      case Op.NOT_STRICTLY_FALSE: setBool(top, !isFalse(top)); break;
      case Op.EQ: case Op.NE: case Op.LT: case Op.LE: case Op.GT: case Op.GE: case Op.IN:
      case Op.ADD: case Op.SUB: case Op.MUL: case Op.DIV: case Op.MOD: {
        sp -= 16;
        const a = sp - 16;
        if (tagOf(a) == Tag.ERROR) break;
        if (tagOf(sp) == Tag.ERROR) { copyCell(a, sp); break; }
        if (op >= <u32>Op.ADD) arith(op, a, sp);
        else if (op == Op.IN) inOp(a, sp);
        else cmpOp(op, a, sp);
        break;
      }
      case Op.MK_LIST:
      case Op.MK_MAP: {
        const n = load<u32>(pc); pc += 4;
        const cells = op == Op.MK_MAP ? <u64>n << 1 : <u64>n;
        if (cells > <u64>depth) { bad(res); return; }
        const first = sp - (<usize>cells << 4);
        sp = first + 16;
        if (op == Op.MK_LIST) mkList(first, n); else mkMap(first, n);
        break;
      }
      case Op.CALL: {
        const fn = <u32>load<u16>(pc), argc = <u32>load<u8>(pc, 2); pc += 3;
        if (argc > depth) { bad(res); return; }
        const args = sp - (<usize>argc << 4);
        callBuiltin(fn, args, argc);
        sp = args + 16;
        break;
      }
      case Op.BRANCH: {
        const te = pc + 8 + <usize><isize>load<i32>(pc), tn = pc + 8 + <usize><isize>load<i32>(pc, 4);
        pc += 8;
        if (te < start || te >= end || tn < start || tn >= end) { bad(res); return; }
        if (isTrue(top)) { sp -= 16; break; }
        if (isFalse(top)) { sp -= 16; pc = te; break; }
        if (tagOf(top) != Tag.ERROR) noOverload(top);
        pc = tn; // the error stays as the value of the conditional
        break;
      }
      case Op.ITER_INIT: {
        const t = pc + 4 + <usize><isize>load<i32>(pc);
        pc += 4;
        if (t < start || t >= end) { bad(res); return; }
        const tt = tagOf(top);
        if ((tt == Tag.LIST || tt == Tag.MAP) && payloadOk(top)) {
          const src = arenaAlloc(16);
          if (src == 0) { overBudget(top); pc = t; break; }
          copyCell(src, top);
          setPtr(top, Tag.ITER, 0, src);
        } else {
          if (tt != Tag.ERROR) noOverload(top);
          pc = t;
        }
        break;
      }
      case Op.ITER_NEXT: {
        const a = <u32>load<u8>(pc), b = <u32>load<u8>(pc, 1);
        const t = pc + 6 + <usize><isize>load<i32>(pc, 2);
        pc += 6;
        if (tagOf(top) != Tag.ITER || t < start || t >= end || a >= nLocals ||
            (b != ITER_NO_SECOND && b >= nLocals)) { bad(res); return; }
        const src = cP(top), pos = cA(top);
        if (pos >= cA(src)) { pc = t; break; }
        store<u32>(top, pos + 1, 4);
        const la = locals + (<usize>a << 4);
        if (tagOf(src) == Tag.LIST) {
          const e = cP(src) + (<usize>pos << 4);
          if (b == ITER_NO_SECOND) copyCell(la, e);
          else { setInt(la, <i64>pos); copyCell(locals + (<usize>b << 4), e); }
        } else {
          const e = cP(src) + (<usize>pos << 5);
          copyCell(la, e);
          if (b != ITER_NO_SECOND) copyCell(locals + (<usize>b << 4), e + 16);
        }
        break;
      }
      case Op.ITER_END: {
        if (tagOf(top) != Tag.ITER) { bad(res); return; }
        sp -= 16;
        break;
      }
      case Op.RET: {
        copyCell(res, top);
        if (tagOf(res) == Tag.ITER || tagOf(res) == Tag.ABSENT) bad(res);
        return;
      }
      default: bad(res); return;
    }
  }
}

/** CEL && / || over a non-short-circuited left operand: false (&&) / true (||) wins over errors. */
function logic(and: bool, a: usize, b: usize): void {
  const ba = tagOf(a) == Tag.BOOL, bb = tagOf(b) == Tag.BOOL;
  const da = ba && (cB(a) != 0) != and; // decisive: false for &&, true for ||
  const db = bb && (cB(b) != 0) != and;
  if (da) return;
  if (db) { copyCell(a, b); return; }
  if (ba && bb) return; // both non-decisive bools: the identity value (true for &&, false for ||)
  // Not decided: the first error (or a no-overload error for non-bool operands).
  if (tagOf(a) == Tag.ERROR) return;
  if (tagOf(b) == Tag.ERROR) { copyCell(a, b); return; }
  noOverload(a);
}

function cmpOp(op: u32, a: usize, b: usize): void {
  if (op == Op.EQ || op == Op.NE) {
    const r = equals(a, b);
    if (r == EQ_ERROR) overBudget(a);
    else setBool(a, (r == 1) == (op == Op.EQ));
    return;
  }
  const r = compare(a, b);
  if (r == CMP_NO_OVERLOAD) { noOverload(a); return; }
  if (r == CMP_UNORDERED) { setBool(a, false); return; }
  setBool(a, op == Op.LT ? r < 0 : op == Op.LE ? r <= 0 : op == Op.GT ? r > 0 : r >= 0);
}

/** elem in container, result into a. */
function inOp(a: usize, c: usize): void {
  const t = tagOf(c);
  if (t == Tag.MAP) {
    const v = mapFind(c, a);
    if (v == usize.MAX_VALUE) overBudget(a); else setBool(a, v != 0);
    return;
  }
  if (t != Tag.LIST || !payloadOk(c)) { noOverload(a); return; }
  const n = cA(c), p = cP(c);
  for (let i: u32 = 0; i < n; i++) {
    const r = equals(a, p + (<usize>i << 4));
    if (r == 1) { setBool(a, true); return; }
    if (r == EQ_ERROR) { overBudget(a); return; }
  }
  setBool(a, false);
}

/** obj[key] into obj: lists by int, uint or integral double; maps by heterogeneous key. */
function indexOp(o: usize, k: usize): void {
  const t = tagOf(o), kt = tagOf(k);
  if (t == Tag.ERROR) return;
  if (kt == Tag.ERROR) { copyCell(o, k); return; }
  if (t == Tag.LIST && payloadOk(o)) {
    let i: i64 = -1;
    if (kt == Tag.INT) i = <i64>cB(k);
    else if (kt == Tag.UINT) i = cB(k) > 0x7fffffff ? i64.MAX_VALUE : <i64>cB(k);
    else if (kt == Tag.DOUBLE) {
      const d = load<f64>(k, 8);
      if (d != Math.trunc(d) || !(d >= -1e18 && d <= 1e18)) { setErrCode(o, CelError.INVALID_ARGUMENT); return; }
      i = <i64>d;
    } else { noOverload(o); return; }
    if (i < 0 || i >= <i64>cA(o)) { setErrWith(o, CelError.INDEX_OUT_OF_RANGE, k); return; }
    copyCell(o, cP(o) + (<usize>i << 4));
    return;
  }
  if (t == Tag.MAP) {
    const v = mapFind(o, k);
    if (v == usize.MAX_VALUE) overBudget(o);
    else if (v == 0) setErrWith(o, CelError.NO_SUCH_KEY, k);
    else copyCell(o, v);
    return;
  }
  noOverload(o);
}

/** [v1..vn] from the n cells at first; the result replaces the first cell. */
function mkList(first: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) {
    const e = first + (<usize>i << 4);
    if (tagOf(e) == Tag.ERROR) { copyCell(first, e); return; }
  }
  const p = arenaAlloc(<usize>n << 4);
  if (p == 0 && n != 0) { overBudget(first); return; }
  memory.copy(p, first, <usize>n << 4);
  setPtr(first, Tag.LIST, n, p);
}

/** {k1: v1, ..} from 2n cells; keys must be scalars (bool/int/uint/double/string: cel-go's runtime
 *  accepts a double key, e.g. a JSON number from an attribute) and distinct. */
function mkMap(first: usize, n: u32): void {
  for (let i: u32 = 0; i < n << 1; i++) {
    const e = first + (<usize>i << 4);
    if (tagOf(e) == Tag.ERROR) { copyCell(first, e); return; }
  }
  for (let i: u32 = 0; i < n; i++) {
    const k = first + (<usize>i << 5);
    const kt = tagOf(k);
    if (kt < <u32>Tag.BOOL || kt > <u32>Tag.STRING) {
      setErrCode(first, CelError.INVALID_ARGUMENT); return;
    }
    for (let j: u32 = 0; j < i; j++) {
      if (equals(first + (<usize>j << 5), k) != 0) { setErrWith(first, CelError.DUPLICATE_KEY, k); return; }
    }
  }
  const p = arenaAlloc(<usize>n << 5);
  if (p == 0 && n != 0) { overBudget(first); return; }
  memory.copy(p, first, <usize>n << 5);
  setPtr(first, Tag.MAP, n, p);
}
