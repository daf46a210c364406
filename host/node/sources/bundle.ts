// A bundle URL for the Node host: the runtime-neutral BundlePoller (host/common) on a timer.
// A 304 offers nothing, so it costs no reload.
import { BundlePoller, type BundlePollerOptions, pollEvery, type PollLoop } from "../../common/bundle-poller.ts";
import type { Candidate, Offer, PolicySource } from "./types.ts";

export interface BundleSourceOptions extends BundlePollerOptions {
  /** 0 disables polling (load once). */
  updatePollIntervalMs: number;
  log?: (line: string) => void;
}

export class BundleSource implements PolicySource {
  readonly description: string;
  readonly poller: BundlePoller;
  /** Requests answered 304 Not Modified (tests and diagnostics). */
  notModified = 0;
  private loop: PollLoop | undefined;
  pollError: { at: string; message: string } | undefined;

  constructor(private readonly opts: BundleSourceOptions) {
    this.description = `bundle ${opts.url}`;
    this.poller = new BundlePoller(opts);
  }

  async initial(): Promise<Candidate> {
    try {
      // No ETag has been sent yet, so the first answer is never a 304.
      return (await this.next()) ?? { source: this.description, revision: "none", error: "no bundle (304 without a request ETag)" };
    } catch (e) {
      return { source: this.description, revision: "none", error: (e as Error).message };
    }
  }

  start(offer: Offer): void {
    if (this.opts.updatePollIntervalMs <= 0) return;
    this.loop = pollEvery(
      this.opts.updatePollIntervalMs,
      async () => {
        const c = await this.next();
        if (c) await offer(c);
      },
      (e) => {
        this.pollError = { at: new Date().toISOString(), message: (e as Error).message };
        this.opts.log?.(`verdict: ${this.description}: poll failed: ${(e as Error).message}`);
      },
    );
  }

  async stop(): Promise<void> {
    this.loop?.stop();
  }

  private async next(): Promise<Candidate | undefined> {
    const t0 = performance.now();
    const r = await this.poller.fetchOnce();
    this.pollError = undefined;
    if (r.kind === "not-modified") {
      this.notModified++;
      return undefined;
    }
    return { source: this.description, revision: r.revision, ruleset: r.bytes, buildMs: performance.now() - t0 };
  }
}
