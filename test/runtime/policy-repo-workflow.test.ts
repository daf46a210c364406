// examples/policy-repo: runs exactly the `run:` steps of its GitHub Actions workflow
// (.github/workflows/policies.yml), in order, with bash -e as GitHub does, in a temp copy of the
// repository. What the runner provides is stood in for: `uses:` steps (checkout → the temp copy,
// setup-node → this Node) and the "Install Verdict" step (→ $VERDICT is this checkout's CLI).
// Checked: exit codes, the compiled ruleset, the JUnit file — on the example as is, and on a pull
// request that breaks a test (the "Test policies" step fails with exit 4, JUnit shows the failure).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../oracle/paths.ts";

const example = join(repoRoot, "examples", "policy-repo");
const workflow = parseYaml(readFileSync(join(example, ".github", "workflows", "policies.yml"), "utf8")) as {
  on: { pull_request?: unknown };
  jobs: Record<string, { env?: Record<string, string>; steps: Array<{ name?: string; run?: string; uses?: string }> }>;
};
const job = workflow.jobs.verify!;
const runSteps = job.steps.filter((s) => s.run !== undefined && s.name !== "Install Verdict");
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function checkout(): string {
  const dir = mkdtempSync(join(tmpdir(), "verdict-policy-repo-"));
  temps.push(dir);
  cpSync(example, dir, { recursive: true });
  return dir;
}

function runWorkflow(dir: string): Array<{ name: string; status: number | null; output: string }> {
  const env = { ...process.env, ...job.env, VERDICT: `${process.execPath} ${join(repoRoot, "bin", "verdict.mjs")}` /* unquoted in the workflow: no spaces */, GITHUB_WORKSPACE: dir, CI: "true" };
  const results = [];
  for (const step of runSteps) {
    const r = spawnSync("bash", ["-e", "-c", step.run!], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
    results.push({ name: step.name ?? step.run!, status: r.status, output: `${r.stdout}${r.stderr}` });
    if (r.status !== 0) break; // later steps are skipped, as on GitHub (the upload uses if: always())
  }
  return results;
}

describe("examples/policy-repo workflow", () => {
  it("runs on pull requests and runs verdict compile and verdict test --junit", () => {
    expect(workflow.on.pull_request).toBeDefined();
    expect(runSteps.map((s) => s.run!.trim())).toEqual([
      "mkdir -p build\n$VERDICT compile policies -o build/policies.vrdt",
      "$VERDICT test policies --junit build/junit.xml",
    ]);
  });

  it("passes on the example: ruleset written, JUnit with every test passed", () => {
    const dir = checkout();
    const results = runWorkflow(dir);
    expect(results.map((r) => [r.name, r.status]), results.map((r) => r.output).join("\n")).toEqual([
      ["Compile policies", 0],
      ["Test policies", 0],
    ]);
    expect(readFileSync(join(dir, "build", "policies.vrdt")).length).toBeGreaterThan(100);
    const junit = readFileSync(join(dir, "build", "junit.xml"), "utf8");
    expect(junit).toMatch(/<testsuites errors="0" failures="0" skipped="0" tests="27">/);
  });

  it("fails the check on a pull request that breaks a policy test (exit 4, failure in JUnit)", () => {
    const dir = checkout();
    const policy = join(dir, "policies", "document.yaml");
    // The PR lets employees of any department read: the suite expects ada not to read sales_doc.
    writeFileSync(policy, readFileSync(policy, "utf8").replace("expr: R.attr.department == P.attr.department", "expr: \"true\""));
    const results = runWorkflow(dir);
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ["Compile policies", 0],
      ["Test policies", 4],
    ]);
    const junit = readFileSync(join(dir, "build", "junit.xml"), "utf8");
    expect(junit).toMatch(/<testsuites errors="0" failures="2"/);
    expect(junit).toContain('classname="ada.sales_doc.read"');
  });

  it("fails the check on a pull request that does not compile (exit 3, nothing written)", () => {
    const dir = checkout();
    writeFileSync(join(dir, "policies", "document.yaml"), readFileSync(join(dir, "policies", "document.yaml"), "utf8").replace("R.attr.ownerId == P.id", "R.attr.ownerId =="));
    writeFileSync(join(dir, "policies", "derived_roles.yaml"), readFileSync(join(dir, "policies", "derived_roles.yaml"), "utf8").replace("R.attr.ownerId == P.id", "R.attr.ownerId =="));
    const results = runWorkflow(dir);
    expect(results.map((r) => [r.name, r.status])).toEqual([["Compile policies", 3]]);
    expect(results[0]!.output).toMatch(/derived_roles\.yaml:\d+:\d+: error/);
    expect(existsSync(join(dir, "build", "policies.vrdt"))).toBe(false);
  });
});
