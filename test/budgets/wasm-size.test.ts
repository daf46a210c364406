// Size budget of the evaluator (issues 3, 4, 6): the release .wasm with every CEL feature in it
// stays ≤ 32 KB raw, so the browser and Workers hosts ship it cheaply. docs/size.md records what
// was done to get under it and what each change saved. Speed is never asserted here.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const wasmPath = join(root, "build", "verdict.wasm");
const BUDGET_RAW = 32 * 1024;

describe("evaluator size budget", () => {
  it(`build/verdict.wasm is at most ${BUDGET_RAW} bytes raw`, () => {
    expect(existsSync(wasmPath), `${wasmPath} missing: run node scripts/build.mjs`).toBe(true);
    const bytes = readFileSync(wasmPath);
    const gz = gzipSync(bytes, { level: 9 }).length;
    console.log(`verdict.wasm: ${bytes.length} bytes raw, ${gz} bytes gzip -9 (budget ${BUDGET_RAW} raw)`);
    expect(WebAssembly.validate(bytes), "verdict.wasm is not a valid module").toBe(true);
    expect(bytes.length).toBeLessThanOrEqual(BUDGET_RAW);
  });
});
