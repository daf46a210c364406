// Acceptance 1 (browser half): Cerbos's engine corpus decided in headless Chromium by host/browser
// gives exactly what host/node's Pdp.checkInputs gives, for every case the core supports (all
// cases except SKIPPED_CASES; wantError cases are request-validation errors, a Node/HTTP host
// concern the browser host does not replicate). The ruleset (corpus store) and the inputs are
// loaded into a page served from 127.0.0.1; both sides use the same fixed `now`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileDirectory } from "../../compiler/index.ts";
import { Pdp } from "../../host/node/index.ts";
import { loadEngineCases, SKIPPED_CASES, type EngineCase } from "../conformance/engine-cases.ts";
import { corpusTestdataDir, repoRoot } from "../oracle/paths.ts";
import { launchChromium, type RunningBrowser, skipBrowser, chromiumMissing, startStaticServer, type StaticServer } from "./harness.ts";

const GLOBALS = { environment: "test" };
const NOW = Date.parse("2024-05-01T12:00:00Z");
const SUITES = [
  { name: "strict", dirs: ["engine", "engine_strict_scope_search"], lenient: false },
  { name: "lenient", dirs: ["engine", "engine_lenient_scope_search"], lenient: true },
] as const;
const skipped = new Set(SKIPPED_CASES.map((s) => s.file));

describe.skipIf(skipBrowser)(`engine corpus: headless Chromium (host/browser) = Node (Pdp.checkInputs)${skipBrowser ? ` — skipped: ${chromiumMissing}` : ""}`, () => {
  let run: RunningBrowser | undefined;
  let server: StaticServer | undefined;
  let ruleset: Uint8Array;

  beforeAll(async () => {
    const compiled = compileDirectory(join(corpusTestdataDir(), "store"));
    if (!compiled.ruleset) throw new Error("corpus store did not compile");
    ruleset = compiled.ruleset;
    const bundle = await build({
      entryPoints: [join(repoRoot, "test", "browser", "page-entry.ts")],
      bundle: true,
      format: "esm",
      target: "es2022",
      platform: "browser",
      write: false,
      logLevel: "warning",
    });
    server = await startStaticServer(undefined);
    server.set("/", `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="/entry.js"></script>`, "text/html");
    server.set("/entry.js", bundle.outputFiles[0]!.text, "text/javascript");
    server.set("/verdict.wasm", readFileSync(join(repoRoot, "build", "verdict.wasm")), "application/wasm");
    server.set("/store.vrdt", ruleset);
    run = await launchChromium();
  });

  afterAll(async () => {
    await run?.close();
    await server?.close();
  });

  for (const suite of SUITES) {
    it(`[${suite.name}] every supported case decides identically`, async () => {
      const cases: EngineCase[] = suite.dirs
        .flatMap((d) => loadEngineCases(d))
        .filter((c) => !skipped.has(c.file) && !c.wantError);
      expect(cases.length).toBeGreaterThan(20);

      const pdp = Pdp.fromRuleset(ruleset, { globals: GLOBALS, lenientScopeSearch: suite.lenient });
      const nodeOut = cases.map((c) => {
        try {
          return JSON.parse(JSON.stringify(pdp.checkInputs(c.inputs, { now: new Date(NOW) }))) as unknown;
        } catch (e) {
          return { error: (e as Error).name };
        }
      });

      const page = await run!.context.newPage();
      try {
        await page.goto(`${server!.baseUrl}/`);
        const browserOut = (await page.evaluate(
          async ({ cases, lenient, globals, now }: any) => {
            const t = (globalThis as any).verdictTest;
            for (let i = 0; i < 100 && !t; i++) await new Promise((r) => setTimeout(r, 20));
            const { Verdict, checkInputs } = (globalThis as any).verdictTest;
            const v = await Verdict.load("/verdict.wasm", "/store.vrdt", { globals, lenientScopeSearch: lenient });
            return cases.map((inputs: any[]) => {
              let full: unknown;
              try {
                full = JSON.parse(JSON.stringify(checkInputs(v, inputs, new Date(now))));
              } catch (e) {
                full = { error: (e as Error).name };
              }
              // The decisions-only path (what UI gating uses), one crossing per input.
              let effects: unknown;
              try {
                effects = inputs.map((inp: any) => v.check(inp.principal, [{ resource: inp.resource, actions: inp.actions }], inp.auxData)[0]);
              } catch (e) {
                effects = { error: (e as Error).name };
              }
              return { full, effects };
            });
          },
          { cases: cases.map((c) => c.inputs), lenient: suite.lenient, globals: GLOBALS, now: NOW } as any,
        )) as Array<{ full: unknown; effects: unknown }>;

        const mismatches: string[] = [];
        let inputs = 0;
        cases.forEach((c, i) => {
          inputs += c.inputs.length;
          const want = nodeOut[i];
          const got = browserOut[i]!;
          if (JSON.stringify(sortKeys(got.full)) !== JSON.stringify(sortKeys(want))) {
            mismatches.push(`${c.file}: browser ${JSON.stringify(got.full).slice(0, 300)} ≠ node ${JSON.stringify(want).slice(0, 300)}`);
          }
          const wantEffects = Array.isArray(want)
            ? (want as Array<{ actions: Record<string, { effect: string }> }>).map((o) =>
                Object.fromEntries(Object.entries(o.actions).map(([a, d]) => [a, d.effect === "EFFECT_ALLOW"])),
              )
            : want;
          if (JSON.stringify(sortKeys(got.effects)) !== JSON.stringify(sortKeys(wantEffects))) {
            mismatches.push(`${c.file} (decisions-only path): ${JSON.stringify(got.effects).slice(0, 200)} ≠ ${JSON.stringify(wantEffects).slice(0, 200)}`);
          }
        });
        console.log(`browser parity [${suite.name}]: ${cases.length} cases, ${inputs} inputs, ${mismatches.length} mismatches`);
        expect(mismatches).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }
});

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}
