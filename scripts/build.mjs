#!/usr/bin/env node
// Builds everything a fresh checkout needs: the evaluator (.wasm, release and debug) and the
// bundled CLI. Runs from `npm install` (prepare) and before `npm test`.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const quiet = process.argv.includes("--quiet");
const log = (m) => quiet || console.error(`build: ${m}`);

function asc(target) {
  const bin = join(root, "node_modules", "assemblyscript", "bin", "asc.js");
  execFileSync(process.execPath, [bin, "assembly/index.ts", "--config", "asconfig.json", "--target", target], {
    cwd: root,
    stdio: "inherit",
  });
}

/** One more binaryen -Oz round over asc's -O3 -s2 output: −360 B on the release .wasm (docs/size.md). */
async function shrink(file) {
  const binaryen = (await import("binaryen")).default;
  const m = binaryen.readBinary(readFileSync(file));
  const F = binaryen.Features;
  m.setFeatures(F.MVP | F.MutableGlobals | F.SignExt | F.BulkMemory | F.BulkMemoryOpt | F.NontrappingFPToInt);
  binaryen.setOptimizeLevel(2);
  binaryen.setShrinkLevel(2);
  binaryen.setLowMemoryUnused(true); // asc puts static data at 1024 and up
  m.optimize();
  if (!m.validate()) throw new Error(`binaryen produced an invalid ${file}`);
  writeFileSync(file, m.emitBinary());
  m.dispose();
}

mkdirSync(join(root, "build"), { recursive: true });
mkdirSync(join(root, "dist"), { recursive: true });
log("evaluator (assembly/ → build/verdict.wasm)");
asc("release");
await shrink(join(root, "build", "verdict.wasm"));
asc("debug");
copyFileSync(join(root, "build", "verdict.wasm"), join(root, "dist", "verdict.wasm"));

const esbuild = await import("esbuild");
/** Node bundles: yaml and friends are CommonJS inside, hence the `require` shim. */
const nodeBundle = (entry, out, extra = {}) =>
  esbuild.build({
    entryPoints: [join(root, entry)],
    outfile: join(root, "dist", out),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    ...extra,
  });
log("CLI (cli/main.ts → dist/cli.mjs)");
await nodeBundle("cli/main.ts", "cli.mjs", { sourcemap: "linked" });
log("Node host (host/node/index.ts → dist/node.mjs)");
await nodeBundle("host/node/index.ts", "node.mjs");
log("Node runtime host, no compiler (host/node/runtime.ts → dist/node-runtime.mjs)");
await nodeBundle("host/node/runtime.ts", "node-runtime.mjs");
log("Node reloading host (host/node/reload.ts → dist/node-reload.mjs)");
await nodeBundle("host/node/reload.ts", "node-reload.mjs");
log("Workers hosts (host/workers/index.ts → dist/workers.mjs, cerbos-api.ts → dist/workers-api.mjs) and the worker example's ruleset (build/expenses.bin)");
await esbuild.build({
  entryPoints: [join(root, "host", "workers", "index.ts")],
  outfile: join(root, "dist", "workers.mjs"),
  bundle: true,
  platform: "neutral",
  format: "esm",
  target: "es2022",
  logLevel: "warning",
});
// The opt-in Cerbos HTTP API imports the gating entry as `./workers.mjs` (one WorkerPdp class and
// one evaluator session shared by both entries), so only what the API adds is in this file.
await esbuild.build({
  entryPoints: [join(root, "host", "workers", "cerbos-api.ts")],
  outfile: join(root, "dist", "workers-api.mjs"),
  bundle: true,
  platform: "neutral",
  format: "esm",
  target: "es2022",
  logLevel: "warning",
  plugins: [
    {
      name: "workers-gating-entry-external",
      setup(b) {
        b.onResolve({ filter: /^\.\/index\.ts$/ }, (args) =>
          args.importer === join(root, "host", "workers", "cerbos-api.ts") ? { path: "./workers.mjs", external: true } : undefined,
        );
      },
    },
  ],
});
execFileSync(process.execPath, [join(root, "bin", "verdict.mjs"), "compile", "examples/expenses", "-o", join("build", "expenses.bin"), "--quiet"], {
  cwd: root,
  stdio: "inherit",
});
log("Browser hosts (host/browser, host/dom, host/react → dist/browser.mjs, browser-full.mjs, dom.mjs, react.mjs)");
for (const [entry, out] of [
  ["host/browser/index.ts", "browser.mjs"],
  ["host/browser/full.ts", "browser-full.mjs"],
  ["host/dom/index.ts", "dom.mjs"],
  ["host/react/index.ts", "react.mjs"],
]) {
  await esbuild.build({
    entryPoints: [join(root, entry)],
    outfile: join(root, "dist", out),
    bundle: true,
    platform: "neutral",
    format: "esm",
    target: "es2022",
    external: ["react", "react-dom", "./browser.mjs"],
    logLevel: "warning",
  });
}

// Issue 5: bundle URL polling and audit sinks, opt-in entries beside the hosts. Their `./index.ts`
// import stays external (the host's own dist file), so one Verdict/WorkerPdp class is shared.
log("Bundle polling and audit entries (dist/browser-bundle.mjs, browser-audit.mjs, workers-bundle.mjs, workers-audit.mjs)");
for (const [entry, out, host] of [
  ["host/browser/bundle.ts", "browser-bundle.mjs", "./browser.mjs"],
  ["host/browser/audit.ts", "browser-audit.mjs", "./browser.mjs"],
  ["host/workers/bundle.ts", "workers-bundle.mjs", "./workers.mjs"],
  ["host/workers/audit.ts", "workers-audit.mjs", "./workers.mjs"],
  // Issue 7: hosts that refuse unsigned or badly signed rulesets (WebCrypto).
  ["host/browser/verified.ts", "browser-verified.mjs", "./browser.mjs"],
  ["host/workers/verified.ts", "workers-verified.mjs", "./workers.mjs"],
]) {
  const importer = join(root, entry);
  await esbuild.build({
    entryPoints: [importer],
    outfile: join(root, "dist", out),
    bundle: true,
    platform: "neutral",
    format: "esm",
    target: "es2022",
    logLevel: "warning",
    plugins: [
      {
        name: "host-entry-external",
        setup(b) {
          b.onResolve({ filter: /^\.\/index\.ts$/ }, (args) => (args.importer === importer ? { path: host, external: true } : undefined));
        },
      },
    ],
  });
}

log("Browser examples (examples/expenses-menu, examples/offline-app → dist/examples/*/)");
for (const name of ["expenses-menu", "offline-app"]) {
  const out = join(root, "dist", "examples", name);
  mkdirSync(out, { recursive: true });
  await esbuild.build({
    entryPoints: [join(root, "examples", name, "app.ts")],
    outfile: join(out, "app.js"),
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "warning",
  });
  copyFileSync(join(root, "examples", name, "index.html"), join(out, "index.html"));
  copyFileSync(join(root, "build", "verdict.wasm"), join(out, "verdict.wasm"));
  execFileSync(process.execPath, [join(root, "bin", "verdict.mjs"), "compile", "examples/expenses", "-o", join(out, "expenses.vrdt"), "--quiet"], {
    cwd: root,
    stdio: "inherit",
  });
}
log("type declarations (package.json types → dist/types/**/*.d.ts)");
execFileSync(process.execPath, [join(root, "scripts", "build-types.mjs")], { cwd: root, stdio: "inherit" });
log("done");
