// Size budgets (issue 4): each host entry point ≤ 5 KB (5120 bytes) minified + gzipped, measured
// as esbuild bundles (minify, ESM, platform neutral) of the entry with everything it imports
// except the .wasm (the evaluator ships as its own file) and React (a peer of host/react).
// Sizes are printed and written to test-output/budgets/host-size.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../oracle/paths.ts";

const BUDGET = 5 * 1024;
const ENTRIES = [
  { name: "browser", entry: "host/browser/index.ts" },
  { name: "workers", entry: "host/workers/index.ts" },
  { name: "dom (UI gating)", entry: "host/dom/index.ts" },
  { name: "react", entry: "host/react/index.ts" },
] as const;

const sizes: Record<string, { minified: number; gzip: number }> = {};

async function measure(entry: string): Promise<{ minified: number; gzip: number; inputs: string[]; biggest: string }> {
  const r = await build({
    entryPoints: [join(repoRoot, entry)],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    write: false,
    metafile: true,
    external: ["*.wasm", "react", "react-dom"],
    logLevel: "silent",
  });
  const out = r.outputFiles[0]!.contents;
  const contributions = Object.values(r.metafile.outputs)[0]!.inputs;
  const biggest = Object.entries(contributions)
    .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
    .slice(0, 5)
    .map(([f, v]) => `${f} ${v.bytesInOutput}`)
    .join(", ");
  return { minified: out.length, gzip: gzipSync(out, { level: 9 }).length, inputs: Object.keys(r.metafile.inputs), biggest };
}

describe("host size budgets (esbuild min + gzip, .wasm excluded)", () => {
  afterAll(() => {
    const dir = join(repoRoot, "test-output", "budgets");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "host-size.json"), `${JSON.stringify({ budget: BUDGET, sizes }, null, 2)}\n`);
    console.log(
      `host sizes (min / min+gzip, budget ${BUDGET}):\n${Object.entries(sizes)
        .map(([k, v]) => `  ${k.padEnd(16)} ${String(v.minified).padStart(6)} / ${String(v.gzip).padStart(5)}`)
        .join("\n")}`,
    );
  });

  for (const e of ENTRIES) {
    it(`${e.name} (${e.entry}) ≤ ${BUDGET} bytes min+gzip`, async () => {
      const m = await measure(e.entry);
      sizes[e.name] = { minified: m.minified, gzip: m.gzip };
      expect(m.inputs.length).toBeGreaterThan(0);
      expect(m.gzip, `${e.entry}: ${m.gzip} bytes min+gzip (${m.minified} minified; biggest minified inputs: ${m.biggest})`).toBeLessThanOrEqual(BUDGET);
    });
  }

  it("the browser host leaves server-only code out (request validation messages, full value decoder, compiler)", async () => {
    const m = await measure("host/browser/index.ts");
    const leaked = m.inputs.filter((f) => /host\/common\/(validate|decode-value|decode-response|check-resources|aux-data)\.ts$|compiler\/|host\/node\//.test(f));
    // validate.ts only contributes the RequestValidationError class (used by the request encoder).
    expect(leaked.filter((f) => !f.endsWith("host/common/validate.ts"))).toEqual([]);
  });
});
