// Decision audit log in the browser (`verdict/browser/audit`): the runtime-neutral AuditLog and
// sinks from host/common/audit, plus `beaconSink`, a batched HTTP sink built for pages:
//
//   const sink = beaconSink({ url: "/audit/decisions" });
//   const log = new AuditLog({ sinks: [sink] });
//   const outputs = checkInputs(verdict, inputs);            // verdict/browser/full: engine-shaped outputs
//   log.record({ callId: crypto.randomUUID(), timestamp: new Date(), inputs, outputs, rulesetId });
//
// Delivery: batches (NDJSON, one Cerbos file-backend line per entry) leave by navigator.sendBeacon,
// which survives the page going away; when sendBeacon refuses a batch (over its ~64 KB quota) or
// is missing, by fetch with `keepalive`. Everything queued is flushed at once when the page is
// hidden or unloaded (visibilitychange → hidden, pagehide). With `transport: "fetch"`, batches go
// by fetch (keepalive) while the page is visible, so a failing collector (network error, non-2xx)
// is seen and its entries are counted as dropped; the hide/unload flush still uses sendBeacon.
//
// Bounds: a full queue (maxQueue) drops and counts; a refused send drops and counts. sendBeacon
// gives no receipt: entries it accepted are `written` and also counted as `unconfirmed`. The
// decision path only serialises and enqueues: it never waits and never throws.
import { Batcher } from "../common/audit/batcher.ts";
import type { DecisionLogEntry } from "../common/audit/entry.ts";
import type { AuditSink, SinkStats } from "../common/audit/log.ts";
import { toJsonLine } from "../common/audit/sinks.ts";

export { AuditLog, type AuditLogOptions, type AuditSink, type AuditStats, type SinkStats } from "../common/audit/log.ts";
export { callbackSink, consoleSink, toJsonLine } from "../common/audit/sinks.ts";
export type { Decision, DecisionLogEntry } from "../common/audit/entry.ts";

export interface BeaconSinkOptions {
  /** The collector (same origin, or one that accepts CORS POSTs). */
  url: string | URL;
  /** "beacon" (default): sendBeacon for every batch. "fetch": fetch + keepalive while visible
   *  (failures counted), sendBeacon on hide/unload. */
  transport?: "beacon" | "fetch";
  /** Entries per batch (default 50: keep batches under sendBeacon's ~64 KB). */
  maxBatch?: number;
  /** Entries waiting before new ones are dropped (default 1000). */
  maxQueue?: number;
  /** A partial batch waits at most this long (default 2000 ms). */
  flushIntervalMs?: number;
  /** Body content type. Default `text/plain;charset=UTF-8`, a CORS-safelisted type, so a
   *  cross-origin collector gets the beacon without a preflight; the body is NDJSON either way. */
  contentType?: string;
  /** Extra headers for the fetch transport (sendBeacon cannot send headers). */
  headers?: Record<string, string>;
  /** Told about each lost batch (for a console line); must not throw. */
  onError?: (message: string) => void;
  /** Defaults to globalThis (tests may pass a stand-in with navigator/fetch/addEventListener). */
  env?: BeaconEnv;
}

export interface BeaconEnv {
  navigator?: { sendBeacon?: (url: string, data: BodyInit) => boolean };
  fetch?: typeof fetch;
  addEventListener?: (type: string, fn: () => void, opts?: { capture?: boolean }) => void;
  removeEventListener?: (type: string, fn: () => void, opts?: { capture?: boolean }) => void;
  document?: { visibilityState?: string };
}

export interface BeaconSinkStats extends SinkStats {
  /** Entries handed to sendBeacon, which reports no delivery (included in `written`). */
  unconfirmed: number;
}

export interface BeaconSink extends AuditSink {
  stats(): BeaconSinkStats;
  /** Sends everything queued now by sendBeacon (what hide/unload does); returns entries handed over. */
  flushNow(): number;
  /** Stops listening to page events (queued entries are flushed by sendBeacon first). */
  close(): Promise<void>;
}

const KEEPALIVE_MAX = 60_000;

export function beaconSink(opts: BeaconSinkOptions): BeaconSink {
  const env: BeaconEnv = opts.env ?? (globalThis as unknown as BeaconEnv);
  const url = String(opts.url);
  const type = opts.contentType ?? "text/plain;charset=UTF-8";
  let unconfirmed = 0;
  const body = (lines: string[]): string => lines.join("\n") + "\n";
  const report = (m: string): void => {
    try {
      opts.onError?.(m);
    } catch {
      /* reporting must not break the sink */
    }
  };

  const beacon = (lines: string[]): boolean => {
    const send = env.navigator?.sendBeacon;
    if (typeof send !== "function") return false;
    const ok = send.call(env.navigator, url, new Blob([body(lines)], { type }));
    if (ok) unconfirmed += lines.length;
    return ok;
  };

  const post = async (lines: string[]): Promise<void> => {
    const f = env.fetch ?? globalThis.fetch;
    const text = body(lines);
    const res = await f.call(globalThis, url, {
      method: "POST",
      // keepalive shares sendBeacon's ~64 KB quota: a larger body goes as a plain POST
      keepalive: text.length < KEEPALIVE_MAX,
      headers: { "content-type": type, ...opts.headers },
      body: text,
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  };

  const batcher = new Batcher<string>({
    maxBatch: opts.maxBatch ?? 50,
    maxQueue: opts.maxQueue ?? 1000,
    flushIntervalMs: opts.flushIntervalMs ?? 2000,
    onError: (e, n) => report(`audit ${url}: ${n} entries dropped: ${(e as Error)?.message ?? String(e)}`),
    send: async (lines) => {
      if (opts.transport !== "fetch" && beacon(lines)) return;
      await post(lines);
    },
  });

  /** Hide/unload: the page may be gone before a fetch answers, so everything goes by beacon now. */
  const flushNow = (): number =>
    batcher.sendNow((lines) => {
      if (beacon(lines)) return true;
      // Over the beacon quota: a keepalive fetch may still make it; its outcome cannot be awaited.
      const f = env.fetch ?? globalThis.fetch;
      if (typeof f !== "function") throw new Error("no sendBeacon and no fetch");
      void f.call(globalThis, url, { method: "POST", keepalive: true, headers: { "content-type": type }, body: body(lines) }).catch(() => undefined);
      unconfirmed += lines.length;
      return true;
    });
  const onHidden = (): void => {
    if (env.document?.visibilityState === undefined || env.document.visibilityState === "hidden") flushNow();
  };
  const onPageHide = (): void => void flushNow();
  env.addEventListener?.("visibilitychange", onHidden, { capture: true });
  env.addEventListener?.("pagehide", onPageHide, { capture: true });

  return {
    name: `beacon:${url}`,
    write(entry: DecisionLogEntry) {
      // Serialise now: the entry references request objects the caller may reuse.
      batcher.push(toJsonLine(entry));
    },
    stats() {
      const b = batcher.stats();
      return { accepted: b.accepted, written: b.sent, dropped: b.dropped, pending: b.pending, unconfirmed };
    },
    flush: () => batcher.flush(),
    flushNow,
    async close() {
      env.removeEventListener?.("visibilitychange", onHidden, { capture: true });
      env.removeEventListener?.("pagehide", onPageHide, { capture: true });
      flushNow();
      await batcher.flush();
    },
  };
}
