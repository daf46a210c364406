// Discovers suites under a tests directory and runs them all: `*_test.{yaml,yml,json}` anywhere,
// fixtures from the `testdata/` directory next to each suite. Results are sorted by file path.
import { readdirSync } from "node:fs";
import path from "node:path";
import { TestFilter, type RunConfig } from "./filter.ts";
import { loadFixture, loadSuite, type Fixture } from "./load.ts";
import { aggregate } from "./results.ts";
import { newSuiteResult, runSuite } from "./run-suite.ts";
import type { Checker, SuiteResult, TestResults } from "./types.ts";

const TEST_FILE = /_test\.(ya?ml|json)$/;

export interface Discovered {
  /** suite files, relative to the tests directory with `/` separators */
  suites: string[];
  /** `testdata` directories, relative */
  fixtureDirs: Set<string>;
}

export function discover(dir: string): Discovered {
  const suites: string[] = [];
  const fixtureDirs = new Set<string>();
  const walk = (rel: string) => {
    const entries = readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const child = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        // A testdata directory holds fixtures only; nothing under it is a suite.
        if (e.name === "testdata") fixtureDirs.add(child);
        else walk(child);
      } else if (e.isFile() && TEST_FILE.test(e.name)) suites.push(child);
    }
  };
  walk("");
  return { suites, fixtureDirs };
}

export function verify(testsDir: string, checker: Checker, conf: RunConfig = {}): TestResults {
  const { suites, fixtureDirs } = discover(testsDir);
  const filter = new TestFilter(conf);
  const fixtures = new Map<string, Fixture | undefined>();
  const results: SuiteResult[] = [];
  for (const file of suites) {
    const loaded = loadSuite(path.join(testsDir, file));
    if (loaded.error !== undefined) {
      const r = newSuiteResult(file, "Unknown");
      r.summary.overallResult = "RESULT_ERRORED";
      r.error = `failed to load test suite:\n${loaded.error}`;
      results.push(r);
      continue;
    }
    const suite = loaded.value;
    const fixtureDir = path.posix.join(path.posix.dirname(file), "testdata");
    let fixture: Fixture | undefined;
    try {
      fixture = fixtureFor(testsDir, fixtureDir, fixtureDirs, fixtures);
    } catch (e) {
      const r = newSuiteResult(file, suite.name ?? "", suite.description);
      r.summary.overallResult = "RESULT_ERRORED";
      r.error = `failed to load test fixtures from ${fixtureDir}: ${(e as Error).message}`;
      results.push(r);
      continue;
    }
    results.push(runSuite(checker, filter, file, suite, fixture));
  }
  return aggregate(results);
}

function fixtureFor(testsDir: string, rel: string, known: Set<string>, cache: Map<string, Fixture | undefined>): Fixture | undefined {
  if (!known.has(rel)) return undefined;
  if (cache.has(rel)) return cache.get(rel);
  // Failed loads are not cached, so every suite sharing the directory reports the error.
  const f = loadFixture(path.join(testsDir, rel));
  cache.set(rel, f);
  return f;
}
