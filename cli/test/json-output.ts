// TestResults as protojson prints it: fields in proto field order, empty strings/lists/zero
// counts omitted, except a oneof member (e.g. an empty skipReason), which is always printed.
import type { OutputEntry } from "../../host/common/types.ts";
import type { Details, OutputFailure, SuiteResult, Summary, TestResults } from "./types.ts";
import { sortKeys } from "./values.ts";

type J = Record<string, unknown>;

function summary(s: Summary): J {
  const o: J = {};
  if (s.overallResult !== ("RESULT_UNSPECIFIED" as string)) o.overallResult = s.overallResult;
  if (s.testsCount) o.testsCount = s.testsCount;
  if (s.resultCounts.length) o.resultCounts = s.resultCounts.map((t) => ({ result: t.result, count: t.count }));
  return o;
}

function outputEntry(e: OutputEntry): J {
  const o: J = { src: e.src };
  if (!e.error) o.val = sortKeys(e.val ?? null);
  o.action = e.action;
  if (e.error) o.error = e.error;
  return o;
}

function outputFailure(f: OutputFailure): J {
  const o: J = { src: f.src };
  if (f.mismatched) o.mismatched = { expected: sortKeys(f.mismatched.expected), actual: sortKeys(f.mismatched.actual) };
  if (f.missing) o.missing = { expected: sortKeys(f.missing.expected) };
  if (f.errored) o.errored = { expected: sortKeys(f.errored.expected), error: f.errored.error };
  return o;
}

function details(d: Details): J {
  const o: J = { result: d.result };
  if (d.failure) {
    const f: J = { expected: d.failure.expected, actual: d.failure.actual };
    if (d.failure.outputs?.length) f.outputs = d.failure.outputs.map(outputFailure);
    o.failure = f;
  }
  if (d.error !== undefined) o.error = d.error;
  if (d.success) {
    const s: J = { effect: d.success.effect };
    if (d.success.outputs?.length) s.outputs = d.success.outputs.map(outputEntry);
    o.success = s;
  }
  if (d.skipReason !== undefined) o.skipReason = d.skipReason;
  return o;
}

function suite(s: SuiteResult): J {
  const o: J = { file: s.file, name: s.name, summary: summary(s.summary) };
  if (!s.file) delete o.file;
  if (!s.name) delete o.name;
  if (s.error) o.error = s.error;
  if (s.testCases.length)
    o.testCases = s.testCases.map((tc) => ({
      name: tc.name,
      principals: tc.principals.map((p) => ({
        name: p.name,
        resources: p.resources.map((r) => ({ name: r.name, actions: r.actions.map((a) => ({ name: a.name, details: details(a.details) })) })),
      })),
    }));
  if (s.description) o.description = s.description;
  if (s.skipReason) o.skipReason = s.skipReason;
  return o;
}

export function toJson(results: TestResults): J {
  const o: J = {};
  if (results.suites.length) o.suites = results.suites.map(suite);
  o.summary = summary(results.summary);
  return o;
}

export function renderJson(results: TestResults): string {
  return JSON.stringify(toJson(results), null, 2);
}
