// Size budgets (issue 4): each host entry point ≤ 5 KB (5120 bytes) minified + gzipped, measured
// as esbuild bundles (minify, ESM, platform neutral) of the entry with everything it imports
// except the .wasm (the evaluator ships as its own file) and React (a peer of host/react).
// The Workers host is the gating entry (host/workers/index.ts: WorkerPdp + withAuthorization).
// Cerbos's HTTP API for Workers is a separate opt-in entry (host/workers/cerbos-api.ts →
// dist/workers-api.mjs, `verdict/workers/api`) that imports the gating entry; it carries Cerbos's
// validation messages and the full response decoder, so it has its own documented budget,
// API_BUDGET, for what it adds on top of the gating entry (the gating entry external, as
// scripts/build.mjs builds it); its standalone size is reported too.
// Sizes are printed and written to test-output/budgets/host-size.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../oracle/paths.ts";

const BUDGET = 5 * 1024;
/** What `verdict/workers/api` adds to a Worker that already imports `verdict/workers` (measured
 *  ≈ 5.2 KB when split out; validate.ts and decode-value.ts are most of it). */
const API_BUDGET = 6 * 1024;
const ENTRIES = [
  { name: "browser", entry: "host/browser/index.ts" },
  { name: "workers", entry: "host/workers/index.ts" },
  { name: "dom (UI gating)", entry: "host/dom/index.ts" },
  { name: "react", entry: "host/react/index.ts" },
] as const;

const sizes: Record<string, { minified: number; gzip: number }> = {};

/** The API entry as built: its `./index.ts` import stays external (dist/workers.mjs). */
const gatingEntryExternal = {
  name: "workers-gating-entry-external",
  setup(b: { onResolve(o: { filter: RegExp }, f: () => { path: string; external: boolean }): void }) {
    b.onResolve({ filter: /^\.\/index\.ts$/ }, () => ({ path: "./workers.mjs", external: true }));
  },
};

async function measure(entry: string, plugins: Array<typeof gatingEntryExternal> = []): Promise<{ minified: number; gzip: number; inputs: string[]; biggest: string }> {
  const r = await build({
    plugins,
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
    writeFileSync(join(dir, "host-size.json"), `${JSON.stringify({ budget: BUDGET, apiBudget: API_BUDGET, sizes }, null, 2)}\n`);
    console.log(
      `host sizes (min / min+gzip, budget ${BUDGET}; workers-api: ${API_BUDGET} on top of workers, standalone reported only):\n${Object.entries(sizes)
        .map(([k, v]) => `  ${k.padEnd(24)} ${String(v.minified).padStart(6)} / ${String(v.gzip).padStart(5)}`)
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

  it(`workers-api (host/workers/cerbos-api.ts, opt-in Cerbos HTTP API) adds ≤ ${API_BUDGET} bytes min+gzip to the gating entry`, async () => {
    const added = await measure("host/workers/cerbos-api.ts", [gatingEntryExternal]);
    const standalone = await measure("host/workers/cerbos-api.ts");
    sizes["workers-api (added)"] = { minified: added.minified, gzip: added.gzip };
    sizes["workers-api (alone)"] = { minified: standalone.minified, gzip: standalone.gzip };
    expect(added.gzip, `${added.gzip} bytes min+gzip (${added.minified} minified; biggest minified inputs: ${added.biggest})`).toBeLessThanOrEqual(API_BUDGET);
  });

  it("the Workers gating entry leaves the Cerbos API's code out (validation messages, full decoder, engine)", async () => {
    const m = await measure("host/workers/index.ts");
    const leaked = m.inputs.filter((f) => /host\/common\/(validate|decode-value|decode-response|check-resources|aux-data|engine)\.ts$|host\/workers\/cerbos-api\.ts$|compiler\/|host\/node\//.test(f));
    // validate.ts only contributes the RequestValidationError class (used by the request encoder).
    expect(leaked.filter((f) => !f.endsWith("host/common/validate.ts"))).toEqual([]);
  });

  it("the browser host leaves server-only code out (request validation messages, full value decoder, compiler)", async () => {
    const m = await measure("host/browser/index.ts");
    const leaked = m.inputs.filter((f) => /host\/common\/(validate|decode-value|decode-response|check-resources|aux-data)\.ts$|compiler\/|host\/node\//.test(f));
    // validate.ts only contributes the RequestValidationError class (used by the request encoder).
    expect(leaked.filter((f) => !f.endsWith("host/common/validate.ts"))).toEqual([]);
  });
});
