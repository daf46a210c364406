#!/usr/bin/env node
// `npm run fuzz -- --n 1000000 [--seed S] [--only rulesets|requests]`: the long fuzz run (the
// bounded one is test/hardening/fuzz.test.ts). Bundles test/hardening/fuzz/setup.ts with esbuild on
// the fly, runs both fuzzers in chunks printing progress, and exits 1 on any finding.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { n: { type: "string", default: "100000" }, seed: { type: "string", default: "1" }, only: { type: "string" } } });
const n = Number(values.n);
const seed = Number(values.seed);
if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--n must be a positive integer, not ${values.n}`);

const tmp = mkdtempSync(join(tmpdir(), "verdict-fuzz-"));
const out = join(tmp, "fuzz.mjs");
const esbuild = await import("esbuild");
await esbuild.build({
  entryPoints: [join(root, "test", "hardening", "fuzz", "setup.ts")],
  outfile: out,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
  // import.meta.dirname in the bundled sources must still point at the checkout.
  define: { "import.meta.dirname": JSON.stringify(join(root, "test", "hardening")) },
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
const m = await import(pathToFileURL(out).href);
rmSync(tmp, { recursive: true, force: true });

// The bundle lives in a temp dir, so point the Node host at the checkout's evaluator.
process.env.VERDICT_WASM ??= join(root, "build", "verdict.wasm");
const { rulesets, pdp, module } = m.makeFuzzers();
const CHUNK = 50_000;
let findings = 0;
const mb = (b) => `${(b / 1048576).toFixed(1)} MiB`;

function run(label, step, stats) {
  const t0 = performance.now();
  for (let done = 0, chunk = 0; done < n; chunk++) {
    const k = Math.min(CHUNK, n - done);
    step(k, seed * 1_000_003 + chunk, stats);
    done += k;
    const rate = Math.round(done / ((performance.now() - t0) / 1000));
    console.error(`${label}: ${done}/${n} (${rate}/s) findings ${stats.findings.length} rss ${mb(process.memoryUsage().rss)}`);
  }
  for (const f of stats.findings.slice(0, 20)) console.log(`FINDING ${label} ${f.kind} seed=${f.seed} case=${f.caseNo}: ${f.detail}`);
  findings += stats.findings.length;
  const { findings: list, ...rest } = stats;
  console.log(`${label}: ${JSON.stringify(rest)} findings=${list.length} seconds=${((performance.now() - t0) / 1000).toFixed(1)}`);
}

if (values.only !== "requests") run("rulesets", (k, s, st) => rulesets.run(k, s, st), m.emptyStats());
if (values.only !== "rulesets") {
  run("requests", (k, s, st) => m.fuzzRequests(pdp, k, s, st), m.emptyRequestStats());
  const pages = pdp.engine?.inst?.abi?.ex?.memory?.buffer?.byteLength;
  if (pages) console.log(`requests: wasm memory ${pages / 65536} pages`);
}
void module;
console.log(findings === 0 ? "fuzz: OK, 0 findings" : `fuzz: ${findings} FINDINGS`);
process.exitCode = findings === 0 ? 0 : 1;
