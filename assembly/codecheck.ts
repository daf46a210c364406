// Load-time check of one expression's bytecode: every opcode is known, its operands lie inside the
// expression, constant/variable/string operands are in range and every jump lands on an
// instruction boundary inside the expression. The VM can then decode without bounds checks on
// the code itself (stack depth and locals remain the VM's runtime checks).
import { halloc, hfree } from "./heap";
import { Op } from "../spec/format";

/** One bit per code byte: set where an instruction starts. Grown on demand, kept across loads. */
let marks: usize = 0;
let marksCap: u32 = 0;

/** Operand bytes by opcode (Op in spec/format.ts, 0..NOT_STRICTLY_FALSE); 255 = unknown opcode.
 *  A table shared with the VM's decoder: the equivalent switch cost ~0.2 KB of wasm twice. */
const OPERAND_BYTES = memory.data<u8>([255, 4, 0, 0, 0, 1, 4, 1, 1, 4, 4, 0, 0, 0, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 3, 8, 4, 6, 0, 0, 0]);

/** Operand byte count of `op`, or -1 when the opcode is unknown. */
export function operandBytes(op: u32): i32 {
  return op <= <u32>Op.NOT_STRICTLY_FALSE ? <i32>load<i8>(OPERAND_BYTES + op) : -1;
}

function isStart(i: u32): bool { return (load<u8>(marks + (i >> 3)) & (1 << <u8>(i & 7))) != 0; }

/** Jump target of a rel operand at `at` for an instruction ending at `end`: valid boundary? */
function targetOk(p: usize, at: u32, end: u32, n: u32): bool {
  const t = <i64>end + <i64>load<i32>(p + at);
  if (t < 0 || t > <i64>n) return false;
  return t == <i64>n || isStart(<u32>t);
}

export function validateCode(p: usize, n: u32, nConsts: u32, nVars: u32, nStrings: u32): bool {
  const need = (n >> 3) + 1;
  if (need > marksCap) {
    if (marks != 0) hfree(marks);
    marks = halloc(need);
    if (marks == 0) { marksCap = 0; return false; }
    marksCap = need;
  }
  memory.fill(marks, 0, need);
  // Pass 1: decode, check operand ranges, mark instruction starts.
  let i: u32 = 0;
  while (i < n) {
    const op = <u32>load<u8>(p + i);
    const k = operandBytes(op);
    if (k < 0 || <u32>k > n - i - 1) return false;
    store<u8>(marks + (i >> 3), load<u8>(marks + (i >> 3)) | <u8>(1 << <u8>(i & 7)));
    const a = p + i + 1;
    if (op == Op.CONST && load<u32>(a) >= nConsts) return false;
    if (op == Op.LOAD_VAR && load<u32>(a) >= nVars) return false;
    if ((op == Op.SELECT || op == Op.HAS) && load<u32>(a) >= nStrings) return false;
    // CALL's builtin id is not range-checked: the VM answers an unknown builtin with an error cell.
    i += 1 + <u32>k;
  }
  // Pass 2: jump targets must be instruction starts (or the end of the expression).
  i = 0;
  while (i < n) {
    const op = <u32>load<u8>(p + i);
    const end = i + 1 + <u32>operandBytes(op);
    if (op == Op.JUMP || op == Op.JUMP_IF_FALSE || op == Op.AND_SHORT || op == Op.OR_SHORT || op == Op.ITER_INIT) {
      if (!targetOk(p, i + 1, end, n)) return false;
    } else if (op == Op.BRANCH) {
      if (!targetOk(p, i + 1, end, n) || !targetOk(p, i + 5, end, n)) return false;
    } else if (op == Op.ITER_NEXT) {
      if (!targetOk(p, i + 3, end, n)) return false;
    }
    i = end;
  }
  return true;
}
