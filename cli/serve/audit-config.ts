// `verdict serve`'s decision log settings, read with Cerbos's `audit` keys:
//   audit.enabled, audit.decisionLogsEnabled (both must be true, as in Cerbos),
//   audit.backend: file | local (→ file: Verdict has no embedded KV store; the log goes to
//   <audit.local.storagePath>/decisions.log unless audit.file.path is set) | http (ours) | console,
//   audit.file.path (a path, stdout or stderr), audit.file.logRotation{maxFileSizeMB, maxFileCount},
//   audit.includeMetadataKeys / excludeMetadataKeys, audit.decisionLogFilters.checkResources.ignoreAllowAll,
//   audit.http{url, headers, batchSize, flushInterval, maxQueue, timeout} (Verdict's own backend).
// Cerbos's access logs are not produced (accessLogsEnabled is accepted and ignored).
import { join } from "node:path";

export type AuditBackendConfig =
  | { backend: "file"; path: string; maxFileSizeMB: number; maxFileCount: number }
  | { backend: "http"; url: string; headers?: Record<string, string>; batchSize: number; flushIntervalMs: number; maxQueue: number; timeoutMs: number }
  | { backend: "console" };

export interface AuditConfig {
  enabled: boolean;
  sink?: AuditBackendConfig;
  ignoreAllowAll: boolean;
  includeMetadataKeys: string[];
  excludeMetadataKeys: string[];
}

type Tree = Record<string, unknown>;
/** A ConfigError factory, passed in so this module does not import config.ts (which imports us). */
export type BadValue = (message: string) => Error;

const isTree = (v: unknown): v is Tree => typeof v === "object" && v !== null && !Array.isArray(v);

function get(tree: Tree, path: string): unknown {
  let node: unknown = tree;
  for (const k of path.split(".")) {
    if (!isTree(node)) return undefined;
    node = node[k];
  }
  return node;
}

/** Go-style duration ("500ms", "2s", "1m", "1m30s"); a bare number is seconds. */
function durationMs(v: unknown): number {
  if (typeof v === "number" && v >= 0) return v * 1000;
  const text = String(v).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let ms = 0;
  const rest = text.replace(/(\d+(?:\.\d+)?)(ms|s|m|h)/g, (_all, n: string, u: string) => {
    ms += Number(n) * units[u]!;
    return "";
  });
  if (rest !== "" || text === "") throw new Error("bad duration");
  return ms;
}

export function resolveAudit(tree: Tree, bad: BadValue): AuditConfig {
  const bool = (p: string): boolean => {
    const v = get(tree, p);
    if (v === undefined || v === null) return false;
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    throw bad(`\`${p}\` must be true or false, got \`${String(v)}\``);
  };
  const str = (p: string): string | undefined => {
    const v = get(tree, p);
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v === "string" || typeof v === "number") return String(v);
    throw bad(`\`${p}\` must be a string`);
  };
  const num = (p: string, dflt: number, min = 1): number => {
    const v = get(tree, p);
    if (v === undefined || v === null) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw bad(`\`${p}\` must be a number ≥ ${min}`);
    return n;
  };
  const ms = (p: string, dflt: number): number => {
    const v = get(tree, p);
    if (v === undefined || v === null) return dflt;
    try {
      return durationMs(v);
    } catch {
      throw bad(`\`${p}\` must be a duration like 500ms or 2s, got \`${String(v)}\``);
    }
  };
  const list = (p: string): string[] => {
    const v = get(tree, p);
    if (v === undefined || v === null) return [];
    if (typeof v === "string") return v.split(",").map((s) => s.trim()).filter(Boolean);
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
    throw bad(`\`${p}\` must be a list of strings`);
  };

  const enabled = bool("audit.enabled") && bool("audit.decisionLogsEnabled");
  const base = {
    ignoreAllowAll: bool("audit.decisionLogFilters.checkResources.ignoreAllowAll"),
    includeMetadataKeys: list("audit.includeMetadataKeys"),
    excludeMetadataKeys: list("audit.excludeMetadataKeys"),
  };
  if (!enabled) return { enabled: false, ...base };
  const backend = str("audit.backend") ?? "file";
  let sink: AuditBackendConfig;
  switch (backend) {
    case "file":
    case "local": {
      const local = str("audit.local.storagePath");
      const path = str("audit.file.path") ?? (backend === "local" && local ? join(local, "decisions.log") : undefined);
      if (!path) throw bad("`audit.file.path` is required for the file backend (a path, stdout or stderr)");
      // No logRotation section: no rotation, as in Cerbos.
      const rotating = get(tree, "audit.file.logRotation") !== undefined;
      sink = {
        backend: "file",
        path,
        maxFileSizeMB: rotating ? num("audit.file.logRotation.maxFileSizeMB", 10, 0.001) : Number.MAX_SAFE_INTEGER,
        maxFileCount: rotating ? num("audit.file.logRotation.maxFileCount", 10, 0) : 0,
      };
      break;
    }
    case "http": {
      const url = str("audit.http.url");
      if (!url) throw bad("`audit.http.url` is required for the http backend");
      try {
        new URL(url);
      } catch {
        throw bad(`\`audit.http.url\` is not a URL: \`${url}\``);
      }
      const headers = get(tree, "audit.http.headers");
      if (headers !== undefined && (!isTree(headers) || Object.values(headers).some((h) => typeof h !== "string"))) {
        throw bad("`audit.http.headers` must be a map of strings");
      }
      sink = {
        backend: "http",
        url,
        headers: headers as Record<string, string> | undefined,
        batchSize: num("audit.http.batchSize", 100),
        flushIntervalMs: ms("audit.http.flushInterval", 1000),
        maxQueue: num("audit.http.maxQueue", 10_000),
        timeoutMs: ms("audit.http.timeout", 5000),
      };
      break;
    }
    case "console":
      sink = { backend: "console" };
      break;
    default:
      throw bad(`audit backend \`${backend}\` is not supported (file, local, http or console)`);
  }
  return { enabled: true, sink, ...base };
}
