// `verdict test` as a command (runTestCommand with captured output), through the real compiler
// and evaluator: exit codes 0/3/4/2, the readable failure lines, -o json, --junit and filters.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runTestCommand } from "../../cli/test/index.ts";

const POLICY = `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  version: default
  resource: expense
  rules:
    - actions: [read]
      effect: EFFECT_ALLOW
      roles: [manager]
      condition:
        match:
          expr: request.resource.attr.region == request.principal.attr.region
      output:
        when:
          ruleActivated: '"read:" + request.principal.id'
`;

const SUITE = (expectEmea: "EFFECT_ALLOW" | "EFFECT_DENY") => `name: ExpenseSuite
tests:
  - name: Managers read their region
    options: {now: "2024-01-01T00:00:00Z"}
    input:
      principals: [north-america-manager]
      resources: [na-expense, emea-expense]
      actions: [read, delete]
    expected:
      - principal: north-america-manager
        resource: na-expense
        actions: {read: EFFECT_ALLOW}
        outputs:
          - action: read
            expected: [{src: "resource.expense.vdefault#rule-001", val: "read:namgr"}]
      - principal: north-america-manager
        resource: emea-expense
        actions: {read: ${expectEmea}}
`;

const FIXTURES = {
  "testdata/principals.yaml": `principals:
  north-america-manager: {id: namgr, roles: [manager], attr: {region: na}}
`,
  "testdata/resources.yaml": `resources:
  na-expense: {kind: expense, id: e1, attr: {region: na}}
  emea-expense: {kind: expense, id: e2, attr: {region: emea}}
`,
};

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function project(files: Record<string, string>): string {
  dir = mkdtempSync(path.join(tmpdir(), "verdict-test-cli-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runTestCommand(args, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), readStdin: async () => "" });
  return { code, stdout, stderr };
}

describe("verdict test", () => {
  it("exits 0 and prints Cerbos's summary when every test passes", async () => {
    const d = project({ "expense.yaml": POLICY, "expense_test.yaml": SUITE("EFFECT_DENY"), ...FIXTURES });
    const r = await run([d]);
    expect(r.stdout).toBe("Test results\n└──ExpenseSuite (expense_test.yaml) [4 OK]\n\n4 tests executed [4 OK]\n");
    expect(r.code).toBe(0);
  });

  it("exits 4 and names each failure in a readable line", async () => {
    const d = project({ "expense.yaml": POLICY, "expense_test.yaml": SUITE("EFFECT_ALLOW"), ...FIXTURES });
    const r = await run([d]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain("└──OUTCOME: expected: EFFECT_ALLOW, actual: EFFECT_DENY");
    expect(r.stdout).toContain("north-america-manager reading emea-expense: expected ALLOW, got DENY");
    expect(r.stdout).toContain("4 tests executed [3 OK] [1 FAILED]");
    expect(r.stderr).toContain("tests failed");
  });

  it("prints TestResults JSON with -o json and writes JUnit with --junit", async () => {
    const d = project({ "expense.yaml": POLICY, "expense_test.yaml": SUITE("EFFECT_DENY"), ...FIXTURES });
    const junit = path.join(d, "out.xml");
    const r = await run(["-o", "json", "--junit", junit, d]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.summary).toEqual({ overallResult: "RESULT_PASSED", testsCount: 4, resultCounts: [{ result: "RESULT_PASSED", count: 4 }] });
    const read = json.suites[0].testCases[0].principals[0].resources[0].actions[0];
    expect(read).toEqual({
      name: "read",
      details: { result: "RESULT_PASSED", success: { effect: "EFFECT_ALLOW", outputs: [{ src: "resource.expense.vdefault#rule-001", val: "read:namgr", action: "read" }] } },
    });
    const xml = readFileSync(junit, "utf8");
    expect(xml.split("\n")[0]).toBe('<testsuites errors="0" failures="0" skipped="0" tests="4">');
    expect(xml).toContain('classname="north-america-manager.na-expense.read"');
  });

  it("runs only what --test-filter selects", async () => {
    const d = project({ "expense.yaml": POLICY, "expense_test.yaml": SUITE("EFFECT_ALLOW"), ...FIXTURES });
    const r = await run(["--test-filter", "resource=na-*", "-o", "json", d]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary.testsCount).toBe(2);
  });

  it("exits 3 with file:line:col diagnostics when policies do not compile", async () => {
    const d = project({ "expense.yaml": POLICY.replace("effect: EFFECT_ALLOW", "effect: EFFECT_MAYBE"), "expense_test.yaml": SUITE("EFFECT_DENY"), ...FIXTURES });
    const r = await run([d]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^expense\.yaml:\d+:\d+: error\[VD\d{4}\]: /m);
  });

  it("exits 2 on a bad command line", async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(["--test-filter", "colour=red", "."])).code).toBe(2);
    expect((await run(["-o", "yaml", "."])).code).toBe(2);
  });
});
