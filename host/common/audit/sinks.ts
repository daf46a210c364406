// Sinks that work in every runtime: a callback (the caller owns delivery) and the console.
// Batched HTTP lives in batcher.ts (core) plus a per-runtime sender (host/node/audit/http-sink.ts).
import type { DecisionLogEntry } from "./entry.ts";
import type { AuditSink, SinkStats } from "./log.ts";

/** Calls `fn` synchronously with each entry. A throwing callback counts as a drop; the callback
 *  should only enqueue (it runs on the decision path). */
export function callbackSink(fn: (entry: DecisionLogEntry) => void, name = "callback"): AuditSink {
  const s: SinkStats = { accepted: 0, written: 0, dropped: 0, pending: 0 };
  return {
    name,
    write(entry) {
      s.accepted++;
      try {
        fn(entry);
        s.written++;
      } catch {
        s.dropped++;
      }
    },
    stats: () => ({ ...s }),
  };
}

/** One JSON line per entry via console.log, with Cerbos's file-backend line markers. */
export function consoleSink(log: (line: string) => void = (l) => console.log(l)): AuditSink {
  return callbackSink((e) => log(toJsonLine(e)), "console");
}

/** Cerbos's file-backend line: `log.logger` and `log.kind` first, then the entry. */
export function toJsonLine(entry: DecisionLogEntry): string {
  return JSON.stringify({ "log.logger": "cerbos.audit", "log.kind": "decision", ...entry });
}
