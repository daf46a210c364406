// Size budget of a compiled ruleset (issue 6): the benchmark's large policy (50 kinds × 10 actions ×
// 5 roles, 2,268 Cerbos rules, bench/lib/model.mjs) must compile to ≤ 8 KiB gzip -9. Today it is
// ~49 KiB (docs/performance.md "Ruleset size": rows and per-rule strings dominate), so the target is
// an expected failure that flips when it is met, and a ceiling guards against growing further.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { compileDirectory } from "../../compiler/index.ts";
// @ts-expect-error plain JS workload generator shared with the benchmark
import { largeModel } from "../../bench/lib/model.mjs";
// @ts-expect-error plain JS translator shared with the benchmark
import { toCerbos } from "../../bench/lib/translate.mjs";

const TARGET_GZIP = 8 * 1024;
const CEILING_GZIP = 52 * 1024; // measured 49.1 KiB when the budget was written

const dir = mkdtempSync(join(tmpdir(), "verdict-large-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
for (const [name, text] of Object.entries(toCerbos(largeModel()) as Record<string, string>)) writeFileSync(join(dir, name), text);
const { ruleset, diagnostics } = compileDirectory(dir);
const gz = ruleset ? gzipSync(ruleset, { level: 9 }).length : Infinity;

describe("ruleset size budget (large benchmark policy)", () => {
  it("compiles, and does not grow past the measured ceiling", () => {
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    console.log(`large ruleset: ${ruleset!.length} bytes raw, ${gz} bytes gzip -9 (target ${TARGET_GZIP})`);
    expect(gz).toBeLessThanOrEqual(CEILING_GZIP);
  });
  it.fails(`is at most ${TARGET_GZIP} bytes gzip (not met yet: remove .fails when it is)`, () => {
    expect(gz).toBeLessThanOrEqual(TARGET_GZIP);
  });
});
