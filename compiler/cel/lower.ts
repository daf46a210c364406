// Checked tree → bytecode (spec/format.ts). Evaluation order and error absorption follow CEL:
// && and || evaluate both sides unless the left one decides (AND_SHORT/OR_SHORT), and the
// combining AND/OR absorb an error on either side; comprehensions are lowered from cel-go's
// expanded form (accumulator local, loop condition, step, result) with ITER_* opcodes.
import { ITER_NO_SECOND, Op } from "../../spec/format.ts";
import type { RulesetTables } from "../encode/builder-api.ts";
import type { Node } from "./checked.ts";
import { Emitter, u16, u32 } from "./emitter.ts";

export interface Lowered {
  code: Uint8Array;
  maxStack: number;
}

export function lowerNode(root: Node, tables: RulesetTables): Lowered {
  const em = new Emitter();
  emit(root, em, tables);
  em.op(Op.RET, [], 1, 0);
  return { code: em.bytes(), maxStack: em.maxDepth };
}

function emit(n: Node, em: Emitter, t: RulesetTables): void {
  switch (n.k) {
    case "const":
      if (n.value === null) em.op(Op.NULL, [], 0, 1);
      else if (n.value === true) em.op(Op.TRUE, [], 0, 1);
      else if (n.value === false) em.op(Op.FALSE, [], 0, 1);
      else em.op(Op.CONST, u32(t.constant(n.value)), 0, 1);
      return;
    case "root":
      em.op(Op.LOAD_ROOT, [n.root], 0, 1);
      return;
    case "var":
      em.op(Op.LOAD_VAR, u32(n.slot), 0, 1);
      return;
    case "local":
      em.op(Op.LOAD_LOCAL, [n.index], 0, 1);
      return;
    case "select":
    case "has":
      emit(n.obj, em, t);
      em.op(n.k === "select" ? Op.SELECT : Op.HAS, u32(t.intern(n.field)), 1, 1);
      return;
    case "op":
      for (const a of n.args) emit(a, em, t);
      em.op(n.op, [], n.args.length, 1);
      return;
    case "and":
    case "or": {
      emit(n.a, em, t);
      const short = em.jump(n.k === "and" ? Op.AND_SHORT : Op.OR_SHORT, [], 1, 0, 0);
      emit(n.b, em, t);
      em.op(n.k === "and" ? Op.AND : Op.OR, [], 2, 1);
      em.land(short);
      return;
    }
    case "cond": {
      emit(n.c, em, t);
      const br = em.jump(Op.BRANCH, [], 2, 1, 0);
      const base = em.depth;
      emit(n.t, em, t);
      const toEnd = em.jump(Op.JUMP, [], 1, 0, 0);
      em.land(br, 0);
      em.depth = base; // the else arm starts from the same depth as the then arm
      emit(n.f, em, t);
      em.land(br, 1);
      em.land(toEnd);
      return;
    }
    case "list":
      for (const e of n.elems) emit(e, em, t);
      em.op(Op.MK_LIST, u32(n.elems.length), n.elems.length, 1);
      return;
    case "map":
      for (const [k, v] of n.entries) {
        emit(k, em, t);
        emit(v, em, t);
      }
      em.op(Op.MK_MAP, u32(n.entries.length), 2 * n.entries.length, 1);
      return;
    case "call":
      for (const a of n.args) emit(a, em, t);
      em.op(Op.CALL, [...u16(n.fn), n.args.length], n.args.length, 1);
      return;
    case "bind":
      emit(n.init, em, t);
      em.op(Op.STORE_LOCAL, [n.local], 1, 0);
      emit(n.body, em, t);
      return;
    case "comp":
      emitComprehension(n, em, t);
      return;
  }
}

//   <range> ITER_INIT →end · <init> STORE_LOCAL accu
//   loop: ITER_NEXT a b →exit · [<cond> JUMP_IF_FALSE →exit] · <step> STORE_LOCAL accu · JUMP →loop
//   exit: ITER_END · <result>
//   end:  (a non-iterable range leaves its error as the value)
function emitComprehension(n: Extract<Node, { k: "comp" }>, em: Emitter, t: RulesetTables): void {
  emit(n.range, em, t);
  const init = em.jump(Op.ITER_INIT, [], 1, 1, 1);
  emit(n.init, em, t);
  em.op(Op.STORE_LOCAL, [n.accu], 1, 0);
  const loop = em.pos;
  const next = em.jump(Op.ITER_NEXT, [n.a, n.b ?? ITER_NO_SECOND], 1, 0, 0);
  // cel-go stops early only when the condition is exactly false; constant true needs no test
  const condAlwaysTrue = n.cond.k === "const" && n.cond.value === true;
  let stop: ReturnType<Emitter["jump"]> | undefined;
  if (!condAlwaysTrue) {
    emit(n.cond, em, t);
    stop = em.jump(Op.JUMP_IF_FALSE, [], 1, 1, 0);
  }
  emit(n.step, em, t);
  em.op(Op.STORE_LOCAL, [n.accu], 1, 0);
  const back = em.jump(Op.JUMP, [], 1, 0, 0);
  em.land(back, 0, loop);
  em.land(next);
  if (stop) em.land(stop);
  em.op(Op.ITER_END, [], 1, 0);
  emit(n.result, em, t);
  em.land(init);
}
