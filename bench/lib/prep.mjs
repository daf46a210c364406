// Untimed preparation shared by every measurement: the workloads (requests + reference
// decisions), each peer's native policy files, the Verdict Node host bundled exactly as
// scripts/build.mjs bundles dist/node-runtime.mjs (so host changes are always measured), the evaluator
// next to it, and the compiled rulesets. Everything goes under bench/.build/ (gitignored).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildWorkload } from "./model.mjs";
import { writePolicies } from "./translate.mjs";

export const BENCH = join(dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = join(BENCH, "..");
export const BUILD = join(BENCH, ".build");
export const HOST_BUNDLE = join(BUILD, "verdict-node.mjs");
export const TOOLS_BUNDLE = join(BUILD, "verdict-tools.mjs");
export const WASM = join(BUILD, "verdict.wasm");

export const workloadPath = (v) => join(BUILD, "workload", `${v}.json`);
export const policyDir = (v, format) => join(BUILD, "policies", v, format);
export const rulesetPath = (v) => join(BUILD, "policies", v, "ruleset.vrdt");

const BANNER = { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" };

/** Bundles the Node runtime host (as dist/node-runtime.mjs is built) and a tools bundle with the compiler. */
export async function bundleHost() {
  const esbuild = await import("esbuild");
  mkdirSync(BUILD, { recursive: true });
  const common = { bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "warning", banner: BANNER };
  // What a user with a compiled ruleset imports: `verdict/node/runtime` (no compiler inside).
  await esbuild.build({ ...common, entryPoints: [join(ROOT, "host", "node", "runtime.ts")], outfile: HOST_BUNDLE });
  await esbuild.build({ ...common, entryPoints: [join(BENCH, "lib", "tools-entry.ts")], outfile: TOOLS_BUNDLE });
  const wasm = join(ROOT, "build", "verdict.wasm");
  if (!existsSync(wasm)) execFileSync(process.execPath, [join(ROOT, "scripts", "build.mjs")], { cwd: ROOT, stdio: "inherit" });
  copyFileSync(wasm, WASM);
}

export async function prep(variants = ["seed", "large"]) {
  await bundleHost();
  const { compileDirectory } = await import(pathToFileURL(TOOLS_BUNDLE).href);
  const out = {};
  for (const v of variants) {
    const wl = buildWorkload(v);
    mkdirSync(join(BUILD, "workload"), { recursive: true });
    writeFileSync(workloadPath(v), JSON.stringify(wl));
    writePolicies(wl.model, join(BUILD, "policies", v));
    const { ruleset, diagnostics } = compileDirectory(policyDir(v, "cerbos"));
    if (!ruleset) throw new Error(`verdict could not compile the ${v} policy: ${JSON.stringify(diagnostics.slice(0, 3))}`);
    writeFileSync(rulesetPath(v), ruleset);
    const allow = wl.expected.filter(Boolean).length;
    out[v] = { rules: wl.model.rules.length, kinds: wl.model.kinds.length, requests: wl.requests.length, allow, deny: wl.requests.length - allow };
  }
  return out;
}
