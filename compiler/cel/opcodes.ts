// Operand layouts of every opcode in spec/format.ts, shared by the lowering and the disassembler.
import { Op } from "../../spec/format.ts";

/** u8/u16/u32: unsigned operands; rel: i32 offset from the end of the instruction. */
export type Operand = "u8" | "u16" | "u32" | "rel";

export const OPERANDS: Record<number, Operand[]> = {
  [Op.CONST]: ["u32"],
  [Op.LOAD_ROOT]: ["u8"],
  [Op.LOAD_VAR]: ["u32"],
  [Op.LOAD_LOCAL]: ["u8"],
  [Op.STORE_LOCAL]: ["u8"],
  [Op.SELECT]: ["u32"],
  [Op.HAS]: ["u32"],
  [Op.JUMP]: ["rel"],
  [Op.JUMP_IF_FALSE]: ["rel"],
  [Op.AND_SHORT]: ["rel"],
  [Op.OR_SHORT]: ["rel"],
  [Op.MK_LIST]: ["u32"],
  [Op.MK_MAP]: ["u32"],
  [Op.CALL]: ["u16", "u8"],
  [Op.BRANCH]: ["rel", "rel"],
  [Op.ITER_INIT]: ["rel"],
  [Op.ITER_NEXT]: ["u8", "u8", "rel"],
};

export const OPERAND_SIZE: Record<Operand, number> = { u8: 1, u16: 2, u32: 4, rel: 4 };

export function opName(op: number): string | undefined {
  return (Op as unknown as Record<number, string>)[op];
}
