// docs/format.md must describe every opcode, builtin, section and status that spec/format.ts defines,
// so a third implementation can be written from the document alone.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Builtin, Op, Section, Status } from "../spec/format.ts";

const doc = readFileSync(join(import.meta.dirname, "..", "docs", "format.md"), "utf8");
const names = (e: object): string[] => Object.keys(e).filter((k) => Number.isNaN(Number(k)));

describe("docs/format.md covers spec/format.ts", () => {
  for (const [label, e] of [["Op", Op], ["Builtin", Builtin], ["Section", Section], ["Status", Status]] as const) {
    it(`names every ${label}`, () => {
      const list = names(e);
      expect(list.length).toBeGreaterThan(3);
      const missing = list.filter((n) => !new RegExp(`\\b${n}\\b`).test(doc));
      expect(missing, `${label} names missing from docs/format.md`).toEqual([]);
    });
  }

  it("lists each opcode with its numeric code in the opcode table", () => {
    const missing = names(Op).filter((n) => !doc.includes(`| ${(Op as unknown as Record<string, number>)[n]} | \`${n}\` |`));
    expect(missing).toEqual([]);
  });
});
