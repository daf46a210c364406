// The CEL VM through hand-assembled bytecode (test/helpers/mini-ruleset.ts): every opcode,
// error absorption, numeric edge cases, messages and comprehensions.
import { beforeAll, describe, expect, it } from "vitest";
import { Asm, MiniRuleset, VmHarness, buildVmTestWasm, type Val } from "../helpers/mini-ruleset";
import { Op, CelError, Message, ROOT_GLOBALS, ITER_NO_SECOND, PB_ATTR } from "../../spec/format";
import type { ConstValue } from "../../compiler/encode/builder-api";

let vm: VmHarness;
beforeAll(() => { vm = new VmHarness(buildVmTestWasm()); });

/** Evaluates one expression built by `f`; `setup` may set the request after loading. */
function run(f: (a: Asm, rs: MiniRuleset) => void, opts: { maxStack?: number; locals?: number; setup?: () => void } = {}): Val {
  const rs = new MiniRuleset();
  const a = new Asm();
  f(a, rs);
  rs.expr(a, opts.maxStack ?? 16, opts.locals ?? 4);
  vm.load(rs);
  opts.setup?.();
  return vm.eval(0);
}
const int = (n: number | bigint) => ({ int: BigInt(n) });
const uint = (n: number | bigint) => ({ uint: BigInt(n) });
/** x OP y over constants. */
function bin(x: ConstValue, op: Op, y: ConstValue): Val {
  return run((a, rs) => a.k(Op.CONST, rs.constant(x)).k(Op.CONST, rs.constant(y)).op(op).op(Op.RET));
}
function un(x: ConstValue, op: Op): Val { return run((a, rs) => a.k(Op.CONST, rs.constant(x)).op(op).op(Op.RET)); }
const err = (code: CelError) => expect.objectContaining({ error: code });

describe("loads and literals", () => {
  it("pushes constants of every kind", () => {
    expect(run((a) => a.op(Op.NULL).op(Op.RET))).toBe(null);
    expect(run((a) => a.op(Op.TRUE).op(Op.RET))).toBe(true);
    expect(run((a) => a.op(Op.FALSE).op(Op.RET))).toBe(false);
    expect(run((a, rs) => a.k(Op.CONST, rs.constant("héllo")).op(Op.RET))).toBe("héllo");
    expect(run((a, rs) => a.k(Op.CONST, rs.constant({ list: [int(1), "x", { list: [true] }] })).op(Op.RET)))
      .toEqual({ list: [int(1), "x", { list: [true] }] });
    expect(run((a, rs) => a.k(Op.CONST, rs.constant(2.5)).op(Op.RET))).toBe(2.5);
  });
  it("MK_LIST and MK_MAP build values; errors and duplicate keys propagate", () => {
    expect(run((a, rs) => a.k(Op.CONST, rs.constant(int(1))).op(Op.TRUE).k(Op.MK_LIST, 2).op(Op.RET))).toEqual({ list: [int(1), true] });
    expect(run((a) => a.k(Op.MK_LIST, 0).op(Op.RET))).toEqual({ list: [] });
    expect(run((a, rs) => a.k(Op.CONST, rs.constant("k")).k(Op.CONST, rs.constant(int(2))).k(Op.MK_MAP, 1).op(Op.RET)))
      .toEqual({ map: [["k", int(2)]] });
    // cel-go accepts a double key at run time (a JSON number from an attribute); a list key it refuses
    expect(run((a, rs) => a.k(Op.CONST, rs.constant(1.5)).op(Op.TRUE).k(Op.MK_MAP, 1).op(Op.RET))).toEqual({ map: [[1.5, true]] });
    expect(run((a, rs) => a.k(Op.MK_LIST, 0).op(Op.TRUE).k(Op.MK_MAP, 1).op(Op.RET))).toEqual(err(CelError.INVALID_ARGUMENT));
    expect(run((a, rs) => a.k(Op.CONST, rs.constant(int(1))).op(Op.TRUE).k(Op.CONST, rs.constant(uint(1))).op(Op.FALSE).k(Op.MK_MAP, 2).op(Op.RET)))
      .toEqual(err(CelError.DUPLICATE_KEY));
    expect(run((a, rs) => a.k(Op.CONST, rs.constant(int(1))).k(Op.CONST, rs.constant(int(0))).op(Op.DIV).op(Op.TRUE).k(Op.MK_LIST, 2).op(Op.RET)))
      .toEqual(err(CelError.DIVISION_BY_ZERO));
  });
  it("locals, POP and DUP", () => {
    expect(run((a, rs) => a.k(Op.CONST, rs.constant(int(7))).b(Op.STORE_LOCAL, 1).b(Op.LOAD_LOCAL, 1).op(Op.DUP).op(Op.ADD).op(Op.RET))).toEqual(int(14));
    expect(run((a) => a.op(Op.TRUE).op(Op.FALSE).op(Op.POP).op(Op.RET))).toBe(true);
  });
});

describe("equality and ordering", () => {
  it("compares numbers across int, uint and double", () => {
    expect(bin(int(1), Op.EQ, 1.0)).toBe(true);
    expect(bin(uint(1), Op.EQ, int(1))).toBe(true);
    expect(bin(int(-1), Op.LT, uint(0))).toBe(true);
    expect(bin(1.5, Op.GT, int(1))).toBe(true);
    expect(bin(int(9007199254740993n), Op.EQ, 9007199254740992)).toBe(false); // exact, not rounded
    expect(bin(int(9007199254740993n), Op.GT, 9007199254740992)).toBe(true);
    expect(bin(uint(18446744073709551615n), Op.GT, int(-1))).toBe(true);
    expect(bin(2.0, Op.GE, uint(2))).toBe(true);
    expect(bin(int(3), Op.NE, 3.0)).toBe(false);
  });
  it("NaN is unequal to everything and unordered", () => {
    expect(bin(NaN, Op.EQ, NaN)).toBe(false);
    expect(bin(NaN, Op.NE, NaN)).toBe(true);
    expect(bin(NaN, Op.LT, int(1))).toBe(false);
    expect(bin(NaN, Op.GE, 1.0)).toBe(false);
  });
  it("different types are unequal, not errors; ordering them is an error", () => {
    expect(bin("1", Op.EQ, int(1))).toBe(false);
    expect(bin(null, Op.EQ, false)).toBe(false);
    expect(bin(null, Op.EQ, null)).toBe(true);
    expect(bin("a", Op.LT, int(1))).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
    expect(bin({ list: [] }, Op.LT, { list: [] })).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
  });
  it("strings, bools, lists and maps", () => {
    expect(bin("abc", Op.LT, "abd")).toBe(true);
    expect(bin("é", Op.GT, "z")).toBe(true); // code point order
    expect(bin(false, Op.LT, true)).toBe(true);
    expect(bin({ list: [int(1), "a"] }, Op.EQ, { list: [1.0, "a"] })).toBe(true);
    expect(bin({ list: [int(1)] }, Op.EQ, { list: [int(1), int(2)] })).toBe(false);
    expect(bin({ map: [["a", int(1)], ["b", int(2)]] }, Op.EQ, { map: [["b", 2.0], ["a", int(1)]] })).toBe(true);
    expect(bin({ map: [["a", int(1)]] }, Op.EQ, { map: [["a", int(2)]] })).toBe(false);
    expect(bin({ map: [[int(1), "x"]] }, Op.EQ, { map: [[uint(1), "x"]] })).toBe(true);
  });
  it("timestamps and durations", () => {
    const t = (s: number, n = 0) => ({ timestamp: { seconds: BigInt(s), nanos: n } });
    const d = (s: number, n = 0) => ({ duration: { seconds: BigInt(s), nanos: n } });
    expect(bin(t(10, 5), Op.LT, t(10, 6))).toBe(true);
    expect(bin(t(10), Op.EQ, t(10))).toBe(true);
    expect(bin(d(-1), Op.LT, d(0, 1))).toBe(true);
    expect(bin(t(10), Op.LT, d(10))).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
  });
  it("errors propagate through comparisons", () => {
    expect(run((a, rs) => a.k(Op.CONST, rs.constant(int(1))).k(Op.CONST, rs.constant(int(0))).op(Op.MOD).op(Op.TRUE).op(Op.EQ).op(Op.RET)))
      .toEqual(err(CelError.MODULUS_BY_ZERO));
  });
});

describe("arithmetic", () => {
  it("checks int64 overflow and division", () => {
    const MAX = 9223372036854775807n, MIN = -9223372036854775808n;
    expect(bin(int(MAX), Op.ADD, int(1))).toEqual(err(CelError.OVERFLOW));
    expect(bin(int(MIN), Op.SUB, int(1))).toEqual(err(CelError.OVERFLOW));
    expect(bin(int(MIN), Op.DIV, int(-1))).toEqual(err(CelError.OVERFLOW));
    expect(bin(int(MIN), Op.MOD, int(-1))).toEqual(err(CelError.OVERFLOW));
    expect(bin(int(MIN), Op.MUL, int(-1))).toEqual(err(CelError.OVERFLOW));
    expect(bin(int(4294967296n), Op.MUL, int(4294967296n))).toEqual(err(CelError.OVERFLOW));
    expect(un(int(MIN), Op.NEG)).toEqual(err(CelError.OVERFLOW));
    expect(bin(int(7), Op.DIV, int(0))).toEqual(err(CelError.DIVISION_BY_ZERO));
    expect(bin(int(7), Op.MOD, int(0))).toEqual(err(CelError.MODULUS_BY_ZERO));
    expect(bin(int(-7), Op.DIV, int(2))).toEqual(int(-3));
    expect(bin(int(-7), Op.MOD, int(2))).toEqual(int(-1));
    expect(bin(int(6), Op.MUL, int(-7))).toEqual(int(-42));
    expect(bin(int(MAX), Op.SUB, int(MAX))).toEqual(int(0));
  });
  it("checks uint64 overflow", () => {
    expect(bin(uint(18446744073709551615n), Op.ADD, uint(1))).toEqual(err(CelError.OVERFLOW));
    expect(bin(uint(1), Op.SUB, uint(2))).toEqual(err(CelError.OVERFLOW));
    expect(bin(uint(10), Op.DIV, uint(3))).toEqual(uint(3));
    expect(bin(uint(10), Op.MOD, uint(0))).toEqual(err(CelError.MODULUS_BY_ZERO));
    expect(un(uint(1), Op.NEG)).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
  });
  it("doubles follow IEEE, types never mix", () => {
    expect(bin(1.0, Op.DIV, 0.0)).toBe(Infinity);
    expect(bin(0.5, Op.ADD, 0.25)).toBe(0.75);
    expect(un(2.5, Op.NEG)).toBe(-2.5);
    expect(bin(5.0, Op.MOD, 2.0)).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
    expect(bin(int(1), Op.ADD, 1.0)).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
    expect(bin(int(1), Op.ADD, uint(1))).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
  });
  it("concatenates strings (UTF-8) and lists", () => {
    expect(bin("héllo ", Op.ADD, "wörld ✓")).toBe("héllo wörld ✓");
    expect(bin("", Op.ADD, "x")).toBe("x");
    expect(bin({ list: [int(1)] }, Op.ADD, { list: ["a", { list: [] }] })).toEqual({ list: [int(1), "a", { list: [] }] });
    expect(bin("a", Op.ADD, { list: [] })).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
  });
});

describe("logic and error absorption", () => {
  const divErr = (a: Asm, rs: MiniRuleset) => a.k(Op.CONST, rs.constant(int(1))).k(Op.CONST, rs.constant(int(0))).op(Op.DIV);
  it("AND: false wins over errors on either side; err && true is err", () => {
    expect(run((a, rs) => { divErr(a, rs); a.op(Op.FALSE).op(Op.AND).op(Op.RET); })).toBe(false);
    expect(run((a, rs) => { divErr(a, rs); a.op(Op.TRUE).op(Op.AND).op(Op.RET); })).toEqual(err(CelError.DIVISION_BY_ZERO));
    expect(run((a, rs) => { a.op(Op.TRUE); divErr(a, rs); a.op(Op.AND).op(Op.RET); })).toEqual(err(CelError.DIVISION_BY_ZERO));
    expect(run((a) => a.op(Op.TRUE).op(Op.TRUE).op(Op.AND).op(Op.RET))).toBe(true);
    expect(run((a, rs) => a.k(Op.CONST, rs.constant("x")).op(Op.TRUE).op(Op.AND).op(Op.RET))).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
  });
  it("OR: true wins over errors; false || err is err", () => {
    expect(run((a, rs) => { divErr(a, rs); a.op(Op.TRUE).op(Op.OR).op(Op.RET); })).toBe(true);
    expect(run((a, rs) => { a.op(Op.FALSE); divErr(a, rs); a.op(Op.OR).op(Op.RET); })).toEqual(err(CelError.DIVISION_BY_ZERO));
    expect(run((a) => a.op(Op.FALSE).op(Op.FALSE).op(Op.OR).op(Op.RET))).toBe(false);
  });
  it("short-circuit jumps keep the deciding operand", () => {
    // false && <error>: AND_SHORT jumps over the right side
    expect(run((a, rs) => { a.op(Op.FALSE).j(Op.AND_SHORT, "end"); divErr(a, rs); a.op(Op.AND).label("end").op(Op.RET); })).toBe(false);
    expect(run((a, rs) => { a.op(Op.TRUE).j(Op.OR_SHORT, "end"); divErr(a, rs); a.op(Op.OR).label("end").op(Op.RET); })).toBe(true);
    expect(run((a) => a.op(Op.TRUE).j(Op.AND_SHORT, "end").op(Op.FALSE).op(Op.AND).label("end").op(Op.RET))).toBe(false);
  });
  it("NOT, NOT_STRICTLY_FALSE, JUMP, JUMP_IF_FALSE", () => {
    expect(run((a) => a.op(Op.TRUE).op(Op.NOT).op(Op.RET))).toBe(false);
    expect(un(int(1), Op.NOT)).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
    expect(run((a, rs) => { divErr(a, rs); a.op(Op.NOT_STRICTLY_FALSE).op(Op.RET); })).toBe(true);
    expect(run((a) => a.op(Op.FALSE).op(Op.NOT_STRICTLY_FALSE).op(Op.RET))).toBe(false);
    expect(run((a) => a.j(Op.JUMP, "x").op(Op.FALSE).op(Op.RET).label("x").op(Op.TRUE).op(Op.RET))).toBe(true);
    expect(run((a) => a.op(Op.FALSE).j(Op.JUMP_IF_FALSE, "x").op(Op.FALSE).op(Op.RET).label("x").op(Op.TRUE).op(Op.RET))).toBe(true);
    expect(run((a) => a.op(Op.TRUE).j(Op.JUMP_IF_FALSE, "x").op(Op.FALSE).op(Op.RET).label("x").op(Op.TRUE).op(Op.RET))).toBe(false);
  });
  it("BRANCH: ternary with a non-bool or error condition yields an error", () => {
    const tern = (cond: (a: Asm, rs: MiniRuleset) => void) => run((a, rs) => {
      cond(a, rs);
      a.branch("else", "end").k(Op.CONST, rs.constant("yes")).j(Op.JUMP, "end").label("else").k(Op.CONST, rs.constant("no")).label("end").op(Op.RET);
    });
    expect(tern((a) => a.op(Op.TRUE))).toBe("yes");
    expect(tern((a) => a.op(Op.FALSE))).toBe("no");
    expect(tern((a, rs) => a.k(Op.CONST, rs.constant(int(1))))).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
    expect(tern(divErr)).toEqual(err(CelError.DIVISION_BY_ZERO));
  });
});

describe("IN, INDEX, SELECT and HAS", () => {
  it("IN on lists and maps uses heterogeneous equality", () => {
    expect(bin(int(2), Op.IN, { list: [1.0, 2.0] })).toBe(true);
    expect(bin("c", Op.IN, { list: ["a", "b"] })).toBe(false);
    expect(bin(2.0, Op.IN, { map: [[int(2), "x"]] })).toBe(true);
    expect(bin(uint(3), Op.IN, { map: [[int(2), "x"]] })).toBe(false);
    expect(bin("a", Op.IN, "abc")).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
  });
  it("INDEX on lists by int, uint and integral double; maps by key", () => {
    const l = { list: ["a", "b", "c"] };
    expect(bin(l, Op.INDEX, int(1))).toBe("b");
    expect(bin(l, Op.INDEX, uint(2))).toBe("c");
    expect(bin(l, Op.INDEX, 0.0)).toBe("a");
    expect(bin(l, Op.INDEX, 0.5)).toEqual(err(CelError.INVALID_ARGUMENT));
    expect(bin(l, Op.INDEX, int(3))).toEqual({ error: CelError.INDEX_OUT_OF_RANGE, detail: int(3) });
    expect(bin(l, Op.INDEX, int(-1))).toEqual(err(CelError.INDEX_OUT_OF_RANGE));
    expect(bin({ map: [[int(1), "one"]] }, Op.INDEX, 1.0)).toBe("one");
    expect(bin({ map: [["k", "v"]] }, Op.INDEX, "z")).toEqual({ error: CelError.NO_SUCH_KEY, detail: "z" });
  });
  it("SELECT on maps; missing key is NO_SUCH_KEY with the key", () => {
    expect(run((a, rs) => a.k(Op.CONST, rs.constant({ map: [["name", "bob"]] })).k(Op.SELECT, rs.sid("name")).op(Op.RET))).toBe("bob");
    expect(run((a, rs) => a.k(Op.CONST, rs.constant({ map: [["name", "bob"]] })).k(Op.SELECT, rs.sid("age")).op(Op.RET)))
      .toEqual({ error: CelError.NO_SUCH_KEY, detail: "age" });
    expect(run((a, rs) => a.k(Op.CONST, rs.constant({ map: [["name", "bob"]] })).k(Op.HAS, rs.sid("age")).op(Op.RET))).toBe(false);
    expect(run((a, rs) => a.k(Op.CONST, rs.constant({ map: [["name", "bob"]] })).k(Op.HAS, rs.sid("name")).op(Op.RET))).toBe(true);
    expect(run((a, rs) => a.k(Op.CONST, rs.constant(int(1))).k(Op.SELECT, rs.sid("x")).op(Op.RET))).toEqual(err(CelError.NO_SUCH_FIELD));
  });
  it("reads principal, resource, request, runtime and auxData fields", () => {
    const setup = () => vm.request({
      principal: { id: "alice", roles: ["admin", "user"], attr: { dept: "eng", level: 3, tags: ["a"] } },
      resource: { kind: "doc", id: "d1", attr: { owner: "alice" }, scope: "acme" },
      aux: { jwt: { iss: "me" }, jwts: { a: { claims: { sub: "x" } } } }, edr: ["owner"],
    });
    const sel = (root: number, ...fields: string[]) => run((a, rs) => { a.b(Op.LOAD_ROOT, root); for (const f of fields) a.k(Op.SELECT, rs.sid(f)); a.op(Op.RET); }, { setup });
    expect(sel(Message.PRINCIPAL, "id")).toBe("alice");
    expect(sel(Message.PRINCIPAL, "roles")).toEqual({ list: ["admin", "user"] });
    expect(sel(Message.PRINCIPAL, "attr", "level")).toBe(3);
    expect(sel(Message.PRINCIPAL, "attr", "missing")).toEqual({ error: CelError.NO_SUCH_KEY, detail: "missing" });
    expect(sel(Message.PRINCIPAL, "scope")).toBe("");
    expect(sel(Message.PRINCIPAL, "policy_version")).toBe("default");
    expect(sel(Message.RESOURCE, "kind")).toBe("doc");
    expect(sel(Message.RESOURCE, "scope")).toBe("acme");
    expect(sel(Message.REQUEST, "resource", "attr", "owner")).toBe("alice");
    expect(sel(Message.REQUEST, "principal", "id")).toBe("alice");
    expect(sel(Message.REQUEST, "auxData", "jwt", "iss")).toBe("me");
    expect(sel(Message.REQUEST, "aux_data", "jwt", "iss")).toBe("me");
    expect(sel(Message.REQUEST, "auxData", "jwts", "a", "claims", "sub")).toBe("x");
    expect(sel(Message.RUNTIME, "effectiveDerivedRoles")).toEqual({ list: ["owner"] });
    expect(sel(Message.PRINCIPAL, "nope")).toEqual(err(CelError.NO_SUCH_FIELD));
    const has = (root: number, f: string) => run((a, rs) => a.b(Op.LOAD_ROOT, root).k(Op.HAS, rs.sid(f)).op(Op.RET), { setup });
    expect(has(Message.PRINCIPAL, "scope")).toBe(false);
    expect(has(Message.RESOURCE, "scope")).toBe(true);
    expect(has(Message.PRINCIPAL, "attr")).toBe(true);
  });
  it("an empty request reads as defaults", () => {
    expect(run((a, rs) => a.b(Op.LOAD_ROOT, Message.PRINCIPAL).k(Op.SELECT, rs.sid("id")).op(Op.RET))).toBe("");
    expect(run((a, rs) => a.b(Op.LOAD_ROOT, Message.PRINCIPAL).k(Op.SELECT, rs.sid("roles")).op(Op.RET))).toEqual({ list: [] });
    expect(run((a, rs) => a.b(Op.LOAD_ROOT, Message.REQUEST).k(Op.SELECT, rs.sid("auxData")).k(Op.SELECT, rs.sid("jwt")).op(Op.RET))).toEqual({ map: [] });
    expect(run((a, rs) => a.b(Op.LOAD_ROOT, Message.RUNTIME).k(Op.SELECT, rs.sid("effectiveDerivedRoles")).op(Op.RET))).toEqual(err(CelError.DERIVED_ROLES_FAILED));
  });
  it("globals and variables", () => {
    expect(run((a, rs) => a.b(Op.LOAD_ROOT, ROOT_GLOBALS).k(Op.SELECT, rs.sid("env")).op(Op.RET), { setup: () => vm.request({ globals: { env: "prod" } }) })).toBe("prod");
    const withVars = (slot: number) => run((a, rs) => { rs.variable("a"); rs.variable("b"); a.k(Op.LOAD_VAR, slot).op(Op.RET); },
      { setup: () => vm.request({ vars: ["x", undefined] }) });
    expect(withVars(0)).toBe("x");
    expect(withVars(1)).toEqual({ error: CelError.NO_SUCH_FIELD, detail: "b" });
  });
});

describe("comprehensions", () => {
  // [1, 2, 3].exists(x, x > 2) as cel-go expands it: accumulator in local 1, element in local 0.
  const exists = (list: ConstValue, rhs: ConstValue, op = Op.GT) => run((a, rs) => {
    a.k(Op.CONST, rs.constant(list)).j(Op.ITER_INIT, "done")
      .op(Op.FALSE).b(Op.STORE_LOCAL, 1)
      .label("loop").iterNext(0, ITER_NO_SECOND, "exit")
      .b(Op.LOAD_LOCAL, 1).op(Op.NOT).op(Op.NOT_STRICTLY_FALSE).j(Op.JUMP_IF_FALSE, "exit")
      .b(Op.LOAD_LOCAL, 1).j(Op.OR_SHORT, "or").b(Op.LOAD_LOCAL, 0).k(Op.CONST, rs.constant(rhs)).op(op).op(Op.OR)
      .label("or").b(Op.STORE_LOCAL, 1).j(Op.JUMP, "loop")
      .label("exit").op(Op.ITER_END).b(Op.LOAD_LOCAL, 1).label("done").op(Op.RET);
  });
  it("exists over lists, with errors absorbed by a later true", () => {
    expect(exists({ list: [int(1), int(2), int(3)] }, int(2))).toBe(true);
    expect(exists({ list: [int(1), int(2)] }, int(5))).toBe(false);
    expect(exists({ list: [] }, int(5))).toBe(false);
    expect(exists({ list: ["a", int(3)] }, int(2))).toBe(true); // "a" > 2 errors, then 3 > 2
    expect(exists({ list: [int(1), "a"] }, int(2))).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
    expect(exists({ map: [["a", int(1)], ["b", int(2)]] }, "b", Op.EQ)).toBe(true); // maps iterate keys
    expect(exists(int(3) as ConstValue, int(1))).toEqual(err(CelError.NO_MATCHING_OVERLOAD)); // not iterable
  });
  it("two-variable form gives index/element and key/value", () => {
    // sum of index * element over [10, 20, 30] = 0 + 20 + 60 = 80
    const r = run((a, rs) => {
      a.k(Op.CONST, rs.constant(int(0))).b(Op.STORE_LOCAL, 2)
        .k(Op.CONST, rs.constant({ list: [int(10), int(20), int(30)] })).j(Op.ITER_INIT, "done")
        .label("loop").iterNext(0, 1, "exit")
        .b(Op.LOAD_LOCAL, 2).b(Op.LOAD_LOCAL, 0).b(Op.LOAD_LOCAL, 1).op(Op.MUL).op(Op.ADD).b(Op.STORE_LOCAL, 2).j(Op.JUMP, "loop")
        .label("exit").op(Op.ITER_END).b(Op.LOAD_LOCAL, 2).label("done").op(Op.RET);
    });
    expect(r).toEqual(int(80));
    // concatenated keys and values of a map
    const m = run((a, rs) => {
      a.k(Op.CONST, rs.constant("")).b(Op.STORE_LOCAL, 2)
        .k(Op.CONST, rs.constant({ map: [["a", "1"], ["b", "2"]] })).j(Op.ITER_INIT, "done")
        .label("loop").iterNext(0, 1, "exit")
        .b(Op.LOAD_LOCAL, 2).b(Op.LOAD_LOCAL, 0).op(Op.ADD).b(Op.LOAD_LOCAL, 1).op(Op.ADD).b(Op.STORE_LOCAL, 2).j(Op.JUMP, "loop")
        .label("exit").op(Op.ITER_END).b(Op.LOAD_LOCAL, 2).label("done").op(Op.RET);
    });
    expect(m).toBe("a1b2");
  });
});

describe("robustness: never traps", () => {
  it("bad instructions and operands are errors", () => {
    expect(run((a) => a.raw(0xee).op(Op.RET))).toEqual(err(CelError.INVALID_ARGUMENT));
    expect(run((a) => a.k(Op.CONST, 9999).op(Op.RET))).toEqual(err(CelError.INVALID_ARGUMENT));
    expect(run((a) => a.op(Op.ADD).op(Op.RET))).toEqual(err(CelError.INVALID_ARGUMENT)); // stack underflow
    expect(run((a) => a.op(Op.TRUE))).toEqual(err(CelError.INVALID_ARGUMENT)); // falls off the end
    expect(run((a) => a.raw(Op.CONST, 0))).toEqual(err(CelError.INVALID_ARGUMENT)); // truncated operand
    expect(run((a) => a.raw(Op.JUMP, 0x00, 0x10, 0, 0).op(Op.RET))).toEqual(err(CelError.INVALID_ARGUMENT));
    expect(run((a) => a.b(Op.LOAD_LOCAL, 200).op(Op.RET))).toEqual(err(CelError.INVALID_ARGUMENT));
    expect(run((a) => a.b(Op.LOAD_ROOT, 77).op(Op.RET))).toEqual(err(CelError.INVALID_ARGUMENT));
    expect(run((a) => a.op(Op.ITER_END).op(Op.RET))).toEqual(err(CelError.INVALID_ARGUMENT));
    expect(vm.read(vm.ex.eval_expr(12345), 0)).toEqual(err(CelError.INVALID_ARGUMENT));
  });
  it("every opcode refuses a stack with fewer cells than it pops", () => {
    const binary = [Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE, Op.IN, Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MOD, Op.INDEX, Op.AND, Op.OR];
    const unary: Array<[Op, number]> = [
      [Op.STORE_LOCAL, 1], [Op.SELECT, 4], [Op.HAS, 4], [Op.POP, 0], [Op.DUP, 0], [Op.JUMP_IF_FALSE, 4], [Op.AND_SHORT, 4],
      [Op.OR_SHORT, 4], [Op.NOT, 0], [Op.NEG, 0], [Op.BRANCH, 8], [Op.ITER_INIT, 4], [Op.ITER_NEXT, 6], [Op.ITER_END, 0],
      [Op.RET, 0], [Op.NOT_STRICTLY_FALSE, 0],
    ];
    for (const [op, depth, width] of [...binary.map((o) => [o, 2, 0] as const), ...unary.map(([o, w]) => [o, 1, w] as const)]) {
      const got = run((a) => {
        for (let i = 1; i < depth; i++) a.op(Op.TRUE);
        return a.raw(op, ...new Array<number>(width).fill(0)).op(Op.RET);
      });
      expect(got, Op[op]).toEqual(err(CelError.INVALID_ARGUMENT));
    }
  });
  it("infinite loops and stack overflow hit the budget", () => {
    expect(run((a) => a.label("l").j(Op.JUMP, "l"))).toEqual(err(CelError.BUDGET_EXCEEDED));
    expect(run((a) => a.label("l").op(Op.TRUE).j(Op.JUMP, "l"), { maxStack: 4 })).toEqual(err(CelError.BUDGET_EXCEEDED));
  });
  it("unknown builtins are UNSUPPORTED", () => {
    expect(run((a) => a.op(Op.TRUE).call(999, 1).op(Op.RET))).toEqual(err(CelError.UNSUPPORTED));
  });
  it("a request cell pointing outside memory is not dereferenced", () => {
    const setup = () => {
      const { principal } = vm.request({ principal: { attr: { x: 1 } } });
      const dv = new DataView(vm.ex.memory.buffer);
      dv.setUint32(principal + PB_ATTR + 4, 1_000_000, true); // a million entries ...
      dv.setUint32(principal + PB_ATTR + 8, 0xfffffff0, true); // ... at the top of the address space
    };
    expect(run((a, rs) => a.b(Op.LOAD_ROOT, Message.PRINCIPAL).k(Op.SELECT, rs.sid("attr")).k(Op.SELECT, rs.sid("x")).op(Op.RET), { setup }))
      .toEqual({ error: CelError.NO_SUCH_KEY, detail: "x" });
  });
});

describe("robustness: cyclic request data", () => {
  it("comparing a self-referencing list is an error, not a stack overflow", () => {
    const setup = () => {
      const { principal } = vm.request({ principal: { attr: { l: [1, 2] } } });
      const dv = new DataView(vm.ex.memory.buffer);
      // attr map entries pointer → entry 0 value is the list cell; point the list's 2nd element at the list itself
      const entries = dv.getUint32(principal + PB_ATTR + 8, true);
      const listCell = entries + 16;
      const elems = dv.getUint32(listCell + 8, true);
      for (let i = 0; i < 16; i++) dv.setUint8(elems + 16 + i, dv.getUint8(listCell + i));
    };
    const r = run((a, rs) => a.b(Op.LOAD_ROOT, Message.PRINCIPAL).k(Op.SELECT, rs.sid("attr")).k(Op.SELECT, rs.sid("l")).op(Op.DUP).op(Op.EQ).op(Op.RET), { setup });
    expect(r).toEqual(err(CelError.BUDGET_EXCEEDED));
  });
});
