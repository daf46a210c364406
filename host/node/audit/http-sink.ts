// Batched HTTP POST sink for Node: the runtime-neutral Batcher does the queueing, bounding and
// counting; this file only turns a batch into one POST (NDJSON body, Cerbos file-line shape per
// line) with a timeout. A slow or failing receiver fills the bounded queue and its entries are
// dropped and counted — decisions never wait for it.
import { Batcher, type BatcherStats } from "../../common/audit/batcher.ts";
import type { DecisionLogEntry } from "../../common/audit/entry.ts";
import type { AuditSink, SinkStats } from "../../common/audit/log.ts";
import { toJsonLine } from "../../common/audit/sinks.ts";

export interface HttpSinkOptions {
  url: string;
  headers?: Record<string, string>;
  /** Entries per POST (default 100). */
  maxBatch?: number;
  /** Entries waiting before new ones are dropped (default 10 000). */
  maxQueue?: number;
  /** A partial batch waits at most this long (default 1000 ms). */
  flushIntervalMs?: number;
  /** Per-POST timeout (default 5000 ms); a timed-out batch is dropped and counted. */
  timeoutMs?: number;
  onError?: (message: string) => void;
}

export class HttpSink implements AuditSink {
  readonly name: string;
  private readonly batcher: Batcher<string>;

  constructor(opts: HttpSinkOptions) {
    const url = new URL(opts.url);
    this.name = `http:${url.origin}${url.pathname}`;
    const timeoutMs = opts.timeoutMs ?? 5000;
    this.batcher = new Batcher<string>({
      maxBatch: opts.maxBatch,
      maxQueue: opts.maxQueue,
      flushIntervalMs: opts.flushIntervalMs,
      onError: (e, n) => opts.onError?.(`audit http ${this.name}: ${n} entries dropped: ${(e as Error)?.message ?? String(e)}`),
      send: async (lines) => {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/x-ndjson", ...opts.headers },
          body: lines.join("\n") + "\n",
          signal: AbortSignal.timeout(timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined); // free the connection
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
      },
    });
  }

  write(entry: DecisionLogEntry): void {
    // Serialise now: the entry references request objects the caller may reuse.
    this.batcher.push(toJsonLine(entry));
  }

  stats(): SinkStats {
    const b: BatcherStats = this.batcher.stats();
    return { accepted: b.accepted, written: b.sent, dropped: b.dropped, pending: b.pending };
  }

  flush(): Promise<void> {
    return this.batcher.flush();
  }
}
