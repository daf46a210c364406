// Emits the package's type declarations (dist/types/**/*.d.ts) for every `types` condition in
// package.json's exports, so consumers type-check against .d.ts files instead of our .ts sources
// (which need allowImportingTsExtensions and our AssemblyScript number aliases).
// package.json is the one list: each `"types": "./dist/types/<path>.d.ts"` is built from `<path>.ts`.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "dist", "types");
const PREFIX = "./dist/types/";

/** Every `types` target under exports (nested conditions included). */
function typeTargets(exportsField) {
  const found = new Set();
  const walk = (v) => {
    if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) k === "types" && typeof x === "string" ? found.add(x) : walk(x);
  };
  walk(exportsField);
  return [...found];
}

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const entries = [...new Set([pkg.types, ...typeTargets(pkg.exports)])].map((t) => {
  if (!t.startsWith(PREFIX) || !t.endsWith(".d.ts")) throw new Error(`package.json types target ${t} is not under ${PREFIX}`);
  return join(root, t.slice(PREFIX.length, -".d.ts".length) + ".ts");
});

rmSync(outDir, { recursive: true, force: true });
mkdirSync(join(root, "build"), { recursive: true });
const tsconfig = join(root, "build", "tsconfig.types.json");
writeFileSync(
  tsconfig,
  JSON.stringify({
    extends: "../tsconfig.json",
    compilerOptions: { noEmit: false, declaration: true, emitDeclarationOnly: true, outDir, rootDir: root },
    include: [],
    files: [...entries, join(root, "types", "portable.d.ts")],
  }),
);
execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", tsconfig], { cwd: root, stdio: "inherit" });

// tsc keeps our `./x.ts` specifiers in declarations; published declarations use `./x.js`, which
// every moduleResolution mode maps to x.d.ts. The AssemblyScript number aliases (u32, i32 …) that
// spec/format.ts shares with the evaluator come along as one global declaration file.
const portable = join(outDir, "types", "portable.d.ts");
mkdirSync(dirname(portable), { recursive: true });
copyFileSync(join(root, "types", "portable.d.ts"), portable);
const AS_TYPES = /:\s*(?:i32|u32|u16|u8|f64)\b|<(?:i32|u32|u16|u8|f64)>/;
let files = 0;
for (const file of readdirSync(outDir, { recursive: true, withFileTypes: true })) {
  if (!file.isFile() || !file.name.endsWith(".d.ts") || file.name === "portable.d.ts") continue;
  const path = join(file.parentPath, file.name);
  let text = readFileSync(path, "utf8").replace(/((?:from|import)\s*\(?\s*["']\.\.?\/[^"']*?)\.ts(["'])/g, "$1.js$2");
  if (AS_TYPES.test(text)) text = `/// <reference path="${relative(dirname(path), portable)}" />\n${text}`;
  writeFileSync(path, text);
  files++;
}
console.error(`build: type declarations (${entries.length} entry points, ${files} files → dist/types)`);
