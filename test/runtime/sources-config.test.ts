// Configuration of policy sources with Cerbos's keys (storage.disk/git, plus Verdict's bundle
// driver), Go-style durations, and the git runner's timeout and credential redaction.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfigTree, resolveConfig } from "../../cli/config.ts";
import { parseDuration } from "../../host/node/sources/duration.ts";
import { GitCli } from "../../host/node/sources/git-cli.ts";
import { GitSource, gitRemoteUrl } from "../../host/node/sources/git.ts";
import { removeDir, tempDir } from "./sources-helpers.ts";

const cfg = (...sets: string[]) => resolveConfig(loadConfigTree(undefined, sets));

describe("storage config", () => {
  it("reads Cerbos's git keys with defaults (branch master, timeout 60 s, no polling)", () => {
    expect(cfg("storage.driver=git", "storage.git.url=https://example.invalid/p.git").storage).toEqual({
      driver: "git",
      protocol: "https",
      url: "https://example.invalid/p.git",
      branch: "master",
      subDir: undefined,
      checkoutDir: undefined,
      updatePollIntervalMs: 0,
      operationTimeoutMs: 60_000,
      https: { username: undefined, password: undefined },
      ssh: { user: undefined, privateKeyFile: undefined, password: undefined },
    });
    const s = cfg(
      "storage.driver=git",
      "storage.git.protocol=ssh",
      "storage.git.url=git@example.invalid:org/p.git",
      "storage.git.branch=staging",
      "storage.git.subDir=policies",
      "storage.git.checkoutDir=/tmp/co",
      "storage.git.updatePollInterval=1m30s",
      "storage.git.operationTimeout=5s",
      "storage.git.ssh.user=git",
      "storage.git.ssh.privateKeyFile=/keys/id",
    ).storage;
    expect(s).toMatchObject({ protocol: "ssh", branch: "staging", subDir: "policies", updatePollIntervalMs: 90_000, operationTimeoutMs: 5_000, ssh: { user: "git", privateKeyFile: "/keys/id" } });
  });

  it("reads disk and bundle settings; --set storage.disk.directory alone means disk", () => {
    expect(cfg("storage.disk.directory=p", "storage.disk.watchForChanges=true").storage).toEqual({
      driver: "disk",
      directory: "p",
      watchForChanges: true,
      cooldownMs: 500,
    });
    expect(cfg("storage.driver=bundle", "storage.bundle.url=http://127.0.0.1:1/r.vrdt", "storage.bundle.updatePollInterval=250ms").storage).toEqual({
      driver: "bundle",
      url: "http://127.0.0.1:1/r.vrdt",
      updatePollIntervalMs: 250,
      requestTimeoutMs: 5_000,
      headers: undefined,
    });
    expect(cfg("verdict.reload.runTests=true").reload).toEqual({ runTests: true });
  });

  it("refuses bad values with the key named", () => {
    const bad: Array<[string[], RegExp]> = [
      [["storage.driver=git"], /`storage.git.url` is required/],
      [["storage.driver=git", "storage.git.url=x", "storage.git.protocol=ftp"], /must be file, https or ssh/],
      [["storage.driver=git", "storage.git.url=x", "storage.git.updatePollInterval=soon"], /`storage.git.updatePollInterval` must be a duration/],
      [["storage.driver=blob"], /storage driver `blob` is not supported/],
      [["storage.driver=bundle"], /`storage.bundle.url` is required/],
    ];
    for (const [sets, msg] of bad) {
      expect(() => cfg(...sets)).toThrow(ConfigError);
      expect(() => cfg(...sets)).toThrow(msg);
    }
  });

  it("parses Go durations", () => {
    expect(["10s", "500ms", "1m30s", "1h", "0", "2", "1.5s"].map((d) => parseDuration(d, "k"))).toEqual([10_000, 500, 90_000, 3_600_000, 0, 2_000, 1_500]);
    expect(() => parseDuration("10 sec", "k")).toThrow(/`k` must be a duration/);
  });
});

describe("git runner", () => {
  it("kills a git command that outlives operationTimeout", async () => {
    // `hash-object --stdin` waits for stdin, which stays open: only the timeout ends it.
    const git = new GitCli(200, {});
    const t0 = Date.now();
    await expect(git.run(["hash-object", "--stdin"])).rejects.toThrow(/git hash-object failed: timed out after 200 ms/);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("never shows the https password in errors, and file URLs are made absolute", async () => {
    const dir = tempDir("verdict-git-cfg-");
    try {
      const src = new GitSource({
        protocol: "https",
        url: "https://127.0.0.1:1/none.git",
        branch: "main",
        checkoutDir: dir,
        updatePollIntervalMs: 0,
        operationTimeoutMs: 10_000,
        https: { username: "u", password: "s3cret-pw" },
      });
      const c = await src.initial();
      expect(c.ruleset).toBeUndefined();
      expect(c.error).toMatch(/git clone failed/);
      expect(c.error).not.toContain("s3cret-pw");
      await src.stop();
    } finally {
      removeDir(dir);
    }
    expect(gitRemoteUrl("file", "/srv/p.git")).toBe("file:///srv/p.git");
    expect(gitRemoteUrl("ssh", "git@h:o/p.git")).toBe("git@h:o/p.git");
  });
});
