// What a policy source hands the reloading PDP: one candidate ruleset (or why there is none) with
// the identity logs and the status endpoint show. Sources fetch and compile; they never swap.
import type { Diagnostic } from "../../../compiler/diagnostics.ts";

export interface Candidate {
  /** Where it came from, for logs: "git file:///repo.git (branch main)", "disk policies/", ... */
  source: string;
  /** Its identity: a commit, an ETag or a content hash. */
  revision: string;
  /** The compiled ruleset; absent when compiling or fetching failed. */
  ruleset?: Uint8Array;
  /** Compile diagnostics (errors refuse the candidate); paths relative to `policyDir`. */
  diagnostics?: Diagnostic[];
  /** Why there is no ruleset when there are no diagnostics (fetch failed, ...). */
  error?: string;
  /** The directory it was compiled from: the optional test-suite gate runs the suites found here. */
  policyDir?: string;
  /** Milliseconds spent fetching and compiling, for the load log line. */
  buildMs?: number;
}

/** Offers a candidate; resolves true when it was loaded and is now serving. */
export type Offer = (c: Candidate) => Promise<boolean>;

export interface PolicySource {
  readonly description: string;
  /** Fetches/compiles the first ruleset (a failed candidate, not a throw, when it does not compile). */
  initial(): Promise<Candidate>;
  /** Starts watching or polling; each change is offered, and the next poll waits for the offer. */
  start(offer: Offer): void;
  /** The last failed fetch/poll (network, git), cleared by the next poll that succeeds. */
  readonly pollError?: { at: string; message: string } | undefined;
  /** Stops watchers and pollers; in-progress work finishes or is abandoned, never offered. */
  stop(): Promise<void>;
}
