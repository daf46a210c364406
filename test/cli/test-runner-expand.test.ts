// Suite expansion against Cerbos's own expansion corpus (verify/test_suite_run_get_tests): each
// case is one test table plus either the expanded tests Cerbos builds or its error message. The
// fixture below is the one Cerbos's Go test uses for that corpus.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { SuiteRun } from "../../cli/test/expand.ts";
import type { Fixture } from "../../cli/test/load.ts";
import type { ExpandedTest, TestTable } from "../../cli/test/types.ts";
import { corpusDir } from "../helpers/corpus.ts";

const fixture: Fixture = {
  principals: {
    employee: { id: "employee", roles: ["user"] },
    manager: { id: "manager", roles: ["user"] },
    department_head: { id: "department_head", roles: ["user"] },
  },
  principalGroups: { management: ["manager", "department_head"] },
  resources: {
    employee_leave_request: { kind: "leave_request", id: "employee" },
    manager_leave_request: { kind: "leave_request", id: "manager" },
    department_head_leave_request: { kind: "leave_request", id: "department_head" },
  },
  resourceGroups: { management_leave_requests: ["manager_leave_request", "department_head_leave_request"] },
  auxData: { test_aux_data: { jwt: { answer: 42 } } },
};

// The shape of Cerbos's policy/v1 Test in protojson, with empty fields left out.
function asCerbosTest(t: ExpandedTest): Record<string, unknown> {
  const out: Record<string, unknown> = { name: { testTableName: t.table, principalKey: t.principalKey, resourceKey: t.resourceKey } };
  if (t.description) out.description = t.description;
  if (t.skip) out.skip = true;
  if (t.skipReason) out.skipReason = t.skipReason;
  out.input = { principal: t.principal, resource: t.resource, actions: t.actions, ...(t.auxData ? { auxData: t.auxData } : {}) };
  out.expected = t.expected;
  const outputs = Object.entries(t.expectedOutputs);
  if (outputs.length > 0) out.expectedOutputs = Object.fromEntries(outputs.map(([a, m]) => [a, { entries: Object.fromEntries(m) }]));
  if (t.options) out.options = t.options;
  return out;
}

const dir = path.join(corpusDir(), "verify/test_suite_run_get_tests");
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();

describe("suite expansion (Cerbos test_suite_run_get_tests corpus)", () => {
  it("finds the corpus", () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  for (const file of files) {
    const tc = parseYaml(readFileSync(path.join(dir, file), "utf8")) as { table: TestTable; wantTests?: unknown[]; wantErr?: string };
    it(file, () => {
      const run = new SuiteRun({ tests: [tc.table] }, fixture);
      if (tc.wantErr) {
        expect(() => run.tests()).toThrow(tc.wantErr);
        return;
      }
      expect(run.tests().map(asCerbosTest)).toEqual(tc.wantTests ?? []);
    });
  }
});

describe("suite expansion rules", () => {
  const suite = {
    name: "S",
    options: { now: "2022-01-01T00:00:00Z", defaultPolicyVersion: "suite" },
    tests: [
      {
        name: "own options",
        options: { strictEvaluation: true },
        input: { principals: ["employee"], resources: ["employee_leave_request"], actions: ["view"] },
        expected: [{ principal: "employee", resource: "employee_leave_request", actions: { view: "EFFECT_ALLOW" as const } }],
      },
      {
        name: "suite options",
        input: { principals: ["manager"], resources: ["manager_leave_request"], actions: ["view", "edit"] },
        expected: [{ principal: "manager", resource: "manager_leave_request", actions: { view: "EFFECT_ALLOW" as const } }],
      },
    ],
  };

  it("replaces (does not merge) suite options with a test's own options", () => {
    const [own, inherited] = new SuiteRun(suite, fixture).tests();
    expect(own.options).toEqual({ strictEvaluation: true });
    expect(inherited.options).toEqual(suite.options);
  });

  it("leaves unlisted actions out of the expectation map, so they default to DENY at run time", () => {
    const [, inherited] = new SuiteRun(suite, fixture).tests();
    expect(inherited.expected).toEqual({ view: "EFFECT_ALLOW" });
    expect(inherited.actions).toEqual(["view", "edit"]);
  });

  it("prefers suite fixtures over testdata fixtures of the same name", () => {
    const s = { ...suite, principals: { employee: { id: "inline-employee", roles: ["admin"] } } };
    expect(new SuiteRun(s, fixture).tests()[0].principal.id).toBe("inline-employee");
  });

  it("reports a group that names an unknown fixture", () => {
    const s = { ...suite, principalGroups: { g: { principals: ["employee", "ghost"] } } };
    expect(new SuiteRun(s, fixture).checkGroups()).toBe('Invalid principal groups in test suite: missing fixture "ghost" referenced in group "g"');
  });

  it("reports duplicate test names", () => {
    const s = { ...suite, tests: [suite.tests[0], suite.tests[0]] };
    expect(new SuiteRun(s, fixture).duplicateNames()).toBe("another test named own options already exists");
  });
});
