// Decision audit log, runtime-neutral half: entry model, filters, batching core, in-process sinks.
export { buildDecisionEntry, type Decision, type DecisionLogEntry, type Peer } from "./entry.ts";
export { isAllowAll, metadataFilter, type AuditFilterOptions } from "./filter.ts";
export { Batcher, type BatcherOptions, type BatcherStats } from "./batcher.ts";
export { AuditLog, type AuditLogOptions, type AuditSink, type AuditStats, type SinkStats } from "./log.ts";
export { callbackSink, consoleSink, toJsonLine } from "./sinks.ts";
