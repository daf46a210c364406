// Bundle refresh for Workers (`verdict/workers/bundle`): keeps a WorkerPdp current with a compiled
// ruleset published at a URL (polled with If-None-Match/ETag) or in a KV namespace (identified by the SHA-256 of its bytes), checking at
// most every `maxAgeSeconds`. A check never waits for it: requests are answered by the ruleset
// loaded now, and a due refresh runs in the background under `ctx.waitUntil`.
//
//   const rules = new BundleRefresher(wasm, { url: "https://cdn.example/policies.vrdt", maxAgeSeconds: 30 });
//   export default {
//     fetch: withBundleRefresh(rules, withAuthorization({ pdp: () => rules.pdp(), map }, handler)),
//   };
//
// The first request in an isolate awaits the first load (pdp() throws before it). A new bundle
// is loaded by a fresh WorkerPdp off to the side and swapped in by one assignment; a refused one
// (bad checksum, not a ruleset) leaves the last good ruleset serving, goes to `onError`, and its
// ETag is remembered, so the same bad upload is not downloaded again. A 304 (or an unchanged KV
// value) swaps nothing.
import { BundlePoller, type BundleFetch } from "../common/bundle-poller.ts";
import { type ExecutionContextLike, type KvLike, RulesetLoadError, WorkerPdp, type WorkerPdpOptions } from "./index.ts";

export interface BundleRefresherOptions extends WorkerPdpOptions {
  /** Where the compiled ruleset is: a URL (ETag polling) … */
  url?: string;
  /** … or a KV namespace and key (the value is the ruleset bytes). */
  kv?: KvLike;
  key?: string;
  /** Check for a new bundle at most this often (default 30 s). */
  maxAgeSeconds?: number;
  /** Per-request timeout for the URL (default 5 s). */
  requestTimeoutMs?: number;
  headers?: Record<string, string>;
  fetch?: BundleFetch;
  /** Told about failed refreshes (network, HTTP status, refused bundle); must not throw. */
  onError?: (error: unknown) => void;
  /** Told after each swap with the new revision (`etag:"…"` or `fnv:…`). */
  onUpdate?: (revision: string) => void;
}

async function contentId(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  let hex = "";
  for (let i = 0; i < 8; i++) hex += d[i]!.toString(16).padStart(2, "0");
  return `sha256:${hex}`;
}

export type RefreshOutcome = "updated" | "not-modified" | "refused" | "failed";

export interface BundleStatus {
  revision: string | undefined;
  loadedAt: number | undefined;
  checkedAt: number | undefined;
  counts: Record<RefreshOutcome, number>;
  lastError: string | undefined;
}

export class BundleRefresher {
  private current: WorkerPdp | undefined;
  private revision: string | undefined;
  private loadedAt: number | undefined;
  private checkedAt: number | undefined;
  private running: Promise<RefreshOutcome> | undefined;
  private lastError: string | undefined;
  private refusedRevision: string | undefined;
  private refusedPending = false; // the source still holds a refused bundle (a 304 does not clear it)
  private readonly counts: Record<RefreshOutcome, number> = { updated: 0, "not-modified": 0, refused: 0, failed: 0 };
  private readonly poller: BundlePoller | undefined;

  constructor(
    private readonly wasm: WebAssembly.Module,
    private readonly opts: BundleRefresherOptions,
  ) {
    if (opts.url) this.poller = new BundlePoller({ url: opts.url, fetch: opts.fetch, requestTimeoutMs: opts.requestTimeoutMs, headers: opts.headers });
    else if (!opts.kv || !opts.key) throw new TypeError("BundleRefresher needs a url, or a kv namespace and a key");
  }

  /** The PDP serving now. Throws RulesetLoadError before the first successful load. */
  pdp(): WorkerPdp {
    if (!this.current) throw new RulesetLoadError(this.lastError ? `no ruleset loaded yet: ${this.lastError}` : "no ruleset loaded yet");
    return this.current;
  }

  /** Call once per request: the first time it loads (awaited); later it starts a refresh when the
   *  last check is older than maxAgeSeconds, handed to ctx.waitUntil, and returns at once. */
  async ready(ctx: ExecutionContextLike): Promise<WorkerPdp> {
    if (!this.current) {
      await this.refresh();
      return this.pdp();
    }
    if (!this.running && Date.now() - (this.checkedAt ?? 0) >= (this.opts.maxAgeSeconds ?? 30) * 1000) {
      ctx.waitUntil(this.refresh());
    }
    return this.current;
  }

  /** Checks the source now (one at a time: a second caller shares the running check). Never rejects. */
  refresh(): Promise<RefreshOutcome> {
    this.running ??= this.once().finally(() => (this.running = undefined));
    return this.running;
  }

  status(): BundleStatus {
    return { revision: this.revision, loadedAt: this.loadedAt, checkedAt: this.checkedAt, counts: { ...this.counts }, lastError: this.lastError };
  }

  private fail(kind: "refused" | "failed", e: unknown): RefreshOutcome {
    this.counts[kind]++;
    if (kind === "refused") this.refusedPending = true;
    this.lastError = `${(e as Error)?.name ?? "Error"}: ${(e as Error)?.message ?? String(e)}`;
    try {
      this.opts.onError?.(e);
    } catch {
      /* a reporting hook must not break refreshing */
    }
    return kind;
  }

  private async once(): Promise<RefreshOutcome> {
    let bytes: Uint8Array;
    let revision: string;
    try {
      if (this.poller) {
        const r = await this.poller.fetchOnce();
        if (r.kind === "not-modified") return this.unchanged();
        ({ bytes, revision } = r);
      } else {
        const v = await this.opts.kv!.get(this.opts.key!, "arrayBuffer");
        if (!v) throw new RulesetLoadError(`no ruleset in KV under ${this.opts.key}`);
        bytes = new Uint8Array(v);
        // The content's own hash: the header checksum alone would not tell a damaged copy apart.
        revision = await contentId(bytes);
        if (revision === this.revision || revision === this.refusedRevision) return this.unchanged();
      }
    } catch (e) {
      return this.fail("failed", e);
    } finally {
      this.checkedAt = Date.now();
    }
    let next: WorkerPdp;
    try {
      next = new WorkerPdp(this.wasm, bytes, this.opts);
    } catch (e) {
      this.refusedRevision = revision;
      return this.fail("refused", e);
    }
    this.current = next; // the swap: checks see the old or the new ruleset, never a mix
    this.revision = revision;
    this.loadedAt = Date.now();
    this.lastError = undefined;
    this.refusedPending = false;
    this.counts.updated++;
    try {
      this.opts.onUpdate?.(revision);
    } catch {
      /* as onError */
    }
    return "updated";
  }

  private unchanged(): RefreshOutcome {
    this.counts["not-modified"]++;
    if (!this.refusedPending) this.lastError = undefined;
    return "not-modified";
  }
}

/** Wraps a fetch handler: each request first makes sure a ruleset is loaded (awaited once per
 *  isolate) and schedules a due refresh with ctx.waitUntil; then the handler runs. When no ruleset
 *  could be loaded at all, answers 503 JSON (fail closed). */
export function withBundleRefresh<Env, Ctx extends ExecutionContextLike>(
  refresher: BundleRefresher,
  handler: (request: Request, env: Env, ctx: Ctx) => Response | Promise<Response>,
): (request: Request, env: Env, ctx: Ctx) => Promise<Response> {
  return async (request, env, ctx) => {
    try {
      await refresher.ready(ctx);
    } catch {
      return new Response(JSON.stringify({ code: 14, message: "no ruleset loaded" }), { status: 503, headers: { "content-type": "application/json" } });
    }
    return handler(request, env, ctx);
  };
}
