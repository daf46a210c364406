// Output formats checked against real Cerbos 0.55 (the npm binary), independent of our engine:
// Cerbos runs a verify corpus case and prints TestResults as JSON, tree and list; we load that
// JSON as our TestResults and must print the same tree/list text and re-serialise the same JSON
// (same field order and omissions). Skipped when the binary is not installed.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toJson } from "../../cli/test/json-output.ts";
import { renderTree } from "../../cli/test/tree-output.ts";
import type { TestResults } from "../../cli/test/types.ts";
import { corpusDir, readTxtar } from "../helpers/corpus.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const cerbos = path.join(root, "node_modules/@cerbos/cerbos-linux-x64/cerbos-linux-x64");
const have = existsSync(cerbos) && process.platform === "linux" && process.arch === "x64";
const work = mkdtempSync(path.join(tmpdir(), "verdict-format-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Failures, errors, skips, outputs, filters, load errors.
const CASES = ["case_005", "case_011", "case_022", "case_029", "case_030", "case_036"];
const VARIANTS = { json: ["-o", "json"], tree: [], verbose: ["--verbose"], list: ["-o", "list"] } as const;
const outputs = new Map<string, string>();

// Each cerbos run recompiles the store (~2 s), so all runs go in parallel up front.
async function run(tests: string, flags: readonly string[]): Promise<string> {
  const args = ["compile", "--ignore-schemas", "--no-color", `--tests=${tests}`, ...flags, path.join(corpusDir(), "store")];
  // Exit code 4 (tests failed) is expected for some cases; only stdout matters.
  return promisify(execFile)(cerbos, args, { encoding: "utf8" }).then(
    (r) => r.stdout,
    (e: { stdout?: string }) => e.stdout ?? "",
  );
}

beforeAll(async () => {
  if (!have) return;
  const jobs: Array<Promise<void>> = [];
  for (const name of CASES) {
    const dir = path.join(work, name);
    for (const [member, text] of readTxtar(path.join(corpusDir(), "verify/cases", `${name}.yaml.input`)).files) {
      mkdirSync(path.dirname(path.join(dir, member)), { recursive: true });
      writeFileSync(path.join(dir, member), text);
    }
    // Verbose and list layouts differ from the tree in few ways; two cases cover them.
    const variants = ["case_011", "case_029"].includes(name) ? Object.entries(VARIANTS) : Object.entries(VARIANTS).slice(0, 2);
    for (const [v, flags] of variants) jobs.push(run(dir, flags).then((out) => void outputs.set(`${name}/${v}`, out)));
  }
  await Promise.all(jobs);
}, 180_000);

// Cerbos's JSON leaves out empty fields; our TestResults type always has them.
function asResults(json: Record<string, unknown>): TestResults {
  const fill = (s: Record<string, unknown>) => ({ overallResult: "RESULT_UNSPECIFIED", testsCount: 0, resultCounts: [], ...s });
  const r = json as { suites?: Array<Record<string, unknown>>; summary: Record<string, unknown> };
  return {
    suites: (r.suites ?? []).map((s) => ({ testCases: [], ...s, summary: fill(s.summary as Record<string, unknown>) })),
    summary: fill(r.summary),
  } as unknown as TestResults;
}

// Our tree adds a plain-language "Failures:" section; Cerbos's verbose tree adds engine traces
// before its summary line. Compare the common part.
const common = (text: string) => text.split("\nFailures:")[0].split("\nTRACES\n")[0].replace(/\n+$/, "").split("\n").filter((l) => l !== "" && !/tests executed/.test(l));

describe.skipIf(!have)("output formats match cerbos compile", () => {
  for (const name of CASES) {
    it(name, () => {
      const out = (v: keyof typeof VARIANTS) => outputs.get(`${name}/${v}`) ?? "";
      const json = JSON.parse(out("json"));
      const results = asResults(json);
      expect(JSON.stringify(toJson(results))).toBe(JSON.stringify(json));
      expect(common(renderTree(results, false))).toEqual(common(out("tree")));
      if (outputs.has(`${name}/verbose`)) expect(common(renderTree(results, true))).toEqual(common(out("verbose")));
      if (outputs.has(`${name}/list`)) expect(common(renderTree(results, false, "list"))).toEqual(common(out("list")));
      const summaryLine = out("tree").split("\n").find((l) => l.includes("tests executed"));
      expect(renderTree(results, false)).toContain(summaryLine);
    });
  }
});
