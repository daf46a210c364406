// Packaging: one package, conditional exports. Resolves the package's own name the way bundlers
// and runtimes do (esbuild with each platform / condition set, and Node's self-reference), and
// checks every target exists after the build and is ESM with the expected exports.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../oracle/paths.ts";

const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  name: string;
  sideEffects: unknown;
  types: string;
  exports: Record<string, string | Record<string, string | Record<string, string>>>;
};

async function resolvedFile(spec: string, platform: "browser" | "node" | "neutral", conditions: string[] = []): Promise<string> {
  const r = await build({
    stdin: { contents: `export * from ${JSON.stringify(spec)};`, resolveDir: repoRoot, loader: "js" },
    bundle: true,
    write: false,
    metafile: true,
    platform,
    format: "esm",
    conditions,
    external: ["react", "react-dom", "*.wasm", "node:*"],
    logLevel: "silent",
  });
  const dist = Object.keys(r.metafile.inputs).filter((f) => f.startsWith("dist/"));
  expect(dist.length, `${spec} resolved into dist/`).toBe(1);
  return dist[0]!;
}

describe("package.json exports", () => {
  it("is side-effect free, typed, and every export target exists", () => {
    expect(pkg.sideEffects).toBe(false);
    expect(existsSync(join(repoRoot, pkg.types))).toBe(true);
    const targets: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === "string") targets.push(v);
      else if (v && typeof v === "object") Object.values(v).forEach(walk);
    };
    walk(pkg.exports);
    expect(targets.length).toBeGreaterThan(10);
    for (const t of targets) expect(existsSync(join(repoRoot, t)), t).toBe(true);
  });

  it("the root entry picks the host per runtime (browser, workerd, node)", async () => {
    expect(await resolvedFile(pkg.name, "browser")).toBe("dist/browser.mjs");
    expect(await resolvedFile(pkg.name, "neutral", ["workerd", "worker", "browser"])).toBe("dist/workers.mjs");
    expect(await resolvedFile(pkg.name, "node")).toBe("dist/node.mjs");
    expect(await resolvedFile(`${pkg.name}/react`, "browser")).toBe("dist/react.mjs");
    expect(await resolvedFile(`${pkg.name}/dom`, "browser")).toBe("dist/dom.mjs");
  });

  it("Node resolves the package's own name to the Node host, and the browser bundle loads in Node too", async () => {
    const node = (await import(`${pkg.name}`)) as Record<string, unknown>;
    expect(typeof node.Pdp).toBe("function");
    const browser = (await import(`${pkg.name}/browser`)) as Record<string, unknown>;
    expect(typeof browser.Verdict).toBe("function");
    const wasm = readFileSync(join(repoRoot, "dist", "verdict.wasm"));
    const ruleset = readFileSync(join(repoRoot, "dist", "examples", "expenses-menu", "expenses.vrdt"));
    const Verdict = browser.Verdict as new (m: WebAssembly.Module, r: Uint8Array) => {
      isAllowed(q: unknown): boolean;
    };
    const v = new Verdict(new WebAssembly.Module(wasm), new Uint8Array(ruleset));
    const principal = { id: "bob", roles: ["user"] };
    expect(v.isAllowed({ principal, resource: { kind: "expense", id: "E1", attr: { ownerId: "bob" } }, action: "read" })).toBe(true);
    expect(v.isAllowed({ principal, resource: { kind: "expense", id: "E1", attr: { ownerId: "bob" } }, action: "delete" })).toBe(false);
  });
});
