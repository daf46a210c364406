// REGEX constants at load (docs/format.md §3.1): a malformed regex program is refused with
// BAD_RECORD, and no corruption of a program — loaded or refused — ever traps the evaluator.
import { describe, expect, it } from "vitest";
import {
  CELL_SIZE, CL_B, H_LENGTH, H_SECTION_COUNT, HEADER_SIZE, RegexOp, RX_HEADER_SIZE, RX_INST_SIZE, SECTION_ENTRY_SIZE, Section,
  Status, Tag,
} from "../../spec/format.ts";
import { Pdp } from "../../host/node/index.ts";
import { compile, check } from "./decide-helpers.ts";
import { evaluator, reseal, section, u32 } from "./loader-helpers.ts";

const policy = `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: doc
  version: default
  rules:
    - actions: [view]
      effect: EFFECT_ALLOW
      roles: [user]
      condition:
        match:
          expr: R.attr.s.matches("(?i)^ab[c-e]+\\\\d$")
`;
const good = compile({ "doc.yaml": policy });
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Absolute offsets of the REGEX cell and of its program inside `good`. */
function locate(b: Uint8Array): { cell: number; program: number; length: number; insts: number } {
  const consts = section(b, Section.CONSTS);
  const n = dv(b).getUint32(consts.offset, true);
  for (let i = 0; i < n; i++) {
    const cell = consts.offset + 16 + i * CELL_SIZE;
    if (b[cell] !== Tag.REGEX) continue;
    const sid = dv(b).getUint32(cell + CL_B, true);
    const strings = section(b, Section.STRINGS);
    const count = dv(b).getUint32(strings.offset, true);
    const entry = strings.offset + 4 + sid * 8;
    const program = strings.offset + 4 + count * 8 + dv(b).getUint32(entry, true);
    return { cell, program, length: dv(b).getUint32(entry + 4, true), insts: dv(b).getUint32(program, true) };
  }
  throw new Error("no REGEX constant");
}

describe("loader: regex programs", () => {
  const at = locate(good);
  const inst = (i: number, field: number) => at.program + RX_HEADER_SIZE + i * RX_INST_SIZE + field;
  const firstOp = (op: RegexOp) => {
    for (let i = 0; i < at.insts; i++) if (dv(good).getUint32(inst(i, 0), true) === op) return i;
    throw new Error(`no ${RegexOp[op]} instruction`);
  };

  it("loads the compiled program and decides with it", () => {
    expect(evaluator().load(good)).toBe(Status.OK);
    const p = Pdp.fromRuleset(good);
    const view = (s: unknown) => check(p, { resource: { attr: { s } }, actions: ["view"] }).actions.view?.effect;
    expect(view("ABd7")).toBe("EFFECT_ALLOW");
    expect(view("abcde0")).toBe("EFFECT_ALLOW");
    expect(view("xabc1")).toBe("EFFECT_DENY"); // ^ anchors at the text start
    expect(view("abc1\n")).toBe("EFFECT_DENY"); // $ without (?m) is the text end
    expect(view(7)).toBe("EFFECT_DENY"); // not a string: no overload, an evaluation error
  });

  it("refuses malformed programs with BAD_RECORD (checksum recomputed)", () => {
    const e = evaluator();
    const n = at.insts;
    const alt = firstOp(RegexOp.ALT);
    const ranges = firstOp(RegexOp.RANGES);
    const cases: Array<[string, Uint8Array]> = [
      ["start past the end", u32(good, at.program + 4, n)],
      ["instruction count 0", u32(good, at.program, 0)],
      ["instruction count off by one (length mismatch)", u32(good, at.program, n + 1)],
      ["range count off by one (length mismatch)", u32(good, at.program + 8, dv(good).getUint32(at.program + 8, true) + 1)],
      ["out past the last instruction", u32(good, inst(0, 4), n)],
      ["ALT branch past the last instruction", u32(good, inst(alt, 8), 0xffffffff)],
      ["unknown opcode", u32(good, inst(alt, 0), 9)],
      ["RANGES run past the range table", u32(good, inst(ranges, 12), 0x10000)],
      ["RANGES start past the range table", u32(good, inst(ranges, 8), 0xfffffff0)],
      ["REGEX cell naming a plain string", u32(good, at.cell + CL_B, 1)],
      ["REGEX cell naming no string", u32(good, at.cell + CL_B, 0xffffff)],
    ];
    for (const [what, bytes] of cases) expect(e.load(reseal(bytes)), what).toBe(Status.BAD_RECORD);
    expect(e.load(good)).toBe(Status.OK);
  });

  it("never traps on a flipped bit of the program or its cell, loaded or not", () => {
    const e = evaluator();
    let refused = 0;
    let decided = 0;
    const spots = [...Array.from({ length: at.length }, (_, i) => at.program + i), ...Array.from({ length: CELL_SIZE }, (_, i) => at.cell + i)];
    for (const i of spots) {
      for (const bit of [0x01, 0x04, 0x80]) {
        const b = good.slice();
        b[i]! ^= bit;
        const st = e.load(reseal(b));
        expect(Object.values(Status)).toContain(st);
        if (st !== Status.OK) {
          refused++;
          continue;
        }
        // Accepted (a changed range bound or flag is still a well-formed program): deciding must not
        // trap. The host is fed the raw bytes; its integrity digest no longer matches, so skip that.
        const p = Pdp.fromRuleset(stripIntegrity(reseal(b)));
        for (const s of ["", "ab1", "ABCDE9", "x\nabc1", "ünïcödé😀"]) {
          expect(["EFFECT_ALLOW", "EFFECT_DENY"]).toContain(check(p, { resource: { attr: { s } }, actions: ["view"] }).actions.view?.effect);
          decided++;
        }
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(decided).toBeGreaterThan(0);
    expect(e.load(good)).toBe(Status.OK);
  });
});

/** The ruleset without its trailing INTEGRITY section (optional; the evaluator never reads it). */
function stripIntegrity(b: Uint8Array): Uint8Array {
  let s: { offset: number; length: number };
  try {
    s = section(b, Section.INTEGRITY);
  } catch {
    return b;
  }
  const out = b.slice(0, s.offset);
  const d = dv(out);
  const count = d.getUint32(H_SECTION_COUNT, true);
  if (d.getUint32(HEADER_SIZE + (count - 1) * SECTION_ENTRY_SIZE, true) !== Section.INTEGRITY) throw new Error("INTEGRITY is not the last directory entry");
  d.setUint32(H_SECTION_COUNT, count - 1, true);
  d.setUint32(H_LENGTH, out.length, true);
  return reseal(out);
}
