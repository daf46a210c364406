// Bytecode → one text line per instruction: `0012 SELECT "attr"`. Jump targets are shown as
// absolute offsets so listings read without arithmetic. Stable: used in golden tests.
import { Message, Op, ROOT_GLOBALS } from "../../spec/format.ts";
import { builtinName } from "./functions.ts";
import { OPERAND_SIZE, OPERANDS, opName } from "./opcodes.ts";

export interface DisasmNames {
  string(sid: number): string;
  constant(i: number): string;
}

export function disassembleCode(code: Uint8Array, names: DisasmNames): string[] {
  const out: string[] = [];
  const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
  let pc = 0;
  while (pc < code.length) {
    const at = pc;
    const op = code[pc++]!;
    const name = opName(op);
    if (!name) {
      out.push(`${hex(at)} ?? 0x${op.toString(16).padStart(2, "0")}`);
      continue;
    }
    const layout = OPERANDS[op] ?? [];
    const size = layout.reduce((s, o) => s + OPERAND_SIZE[o], 0);
    if (pc + size > code.length) {
      out.push(`${hex(at)} ${name} <truncated>`);
      break;
    }
    const values: number[] = [];
    for (const o of layout) {
      if (o === "u8") values.push(view.getUint8(pc));
      else if (o === "u16") values.push(view.getUint16(pc, true));
      else if (o === "u32") values.push(view.getUint32(pc, true));
      else values.push(view.getInt32(pc, true));
      pc += OPERAND_SIZE[o];
    }
    const end = pc;
    const target = (rel: number) => `->${hex(end + rel)}`;
    out.push(`${hex(at)} ${name}${describe(op, values, layout.map((o) => o === "rel"), target, names)}`);
  }
  return out;
}

function describe(op: number, v: number[], isRel: boolean[], target: (r: number) => string, names: DisasmNames): string {
  switch (op) {
    case Op.CONST:
      return ` #${v[0]} ${names.constant(v[0]!)}`;
    case Op.SELECT:
    case Op.HAS:
      return ` ${JSON.stringify(names.string(v[0]!))}`;
    case Op.LOAD_ROOT:
      return ` ${v[0] === ROOT_GLOBALS ? "GLOBALS" : ((Message as unknown as Record<number, string>)[v[0]!] ?? v[0])}`;
    case Op.CALL:
      return ` ${builtinName(v[0]!)}/${v[1]}`;
    case Op.ITER_NEXT:
      return ` ${v[0]} ${v[1] === 0xff ? "-" : v[1]} ${target(v[2]!)}`;
  }
  return v.map((x, i) => ` ${isRel[i] ? target(x) : x}`).join("");
}

function hex(n: number): string {
  return n.toString(16).padStart(4, "0");
}
