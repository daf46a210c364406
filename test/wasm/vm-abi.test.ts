// The VM behind the real ABI: build/verdict.wasm's `load` (validation + CONSTS relocation by
// assembly/loader.ts) and `eval_expr`, with rulesets from test/helpers/mini-ruleset.ts.
import { beforeAll, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Asm, MiniRuleset } from "../helpers/mini-ruleset";
import { Op, Builtin, Tag, Status } from "../../spec/format";
import { hostImports } from "../../host/common/imports.ts";

interface Abi { memory: WebAssembly.Memory; alloc(n: number): number; load(p: number, n: number): number; eval_expr(i: number): number }
let ex: Abi;
beforeAll(() => {
  const wasm = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "build", "verdict.wasm"));
  ex = new WebAssembly.Instance(new WebAssembly.Module(wasm), hostImports(() => ex.memory)).exports as unknown as Abi;
});

function load(rs: MiniRuleset): number {
  const b = rs.encode();
  const p = ex.alloc(b.length);
  new Uint8Array(ex.memory.buffer).set(b, p);
  return ex.load(p, b.length);
}
function cell(p: number): { tag: number; a: number; b: bigint } {
  const dv = new DataView(ex.memory.buffer);
  return { tag: dv.getUint8(p), a: dv.getUint32(p + 4, true), b: dv.getBigInt64(p + 8, true) };
}

it("evaluates relocated constants (strings, nested lists) through load + eval_expr", () => {
  const rs = new MiniRuleset();
  rs.expr(new Asm().k(Op.CONST, rs.constant("héllo")).call(Builtin.SIZE, 1).op(Op.RET));
  rs.expr(new Asm().k(Op.CONST, rs.constant("b")).k(Op.CONST, rs.constant({ list: ["a", { list: [] }, "b"] })).op(Op.IN).op(Op.RET));
  rs.expr(new Asm().k(Op.CONST, rs.constant({ map: [["k", { int: 41n }]] })).k(Op.SELECT, rs.sid("k"))
    .k(Op.CONST, rs.constant({ int: 1n })).op(Op.ADD).op(Op.RET));
  expect(load(rs)).toBe(Status.OK);
  expect(cell(ex.eval_expr(0))).toEqual({ tag: Tag.INT, a: 0, b: 5n });
  expect(cell(ex.eval_expr(1))).toEqual({ tag: Tag.BOOL, a: 0, b: 1n });
  expect(cell(ex.eval_expr(2))).toEqual({ tag: Tag.INT, a: 0, b: 42n });
});

it("reads an empty request's principal as defaults", () => {
  const rs = new MiniRuleset();
  rs.expr(new Asm().b(Op.LOAD_ROOT, 2).k(Op.SELECT, rs.sid("id")).call(Builtin.SIZE, 1).op(Op.RET));
  expect(load(rs)).toBe(Status.OK);
  expect(cell(ex.eval_expr(0))).toEqual({ tag: Tag.INT, a: 0, b: 0n });
});
