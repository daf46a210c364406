// Running one loaded suite against a Checker, in Cerbos's order of checks: group definitions,
// suite skip, duplicate test names, expansion, then each test (filtered, skipped or checked).
import { SuiteError, SuiteRun } from "./expand.ts";
import type { TestFilter } from "./filter.ts";
import { SKIP } from "./filter.ts";
import type { Fixture } from "./load.ts";
import { addResult, emptySummary } from "./results.ts";
import type { Checker, Details, Effect, ExpandedTest, OutputFailure, SuiteResult, TestSuite } from "./types.ts";
import type { OutputEntry } from "../../host/common/types.ts";
import { deepEqual } from "./values.ts";

export function newSuiteResult(file: string, name: string, description?: string): SuiteResult {
  return { file, name, summary: emptySummary(), testCases: [], ...(description ? { description } : {}) };
}

export function runSuite(checker: Checker, filter: TestFilter, file: string, suite: TestSuite, fixture: Fixture | undefined): SuiteResult {
  const result = newSuiteResult(file, suite.name ?? "", suite.description);
  const errored = (error: string) => {
    result.summary.overallResult = "RESULT_ERRORED";
    result.error = error;
    return result;
  };
  const run = new SuiteRun(suite, fixture);
  const groupError = run.checkGroups();
  if (groupError) return errored(groupError);
  if (suite.skip) {
    result.summary.overallResult = "RESULT_SKIPPED";
    if (suite.skipReason) result.skipReason = suite.skipReason;
    return result;
  }
  const dup = run.duplicateNames();
  if (dup) return errored(`Invalid test suite: ${dup}`);
  let tests: ExpandedTest[];
  try {
    tests = run.tests();
  } catch (e) {
    if (e instanceof SuiteError) return errored(`Failed to load the test suite: ${e.message}`);
    throw e;
  }
  for (const test of tests) {
    const skipped = filter.apply(test, suite.name ?? "");
    if (skipped) {
      for (const action of test.actions) addResult(result, test.table, test.principalKey, test.resourceKey, action, skipped);
      continue;
    }
    const { matched, skipped: filteredOut } = filter.partition(test.actions);
    const details = runTest(checker, test, matched);
    for (const action of matched) addResult(result, test.table, test.principalKey, test.resourceKey, action, details.get(action)!);
    for (const action of filteredOut) addResult(result, test.table, test.principalKey, test.resourceKey, action, { result: "RESULT_SKIPPED", skipReason: SKIP.action });
  }
  return result;
}

/** Checks one principal × resource pair for the given actions and judges each action. */
export function runTest(checker: Checker, test: ExpandedTest, actions: string[]): Map<string, Details> {
  const out = new Map<string, Details>();
  let actual;
  try {
    actual = checker.check({ principal: test.principal, resource: test.resource, actions, auxData: test.auxData }, test.options);
  } catch (e) {
    for (const a of actions) out.set(a, { result: "RESULT_ERRORED", error: (e as Error).message });
    return out;
  }
  if (actual.length === 0) {
    for (const a of actions) out.set(a, { result: "RESULT_ERRORED", error: "Empty response from server" });
    return out;
  }
  const response = actual[0];
  for (const action of actions) {
    const outputs = response.outputs.filter((o) => o.action === action);
    // Later entries with the same src win, as in Cerbos's lookup by src.
    const bySrc = new Map<string, OutputEntry>(outputs.map((o) => [o.src, o]));
    const expected: Effect = test.expected[action] ?? "EFFECT_DENY";
    const got = response.actions[action];
    if (!got) {
      out.set(action, { result: "RESULT_ERRORED", error: `no result for action "${action}"` });
      continue;
    }
    if (got.effect !== expected) {
      out.set(action, { result: "RESULT_FAILED", failure: { expected, actual: got.effect } });
      continue;
    }
    const wanted = test.expectedOutputs[action];
    if (wanted) {
      const failures: OutputFailure[] = [];
      for (const [src, val] of wanted) {
        const o = bySrc.get(src);
        if (!o) failures.push({ src, missing: { expected: val } });
        else if (o.error) failures.push({ src, errored: { expected: val, error: o.error } });
        else if (!deepEqual(val, o.val ?? null)) failures.push({ src, mismatched: { actual: o.val ?? null, expected: val } });
      }
      if (failures.length > 0) {
        out.set(action, { result: "RESULT_FAILED", failure: { expected, actual: got.effect, outputs: failures } });
        continue;
      }
    }
    out.set(action, { result: "RESULT_PASSED", success: { effect: got.effect, ...(outputs.length > 0 ? { outputs } : {}) } });
  }
  return out;
}
