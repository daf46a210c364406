// MATCHES in the VM: RE2 semantics through the real compiler and evaluator (CelHarness), the step
// budget on long inputs, and the overload rules for hand-assembled calls (MiniRuleset).
import { RE2JS } from "@bufbuild/re2";
import { beforeAll, describe, expect, it } from "vitest";
import { Builtin, CelError, Op } from "../../spec/format";
import { compileRegex } from "../../compiler/cel/regex";
import { CelHarness, type CelValue } from "../helpers/cel-harness";
import { Asm, MiniRuleset, VmHarness, buildVmTestWasm, type Val } from "../helpers/mini-ruleset";
import { prng } from "../conformance/request-gen";
import type { ConstValue } from "../../compiler/encode/builder-api";

let cel: CelHarness;
beforeAll(() => { cel = CelHarness.create(); });

const str = (value: string): CelValue => ({ type: "string", value });
function matches(s: string, re: string): unknown {
  const r = cel.evaluate(`s.matches(${JSON.stringify(re)})`, { s: str(s) });
  return r.kind === "value" ? (r.value.type === "bool" ? r.value.value : r.value) : r;
}

// [input, pattern, Go's regexp.MatchString]
const CASES: Array<[string, string, boolean]> = [
  ["hubba", "ubb", true], ["", "foo|bar", false], ["cows", "", true], ["", "", true],
  ["grey", "gr(a|e)y", true], ["banana", "^ba(na)*$", true], ["bananas", "^ba(na)*$", false],
  ["mañana", "a+ñ+a+", true], ["🐱😀😀", "(a|😀){2}", true], ["🐱😀", "^.{2}$", true], ["🐱😀", "^.{3}$", false],
  // case folding: simple folding orbits, not only ASCII
  ["KELVIN", "(?i)^kelvin$", true], ["\u212aelvin", "(?i)^kelvin$", true], ["ſ", "(?i)s", true], ["S", "(?i:s)", true],
  ["ẞ", "(?i)ß", true], ["Σ", "(?i)ς", true], ["x", "(?i)y", false], ["K", "k", false],
  // classes
  ["٣", "\\d", false], ["3", "\\d", true], ["é", "\\w", false], ["_", "^\\w$", true], ["\u00a0", "\\s", false], ["\t", "\\s", true],
  ["é", "\\pL", true], ["1", "\\pL", false], ["Ωmega", "^\\p{Greek}", true], ["ab", "^[[:alpha:]]{2}$", true], ["a1", "[[:^alpha:]]", true],
  ["日本", "^\\p{Han}+$", true], ["abc", "[^a-c]", false],
  // dot and newlines
  ["a\nb", "a.b", false], ["a\nb", "(?s)a.b", true], ["a\rb", "a.b", true],
  // anchors, multiline, text edges
  ["abc", "^b", false], ["a\nb", "^b$", false], ["a\nb", "(?m)^b$", true], ["a\n", "a$", false], ["a\n", "(?m)a$", true],
  ["xyz", "\\Ax", true], ["xyz", "y\\z", false], ["xyz", "z\\z", true], ["a\nb", "(?m)\\Ab", false],
  // word boundaries are ASCII-only in RE2
  ["foo bar", "\\bbar\\b", true], ["foobar", "\\bbar", false], ["foobar", "\\Bbar", true], ["éa", "\\ba", true], ["", "\\B", true], ["", "\\b", false],
  // repetition, laziness (irrelevant to a yes/no answer), escapes
  ["aaa", "^a{2,3}$", true], ["aaaa", "^a{2,3}$", false], ["ab", "a+?b", true], ["a.b", "a\\.b", true], ["axb", "a\\.b", false],
  ["$5", "\\$\\d", true], ["A", "\\x41", true], ["K", "\\x{212a}", false],
];

describe("matches(): RE2 semantics", () => {
  it("agrees with Go's regexp.MatchString on hand-picked cases (and @bufbuild/re2 agrees too)", () => {
    for (const [s, re, want] of CASES) {
      expect(RE2JS.compile(re).test(s), `re2js ${JSON.stringify(s)} ~ /${re}/`).toBe(want);
      expect(matches(s, re), `${JSON.stringify(s)} ~ /${re}/`).toBe(want);
    }
  });

  it("global and member forms are the same function", () => {
    const r = cel.evaluate(`matches("abc", "b") && !matches("abc", "^b")`);
    expect(r.kind === "value" && r.value).toEqual({ type: "bool", value: true });
  });

  it("agrees with @bufbuild/re2 on 2,000 seeded random pattern × string pairs", () => {
    const rnd = prng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const atoms = ["a", "b", "K", "s", "é", "😀", ".", "\\w", "\\d", "\\s", "\\pL", "[a-c]", "[^a]", "^", "$", "\\b", "\\B", "(a|b)", "(?i:k)", "\\n"];
    const quants = ["", "", "*", "+", "?", "{1,2}"];
    const chars = ["a", "b", "k", "K", "\u212a", "s", "ſ", "é", "😀", "1", " ", "\n", "_"];
    let agree = 0;
    for (let i = 0; i < 100; i++) {
      const re = (rnd() < 0.3 ? pick(["(?i)", "(?s)", "(?m)"]) : "") + Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => {
        const a = pick(atoms);
        return /^[\^$]|^\\[bB]$/.test(a) ? a : a + pick(quants);
      }).join("");
      const inputs = Array.from({ length: 20 }, () => Array.from({ length: Math.floor(rnd() * 7) }, () => pick(chars)).join(""));
      // one compiled expression per pattern: the list of its answers for every input
      const r = cel.evaluate(`ins.map(x, x.matches(${JSON.stringify(re)}))`, { ins: { type: "list", value: inputs.map(str) } });
      if (r.kind !== "value" || r.value.type !== "list") throw new Error(`/${re}/: ${JSON.stringify(r)}`);
      r.value.value.forEach((got, j) => {
        const s = inputs[j]!;
        expect(got, `${JSON.stringify(s)} ~ /${re}/`).toEqual({ type: "bool", value: RE2JS.compile(re).test(s) });
        agree++;
      });
    }
    expect(agree).toBe(2000);
  });

  it("runs in linear time on patterns that make backtrackers explode, and stops at the step budget", () => {
    // (a*)*b on a^n without b: exponential for backtracking engines, one pass here
    expect(matches("a".repeat(2000), "(a*)*b")).toBe(false);
    expect(matches("a".repeat(2000) + "b", "(a*)*b")).toBe(true);
    // a long input times a wide pattern exceeds the per-check budget: an error, never a hang or trap
    const r = cel.evaluate(`s.matches("(a|b|c|d|e|f|g|h)*z")`, { s: str("a".repeat(200_000)) });
    expect(r.kind === "value" && r.value).toMatchObject({ type: "error", code: CelError.BUDGET_EXCEEDED });
  });
});

describe("matches(): overloads of hand-assembled calls", () => {
  let vm: VmHarness;
  beforeAll(() => { vm = new VmHarness(buildVmTestWasm()); });
  function call(argc: number, ...args: ConstValue[]): Val {
    const rs = new MiniRuleset();
    const a = new Asm();
    for (const x of args) a.k(Op.CONST, rs.constant(x));
    a.call(Builtin.MATCHES, argc).op(Op.RET);
    rs.expr(a);
    vm.load(rs);
    return vm.eval(0);
  }
  const regex = (pattern: string): ConstValue => ({ regex: { pattern, program: compileRegex(pattern).bytes } });
  const noOverload = expect.objectContaining({ error: CelError.NO_MATCHING_OVERLOAD });

  it("takes a string and a REGEX constant", () => {
    expect(call(2, "xaby", regex("ab"))).toBe(true);
    expect(call(2, "xy", regex("ab"))).toBe(false);
  });
  it("refuses a pattern that is a plain string (never compiled at run time), other types and arities", () => {
    expect(call(2, "ab", "ab")).toEqual(noOverload);
    expect(call(2, { int: 1n }, regex("1"))).toEqual(noOverload);
    expect(call(1, "ab")).toEqual(noOverload);
  });
});
