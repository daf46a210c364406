// Acceptance: `verdict serve` on a local bare git repository polls its branch every second; a
// pushed change flips decisions within 3 s, a broken push is refused (old decisions continue, the
// error with file:line on /_verdict/status), a fix recovers; two servers on `main` and `staging`
// serve their own branch. Child processes are always stopped; everything lives in a temp dir.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BROKEN_RULE, docPolicy, effect, removeDir, type Serve, startServe, status, TestRepo, tempDir, within } from "./sources-helpers.ts";

const root = tempDir("verdict-git-serve-");
const servers: Serve[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  removeDir(root);
});

function gitSets(repo: TestRepo, branch: string): Record<string, string> {
  return {
    "storage.driver": "git",
    "storage.git.protocol": "file",
    "storage.git.url": repo.bare,
    "storage.git.branch": branch,
    "storage.git.subDir": "policies",
    "storage.git.checkoutDir": join(repo.bare, "..", `checkout-${branch}`),
    "storage.git.updatePollInterval": "1s",
    "storage.git.operationTimeout": "10s",
  };
}

describe("verdict serve with storage.driver=git", () => {
  it("flips on a pushed change within 3 s, refuses a broken push and recovers on a fix", async () => {
    const repo = new TestRepo(join(root, "one"));
    const first = repo.push("main", { "policies/doc.yaml": docPolicy("user"), "README.md": "policies\n" }, "users may view");
    const s = await startServe(gitSets(repo, "main"));
    servers.push(s);
    expect(await effect(s.url, "user")).toBe("EFFECT_ALLOW");
    const st0 = await status(s.url);
    expect(st0.ruleset).toMatchObject({ revision: first, policies: 1 });
    expect(st0.source).toContain("branch main");
    expect(s.proc.output()).toContain(`loaded git file://${repo.bare} (branch main, policies) ${first}: 1 policy`);

    // 1. A change: only admins may view now.
    const second = repo.push("main", { "policies/doc.yaml": docPolicy("admin") }, "admins only");
    const flipMs = await within(3_000, "decision flip", async () => (await effect(s.url, "user")) === "EFFECT_DENY");
    expect(await effect(s.url, "admin")).toBe("EFFECT_ALLOW");
    expect((await status(s.url)).ruleset.revision).toBe(second);
    console.log(`git: decision flipped ${flipMs} ms after the push`);

    // 2. A broken change: refused, the admin-only ruleset keeps serving, the error names doc.yaml:14.
    const broken = repo.push("main", { "policies/doc.yaml": docPolicy("user", BROKEN_RULE) }, "broken");
    await within(3_000, "reload error reported", async () => (await status(s.url)).lastError !== null);
    const st = await status(s.url);
    expect(st.ruleset.revision).toBe(second);
    expect(st.refused).toBe(1);
    expect(st.lastError).toMatchObject({ revision: broken, message: expect.stringMatching(/failed to compile/) });
    expect(st.lastError.diagnostics[0]).toMatchObject({ file: "doc.yaml", line: 14 });
    expect(st.lastError.diagnostics[0].column).toBeGreaterThan(0);
    expect(await effect(s.url, "user")).toBe("EFFECT_DENY");
    expect(await effect(s.url, "admin")).toBe("EFFECT_ALLOW");
    expect((await fetch(`${s.url}/_cerbos/health`)).status).toBe(200);
    expect(s.proc.output()).toMatch(/reload refused: .* still serving [0-9a-f]{40}\ndoc\.yaml:14:\d+: error\[/);

    // 3. The fix: users may view again, the error clears.
    const fixed = repo.push("main", { "policies/doc.yaml": docPolicy("user") }, "fix");
    await within(3_000, "recovery", async () => (await effect(s.url, "user")) === "EFFECT_ALLOW");
    const st2 = await status(s.url);
    expect(st2).toMatchObject({ lastError: null, reloads: 2, refused: 1, ruleset: { revision: fixed } });
  });

  it("serves each branch's decisions from two servers on main and staging", async () => {
    const repo = new TestRepo(join(root, "two"));
    repo.push("main", { "policies/doc.yaml": docPolicy("user") }, "main: users");
    repo.push("staging", { "policies/doc.yaml": docPolicy("tester") }, "staging: testers");
    const [main, staging] = await Promise.all([startServe(gitSets(repo, "main")), startServe(gitSets(repo, "staging"))]);
    servers.push(main, staging);
    expect([await effect(main.url, "user"), await effect(main.url, "tester")]).toEqual(["EFFECT_ALLOW", "EFFECT_DENY"]);
    expect([await effect(staging.url, "user"), await effect(staging.url, "tester")]).toEqual(["EFFECT_DENY", "EFFECT_ALLOW"]);

    // A push to staging moves staging only.
    repo.push("staging", { "policies/doc.yaml": docPolicy("user") }, "staging: users");
    await within(3_000, "staging flip", async () => (await effect(staging.url, "user")) === "EFFECT_ALLOW");
    expect(await effect(main.url, "tester")).toBe("EFFECT_DENY");
    expect((await status(main.url)).reloads).toBe(0);

    // SIGTERM stops the poller and the server: exit code 0, promptly.
    const t0 = Date.now();
    await staging.stop();
    expect(staging.proc.child.exitCode).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3_000);
  });
});
