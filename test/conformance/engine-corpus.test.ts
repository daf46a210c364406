// Cerbos's own engine corpus (internal/test/testdata/engine*/), replayed three ways against the
// corpus's store/ with globals {environment: "test"}:
//   host   — Pdp.checkInputs (engine-shaped CheckOutput: effect, policy, scope, effectiveDerivedRoles,
//            outputs, and evaluationErrors when the host reports them)
//   serve  — `verdict serve` over HTTP (CheckResources with includeMeta)
//   oracle — real Cerbos 0.55 over HTTP, the same comparison; proves the harness and the corpus agree
//            with the binary we claim compatibility with.
// Suites: strict scope search = engine/ + engine_strict_scope_search/; lenient = engine/ +
// engine_lenient_scope_search/ (as Cerbos's TestCheck / TestCheckWithLenientScopeSearch do);
// engine_schema_enforcement/{warn,reject} with schema.enforcement set accordingly.
// The only cases not run are in SKIPPED_CASES (printed first). A summary per suite and mode is
// printed at the end and written to test-output/conformance/engine-corpus.json.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCerbos, type RunningServer } from "../oracle/cerbos.ts";
import { JsonClient } from "../oracle/http.ts";
import { corpusTestdataDir, repoRoot } from "../oracle/paths.ts";
import { startVerdictServe } from "../oracle/verdict-serve.ts";
import {
  diffDecisions,
  inputToHttpRequest,
  loadEngineCases,
  normEngine,
  normHttpResult,
  normWant,
  SKIPPED_CASES,
  type EngineCase,
} from "./engine-cases.ts";
import { describeError, loadPdpClass, type PdpLike } from "./pdp.ts";

const testdata = corpusTestdataDir();
const storeDir = join(testdata, "store");
const GLOBALS = { environment: "test" };

const SUITES = [
  { name: "strict", dirs: ["engine", "engine_strict_scope_search"], lenient: false, schema: "none" },
  { name: "lenient", dirs: ["engine", "engine_lenient_scope_search"], lenient: true, schema: "none" },
  // Cerbos's TestSchemaValidation: the same store with schema.enforcement warn / reject.
  { name: "schema-warn", dirs: ["engine_schema_enforcement/warn"], lenient: false, schema: "warn" },
  { name: "schema-reject", dirs: ["engine_schema_enforcement/reject"], lenient: false, schema: "reject" },
] as const;

type Mode = "host" | "serve" | "oracle";

interface CaseResult {
  suite: string;
  mode: Mode;
  file: string;
  inputs: number;
  passedInputs: number;
  problems: string[];
}
const results: CaseResult[] = [];

function record(r: CaseResult): void {
  results.push(r);
}

beforeAll(() => {
  const lines = SKIPPED_CASES.map((s) => `  - ${s.file}: ${s.reason}`);
  console.log(`engine corpus: ${testdata}\nskipped cases (the only ones; everything else runs):\n${lines.join("\n")}`);
});

afterAll(() => {
  if (results.length === 0) return;
  const rows: string[] = [];
  const summary: Record<string, unknown> = {};
  for (const s of SUITES) {
    for (const mode of ["host", "serve", "oracle"] as Mode[]) {
      const rs = results.filter((r) => r.suite === s.name && r.mode === mode);
      if (rs.length === 0) continue;
      const casesOk = rs.filter((r) => r.problems.length === 0).length;
      const inputs = rs.reduce((n, r) => n + r.inputs, 0);
      const inputsOk = rs.reduce((n, r) => n + r.passedInputs, 0);
      rows.push(`  ${s.name.padEnd(8)} ${mode.padEnd(7)} cases ${casesOk}/${rs.length}  inputs ${inputsOk}/${inputs}`);
      summary[`${s.name}/${mode}`] = {
        cases: rs.length,
        casesPassed: casesOk,
        inputs,
        inputsPassed: inputsOk,
        failing: rs.filter((r) => r.problems.length > 0).map((r) => ({ file: r.file, problems: r.problems })),
      };
    }
  }
  const failing = results.filter((r) => r.problems.length > 0);
  const detail = failing.map((r) => `  [${r.suite}/${r.mode}] ${r.file}: ${r.problems[0]}${r.problems.length > 1 ? ` (+${r.problems.length - 1} more)` : ""}`);
  console.log(`engine corpus summary:\n${rows.join("\n")}${failing.length ? `\nfailing:\n${detail.join("\n")}` : ""}`);
  const outDir = join(repoRoot, "test-output", "conformance");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "engine-corpus.json"), `${JSON.stringify({ skipped: SKIPPED_CASES, summary }, null, 2)}\n`);
});

describe("engine corpus: presence and skip list", () => {
  it("finds the corpus and the store", () => {
    expect(existsSync(storeDir), `corpus store not found at ${storeDir} (set VERDICT_CONFORMANCE_DIR)`).toBe(true);
    for (const s of SUITES) for (const d of s.dirs) expect(loadEngineCases(d).length, d).toBeGreaterThan(0);
  });

  it("lists only skip entries that exist in the corpus", () => {
    const missing = SKIPPED_CASES.filter((s) => !existsSync(join(testdata, s.file))).map((s) => s.file);
    expect(missing).toEqual([]);
  });

  for (const s of SKIPPED_CASES) it.skip(`${s.file} — ${s.reason}`, () => {});
});

/** Checks one case through an HTTP CheckResources endpoint; returns per-input problems. */
async function checkCaseOverHttp(client: JsonClient, tc: EngineCase): Promise<{ passed: number; problems: string[] }> {
  const problems: string[] = [];
  let passed = 0;
  for (const [i, inp] of tc.inputs.entries()) {
    const res = await client.post("/api/check/resources", inputToHttpRequest(inp));
    const body = res.body as { results?: Array<Record<string, unknown>> } | undefined;
    const r = body?.results?.[0];
    if (res.status !== 200 || !r) {
      problems.push(`input ${i}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
      continue;
    }
    const want = tc.wantOutputs[i];
    if (!want) {
      problems.push(`input ${i}: corpus has no wantOutputs entry`);
      continue;
    }
    const d = diffDecisions(normWant(want), normHttpResult(r));
    if (d.length === 0) passed++;
    else problems.push(...d.map((x) => `input ${i}: ${x}`));
  }
  return { passed, problems };
}

for (const suite of SUITES) {
  const cases = suite.dirs.flatMap((d) => (existsSync(join(testdata, d)) ? loadEngineCases(d) : []));

  describe(`engine corpus [${suite.name}] via Node host (Pdp.checkInputs)`, () => {
    let pdp: PdpLike | undefined;
    let setupError = "";
    beforeAll(async () => {
      try {
        const Pdp = await loadPdpClass();
        pdp = Pdp.fromPolicyDir(storeDir, { globals: GLOBALS, lenientScopeSearch: suite.lenient, schemaEnforcement: suite.schema });
      } catch (e) {
        setupError = describeError(e);
      }
    });

    for (const tc of cases) {
      it(`${tc.file}: ${tc.description}`, () => {
        const problems: string[] = [];
        let passed = 0;
        if (!pdp) {
          problems.push(`host setup failed: ${setupError}`);
        } else if (tc.wantError) {
          let threw = false;
          try {
            pdp.checkInputs(tc.inputs);
          } catch {
            threw = true;
          }
          if (threw) passed = tc.inputs.length;
          else problems.push("want an error, got none");
        } else {
          try {
            const outs = pdp.checkInputs(tc.inputs);
            if (outs.length !== tc.inputs.length) problems.push(`got ${outs.length} outputs for ${tc.inputs.length} inputs`);
            for (const [i, inp] of tc.inputs.entries()) {
              const got = outs[i];
              const want = tc.wantOutputs[i];
              if (!got || !want) continue;
              const d = diffDecisions(normWant(want), normEngine(got), { evaluationErrors: true });
              if (got.resourceId !== inp.resource.id) d.push(`resourceId: want ${inp.resource.id}, got ${String(got.resourceId)}`);
              if (d.length === 0) passed++;
              else problems.push(...d.map((x) => `input ${i}: ${x}`));
            }
          } catch (e) {
            problems.push(`checkInputs threw: ${describeError(e)}`);
          }
        }
        record({ suite: suite.name, mode: "host", file: tc.file, inputs: tc.inputs.length, passedInputs: passed, problems });
        expect(problems, `${tc.file} (${suite.name}, host)`).toEqual([]);
      });
    }
  });

  for (const mode of ["serve", "oracle"] as const) {
    const title = mode === "serve" ? "`verdict serve` over HTTP" : "real Cerbos 0.55 over HTTP (harness check)";
    describe(`engine corpus [${suite.name}] via ${title}`, () => {
      let server: RunningServer | undefined;
      let client: JsonClient | undefined;
      let setupError = "";
      beforeAll(async () => {
        try {
          server =
            mode === "serve"
              ? await startVerdictServe({
                  policyDir: storeDir,
                  set: {
                    "engine.globals.environment": "test",
                    "engine.lenientScopeSearch": String(suite.lenient),
                    "schema.enforcement": suite.schema,
                  },
                })
              : await startCerbos({ policyDir: storeDir, globals: GLOBALS, lenientScopeSearch: suite.lenient, schemaEnforcement: suite.schema });
          client = new JsonClient(server.baseUrl, { maxSockets: 4, timeoutMs: 10_000 });
        } catch (e) {
          setupError = describeError(e);
        }
      });
      afterAll(async () => {
        client?.close();
        await server?.stop();
      });

      for (const tc of cases) {
        it(`${tc.file}: ${tc.description}`, async () => {
          let r: { passed: number; problems: string[] };
          if (!client) r = { passed: 0, problems: [`${mode} setup failed: ${setupError.slice(0, 2000)}`] };
          else if (tc.wantError) r = { passed: 0, problems: ["wantError cases are not replayable over HTTP"] };
          else r = await checkCaseOverHttp(client, tc);
          record({ suite: suite.name, mode, file: tc.file, inputs: tc.inputs.length, passedInputs: r.passed, problems: r.problems });
          expect(r.problems, `${tc.file} (${suite.name}, ${mode})`).toEqual([]);
        });
      }
    });
  }
}
