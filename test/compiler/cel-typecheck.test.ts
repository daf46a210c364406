// The CEL type checker's diagnostics, without the oracle: code VD3015, cel-go's messages (as the
// real Cerbos 0.55 compiler printed them for these expressions), Cerbos's positions (the YAML node
// holding the expression), and leniency wherever a type is dyn. Agreement with Cerbos on accept /
// reject is proven in cel-types-cerbos.test.ts.
import { describe, expect, it } from "vitest";
import { compilePolicies } from "../../compiler/index.ts";

const policy = (expr: string, extra = ""): Array<{ path: string; text: string }> => [
  {
    path: "doc.yaml",
    text: `apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  version: default\n  resource: doc\n${extra}  rules:\n    - actions: ["view"]\n      effect: EFFECT_ALLOW\n      roles: ["user"]\n      condition:\n        match:\n          expr: ${JSON.stringify(expr)}\n`,
  },
];

const errors = (expr: string, extra = "") =>
  compilePolicies(policy(expr, extra)).diagnostics.filter((d) => d.severity === "error").map((d) => ({ code: d.code, line: d.span.line, col: d.span.column, message: d.message.replace(/^invalid expression `.*?`: /, "") }));

describe("CEL type errors", () => {
  // messages copied from `cerbos compile` 0.55.0 for the same expressions
  const cases: Array<[string, string]> = [
    ["P.id == 1", "found no matching overload for '_==_' applied to '(string, int)'"],
    [`"a" + 1`, "found no matching overload for '_+_' applied to '(string, int)'"],
    ["size(1)", "found no matching overload for 'size' applied to '(int)'"],
    ["[1,2][1u] == 1", "found no matching overload for '_[_]' applied to '(list(int), uint)'"],
    ["null == P.id", "found no matching overload for '_==_' applied to '(null, string)'"],
    ["P.id.foo", "type 'string' does not support field selection"],
    ["[1,2].all(x, x)", "expected type 'bool' but found 'int'"],
    [`"abc".all(x, x)`, "expression of type 'string' cannot be range of a comprehension (must be list, map, or dynamic)"],
    [`true ? 1 : "a"`, "found no matching overload for '_?_:_' applied to '(bool, int, string)'"],
    ["[] + 1", "found no matching overload for '_+_' applied to '(list(dyn), int)'"],
    [`"a".matches(1)`, "found no matching overload for 'matches' applied to 'string.(int)'"],
    [`hasIntersection([1], ["a"])`, "found no matching overload for 'hasIntersection' applied to '(list(int), list(string))'"],
    [`optional.none() + 1`, "found no matching overload for '_+_' applied to '(optional_type(dyn), int)'"],
    [`math.greatest(1, "a")`, "math.greatest() simple literal arguments must be numeric"],
    [`hierarchy("a.b") + 1`, "found no matching overload for '_+_' applied to '(cerbos.lib.hierarchy, int)'"],
    [`request.auxData.jwts + 1`, "found no matching overload for '_+_' applied to '(map(string, cerbos.engine.v1.AuxData.JWT), int)'"],
    [`[].sort() + ["a"]`, "found no matching overload for '_+_' applied to '(list(int), list(string))'"],
  ];
  for (const [expr, message] of cases) {
    it(`refuses ${expr}`, () => {
      expect(errors(expr)).toEqual([{ code: "VD3015", line: 11, col: 11, message }]);
    });
  }

  it("accepts whatever involves dyn, as cel-go does", () => {
    const extra = `  constants:\n    local:\n      k: 3\n  variables:\n    local:\n      s: '"x"'\n`;
    for (const expr of [
      "R.attr.n + 1 > 2", "V.s + 1 == 2", "C.k * 2 == 6", "G.limit - 1 < R.attr.n", `P.attr.x.y.z == "a"`, "R.attr.tags.exists(t, t == 1)",
      `[1, "a"][0] == 1`, "1 < 1.0 && 1u < 1", `type(1) == string`, "timestamp(R.attr.t) < now()", `true ? 1 : R.attr.x`,
      "math.greatest(R.attr.x, 1) + 2.0 > 0.0", `[R.attr.x["a"], 1] + ["a"] == []`, "1",
    ]) {
      expect(errors(expr, extra), expr).toEqual([]);
    }
  });

  it("reports type errors in variables and outputs at their own YAML nodes, like Cerbos", () => {
    const text = `apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  version: default\n  resource: doc\n  variables:\n    local:\n      unused: 'P.id + 1'\n      used: 'R.id + 1'\n  rules:\n    - actions: ["view"]\n      effect: EFFECT_ALLOW\n      roles: ["user"]\n      condition:\n        match:\n          expr: V.used == 2\n      output:\n        when:\n          ruleActivated: 'P.id - 1'\n`;
    const r = compilePolicies([{ path: "doc.yaml", text }]);
    expect(r.ruleset).toBeUndefined();
    // cerbos compile: a.yaml:7:15, 8:13 and 18:11
    expect(r.diagnostics.map((d) => `${d.code} ${d.span.line}:${d.span.column}`)).toEqual(["VD3015 7:15", "VD3015 8:13", "VD3015 18:11"]);
  });
});
