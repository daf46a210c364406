// Issue 3: "an unsupported function is a compile error with its position, never a runtime
// surprise". compiler/cel/functions.ts NOT_IMPLEMENTED must name exactly the builtins the
// evaluator's dispatch does not handle: each one called in the VM answers UNSUPPORTED, every other
// builtin answers something else (a value or another error) for the same probe arguments; and a
// policy calling one is refused at the call's position.
import { beforeAll, describe, expect, it } from "vitest";
import { compilePolicies } from "../../compiler/index.ts";
import { NOT_IMPLEMENTED } from "../../compiler/cel/functions.ts";
import { Builtin, CelError, Op } from "../../spec/format.ts";
import { Asm, MiniRuleset, VmHarness, buildVmTestWasm } from "../helpers/mini-ruleset";

let vm: VmHarness;
beforeAll(() => { vm = new VmHarness(buildVmTestWasm()); });

/** The error code of builtin `fn` called on `argc` string arguments, or undefined for a value. */
function probe(fn: number, argc: number): number | undefined {
  const rs = new MiniRuleset();
  const a = new Asm();
  for (let i = 0; i < argc; i++) a.k(Op.CONST, rs.constant("x"));
  a.call(fn, argc).op(Op.RET);
  rs.expr(a);
  vm.load(rs);
  const v = vm.eval(0) as { error?: number };
  return typeof v === "object" && v !== null && "error" in v ? v.error : undefined;
}

const ids = Object.values(Builtin).filter((v): v is number => typeof v === "number");

describe("builtins the evaluator lacks are compile errors", () => {
  it("NOT_IMPLEMENTED is exactly the set the evaluator answers UNSUPPORTED for", () => {
    const unsupported = ids.filter((id) => [0, 1, 2, 3].every((argc) => probe(id, argc) === CelError.UNSUPPORTED));
    expect(unsupported.sort((x, y) => x - y)).toEqual([...NOT_IMPLEMENTED].sort((x, y) => x - y));
  });

  it("a policy calling one is refused with VD3017 at the call", () => {
    const yaml = [
      "apiVersion: api.cerbos.dev/v1",
      "resourcePolicy:",
      "  version: default",
      "  resource: doc",
      "  rules:",
      "    - actions: [view]",
      "      effect: EFFECT_ALLOW",
      "      roles: [user]",
      "      condition:",
      "        match:",
      '          expr: isIP(R.attr.ip) || json.encode(R.attr) == "{}"',
    ].join("\n");
    const r = compilePolicies([{ path: "doc.yaml", text: yaml }]);
    expect(r.ruleset).toBeUndefined();
    const d = r.diagnostics.filter((x) => x.code === "VD3017");
    expect(d.length).toBeGreaterThan(0);
    expect(d[0]!.span.file).toBe("doc.yaml");
    expect(d[0]!.span.line).toBe(11);
    expect(d[0]!.message).toMatch(/not implemented by Verdict/);
  });
});
