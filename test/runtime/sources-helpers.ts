// Shared by the hot-reload tests: a local bare git repository to push policy changes to, a
// `verdict serve` child process (always stopped), small policies and bounded waits.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { repoRoot } from "../oracle/paths.ts";
import { type Spawned, spawnTracked, waitUntil } from "../oracle/process.ts";

/** git without the machine's global/system config, with a fixed identity. */
export const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "verdict-test",
  GIT_AUTHOR_EMAIL: "test@verdict.invalid",
  GIT_COMMITTER_NAME: "verdict-test",
  GIT_COMMITTER_EMAIL: "test@verdict.invalid",
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8", timeout: 10_000 }).trim();
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

/** A bare repository plus a working clone that commits and pushes. */
export class TestRepo {
  readonly bare: string;
  readonly work: string;
  constructor(root: string) {
    mkdirSync(root, { recursive: true });
    this.bare = join(root, "policies.git");
    this.work = join(root, "work");
    git(root, "init", "--quiet", "--bare", "--initial-branch=main", this.bare);
    git(root, "init", "--quiet", "--initial-branch=main", this.work);
    git(this.work, "remote", "add", "origin", this.bare);
  }

  /** Commits the files on `branch` (created from the current HEAD if new) and pushes; returns the commit. */
  push(branch: string, files: Record<string, string>, message = "change"): string {
    // A fresh repository sits on an unborn `main`; a new branch starts from the current commit.
    const exists = git(this.work, "branch", "--list", branch) !== "";
    const unborn = git(this.work, "branch", "--list") === "";
    if (!unborn) git(this.work, "checkout", "--quiet", ...(exists ? [branch] : ["-b", branch]));
    writeFiles(this.work, files);
    git(this.work, "add", "--all");
    git(this.work, "commit", "--quiet", "--allow-empty", "-m", message);
    git(this.work, "push", "--quiet", "origin", `${branch}:${branch}`);
    return git(this.work, "rev-parse", "HEAD");
  }
}

/** A resource policy for `doc` whose `view` rule allows `role`; `extra` adds raw YAML rules. */
export function docPolicy(role: string, extraRules = ""): string {
  return `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: doc
  version: default
  rules:
    - actions: ["view"]
      effect: EFFECT_ALLOW
      roles: ["${role}"]
${extraRules}`;
}

/** Appended to docPolicy: line 14 of the file holds an expression that does not parse. */
export const BROKEN_RULE = `    - actions: ["edit"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          expr: P.id ==
`;

export interface Serve {
  proc: Spawned;
  url: string;
  stop(): Promise<void>;
}

export async function startServe(sets: Record<string, string>, env: NodeJS.ProcessEnv = GIT_ENV): Promise<Serve> {
  const args = [join(repoRoot, "bin", "verdict.mjs"), "serve", "--set", "server.httpListenAddr=127.0.0.1:0"];
  for (const [k, v] of Object.entries(sets)) args.push("--set", `${k}=${v}`);
  const proc = spawnTracked(process.execPath, args, { cwd: repoRoot, env });
  let url = "";
  try {
    await waitUntil(
      async () => {
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(proc.output());
        if (m) url = m[1]!;
        return m !== null;
      },
      proc,
      "verdict serve",
      20_000,
    );
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return { proc, url, stop: () => proc.stop(3000) };
}

/** The effect of `action` on a doc for a principal with `role`, from a running server. */
export async function effect(url: string, role: string, action = "view"): Promise<string> {
  const res = await fetch(`${url}/api/check/resources`, {
    method: "POST",
    body: JSON.stringify({
      principal: { id: "p1", roles: [role] },
      resources: [{ resource: { kind: "doc", id: "d1" }, actions: [action] }],
    }),
    signal: AbortSignal.timeout(5_000),
  });
  if (res.status !== 200) throw new Error(`check: HTTP ${res.status}: ${await res.text()}`);
  const json = (await res.json()) as { results: Array<{ actions: Record<string, string> }> };
  return json.results[0]!.actions[action]!;
}

export async function status(url: string): Promise<any> {
  const res = await fetch(`${url}/_verdict/status`, { signal: AbortSignal.timeout(5_000) });
  return res.json();
}

/** Polls `probe` every 50 ms until it returns true; returns the milliseconds it took. */
export async function within(timeoutMs: number, what: string, probe: () => Promise<boolean> | boolean): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (await probe()) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
