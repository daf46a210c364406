// Accumulating TestResults: actions nest under test case → principal → resource in first-seen
// order, tallies stay sorted by result rank, and an overall result is the highest seen.
import { isFilterSkipReason } from "./filter.ts";
import { RESULT_RANK, type Details, type Result, type Summary, type SuiteResult, type TestResults } from "./types.ts";

export function emptySummary(): Summary {
  return { overallResult: "RESULT_UNSPECIFIED" as Result, testsCount: 0, resultCounts: [] };
}

export function incrementTally(summary: Summary, result: Result, delta: number): void {
  let tally = summary.resultCounts.find((t) => t.result === result);
  if (!tally) {
    tally = { result, count: 0 };
    summary.resultCounts.push(tally);
    summary.resultCounts.sort((a, b) => RESULT_RANK[a.result] - RESULT_RANK[b.result]);
  }
  tally.count += delta;
}

export function raise(summary: Summary, result: Result): void {
  if (RESULT_RANK[result] > RESULT_RANK[summary.overallResult]) summary.overallResult = result;
}

function find<T extends { name: string }>(list: T[], name: string, make: () => T): T {
  let item = list.find((x) => x.name === name);
  if (!item) {
    item = make();
    list.push(item);
  }
  return item;
}

export function addResult(suite: SuiteResult, table: string, principal: string, resource: string, action: string, details: Details): void {
  const tc = find(suite.testCases, table, () => ({ name: table, principals: [] }));
  const p = find(tc.principals, principal, () => ({ name: principal, resources: [] }));
  const r = find(p.resources, resource, () => ({ name: resource, actions: [] }));
  const a = find(r.actions, action, () => ({ name: action, details }));
  a.details = details;
  // Tests hidden by a filter are reported but not counted.
  if (!isFilterSkipReason(details.skipReason)) {
    suite.summary.testsCount++;
    incrementTally(suite.summary, details.result, 1);
  }
  raise(suite.summary, details.result);
}

export function aggregate(suites: SuiteResult[]): TestResults {
  const summary = emptySummary();
  const sorted = [...suites].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const s of sorted) {
    summary.testsCount += s.summary.testsCount;
    for (const t of s.summary.resultCounts) incrementTally(summary, t.result, t.count);
    raise(summary, s.summary.overallResult);
  }
  return { suites: sorted, summary };
}
