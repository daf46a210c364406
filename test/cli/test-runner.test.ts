// The runner end to end over files on disk (discovery, testdata fixtures, judging, filters, JSON
// and tree output), with a stand-in Checker so these tests do not depend on the evaluator:
// principals with role `admin` may do anything, everyone may `view`, outputs echo the action.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseFilter } from "../../cli/test/filter.ts";
import { toJson } from "../../cli/test/json-output.ts";
import { renderTree } from "../../cli/test/tree-output.ts";
import type { Checker } from "../../cli/test/types.ts";
import { verify } from "../../cli/test/verify.ts";

const calls: Array<{ actions: string[]; now?: string; strict?: boolean; aux?: unknown }> = [];
const checker: Checker = {
  check(input, options) {
    calls.push({ actions: input.actions, now: options?.now, strict: options?.strictEvaluation, aux: input.auxData });
    if (input.resource.attr?.clock === true && !options?.now) throw new Error("needs now");
    const actions: Record<string, { effect: "EFFECT_ALLOW" | "EFFECT_DENY"; policy: string }> = {};
    for (const a of input.actions)
      actions[a] = { effect: input.principal.roles.includes("admin") || a === "view" ? "EFFECT_ALLOW" : "EFFECT_DENY", policy: "resource.doc.vdefault" };
    const outputs = input.actions.map((a) => (a === "boom" ? { src: "resource.doc.vdefault#o", action: a, error: "division by zero" } : { src: "resource.doc.vdefault#o", action: a, val: { did: a } }));
    return [{ resourceId: input.resource.id, actions, effectiveDerivedRoles: [], outputs }];
  },
};

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
  calls.length = 0;
});

function tree(files: Record<string, string>): string {
  dir = mkdtempSync(path.join(tmpdir(), "verdict-runner-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const FIXTURES = {
  "policies/testdata/principals.yaml": `principals:
  alice: {id: alice, roles: [admin]}
  bob: {id: bob, roles: [user]}
`,
  "policies/testdata/resources.yaml": `resources:
  doc1: {kind: doc, id: "1"}
  timed: {kind: doc, id: "2", attr: {clock: true}}
`,
  "policies/testdata/auxdata.yaml": `auxData:
  token: {jwt: {iss: me}}
`,
};

describe("verify()", () => {
  it("passes when every expectation holds, expecting DENY for unlisted pairs and actions", () => {
    const d = tree({
      ...FIXTURES,
      "policies/doc_test.yaml": `name: DocSuite
options: {now: "2024-01-01T00:00:00Z"}
tests:
  - name: t1
    input: {principals: [alice, bob], resources: [doc1], actions: [view, edit], auxData: token}
    expected:
      - principal: alice
        resource: doc1
        actions: {view: EFFECT_ALLOW, edit: EFFECT_ALLOW}
      - principal: bob
        resource: doc1
        actions: {view: EFFECT_ALLOW}
`,
    });
    const r = verify(d, checker);
    expect(r.summary).toEqual({ overallResult: "RESULT_PASSED", testsCount: 4, resultCounts: [{ result: "RESULT_PASSED", count: 4 }] });
    expect(r.suites[0].file).toBe("policies/doc_test.yaml");
    expect(calls.every((c) => c.now === "2024-01-01T00:00:00Z")).toBe(true);
    expect(calls[0].aux).toEqual({ jwt: { iss: "me" } });
  });

  it("fails an action whose effect differs and names it in a readable line", () => {
    const d = tree({
      ...FIXTURES,
      "policies/doc_test.yaml": `name: DocSuite
tests:
  - name: t1
    options: {now: "2024-01-01T00:00:00Z"}
    input: {principals: [bob], resources: [doc1], actions: [edit]}
    expected:
      - {principal: bob, resource: doc1, actions: {edit: EFFECT_ALLOW}}
`,
    });
    const r = verify(d, checker);
    expect(r.summary.overallResult).toBe("RESULT_FAILED");
    const details = r.suites[0].testCases[0].principals[0].resources[0].actions[0].details;
    expect(details).toEqual({ result: "RESULT_FAILED", failure: { expected: "EFFECT_ALLOW", actual: "EFFECT_DENY" } });
    const text = renderTree(r, false);
    expect(text).toContain("└──OUTCOME: expected: EFFECT_ALLOW, actual: EFFECT_DENY");
    expect(text).toContain("bob editing doc1: expected ALLOW, got DENY");
    expect(text).toContain("1 tests executed [1 FAILED]");
  });

  it("compares expected outputs: mismatched, missing and errored", () => {
    const d = tree({
      ...FIXTURES,
      "policies/doc_test.yaml": `name: DocSuite
options: {now: "2024-01-01T00:00:00Z"}
tests:
  - name: outputs
    input: {principals: [alice], resources: [doc1], actions: [view, edit, boom]}
    expected:
      - principal: alice
        resource: doc1
        actions: {view: EFFECT_ALLOW, edit: EFFECT_ALLOW, boom: EFFECT_ALLOW}
        outputs:
          - action: view
            expected: [{src: "resource.doc.vdefault#o", val: {did: view}}]
          - action: edit
            expected: [{src: "resource.doc.vdefault#o", val: {did: something-else}}, {src: "resource.doc.vdefault#gone", val: 1}]
          - action: boom
            expected: [{src: "resource.doc.vdefault#o", val: 2}]
`,
    });
    const actions = verify(d, checker).suites[0].testCases[0].principals[0].resources[0].actions;
    expect(actions[0].details.result).toBe("RESULT_PASSED");
    expect(actions[0].details.success?.outputs).toEqual([{ src: "resource.doc.vdefault#o", action: "view", val: { did: "view" } }]);
    expect(actions[1].details.failure?.outputs).toEqual([
      { src: "resource.doc.vdefault#o", mismatched: { expected: { did: "something-else" }, actual: { did: "edit" } } },
      { src: "resource.doc.vdefault#gone", missing: { expected: 1 } },
    ]);
    expect(actions[2].details.failure?.outputs).toEqual([{ src: "resource.doc.vdefault#o", errored: { expected: 2, error: "division by zero" } }]);
  });

  it("reports a checker error per action as RESULT_ERRORED", () => {
    const d = tree({
      ...FIXTURES,
      "policies/doc_test.yaml": `name: DocSuite
tests:
  - name: clock
    input: {principals: [alice], resources: [timed], actions: [view]}
    expected: [{principal: alice, resource: timed, actions: {view: EFFECT_ALLOW}}]
`,
    });
    const r = verify(d, checker);
    expect(r.suites[0].testCases[0].principals[0].resources[0].actions[0].details).toEqual({ result: "RESULT_ERRORED", error: "needs now" });
    expect(r.summary.overallResult).toBe("RESULT_ERRORED");
  });

  it("reports suite load errors like Cerbos, with positions", () => {
    const d = tree({
      ...FIXTURES,
      "policies/bad_test.yaml": `name: Bad
tests:
  - name: t
    input: {principals: [alice], resources: [doc1], actions: [view]}
    expected:
      - principal: alice
        resource: doc1
        actions: {view: MAYBE}
`,
      "policies/missing_test.yaml": `name: Missing
tests:
  - name: t
    input: {principals: [carol], resources: [doc1], actions: [view]}
    expected: [{principal: carol, resource: doc1, actions: {view: EFFECT_ALLOW}}]
`,
    });
    const [bad, missing] = verify(d, checker).suites;
    expect(bad.error).toBe('failed to load test suite:\n8:25 tests[0].expected[0].actions["view"]: must be one of [EFFECT_ALLOW, EFFECT_DENY]');
    expect(bad.name).toBe("Unknown");
    expect(missing.error).toBe('Failed to load the test suite: invalid test "t": principal "carol" not found');
  });

  it("applies --test-filter: filtered tests are listed as skipped but not counted", () => {
    const d = tree({
      ...FIXTURES,
      "policies/doc_test.yaml": `name: DocSuite
options: {now: "2024-01-01T00:00:00Z"}
tests:
  - name: t1
    input: {principals: [alice, bob], resources: [doc1], actions: [view, edit]}
    expected:
      - {principal: alice, resource: doc1, actions: {view: EFFECT_ALLOW, edit: EFFECT_ALLOW}}
      - {principal: bob, resource: doc1, actions: {view: EFFECT_ALLOW}}
`,
    });
    const r = verify(d, checker, { filter: parseFilter("principal=bob;action=v*") });
    expect(r.summary).toEqual({ overallResult: "RESULT_PASSED", testsCount: 1, resultCounts: [{ result: "RESULT_PASSED", count: 1 }] });
    const json = toJson(r) as { suites: Array<{ testCases: Array<{ principals: Array<{ name: string; resources: Array<{ actions: Array<{ name: string; details: unknown }> }> }> }> }> };
    const [alice, bob] = json.suites[0].testCases[0].principals;
    expect(alice.resources[0].actions[0].details).toEqual({ result: "RESULT_SKIPPED", skipReason: "Principal did not match the test filter" });
    expect(bob.resources[0].actions.map((a) => [a.name, a.details])).toEqual([
      ["view", { result: "RESULT_PASSED", success: { effect: "EFFECT_ALLOW", outputs: [{ src: "resource.doc.vdefault#o", val: { did: "view" }, action: "view" }] } }],
      ["edit", { result: "RESULT_SKIPPED", skipReason: "No actions matched the test filter" }],
    ]);
  });

  it("marks skipped suites and tests", () => {
    const d = tree({
      ...FIXTURES,
      "a/suite_test.yaml": `name: Skipped
skip: true
skipReason: later
tests:
  - name: t
    input: {principals: [x], resources: [y], actions: [view]}
    expected: [{principal: x, resource: y, actions: {view: EFFECT_ALLOW}}]
principals: {x: {id: x, roles: [user]}}
resources: {y: {kind: doc, id: "1"}}
`,
    });
    const r = verify(d, checker);
    expect(r.suites[0]).toMatchObject({ name: "Skipped", skipReason: "later", summary: { overallResult: "RESULT_SKIPPED" } });
    expect(calls).toHaveLength(0);
  });

  it("rejects malformed filters", () => {
    expect(() => parseFilter("colour=red")).toThrow(/unknown filter dimension/);
    expect(() => parseFilter("suite")).toThrow(/expected 'dimension=glob1,glob2'/);
    expect(() => parseFilter("suite=")).toThrow(/at least one glob/);
  });
});
