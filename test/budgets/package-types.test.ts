// Issue 4 packaging: the published type declarations (dist/types, built by scripts/build-types.mjs)
// are what a consumer's TypeScript sees through package.json's `types` conditions. A consumer
// project (package `verdict` linked into its node_modules) is type-checked with plain settings —
// no allowImportingTsExtensions, skipLibCheck off so our .d.ts files are checked too — under both
// `bundler` and `nodenext` resolution. A second consumer misuses the API and must be refused, so
// the declarations are real types and not `any`.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../oracle/paths.ts";

const dir = join(repoRoot, "test-output", "types-consumer");
const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");

const GOOD = `
import { Pdp, type Principal } from "verdict/node";
import { Verdict } from "verdict/browser";
import { WorkerPdp, withAuthorization } from "verdict/workers";
import { bindGates } from "verdict/dom";
import { Can, VerdictProvider, useAllowed } from "verdict/react";

const principal: Principal = { id: "u1", roles: ["user"], attr: { region: "emea" } };
export function node(bytes: Uint8Array): boolean {
  const pdp = Pdp.fromRuleset(bytes);
  return pdp.isAllowed({ principal, resource: { kind: "expense", id: "e1" }, action: "view" });
}
export async function browser(): Promise<boolean[]> {
  const v = await Verdict.load("/verdict.wasm", "/ruleset.vrdt");
  bindGates(v, { principal });
  const out = v.checkResources({ principal, resources: [{ resource: { kind: "expense", id: "e1" }, actions: ["view"] }] });
  return out.results.map((r) => r.actions.view === "EFFECT_ALLOW");
}
export function worker(m: WebAssembly.Module, rs: ArrayBuffer): WorkerPdp {
  return new WorkerPdp(m, rs);
}
export const refs = [withAuthorization, Can, VerdictProvider, useAllowed];
`;

const BAD = `
import { Pdp } from "verdict/node";
declare const pdp: Pdp;
export const wrong: string = pdp.isAllowed({ principal: { id: 1 }, resource: { kind: "expense" }, action: 7 });
`;

function typecheck(resolution: "bundler" | "nodenext", source: string): { ok: boolean; output: string } {
  const sub = join(dir, `${resolution}-${source === GOOD ? "good" : "bad"}`);
  rmSync(sub, { recursive: true, force: true });
  mkdirSync(join(sub, "node_modules"), { recursive: true });
  symlinkSync(repoRoot, join(sub, "node_modules", "verdict"), "dir");
  writeFileSync(join(sub, "package.json"), JSON.stringify({ name: "consumer", type: "module", private: true }));
  writeFileSync(join(sub, "consumer.ts"), source);
  writeFileSync(
    join(sub, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: resolution === "bundler" ? "ESNext" : "NodeNext",
        moduleResolution: resolution,
        lib: ["ES2022", "DOM"],
        jsx: "react-jsx",
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        typeRoots: [join(repoRoot, "node_modules", "@types")],
        types: ["node"],
      },
      files: ["consumer.ts"],
    }),
  );
  try {
    const output = execFileSync(process.execPath, [tsc, "-p", sub], { cwd: sub, encoding: "utf8", timeout: 120_000 });
    return { ok: true, output };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

describe("published type declarations", () => {
  it("package.json points every types condition at a built .d.ts", () => {
    const pkg = readFileSync(join(repoRoot, "package.json"), "utf8");
    const targets = [...pkg.matchAll(/"types": "\.\/([^"]+)"/g)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThan(10);
    for (const t of targets) {
      expect(t).toMatch(/^dist\/types\/.*\.d\.ts$/);
      expect(existsSync(join(repoRoot, t)), t).toBe(true);
    }
  });

  for (const resolution of ["bundler", "nodenext"] as const) {
    it(`a consumer type-checks against them (moduleResolution ${resolution})`, () => {
      const r = typecheck(resolution, GOOD);
      expect(r.output).toBe("");
      expect(r.ok).toBe(true);
    }, 120_000);
  }

  it("misuse is a type error (the declarations are not any)", () => {
    const r = typecheck("bundler", BAD);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/consumer\.ts\(4,/);
    expect(r.output).toMatch(/TS2322|TS2345|TS2353|TS2739|TS2741/);
  }, 120_000);
});
