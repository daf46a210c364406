// JUnit XML output. The corpus part runs Cerbos's verify_junit cases (their own small store,
// verbose on, as in Cerbos's junit_test.go) through the real compiler and evaluator and compares
// the XML byte for byte; the unit part pins down the layout rules on hand-made results.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { compileDirectory } from "../../compiler/index.ts";
import { buildJUnit } from "../../cli/test/junit.ts";
import { PdpChecker } from "../../cli/test/pdp-checker.ts";
import type { TestResults } from "../../cli/test/types.ts";
import { verify } from "../../cli/test/verify.ts";
import { corpusDir, readTxtar } from "../helpers/corpus.ts";

const base = path.join(corpusDir(), "verify_junit");
const cases = readdirSync(path.join(base, "cases"))
  .filter((f) => /^case_\d+\.yaml$/.test(f))
  .sort();
const work = mkdtempSync(path.join(tmpdir(), "verdict-junit-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function materialise(file: string, into: string): string {
  const dir = path.join(work, into, file);
  for (const [member, text] of readTxtar(path.join(base, "cases", `${file}.input`)).files) {
    mkdirSync(path.dirname(path.join(dir, member)), { recursive: true });
    writeFileSync(path.join(dir, member), text);
  }
  return dir;
}

let checker: PdpChecker | undefined;
function engine(): PdpChecker {
  if (!checker) {
    const { ruleset, diagnostics } = compileDirectory(path.join(base, "store"));
    if (!ruleset) throw new Error(`verify_junit/store failed to compile: ${diagnostics.map((d) => d.message).join("; ")}`);
    checker = new PdpChecker(ruleset);
  }
  return checker;
}

describe("JUnit output (Cerbos verify_junit corpus)", () => {
  it("finds the corpus", () => {
    expect(cases.length).toBeGreaterThanOrEqual(7);
  });
  for (const file of cases) {
    it(file, () => {
      const want = readFileSync(path.join(base, "cases", `${file}.golden`), "utf8");
      expect(buildJUnit(verify(materialise(file, "engine"), engine()), true)).toBe(want);
    });
  }
});

// The XML builder alone: Cerbos's own TestResults (its `-o json`) for each case must turn into
// the golden XML, whatever our engine decides.
const cerbos = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../node_modules/@cerbos/cerbos-linux-x64/cerbos-linux-x64");
describe.skipIf(!existsSync(cerbos) || process.platform !== "linux" || process.arch !== "x64")("JUnit builder on Cerbos's results", () => {
  for (const file of cases) {
    it(file, () => {
      const dir = materialise(file, "oracle");
      let out: string;
      try {
        out = execFileSync(cerbos, ["compile", "--no-color", `--tests=${dir}`, "-o", "json", path.join(base, "store")], { encoding: "utf8" });
      } catch (e) {
        out = (e as { stdout: string }).stdout; // exit code 4 when the case has failing tests
      }
      const r = JSON.parse(out) as { suites?: Array<Record<string, unknown>>; summary: Record<string, unknown> };
      const fill = (s: unknown) => ({ overallResult: "RESULT_UNSPECIFIED", testsCount: 0, resultCounts: [], ...(s as object) });
      const results = { suites: (r.suites ?? []).map((s) => ({ testCases: [], ...s, summary: fill(s.summary) })), summary: fill(r.summary) } as unknown as TestResults;
      expect(buildJUnit(results, true)).toBe(readFileSync(path.join(base, "cases", `${file}.golden`), "utf8"));
    });
  }
});

describe("JUnit layout", () => {
  const summary = (overallResult: TestResults["summary"]["overallResult"], testsCount = 0) => ({ overallResult, testsCount, resultCounts: [] });

  it("escapes text the way Go's encoding/xml does and keeps outputs in CDATA", () => {
    const results: TestResults = {
      suites: [
        {
          file: "a_test.yaml",
          name: 'S "1" & <2>',
          summary: { overallResult: "RESULT_FAILED", testsCount: 1, resultCounts: [{ result: "RESULT_FAILED", count: 1 }] },
          testCases: [
            {
              name: "t",
              principals: [
                {
                  name: "p",
                  resources: [
                    {
                      name: "r",
                      actions: [
                        {
                          name: "a",
                          details: {
                            result: "RESULT_FAILED",
                            failure: { expected: "EFFECT_ALLOW", actual: "EFFECT_ALLOW", outputs: [{ src: "x", mismatched: { expected: { b: "]]>", a: 1 }, actual: null } }] },
                          },
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
      summary: { overallResult: "RESULT_FAILED", testsCount: 1, resultCounts: [{ result: "RESULT_FAILED", count: 1 }] },
    };
    const xml = buildJUnit(results, false);
    expect(xml).toContain('name="S &#34;1&#34; &amp; &lt;2&gt;"');
    expect(xml).toContain('<failure type="RESULT_FAILED" message="Output expectation unsatisfied">');
    // object keys sorted as protojson prints them; a literal `]]>` splits the CDATA section
    expect(xml).toContain('<expected><![CDATA[{"a":1,"b":"]]]]><![CDATA[>"}]]></expected>');
    expect(xml).toContain("<actual><![CDATA[null]]></actual>");
    expect(xml.split("\n")[0]).toBe('<testsuites errors="0" failures="1" skipped="0" tests="1">');
  });

  it("marks a skipped suite only when verbose, and an errored suite always", () => {
    const results: TestResults = {
      suites: [
        { file: "e_test.yaml", name: "E", summary: summary("RESULT_ERRORED"), error: "bad\nthing", testCases: [] },
        { file: "s_test.yaml", name: "S", summary: summary("RESULT_SKIPPED"), testCases: [] },
      ],
      summary: summary("RESULT_ERRORED"),
    };
    expect(buildJUnit(results, false)).not.toContain("<skipped");
    const verbose = buildJUnit(results, true);
    expect(verbose).toContain('<skipped message="This test suite was skipped"></skipped>');
    expect(verbose).toContain('<error type="RESULT_ERRORED">bad&#xA;thing</error>');
    expect(verbose.split("\n")[0]).toBe('<testsuites errors="1" failures="0" skipped="1" tests="0">');
  });
});
