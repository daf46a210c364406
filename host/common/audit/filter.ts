// Which decisions are logged, and which request metadata goes with them — Cerbos's audit filters:
// decisionLogFilters.checkResources.ignoreAllowAll, includeMetadataKeys / excludeMetadataKeys
// (`authorization` is never logged), plus a caller predicate for anything else.
import type { Decision, DecisionLogEntry } from "./entry.ts";

export interface AuditFilterOptions {
  /** Skip decisions where every action of every resource was allowed (Cerbos's ignoreAllowAll). */
  ignoreAllowAll?: boolean;
  /** Log only these metadata keys (case-insensitive). */
  includeMetadataKeys?: string[];
  /** Log every metadata key except these. With neither list, Cerbos logs no metadata; so do we. */
  excludeMetadataKeys?: string[];
  /** Last word: return false to drop the entry (a throwing predicate drops it too, counted). */
  predicate?: (entry: DecisionLogEntry) => boolean;
}

/** True when every action in every output is EFFECT_ALLOW (an empty decision counts as allow-all,
 *  as in Cerbos, where the loop finds no deny). */
export function isAllowAll(d: Decision): boolean {
  for (const out of d.outputs) {
    for (const a of Object.values(out.actions)) if (a.effect !== "EFFECT_ALLOW") return false;
  }
  return true;
}

export function metadataFilter(opts: AuditFilterOptions): (md: Decision["metadata"]) => Record<string, { values: string[] }> | undefined {
  const include = opts.includeMetadataKeys?.map((k) => k.toLowerCase()) ?? [];
  const exclude = new Set((opts.excludeMetadataKeys ?? []).map((k) => k.toLowerCase()));
  exclude.add("authorization"); // credentials never reach a log
  if (include.length === 0 && (opts.excludeMetadataKeys ?? []).length === 0) return () => undefined;
  const allowed = include.length ? new Set(include.filter((k) => !exclude.has(k))) : undefined;
  return (md) => {
    if (!md) return undefined;
    const out: Record<string, { values: string[] }> = {};
    for (const [rawKey, v] of Object.entries(md)) {
      const k = rawKey.toLowerCase();
      if (v === undefined || exclude.has(k) || (allowed && !allowed.has(k))) continue;
      out[k] = { values: Array.isArray(v) ? v : [v] };
    }
    return Object.keys(out).length ? out : undefined;
  };
}
