// Bundle URL for browsers: poll a compiled ruleset over HTTP with If-None-Match/ETag and swap it
// into a Verdict in place (Verdict.setRuleset: same wasm instance, subscribers told, UI re-gated).
// A separate entry (`verdict/browser/bundle`) so pages that load their ruleset once do not ship it.
//
//   const { verdict, poll } = await loadBundle("/verdict.wasm", "/policies.vrdt", { intervalMs: 30_000, onError: console.warn });
//   // or, on a Verdict you already have:  const poll = pollBundle(verdict, "/policies.vrdt", { intervalMs: 30_000 });
//   poll.stop();
//
// - 304 Not Modified: nothing downloaded, nothing swapped, subscribers not called.
// - A new ETag: the bytes are loaded by the evaluator (checksum, format) and swapped in.
// - A corrupted or otherwise refused bundle: the last good ruleset keeps serving; the error goes
//   to `onError` (and `lastError`); its ETag is remembered so the same bad upload is not
//   downloaded again; the next upload (new ETag) is fetched on the next poll.
// - A VerifiedVerdict (verdict/browser/verified) is swapped through setVerifiedRuleset, so
//   signatures are checked before the evaluator sees a byte.
import { BundlePoller, type BundleFetch, pollEvery, type PollLoop } from "../common/bundle-poller.ts";
import { compileEvaluator, Verdict, type VerdictOptions, type WasmSource } from "./index.ts";

export { BundleFetchError } from "../common/bundle-poller.ts";

export interface PollBundleOptions {
  /** Time between the end of one poll and the start of the next (default 30 000 ms; 0: never
   *  poll on a timer — call refresh() yourself). */
  intervalMs?: number;
  /** Abort one request after this long (default 5000 ms). */
  requestTimeoutMs?: number;
  /** Extra request headers (e.g. Authorization). */
  headers?: Record<string, string>;
  /** fetch to use (default: globalThis.fetch). */
  fetch?: typeof fetch;
  /** Told about every failed poll (network, HTTP status, refused bundle); must not throw. */
  onError?: (error: unknown) => void;
  /** Told after each swap, with the new revision (`etag:"…"` or `fnv:…`). */
  onUpdate?: (revision: string) => void;
  /** Fetch once at once (default true for pollBundle; loadBundle already fetched). */
  immediate?: boolean;
  /** The ETag of the ruleset already loaded (sent as If-None-Match on the first poll). */
  etag?: string;
}

export type PollOutcome = "updated" | "not-modified" | "refused" | "failed";

export interface BundlePoll {
  /** Polls now (serialised with the timer's polls); never rejects. */
  refresh(): Promise<PollOutcome>;
  stop(): void;
  /** The revision serving (`etag:"…"`, `fnv:…`), once a bundle was loaded through this poll. */
  readonly revision: string | undefined;
  /** The last failure (cleared by the next successful poll). */
  readonly lastError: unknown;
  /** Polls by outcome, for status displays and tests. */
  readonly counts: Readonly<Record<PollOutcome, number>>;
}

type Swappable = Pick<Verdict, "setRuleset"> & { setVerifiedRuleset?: (b: Uint8Array) => Promise<void> };

/** Polls `url` and swaps each new bundle into `verdict`. */
export function pollBundle(verdict: Swappable, url: string | URL, opts: PollBundleOptions = {}): BundlePoll {
  const f = opts.fetch ?? fetch.bind(globalThis);
  const poller = new BundlePoller({
    url: String(url),
    fetch: f as unknown as BundleFetch,
    requestTimeoutMs: opts.requestTimeoutMs,
    headers: opts.headers,
  });
  poller.etag = opts.etag;
  const counts: Record<PollOutcome, number> = { updated: 0, "not-modified": 0, refused: 0, failed: 0 };
  let revision: string | undefined = opts.etag ? `etag:${opts.etag}` : undefined;
  let lastError: unknown;
  let refusedPending = false; // the server still holds a refused bundle (304s do not clear it)
  let chain: Promise<unknown> = Promise.resolve();
  const report = (e: unknown): void => {
    lastError = e;
    try {
      opts.onError?.(e);
    } catch {
      /* a reporting hook must not stop polling */
    }
  };

  const once = async (): Promise<PollOutcome> => {
    let r;
    try {
      r = await poller.fetchOnce();
    } catch (e) {
      counts.failed++;
      report(e);
      return "failed";
    }
    if (r.kind === "not-modified") {
      counts["not-modified"]++;
      if (!refusedPending) lastError = undefined;
      return "not-modified";
    }
    try {
      if (verdict.setVerifiedRuleset) await verdict.setVerifiedRuleset(r.bytes);
      else verdict.setRuleset(r.bytes);
    } catch (e) {
      counts.refused++;
      refusedPending = true;
      report(e);
      return "refused";
    }
    counts.updated++;
    revision = r.revision;
    lastError = undefined;
    refusedPending = false;
    try {
      opts.onUpdate?.(r.revision);
    } catch {
      /* as onError */
    }
    return "updated";
  };

  const refresh = (): Promise<PollOutcome> => {
    const p = chain.then(once, once);
    chain = p;
    return p;
  };

  const interval = opts.intervalMs ?? 30_000;
  let loop: PollLoop | undefined;
  let stopped = false;
  const start = (): void => {
    if (!stopped && interval > 0) loop = pollEvery(interval, () => refresh().then(() => undefined), report);
  };
  if (opts.immediate ?? true) void refresh().then(start);
  else start();

  return {
    refresh,
    stop() {
      stopped = true;
      loop?.stop();
    },
    get revision() {
      return revision;
    },
    get lastError() {
      return lastError;
    },
    counts,
  };
}

/** Async init from a bundle URL: compiles the .wasm and fetches the first bundle (remembering its
 *  ETag) in parallel, then polls. Rejects when the first bundle cannot be fetched or loaded. */
export async function loadBundle(
  wasm: WasmSource,
  url: string | URL,
  opts: PollBundleOptions & VerdictOptions = {},
): Promise<{ verdict: Verdict; poll: BundlePoll }> {
  const f = opts.fetch ?? fetch.bind(globalThis);
  const first = new BundlePoller({ url: String(url), fetch: f as unknown as BundleFetch, requestTimeoutMs: opts.requestTimeoutMs, headers: opts.headers });
  const [module, r] = await Promise.all([compileEvaluator(wasm, f), first.fetchOnce()]);
  if (r.kind !== "updated") throw new Error(`GET ${String(url)}: unexpected 304 on the first request`);
  const verdict = new Verdict(module, r.bytes, opts);
  return { verdict, poll: pollBundle(verdict, url, { ...opts, immediate: false, etag: r.etag }) };
}
