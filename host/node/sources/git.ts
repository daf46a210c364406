// storage.driver: git. Clones `branch` of `url` into `checkoutDir` (shallow, single branch), then
// polls every `updatePollInterval`: fetch, compare the branch's commit with the checked-out one,
// and on a new commit reset the checkout to it and compile `subDir`. The candidate's revision is
// the commit, so logs and the status endpoint name exactly what is serving.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { pollEvery, type PollLoop } from "../../common/bundle-poller.ts";
import { compileCandidate } from "./compile-dir.ts";
import { type GitAuth, GitCli } from "./git-cli.ts";
import type { Candidate, Offer, PolicySource } from "./types.ts";

export interface GitSourceOptions extends GitAuth {
  protocol: "file" | "https" | "ssh";
  url: string;
  /** Default "master", as Cerbos. */
  branch?: string;
  /** Policies live in this directory of the repository (default: its root). */
  subDir?: string;
  /** Where the working copy lives (default: a new temporary directory, removed on stop). */
  checkoutDir?: string;
  /** 0 disables polling. */
  updatePollIntervalMs: number;
  /** Limit for each git command (default 60 s, as Cerbos). */
  operationTimeoutMs?: number;
  log?: (line: string) => void;
}

/** file protocol: a bare path is turned into a file:// URL. */
export function gitRemoteUrl(protocol: GitSourceOptions["protocol"], url: string): string {
  if (protocol === "file" && !url.startsWith("file://")) return `file://${isAbsolute(url) ? url : resolve(url)}`;
  return url;
}

export class GitSource implements PolicySource {
  readonly description: string;
  private readonly git: GitCli;
  private readonly branch: string;
  private readonly remote: string;
  private readonly dir: string;
  private readonly ownsDir: boolean;
  private head = "";
  private loop: PollLoop | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private stopped = false;
  pollError: { at: string; message: string } | undefined;

  constructor(private readonly opts: GitSourceOptions) {
    this.branch = opts.branch || "master";
    this.remote = gitRemoteUrl(opts.protocol, opts.url);
    this.description = `git ${redactUrl(this.remote)} (branch ${this.branch}${opts.subDir ? `, ${opts.subDir}` : ""})`;
    this.git = new GitCli(opts.operationTimeoutMs ?? 60_000, opts);
    this.ownsDir = !opts.checkoutDir;
    this.dir = opts.checkoutDir ? resolve(opts.checkoutDir) : mkdtempSync(join(tmpdir(), "verdict-git-"));
  }

  private get policyDir(): string {
    return this.opts.subDir ? join(this.dir, this.opts.subDir) : this.dir;
  }

  async initial(): Promise<Candidate> {
    try {
      await this.checkout();
    } catch (e) {
      return { source: this.description, revision: "none", error: (e as Error).message };
    }
    return this.compile();
  }

  start(offer: Offer): void {
    if (this.opts.updatePollIntervalMs <= 0) return;
    this.loop = pollEvery(
      this.opts.updatePollIntervalMs,
      () => (this.inFlight = this.poll(offer)),
      (e) => {
        this.pollError = { at: new Date().toISOString(), message: (e as Error).message };
        this.opts.log?.(`verdict: ${this.description}: poll failed: ${(e as Error).message}`);
      },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.loop?.stop();
    await this.inFlight.catch(() => undefined);
    this.git.dispose();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Clones into an empty checkoutDir, or re-uses an existing clone of the same remote. */
  private async checkout(): Promise<void> {
    const t0 = performance.now();
    if (existsSync(join(this.dir, ".git"))) {
      await this.git.run(["remote", "set-url", "origin", this.remote], this.dir);
      await this.fetch();
      await this.resetTo(await this.remoteHead());
    } else {
      mkdirSync(this.dir, { recursive: true });
      if (readdirSync(this.dir).length > 0) throw new Error(`checkoutDir ${this.dir} is not empty and not a git checkout`);
      await this.git.run(["clone", "--quiet", "--depth", "1", "--single-branch", "--no-tags", "--branch", this.branch, "--", this.remote, this.dir]);
      this.head = (await this.git.run(["rev-parse", "HEAD"], this.dir)).trim();
    }
    this.opts.log?.(`verdict: ${this.description}: checked out ${this.head.slice(0, 12)} in ${Math.round(performance.now() - t0)} ms`);
  }

  private fetch(): Promise<string> {
    return this.git.run(["fetch", "--quiet", "--depth", "1", "--no-tags", "origin", `+refs/heads/${this.branch}:refs/remotes/origin/${this.branch}`], this.dir);
  }

  private async remoteHead(): Promise<string> {
    return (await this.git.run(["rev-parse", `refs/remotes/origin/${this.branch}`], this.dir)).trim();
  }

  private async resetTo(commit: string): Promise<void> {
    // The checkout is ours alone: force it to the commit and drop anything else in the tree.
    await this.git.run(["reset", "--quiet", "--hard", commit], this.dir);
    await this.git.run(["clean", "-q", "-ffdx"], this.dir);
    this.head = commit;
  }

  private async poll(offer: Offer): Promise<void> {
    if (this.stopped) return;
    const t0 = performance.now();
    await this.fetch();
    const commit = await this.remoteHead();
    this.pollError = undefined;
    if (commit === this.head || this.stopped) return;
    await this.resetTo(commit);
    const fetchMs = performance.now() - t0;
    const c = this.compile();
    c.buildMs = (c.buildMs ?? 0) + fetchMs;
    if (!this.stopped) await offer(c);
  }

  private compile(): Candidate {
    return compileCandidate(this.policyDir, this.description, this.head);
  }
}

/** Drops user:password@ from https URLs for logs. */
function redactUrl(url: string): string {
  return url.replace(/^(https?:\/\/)[^@/]+@/, "$1");
}
