// Finds and compiles the evaluator .wasm once per process. Works from the source tree
// (host/node/*.ts → build/verdict.wasm) and from the bundles (dist/cli.mjs, dist/node.mjs →
// dist/verdict.wasm); VERDICT_WASM overrides both.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cache = new Map<string, WebAssembly.Module>();

export function wasmCandidates(): string[] {
  const here = import.meta.url;
  const list = [
    new URL("./verdict.wasm", here), // bundled: dist/verdict.wasm next to dist/*.mjs
    new URL("../../build/verdict.wasm", here), // source: host/node → build/
    new URL("../build/verdict.wasm", here), // installed package: dist/ → build/
  ].map((u) => fileURLToPath(u));
  const env = process.env.VERDICT_WASM;
  return env ? [env, ...list] : list;
}

export function locateWasm(): string {
  const found = wasmCandidates().find((p) => existsSync(p));
  if (!found) {
    throw new Error(`evaluator not found (looked in ${wasmCandidates().join(", ")}); run \`node scripts/build.mjs\``);
  }
  return found;
}

export function loadWasmModule(path = locateWasm()): WebAssembly.Module {
  let m = cache.get(path);
  if (!m) {
    m = new WebAssembly.Module(readFileSync(path));
    cache.set(path, m);
  }
  return m;
}
