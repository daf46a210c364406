import { describe, expect, it } from "vitest";
import {
  COND_SIZE, CO_KIND, EXPR_SIZE, EX_CODE_LENGTH, H_LENGTH, H_MAGIC, H_MAJOR, HEADER_SIZE, ROW_SIZE, RW_CONDITION,
  RW_EVAL_KEY, RW_POLICY, RW_SCOPE, SECTION_ENTRY_SIZE, Section, Status, VAR_SIZE, VA_EXPR, ABI_MAJOR, ABI_MINOR,
  CELL_SIZE, Tag, Op, FORMAT_MAJOR,
} from "../../spec/format.ts";
import { compile } from "./decide-helpers.ts";
import { evaluator, reseal, section, u32 } from "./loader-helpers.ts";

const policy = `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: doc
  version: default
  variables:
    local:
      mine: R.attr.owner == P.id
  constants:
    local:
      tags: [a, b, {x: 1}]
  rules:
    - actions: [view, "edit:*"]
      effect: EFFECT_ALLOW
      roles: [user]
      condition:
        match:
          any:
            of:
              - expr: V.mine
              - expr: '"a" in C.tags'
    - actions: [delete]
      effect: EFFECT_DENY
      roles: ["*"]
`;
const good = compile({ "doc.yaml": policy });
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

describe("loader: accepts and refuses", () => {
  it("reports the ABI version and loads a compiled ruleset", () => {
    const e = evaluator();
    expect(e.ex.abi_version()).toBe((ABI_MAJOR << 16) | ABI_MINOR);
    expect(e.load(good)).toBe(Status.OK);
  });

  it("refuses a wrong magic, a different major version, a wrong length and a bad checksum", () => {
    const e = evaluator();
    expect(e.load(u32(good, H_MAGIC, 0x12345678))).toBe(Status.BAD_MAGIC);
    const major = good.slice();
    dv(major).setUint16(H_MAJOR, FORMAT_MAJOR + 1, true);
    expect(e.load(major)).toBe(Status.BAD_VERSION);
    expect(e.load(u32(good, H_LENGTH, good.length + 4))).toBe(Status.BAD_LENGTH);
    const flipped = good.slice();
    flipped[good.length - 3]! ^= 0x40;
    expect(e.load(flipped)).toBe(Status.BAD_CHECKSUM);
  });

  it("refuses every truncation without trapping", () => {
    const e = evaluator();
    for (let n = 0; n < good.length; n += n < 64 ? 1 : 7) {
      const st = e.load(good.subarray(0, n));
      expect(st, `truncated to ${n}`).not.toBe(Status.OK);
      expect([Status.BAD_LENGTH, Status.BAD_MAGIC]).toContain(st);
    }
  });

  it("never traps on a flipped byte anywhere, even with the checksum recomputed", () => {
    const e = evaluator();
    let refused = 0;
    for (let i = 0; i < good.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const b = good.slice();
        b[i]! ^= bit;
        const st = e.load(reseal(b));
        if (st !== Status.OK) refused++;
        expect(Object.values(Status)).toContain(st);
      }
    }
    expect(refused).toBeGreaterThan(0);
    // The evaluator still works after all those attempts.
    expect(e.load(good)).toBe(Status.OK);
  });

  it("refuses out-of-range indexes and offsets (checksum recomputed)", () => {
    const e = evaluator();
    const rows = section(good, Section.ROWS);
    const row0 = rows.offset + 4;
    expect(e.load(reseal(u32(good, row0 + RW_CONDITION, 0x7fff)))).toBe(Status.BAD_RECORD);
    expect(e.load(reseal(u32(good, row0 + RW_POLICY, 0xffff)))).toBe(Status.BAD_RECORD);
    expect(e.load(reseal(u32(good, row0 + RW_SCOPE, 0xfffffffe)))).toBe(Status.BAD_RECORD);
    expect(e.load(reseal(u32(good, row0 + RW_EVAL_KEY, 0x7fffffff)))).toBe(Status.BAD_RECORD);
    expect(e.load(reseal(u32(good, rows.offset, 1000)))).toBe(Status.BAD_SECTION); // row count past the end

    const exprs = section(good, Section.EXPRS);
    expect(e.load(reseal(u32(good, exprs.offset + 4 + EX_CODE_LENGTH, 1 << 20)))).toBe(Status.BAD_RECORD);
    const vars = section(good, Section.VARS);
    expect(e.load(reseal(u32(good, vars.offset + 4 + VA_EXPR, 999)))).toBe(Status.BAD_RECORD);
    const conds = section(good, Section.CONDS);
    expect(e.load(reseal(u32(good, conds.offset + 4 + CO_KIND, 9)))).toBe(Status.BAD_RECORD);

    const strings = section(good, Section.STRINGS);
    expect(e.load(reseal(u32(good, strings.offset + 4, 0xfffff)))).toBe(Status.BAD_RECORD); // string offset

    // Directory: an entry pointing outside the ruleset, and an unaligned one.
    const entry = HEADER_SIZE; // first directory entry
    expect(e.load(reseal(u32(good, entry + 4, good.length + 64)))).toBe(Status.BAD_SECTION);
    expect(e.load(reseal(u32(good, entry + 4, dv(good).getUint32(entry + 4, true) + 2)))).toBe(Status.BAD_SECTION);
    expect(e.load(reseal(u32(good, entry + 8, 0x7fffffff)))).toBe(Status.BAD_SECTION);
    expect(SECTION_ENTRY_SIZE).toBe(12);
  });

  it("refuses a condition tree with a cycle and constants that contain themselves", () => {
    const e = evaluator();
    const conds = section(good, Section.CONDS);
    const d = dv(good);
    const nodes = d.getUint32(conds.offset, true);
    // Find a group node and point its first child at itself.
    const childBase = conds.offset + 4 + nodes * COND_SIZE + 4;
    let patched: Uint8Array | undefined;
    for (let i = 0; i < nodes; i++) {
      const r = conds.offset + 4 + i * COND_SIZE;
      if (d.getUint32(r, true) !== 1) patched = u32(good, childBase + d.getUint32(r + 4, true) * 4, i);
    }
    expect(patched).toBeDefined();
    expect(e.load(reseal(patched!))).toBe(Status.BAD_RECORD);

    const consts = section(good, Section.CONSTS);
    const count = d.getUint32(consts.offset, true);
    let list = -1;
    for (let i = 0; i < count; i++) if (good[consts.offset + 16 + i * CELL_SIZE] === Tag.LIST) list = i;
    expect(list).toBeGreaterThanOrEqual(0);
    const cell = consts.offset + 16 + list * CELL_SIZE;
    expect(e.load(reseal(u32(good, cell + 8, list)))).toBe(Status.BAD_RECORD); // list's items start at itself
  });

  it("refuses bytecode with an unknown opcode or a jump off an instruction boundary", () => {
    const e = evaluator();
    const exprs = section(good, Section.EXPRS);
    const code = section(good, Section.CODE);
    const off = dv(good).getUint32(exprs.offset + 4, true);
    const bad = good.slice();
    bad[code.offset + off] = 0xee;
    expect(e.load(reseal(bad))).toBe(Status.BAD_RECORD);
    // A one-byte JUMP whose offset lands in the middle of itself.
    const jump = good.slice();
    jump[code.offset + off] = Op.JUMP;
    dv(jump).setInt32(code.offset + off + 1, -3, true);
    expect(e.load(reseal(jump))).toBe(Status.BAD_RECORD);
    expect(EXPR_SIZE).toBe(16);
  });

  it("keeps serving the previous ruleset after a refused load", () => {
    const e = evaluator();
    expect(e.ex.check(0)).toBe(Status.NO_RULESET);
    expect(e.load(good)).toBe(Status.OK);
    expect(e.load(u32(good, H_MAGIC, 0))).toBe(Status.BAD_MAGIC);
    expect(e.ex.check(0)).toBe(Status.BAD_REQUEST); // a ruleset is loaded: the request is what is wrong
  });

  it("survives hostile pointers and lengths from the host", () => {
    const e = evaluator();
    const pages = e.ex.memory.buffer.byteLength;
    expect(e.ex.load(pages - 8, 64)).toBe(Status.BAD_LENGTH);
    expect(e.ex.load(0xfffffff0, 0x100)).toBe(Status.BAD_LENGTH);
    expect(e.load(good)).toBe(Status.OK);
    expect(e.ex.check(pages + 1024)).toBe(Status.BAD_REQUEST);
    expect(e.ex.check(0xffffffff)).toBe(Status.BAD_REQUEST);
    e.ex.free(12345); // unknown pointer: ignored, not a heap corruption
    e.ex.free(0);
    expect(e.load(good)).toBe(Status.OK);
    expect(ROW_SIZE).toBe(80);
    expect(VAR_SIZE).toBe(8);
  });
});
