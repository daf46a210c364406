// The decision audit log: turns each Decision into a DecisionLogEntry (when enabled and the filters
// let it through) and hands it to every sink. record() runs on the decision path, so it must be
// cheap and must never throw: sinks only enqueue, and any failure is counted, not propagated.
import { buildDecisionEntry, type Decision, type DecisionLogEntry } from "./entry.ts";
import { type AuditFilterOptions, isAllowAll, metadataFilter } from "./filter.ts";

export interface SinkStats {
  /** Entries handed over for writing (queued or written). */
  accepted: number;
  /** Entries known to be written/delivered. */
  written: number;
  /** Entries lost (full buffer, failed write or send). Never silent: reported here. */
  dropped: number;
  /** Entries queued or in flight. */
  pending: number;
}

export interface AuditSink {
  readonly name: string;
  /** Must return at once (enqueue only); may throw, which counts as a drop. */
  write(entry: DecisionLogEntry): void;
  stats(): SinkStats;
  /** Delivers what is queued (shutdown, tests). */
  flush?(): Promise<void>;
  close?(): Promise<void>;
}

export interface AuditLogOptions extends AuditFilterOptions {
  sinks: AuditSink[];
  /** Cerbos's policySource (e.g. { disk: { directory } }, { git: { repositoryUrl, branch, hash } }). */
  policySource?: () => Record<string, unknown> | undefined;
  /** The ruleset that decided, when the Decision does not carry it. */
  rulesetId?: () => string | undefined;
}

export interface AuditStats {
  /** Decisions offered to the log. */
  decisions: number;
  /** Decisions skipped by filters (ignoreAllowAll, predicate). */
  filtered: number;
  /** Entries that failed before reaching a sink (predicate or entry building threw). */
  errors: number;
  sinks: Record<string, SinkStats>;
  /** Sum of the sinks' drops plus `errors`. */
  dropped: number;
}

export class AuditLog {
  private readonly md: ReturnType<typeof metadataFilter>;
  private decisions = 0;
  private filtered = 0;
  private errors = 0;
  private readonly sinkErrors = new Map<AuditSink, number>();

  constructor(private readonly opts: AuditLogOptions) {
    this.md = metadataFilter(opts);
  }

  /** Offers one decision; never throws and never waits. */
  record(d: Decision): void {
    this.decisions++;
    let entry: DecisionLogEntry;
    try {
      if (this.opts.ignoreAllowAll && isAllowAll(d)) {
        this.filtered++;
        return;
      }
      entry = buildDecisionEntry(d, {
        metadata: this.md(d.metadata),
        policySource: this.opts.policySource?.(),
        rulesetId: this.opts.rulesetId?.(),
      });
      if (this.opts.predicate && !this.opts.predicate(entry)) {
        this.filtered++;
        return;
      }
    } catch {
      this.errors++;
      return;
    }
    for (const sink of this.opts.sinks) {
      try {
        sink.write(entry);
      } catch {
        this.sinkErrors.set(sink, (this.sinkErrors.get(sink) ?? 0) + 1);
      }
    }
  }

  stats(): AuditStats {
    const sinks: Record<string, SinkStats> = {};
    let dropped = this.errors;
    for (const sink of this.opts.sinks) {
      const s = { ...sink.stats() };
      s.dropped += this.sinkErrors.get(sink) ?? 0;
      sinks[uniqueName(sinks, sink.name)] = s;
      dropped += s.dropped;
    }
    return { decisions: this.decisions, filtered: this.filtered, errors: this.errors, sinks, dropped };
  }

  async flush(): Promise<void> {
    await Promise.all(this.opts.sinks.map((s) => s.flush?.().catch(() => undefined)));
  }

  async close(): Promise<void> {
    await Promise.all(this.opts.sinks.map((s) => (s.close ?? s.flush)?.call(s).catch(() => undefined)));
  }
}

function uniqueName(taken: Record<string, unknown>, name: string): string {
  if (!(name in taken)) return name;
  let i = 2;
  while (`${name}#${i}` in taken) i++;
  return `${name}#${i}`;
}
