// The compile-time half of matches(): constant patterns become regex programs (compiler/cel/regex.ts),
// computed ones are refused with VD3016 at the pattern, and case folding is resolved exactly.
import { RE2JS } from "@bufbuild/re2";
import { describe, expect, it } from "vitest";
import { RegexOp, RX_HEADER_SIZE, RX_INST_SIZE, RX_RANGE_SIZE } from "../../spec/format.ts";
import { compileRegex, disassembleRegex } from "../../compiler/cel/regex.ts";
import { disassemble } from "../../compiler/disasm.ts";
import { compile } from "../wasm/decide-helpers.ts";
import { lower, scopeOf, show } from "./lower-helpers.ts";

const AT: [number, number] = [10, 14];
const codes = (text: string, constants: Record<string, unknown> = {}) =>
  lower(text, scopeOf([], constants), AT).diags.map((d) => `${d.code}@${/^at (\d+:\d+)$/.exec(d.help ?? "")?.[1] ?? AT.join(":")}`);

describe("matches(): patterns are compiled ahead", () => {
  it("turns a literal or a policy constant into a REGEX constant", () => {
    const r = lower('R.attr.s.matches("a+") && matches(R.attr.t, C.re)', scopeOf([], { re: "(?i)b" }));
    expect(r.diags).toEqual([]);
    expect(r.tables.consts.map(show)).toEqual(['regex("a+")', 'regex("(?i)b")']);
  });

  it("refuses a computed pattern at the pattern with VD3016, and a bad constant one with VD3008", () => {
    expect(codes("R.attr.s.matches(R.attr.p)")).toEqual(["VD3016@10:37"]);
    expect(codes('matches(R.attr.s, "a"+"b")')).toEqual(["VD3016@10:35"]); // at the +
    expect(codes("R.attr.s.matches(C.n)", { n: 1 })).toEqual(["VD3016@10:32"]);
    expect(codes("R.attr.s.matches(C.bad)", { bad: "a(" })).toEqual(["VD3008@10:32"]);
    expect(codes('R.attr.s.matches("a(")')).toEqual(["VD3008@10:31"]); // reported once, by the literal check
    const d = lower("R.attr.s.matches(R.attr.p)", scopeOf(), AT).diags[0]!;
    expect(d.message).toContain("must be a constant string");
  });
});

/** The code points a one-rune program's first RANGES instruction accepts. */
function accepted(bytes: Uint8Array): Set<number> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(0, true);
  for (let i = 0; i < n; i++) {
    const at = RX_HEADER_SIZE + i * RX_INST_SIZE;
    if (dv.getUint32(at, true) !== RegexOp.RANGES || dv.getUint32(at + 12, true) === 0) continue;
    const out = new Set<number>();
    for (let k = 0; k < dv.getUint32(at + 12, true); k++) {
      const r = RX_HEADER_SIZE + n * RX_INST_SIZE + (dv.getUint32(at + 8, true) + k) * RX_RANGE_SIZE;
      for (let c = dv.getUint32(r, true); c <= dv.getUint32(r + 4, true); c++) out.add(c);
    }
    return out;
  }
  throw new Error("no RANGES instruction");
}

describe("compileRegex", () => {
  it("resolves (?i) literals to their exact simple case-folding orbit", () => {
    const runes = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "ß", "σ", "ς", "Σ", "ſ", "\u212a", "µ", "θ", "ϑ", "İ", "ı", "ǅ", "Ω", "ω", "\u2126", "é", "Ǆ", "ﬀ", "𐐀", "Ꭰ", "ꭰ", "1", "_"];
    for (const r of runes) {
      // the reference: RE2's own rune test (its equalsIgnoreCase) over every code point up to U+1FFFF
      const prog = RE2JS.compile(`(?i)${RE2JS.quote(r)}`).re2().prog as unknown as { inst: Array<{ runes: number[]; matchRune(c: number): boolean }> };
      const inst = prog.inst.find((i) => i.runes.length > 0)!;
      const want = new Set<number>();
      for (let c = 0; c <= 0x1ffff; c++) if (inst.matchRune(c)) want.add(c);
      expect([...accepted(compileRegex(`(?i)${RE2JS.quote(r)}`).bytes)].sort((a, b) => a - b), r).toEqual([...want].sort((a, b) => a - b));
    }
  }, 120_000);

  it("shares identical range lists and keeps the program readable in the disassembly", () => {
    const p = compileRegex("[a-c]x[a-c]");
    expect(p.ranges).toBe(2); // [a-c] once, x once
    expect(disassembleRegex(p.bytes)).toEqual([
      "start 1",
      "  0 FAIL",
      "  1 RANGES ['a'-'c'] -> 2",
      "  2 RANGES ['x'] -> 3",
      "  3 RANGES ['a'-'c'] -> 4",
      "  4 MATCH",
    ]);
    expect(disassembleRegex(compileRegex("(?m)^\\b(a|b)*$").bytes).join("\n")).toMatch(/EMPTY BEGIN_LINE -> \d+\n.*EMPTY WORD_BOUNDARY/);
  });
});

describe("verdict disasm", () => {
  it("shows a REGEX constant with its pattern and program, and its program bytes as such in STRINGS", () => {
    const text = disassemble(compile({
      "doc.yaml": `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: doc
  version: default
  rules:
    - actions: [view]
      effect: EFFECT_ALLOW
      roles: [user]
      condition:
        match:
          expr: R.attr.s.matches("^a|b$")
`,
    }));
    expect(text).toMatch(/\n {2}s\d+ <regex program, \d+ bytes>\n/);
    expect(text).toMatch(/\n {2}k\d+ regex\("\^a\|b\$"\)\n {6}start \d+\n/);
    expect(text).toContain("RANGES ['a'] ->");
    expect(text).toContain("EMPTY END_TEXT ->");
    expect(text).toMatch(/CONST #\d+ regex\("\^a\|b\$"\)/);
  });
});
