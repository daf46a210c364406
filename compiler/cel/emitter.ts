// Bytecode writer: appends instructions with little-endian operands, patches relative jumps
// (relative to the end of the jumping instruction) and tracks the stack depth so each
// expression can declare its maxStack.
import { Op } from "../../spec/format.ts";

export interface Jump {
  slots: number[];
  end: number;
}

export class Emitter {
  private buf: number[] = [];
  depth = 0;
  maxDepth = 0;

  get pos(): number {
    return this.buf.length;
  }

  /** Emits `op` with the given raw operand bytes and applies its stack effect (pop, push). */
  op(op: Op, operands: number[], pop: number, push: number): void {
    this.buf.push(op, ...operands);
    this.adjust(-pop);
    this.adjust(push);
  }

  adjust(delta: number): void {
    this.depth += delta;
    if (this.depth < 0) throw new Error("internal: CEL lowering popped an empty stack");
    this.maxDepth = Math.max(this.maxDepth, this.depth);
  }

  /** Emits a jump-family instruction: prefix operand bytes, then `rels` i32 placeholders.
   *  Returns the placeholder positions and the instruction's end (what rels are relative to). */
  jump(op: Op, prefix: number[], rels: number, pop: number, push: number): Jump {
    const slots: number[] = [];
    this.buf.push(op, ...prefix);
    for (let i = 0; i < rels; i++) {
      slots.push(this.buf.length);
      this.buf.push(0, 0, 0, 0);
    }
    this.adjust(-pop);
    this.adjust(push);
    return { slots, end: this.buf.length };
  }

  /** Makes rel number `i` of `j` land on `target` (default: the current position). */
  land(j: Jump, i = 0, target = this.pos): void {
    writeI32(this.buf, j.slots[i]!, target - j.end);
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.buf);
  }
}

export function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

export function u16(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff];
}

function writeI32(buf: number[], at: number, v: number): void {
  const b = u32(v >>> 0);
  for (let i = 0; i < 4; i++) buf[at + i] = b[i]!;
}
