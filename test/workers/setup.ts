// globalSetup of the `workers` vitest project (runs in Node, before the tests run in workerd).
// It prepares everything the Worker-side tests compare against, and hands it over with
// `project.provide` (tests read it with `inject`):
//   - the Cerbos engine corpus: the store/ compiled to a ruleset, every supported case's inputs,
//     and Node's answers (Pdp.checkInputs, same fixed `now`) for the strict and lenient suites;
//   - the expenses example: real Cerbos 0.55's CheckResources answers for every principal in
//     examples/expenses/testdata × every resource × every action (the oracle for @cerbos/http).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { TestProject } from "vitest/node";
import { compileDirectory } from "../../compiler/index.ts";
import { Pdp } from "../../host/node/index.ts";
import { loadEngineCases, SKIPPED_CASES } from "../conformance/engine-cases.ts";
import { startCerbos } from "../oracle/cerbos.ts";
import { JsonClient } from "../oracle/http.ts";
import { corpusTestdataDir, repoRoot } from "../oracle/paths.ts";
import { CORPUS_NOW, EXPENSE_ACTIONS, type ProvidedCorpus, type ProvidedExpenses, SUITES, type WorkerCase } from "./shared.ts";

function ensureBuilt(): void {
  // The node project's globalSetup (which runs first) builds; this covers `vitest --project workers`.
  if (existsSync(join(repoRoot, "build", "verdict.wasm")) && existsSync(join(repoRoot, "build", "expenses.bin"))) return;
  const r = spawnSync(process.execPath, [join(repoRoot, "scripts", "build.mjs"), "--quiet"], { cwd: repoRoot, encoding: "utf8", timeout: 180_000 });
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}${r.stderr}`);
}

const jsonClone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function prepareCorpus(): ProvidedCorpus {
  const store = join(corpusTestdataDir(), "store");
  const { ruleset, diagnostics } = compileDirectory(store);
  if (!ruleset) throw new Error(`corpus store does not compile: ${diagnostics.map((d) => d.message).join("; ")}`);
  const skipped = new Set(SKIPPED_CASES.map((s) => s.file));
  const globals = { environment: "test" };
  const now = new Date(CORPUS_NOW);
  const cases: WorkerCase[] = [];
  for (const suite of SUITES) {
    const pdp = Pdp.fromRuleset(ruleset, { globals, lenientScopeSearch: suite.lenient });
    for (const dir of suite.dirs) {
      for (const tc of loadEngineCases(dir)) {
        if (skipped.has(tc.file)) continue;
        let node: WorkerCase["node"];
        try {
          node = { outputs: jsonClone(pdp.checkInputs(tc.inputs as never, { now })) };
        } catch (e) {
          node = { error: (e as Error).name };
        }
        cases.push({ suite: suite.name, file: tc.file, inputs: jsonClone(tc.inputs), node });
      }
    }
  }
  return { rulesetBase64: Buffer.from(ruleset).toString("base64"), cases };
}

async function prepareExpenses(): Promise<ProvidedExpenses> {
  const dir = join(repoRoot, "examples", "expenses");
  const principals = Object.values((parse(readFileSync(join(dir, "testdata", "principals.yaml"), "utf8")) as { principals: object }).principals);
  const resources = Object.values((parse(readFileSync(join(dir, "testdata", "resources.yaml"), "utf8")) as { resources: object }).resources);
  const requests = (principals as Array<Record<string, unknown>>).map((principal, i) => ({
    requestId: `expenses-${i}`,
    principal,
    resources: (resources as Array<Record<string, unknown>>).map((resource) => ({ resource, actions: [...EXPENSE_ACTIONS] })),
  }));
  const cerbos = await startCerbos({ policyDir: dir });
  const client = new JsonClient(cerbos.baseUrl, { maxSockets: 2, timeoutMs: 10_000 });
  try {
    const answers = [];
    for (const req of requests) {
      const res = await client.post("/api/check/resources", req);
      if (res.status !== 200) throw new Error(`real Cerbos answered HTTP ${res.status}: ${res.text.slice(0, 300)}`);
      answers.push(res.body as ProvidedExpenses["answers"][number]);
    }
    return { requests: jsonClone(requests) as unknown as ProvidedExpenses["requests"], answers };
  } finally {
    client.close();
    await cerbos.stop();
  }
}

export default async function setup(project: TestProject): Promise<void> {
  ensureBuilt();
  project.provide("verdictCorpus", prepareCorpus());
  project.provide("verdictExpenses", await prepareExpenses());
}
