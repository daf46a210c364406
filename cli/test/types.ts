// Typed views of decoded suites/fixtures and of Cerbos's TestResults (policy/v1), whose JSON
// (protojson) shape is what `verdict test -o json` prints.
import type { AuxData, CheckOutput, OutputEntry, Principal, Resource } from "../../host/common/types.ts";

export type Effect = "EFFECT_ALLOW" | "EFFECT_DENY";

export interface TestOptions {
  now?: string;
  lenientScopeSearch?: boolean;
  globals?: Record<string, unknown>;
  defaultPolicyVersion?: string;
  defaultScope?: string;
  strictEvaluation?: boolean;
}

export interface FixtureAuxData extends AuxData {
  jwts?: Record<string, { claims?: Record<string, unknown> }>;
}

export interface TableInput {
  principals?: string[];
  resources?: string[];
  actions?: string[];
  auxData?: string;
  principalGroups?: string[];
  resourceGroups?: string[];
}

export interface Expectation {
  principal?: string;
  resource?: string;
  actions?: Record<string, Effect>;
  outputs?: Array<{ action?: string; expected?: Array<{ src?: string; val?: unknown }> }>;
  principals?: string[];
  resources?: string[];
  principalGroups?: string[];
  resourceGroups?: string[];
}

export interface TestTable {
  name?: string;
  description?: string;
  skip?: boolean;
  skipReason?: string;
  input?: TableInput;
  expected?: Expectation[];
  options?: TestOptions;
}

export interface TestSuite {
  name?: string;
  description?: string;
  skip?: boolean;
  skipReason?: string;
  tests?: TestTable[];
  principals?: Record<string, Principal>;
  resources?: Record<string, Resource>;
  auxData?: Record<string, FixtureAuxData>;
  options?: TestOptions;
  principalGroups?: Record<string, { principals?: string[] }>;
  resourceGroups?: Record<string, { resources?: string[] }>;
}

/** One expanded test: a table row for one principal × resource pair. */
export interface ExpandedTest {
  table: string;
  description: string;
  principalKey: string;
  resourceKey: string;
  skip: boolean;
  skipReason: string;
  principal: Principal;
  resource: Resource;
  actions: string[];
  auxData?: FixtureAuxData;
  /** action → expected effect (unlisted actions are DENY) */
  expected: Record<string, Effect>;
  /** action → (output src → expected value) */
  expectedOutputs: Record<string, Map<string, unknown>>;
  options?: TestOptions;
}

// Numeric order matters: a suite's overall result is the highest of its parts.
export const RESULT_RANK = { RESULT_UNSPECIFIED: 0, RESULT_SKIPPED: 1, RESULT_PASSED: 2, RESULT_FAILED: 3, RESULT_ERRORED: 4 } as const;
export type Result = keyof typeof RESULT_RANK;

export interface Tally {
  result: Result;
  count: number;
}

export interface Summary {
  overallResult: Result;
  testsCount: number;
  resultCounts: Tally[];
}

export interface OutputFailure {
  src: string;
  mismatched?: { expected: unknown; actual: unknown };
  missing?: { expected: unknown };
  errored?: { expected: unknown; error: string };
}

export interface Details {
  result: Result;
  failure?: { expected: Effect; actual: Effect; outputs?: OutputFailure[] };
  error?: string;
  success?: { effect: Effect; outputs?: OutputEntry[] };
  skipReason?: string;
}

export interface ActionResult {
  name: string;
  details: Details;
}

export interface SuiteResult {
  file: string;
  name: string;
  summary: Summary;
  error?: string;
  testCases: Array<{ name: string; principals: Array<{ name: string; resources: Array<{ name: string; actions: ActionResult[] }> }> }>;
  description?: string;
  skipReason?: string;
}

export interface TestResults {
  suites: SuiteResult[];
  summary: Summary;
}

/** What the runner needs from a PDP: one engine check with a test's options. */
export interface Checker {
  check(input: { principal: Principal; resource: Resource; actions: string[]; auxData?: FixtureAuxData }, options: TestOptions | undefined): CheckOutput[];
}
