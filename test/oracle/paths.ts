import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { corpusDir } from "../helpers/corpus.ts";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The Cerbos corpus testdata folder (read in place, never copied into the repo). */
export function corpusTestdataDir(): string {
  return corpusDir();
}

/** The real Cerbos binary from the `@cerbos/cerbos-<platform>` devDependency (override: CERBOS_BIN). */
export function cerbosBinary(): string {
  if (process.env.CERBOS_BIN) return process.env.CERBOS_BIN;
  const arch = process.arch === "arm64" ? "arm64" : "x64";
  const os = process.platform === "darwin" ? "darwin" : "linux";
  const name = `cerbos-${os}-${arch}`;
  const p = join(repoRoot, "node_modules", "@cerbos", name, name);
  if (!existsSync(p)) throw new Error(`real Cerbos binary not found at ${p} (npm ci installs the @cerbos/${name} devDependency)`);
  return p;
}
