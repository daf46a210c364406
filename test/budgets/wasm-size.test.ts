// Size budget of the evaluator (issues 3, 4, 6): the release .wasm with every CEL feature in it
// stays ≤ 32 KB raw, so the browser and Workers hosts ship it cheaply. It is not met yet
// (docs/size.md: what was done, what each change saved, what is left), so the target is an
// expected failure that flips when it is met, and a ceiling guards against growing further.
// Speed is never asserted here.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const wasmPath = join(root, "build", "verdict.wasm");
const BUDGET_RAW = 32 * 1024;
// 36,485 B after the host imports; then issue 3's builtins (bits, base64, quote, map insert,
// sort, hierarchy, RE2 matches, zone-keeping timestamps) added ~3.7 KB: 40,170 B at merge.
const CEILING_RAW = 40 * 1024 + 256; // 39,152 after globs became regex programs; +80 math.sqrt; +1,295 json.encode = 40,527

function wasm(): Buffer {
  expect(existsSync(wasmPath), `${wasmPath} missing: run node scripts/build.mjs`).toBe(true);
  return readFileSync(wasmPath);
}

describe("evaluator size budget", () => {
  it(`build/verdict.wasm is valid and does not grow past ${CEILING_RAW} bytes raw`, () => {
    const bytes = wasm();
    const gz = gzipSync(bytes, { level: 9 }).length;
    console.log(`verdict.wasm: ${bytes.length} bytes raw, ${gz} bytes gzip -9 (budget ${BUDGET_RAW} raw)`);
    expect(WebAssembly.validate(new Uint8Array(bytes)), "verdict.wasm is not a valid module").toBe(true);
    expect(bytes.length).toBeLessThanOrEqual(CEILING_RAW);
  });
  it.fails(`is at most ${BUDGET_RAW} bytes raw (not met yet: remove .fails when it is)`, () => {
    expect(wasm().length).toBeLessThanOrEqual(BUDGET_RAW);
  });
});
