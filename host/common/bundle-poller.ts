// Polls a compiled ruleset (a "bundle") over HTTP with If-None-Match/ETag. Runtime-neutral: only
// `fetch`, `AbortController` and `setTimeout`, so Node, Workers and browsers can share it. It only
// fetches; whether the bytes are loaded (checksum, evaluator status) is the caller's decision.
import { H_CHECKSUM, HEADER_SIZE } from "../../spec/format.ts";

export type BundleFetch = (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<Response>;

export interface BundlePollerOptions {
  url: string;
  /** Defaults to the global fetch. */
  fetch?: BundleFetch;
  /** Abort one request after this long (default 5 s, Cerbos's blob requestTimeout). */
  requestTimeoutMs?: number;
  /** Extra request headers (e.g. Authorization). */
  headers?: Record<string, string>;
}

export type BundleResult =
  | { kind: "updated"; bytes: Uint8Array; revision: string; etag?: string }
  | { kind: "not-modified"; revision: string };

export class BundleFetchError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = "BundleFetchError";
  }
}

/** A ruleset's identity when the server sends no ETag: the FNV-1a checksum from its header. */
export function rulesetChecksumId(bytes: Uint8Array): string {
  if (bytes.length < HEADER_SIZE) return "fnv:none";
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(H_CHECKSUM, true);
  return `fnv:${v.toString(16).padStart(8, "0")}`;
}

export class BundlePoller {
  /** The ETag of the last bundle received, sent as If-None-Match. It is kept even when the caller
   *  refuses that bundle: the same bytes would be refused again, so re-downloading them is waste
   *  (a new upload gets a new ETag and is fetched). */
  etag: string | undefined;
  private revision = "";
  private readonly doFetch: BundleFetch;

  constructor(private readonly opts: BundlePollerOptions) {
    this.doFetch = opts.fetch ?? ((url, init) => fetch(url, init));
  }

  async fetchOnce(): Promise<BundleResult> {
    const headers: Record<string, string> = { accept: "application/octet-stream", ...this.opts.headers };
    if (this.etag) headers["if-none-match"] = this.etag;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), this.opts.requestTimeoutMs ?? 5_000);
    try {
      let res: Response;
      try {
        res = await this.doFetch(this.opts.url, { headers, signal: ctl.signal });
      } catch (e) {
        const why = ctl.signal.aborted ? `timed out after ${this.opts.requestTimeoutMs ?? 5_000} ms` : (e as Error).message;
        throw new BundleFetchError(`GET ${this.opts.url}: ${why}`);
      }
      if (res.status === 304) {
        await res.body?.cancel();
        return { kind: "not-modified", revision: this.revision };
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new BundleFetchError(`GET ${this.opts.url}: HTTP ${res.status}`, res.status);
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      const etag = res.headers.get("etag") ?? undefined;
      this.etag = etag;
      this.revision = etag ? `etag:${etag}` : rulesetChecksumId(bytes);
      return { kind: "updated", bytes, revision: this.revision, etag };
    } finally {
      clearTimeout(timer);
    }
  }
}

export interface PollLoop {
  stop(): void;
}

/** Runs `tick` every `intervalMs` after the previous run finished (never overlapping); errors go
 *  to `onError` and polling continues. */
export function pollEvery(intervalMs: number, tick: () => Promise<void>, onError: (e: unknown) => void): PollLoop {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      tick()
        .catch(onError)
        .finally(schedule);
    }, intervalMs);
    // Node: a poll timer alone must not keep the process alive.
    (timer as { unref?: () => void }).unref?.();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
