// What a deployment ships, raw / gzip -9 / brotli 11: JS bundled by esbuild (minified ESM),
// wasm, and the policy in each peer's own format (Verdict: the compiled ruleset).
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { BENCH, ROOT, WASM, policyDir, rulesetPath } from "./prep.mjs";

const pkgDir = (name) => join(ROOT, "node_modules", name); // not every package exports ./package.json

// --quick leaves brotli out: quality 11 over cedar's 4 MB wasm alone takes ~10 s of the minute.
let withBrotli = true;
export function measureBytes(buf) {
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    ...(withBrotli ? { brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length } : {}),
  };
}

// Node builtins some peers import (casbin's file adapter) are stubbed, as a browser bundler would.
const noNodeBuiltins = {
  name: "no-node-builtins",
  setup(b) {
    b.onResolve({ filter: /^(node:)?(fs|path|fs\/promises|module|url|child_process)$/ }, (a) => ({ path: a.path, namespace: "stub" }));
    b.onLoad({ filter: /.*/, namespace: "stub" }, () => ({ contents: `const no = () => { throw new Error("node builtin not available"); };\nexport default {};\nexport const readFileSync = no, readdirSync = no, statSync = no, existsSync = no, writeFileSync = no, join = no, dirname = no, resolve = no, createRequire = no, fileURLToPath = no, pathToFileURL = no, spawn = no, promises = {};`, loader: "js" }));
  },
};

async function bundle({ entry, contents, platform = "browser" }) {
  const esbuild = await import("esbuild");
  const res = await esbuild.build({
    ...(entry ? { entryPoints: [entry] } : { stdin: { contents, resolveDir: BENCH, loader: "js" } }),
    bundle: true, minify: true, format: "esm", platform, write: false, logLevel: "silent", outdir: join(BENCH, ".build", "bundles"),
    plugins: platform === "node" ? [] : [noNodeBuiltins],
    loader: { ".wasm": "file" },
  });
  return measureBytes(Buffer.concat(res.outputFiles.filter((f) => f.path.endsWith(".js")).map((f) => Buffer.from(f.contents))));
}

const dirBytes = (dir) => (existsSync(dir) ? Buffer.concat(readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile()).sort().map((f) => readFileSync(join(dir, f)))) : null);

export async function sizes(variants, { brotli = true } = {}) {
  withBrotli = brotli;
  const out = {};
  const policy = (format) => Object.fromEntries(variants.map((v) => [v, dirBytes(policyDir(v, format))]).filter(([, b]) => b).map(([v, b]) => [v, measureBytes(b)]));
  out.verdict = {
    js: await bundle({ entry: join(ROOT, "host", "browser", "index.ts") }),
    jsNode: await bundle({ entry: join(ROOT, "host", "node", "index.ts"), platform: "node" }),
    jsNodeRuntime: await bundle({ entry: join(ROOT, "host", "node", "runtime.ts"), platform: "node" }),
    wasm: measureBytes(readFileSync(WASM)),
    policy: Object.fromEntries(variants.map((v) => [v, measureBytes(readFileSync(rulesetPath(v)))])),
    note: "browser host (host/browser); Node host with the compiler: jsNode; without (verdict/node/runtime): jsNodeRuntime",
  };
  out["plain-js"] = { js: await bundle({ entry: join(BENCH, "lib", "expense-ifs.mjs") }), policy: policy("js"), note: "the policy is code" };
  out.casl = { js: await bundle({ contents: 'export { abilityFor } from "./adapters/casl-common.mjs";' }), policy: policy("casl"), note: "JSON rule templates" };
  out.casbin = { js: await bundle({ contents: 'export { newEnforcer, newModelFromString, StringAdapter } from "casbin";' }), policy: policy("casbin"), note: "model + CSV" };
  out.cedar = {
    js: await bundle({ contents: 'export { default as init, preparsePolicySet, statefulIsAuthorized } from "@cedar-policy/cedar-wasm/web";' }),
    wasm: measureBytes(readFileSync(join(pkgDir("@cedar-policy/cedar-wasm"), "web", "cedar_wasm_bg.wasm"))),
    policy: policy("cedar"),
  };
  out["cerbos-http"] = { binary: { raw: statSync(join(pkgDir("@cerbos/cerbos-linux-x64"), "cerbos-linux-x64")).size }, policy: policy("cerbos"), note: "server binary (sidecar)" };
  return out;
}
