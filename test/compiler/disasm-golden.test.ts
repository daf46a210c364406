// Golden tests: small policy sets compiled and disassembled, compared with checked-in text.
// Run with UPDATE_GOLDEN=1 to rewrite the .golden files after an intended change (and review the diff).
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compileDirectory } from "../../compiler/index.ts";
import { disassemble } from "../../compiler/disasm.ts";
import { renderDiagnostic } from "../../compiler/diagnostics.ts";

const goldenDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../golden");
const cases = readdirSync(path.join(goldenDir, "policies")).sort();

describe("disasm golden", () => {
  for (const name of cases) {
    it(name, () => {
      const r = compileDirectory(path.join(goldenDir, "policies", name));
      expect(r.diagnostics.map(renderDiagnostic)).toEqual([]);
      const text = disassemble(r.ruleset!);
      const file = path.join(goldenDir, `${name}.golden`);
      if (process.env.UPDATE_GOLDEN === "1" || !existsSync(file)) writeFileSync(file, text);
      expect(text).toBe(readFileSync(file, "utf8"));
    });
  }
});

describe("ruleset bytes", () => {
  const dir = path.join(goldenDir, "policies", "basic");

  it("are deterministic", () => {
    expect(compileDirectory(dir).ruleset).toEqual(compileDirectory(dir).ruleset);
  });

  it("are rejected by disasm when corrupted", () => {
    const bytes = compileDirectory(dir).ruleset!.slice();
    bytes[bytes.length - 1] ^= 0xff;
    expect(() => disassemble(bytes)).toThrow(/checksum/);
    expect(() => disassemble(bytes.subarray(0, 10))).toThrow(/shorter than the header/);
    const magic = compileDirectory(dir).ruleset!.slice();
    magic[0] = 0;
    expect(() => disassemble(magic)).toThrow(/magic/);
  });
});
