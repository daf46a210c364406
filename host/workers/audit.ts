// Decision audit log for Workers (`verdict/workers/audit`): the runtime-neutral AuditLog and sinks
// from host/common/audit, plus `WaitUntilHttpSink`, batched NDJSON POSTs whose delivery is handed
// to the runtime with ctx.waitUntil — the response is never held back by logging.
//
//   const sink = new WaitUntilHttpSink({ url: "https://audit.example/decisions", headers: { authorization: `Bearer ${TOKEN}` } });
//   const log = new AuditLog({ sinks: [sink] });
//   // in fetch(request, env, ctx):
//   log.record(authzDecision(decision, { callId: crypto.randomUUID(), rulesetId }));   // or checkInputs() outputs
//   sink.flushOn(ctx);                                                                  // ctx.waitUntil(POST of what is queued)
//
// A Worker's timers do not outlive its request, so this sink has no flush timer: a full batch is
// sent at once (under the ctx passed to the last flushOn/bind), and flushOn(ctx) sends the rest at
// the end of each request. The queue is bounded (maxQueue); a full queue, a failed or timed-out
// POST drop entries and count them (stats(), AuditLog.stats().dropped). Never throws into the
// decision path.
import { Batcher } from "../common/audit/batcher.ts";
import type { Decision as AuditDecision, DecisionLogEntry } from "../common/audit/entry.ts";
import type { AuditSink, SinkStats } from "../common/audit/log.ts";
import { toJsonLine } from "../common/audit/sinks.ts";
import type { CheckOutput } from "../common/types.ts";
import type { Decision, ExecutionContextLike } from "./index.ts";

export { AuditLog, type AuditLogOptions, type AuditSink, type AuditStats, type SinkStats } from "../common/audit/log.ts";
export { callbackSink, consoleSink, toJsonLine } from "../common/audit/sinks.ts";
export type { DecisionLogEntry } from "../common/audit/entry.ts";
export type { AuditDecision };

export interface WaitUntilHttpSinkOptions {
  url: string;
  headers?: Record<string, string>;
  /** Entries per POST (default 100). */
  maxBatch?: number;
  /** Entries waiting before new ones are dropped (default 1000). */
  maxQueue?: number;
  /** Per-POST timeout (default 5000 ms); a timed-out batch is dropped and counted. */
  timeoutMs?: number;
  /** Concurrent POSTs (default 2). */
  maxInFlight?: number;
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Told about each lost batch; must not throw. */
  onError?: (message: string) => void;
}

export class WaitUntilHttpSink implements AuditSink {
  readonly name: string;
  private readonly batcher: Batcher<string>;
  private ctx: ExecutionContextLike | undefined;

  constructor(opts: WaitUntilHttpSinkOptions) {
    const url = new URL(opts.url);
    this.name = `http:${url.origin}${url.pathname}`;
    const timeoutMs = opts.timeoutMs ?? 5000;
    const f = opts.fetch ?? ((u: string, init: RequestInit) => fetch(u, init));
    this.batcher = new Batcher<string>({
      maxBatch: opts.maxBatch,
      maxQueue: opts.maxQueue ?? 1000,
      maxInFlight: opts.maxInFlight ?? 2,
      flushIntervalMs: Infinity,
      schedule: (p) => this.ctx?.waitUntil(p),
      onError: (e, n) => {
        try {
          opts.onError?.(`audit ${this.name}: ${n} entries dropped: ${(e as Error)?.message ?? String(e)}`);
        } catch {
          /* reporting must not break the sink */
        }
      },
      send: async (lines) => {
        const ctl = new AbortController();
        const timer = setTimeout(() => ctl.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        try {
          const res = await f(url.href, {
            method: "POST",
            headers: { "content-type": "application/x-ndjson", ...opts.headers },
            body: lines.join("\n") + "\n",
            signal: ctl.signal,
          });
          await res.arrayBuffer().catch(() => undefined);
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
        } catch (e) {
          throw ctl.signal.aborted ? new Error(`timed out after ${timeoutMs} ms`) : e;
        } finally {
          clearTimeout(timer);
        }
      },
    });
  }

  /** The request whose ctx.waitUntil carries sends started by full batches. */
  bind(ctx: ExecutionContextLike): this {
    this.ctx = ctx;
    return this;
  }

  /** End of a request: sends everything queued, kept alive by ctx.waitUntil (never awaited by the response). */
  flushOn(ctx: ExecutionContextLike): void {
    this.ctx = ctx;
    if (this.batcher.stats().pending > 0) ctx.waitUntil(this.batcher.flush());
  }

  write(entry: DecisionLogEntry): void {
    // Serialise now: the entry references request objects the caller may reuse.
    this.batcher.push(toJsonLine(entry));
  }

  stats(): SinkStats {
    const b = this.batcher.stats();
    return { accepted: b.accepted, written: b.sent, dropped: b.dropped, pending: b.pending };
  }

  flush(): Promise<void> {
    return this.batcher.flush();
  }
}

/** An audit Decision from withAuthorization's decision (one action on one resource). The engine
 *  shape has no derived roles or outputs here; for those, log `checkInputs()` from
 *  `verdict/workers/api` instead. */
export function authzDecision(d: Decision, call: { callId: string; timestamp?: Date; rulesetId?: string; peer?: AuditDecision["peer"] }): AuditDecision {
  const action: CheckOutput["actions"][string] = { effect: d.effect, policy: d.policy };
  if (d.scope !== undefined) action.scope = d.scope;
  return {
    callId: call.callId,
    timestamp: call.timestamp ?? new Date(),
    inputs: [{ principal: d.principal, resource: d.resource, actions: [d.action] }],
    outputs: [{ resourceId: d.resource.id, actions: { [d.action]: action }, effectiveDerivedRoles: [], outputs: [] }],
    peer: call.peer,
    rulesetId: call.rulesetId,
  };
}
