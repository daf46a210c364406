// Cerbos-style configuration for `verdict serve` and `verdict check`: a YAML file with Cerbos's
// keys (--config) plus repeatable `--set a.b.c=value` overrides, exactly as `cerbos server` takes
// them. Only the keys Verdict acts on are interpreted; unknown keys are ignored like Cerbos ignores
// settings of disabled subsystems, but a known key with a bad value is an error (VD6003).
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { EngineConfig } from "../host/common/config.ts";
import { DEFAULT_LIMITS, type RequestLimits } from "../host/common/validate.ts";
import { type AuditConfig, resolveAudit } from "./serve/audit-config.ts";

export class ConfigError extends Error {
  constructor(
    readonly code: "VD6002" | "VD6003" | "VD6004",
    message: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

export interface VerdictConfig {
  httpListenAddr: { host: string; port: number };
  policyDir?: string;
  engine: EngineConfig;
  schemaEnforcement: "none" | "warn" | "reject";
  limits: RequestLimits;
  jwtDisableVerification: boolean;
  /** Cerbos's `audit` section (decision logs only); see serve/audit-config.ts. */
  audit: AuditConfig;
}

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads --config and applies --set overrides in order; returns the merged raw tree. */
export function loadConfigTree(file: string | undefined, sets: readonly string[]): Tree {
  let tree: Tree = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new ConfigError("VD6002", `cannot read config file \`${file}\`: ${(e as Error).message}`);
    }
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (e) {
      throw new ConfigError("VD6002", `config file \`${file}\` is not valid YAML: ${(e as Error).message}`);
    }
    if (doc !== null && doc !== undefined && !isTree(doc)) throw new ConfigError("VD6002", `config file \`${file}\` must be a YAML map`);
    tree = (doc as Tree) ?? {};
  }
  for (const s of sets) applySet(tree, s);
  return tree;
}

/** `a.b.c=value`: the value is read as a YAML scalar/flow value (true, 3, [a, b], {k: v}), so
 *  `--set engine.lenientScopeSearch=true` is a boolean, as with Cerbos. */
export function applySet(tree: Tree, s: string): void {
  const eq = s.indexOf("=");
  if (eq <= 0) throw new ConfigError("VD6003", `--set expects key=value, got \`${s}\``);
  const path = s.slice(0, eq).split(".");
  if (path.some((p) => p === "")) throw new ConfigError("VD6003", `invalid config key \`${s.slice(0, eq)}\``);
  const raw = s.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = raw === "" ? "" : parseYaml(raw);
  } catch {
    value = raw; // not YAML: keep the text
  }
  let node = tree;
  for (const key of path.slice(0, -1)) {
    if (!isTree(node[key])) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1]!] = value;
}

function get(tree: Tree, path: string): unknown {
  let node: unknown = tree;
  for (const k of path.split(".")) {
    if (!isTree(node)) return undefined;
    node = node[k];
  }
  return node;
}

function bool(tree: Tree, path: string): boolean | undefined {
  const v = get(tree, path);
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  throw new ConfigError("VD6003", `\`${path}\` must be true or false, got \`${String(v)}\``);
}

function string(tree: Tree, path: string): string | undefined {
  const v = get(tree, path);
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string" || typeof v === "number") return String(v);
  throw new ConfigError("VD6003", `\`${path}\` must be a string`);
}

function positiveInt(tree: Tree, path: string, dflt: number): number {
  const v = get(tree, path);
  if (v === undefined || v === null) return dflt;
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) throw new ConfigError("VD6003", `\`${path}\` must be a positive integer`);
  return n;
}

/** "127.0.0.1:3592", ":3592" (→ 127.0.0.1: Verdict never binds all interfaces implicitly) or
 *  "[::1]:3592". Port 0 picks a free port. */
export function parseListenAddr(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr.trim());
  if (!m) throw new ConfigError("VD6003", `\`server.httpListenAddr\` must be host:port, got \`${addr}\``);
  const port = Number(m[3]);
  if (port > 65535) throw new ConfigError("VD6003", `\`server.httpListenAddr\` port out of range: ${port}`);
  return { host: m[1] ?? (m[2] || "127.0.0.1"), port };
}

export function resolveConfig(tree: Tree): VerdictConfig {
  const driver = string(tree, "storage.driver");
  if (driver !== undefined && driver !== "disk") {
    throw new ConfigError("VD6004", `storage driver \`${driver}\` is not supported (only \`disk\`)`);
  }
  const enforcement = string(tree, "schema.enforcement") ?? "none";
  if (enforcement !== "none" && enforcement !== "warn" && enforcement !== "reject") {
    throw new ConfigError("VD6003", `\`schema.enforcement\` must be none, warn or reject, got \`${enforcement}\``);
  }
  const globals = get(tree, "engine.globals");
  if (globals !== undefined && globals !== null && !isTree(globals)) throw new ConfigError("VD6003", "`engine.globals` must be a map");
  const engine: EngineConfig = {
    defaultPolicyVersion: string(tree, "engine.defaultPolicyVersion"),
    defaultScope: string(tree, "engine.defaultScope"),
    lenientScopeSearch: bool(tree, "engine.lenientScopeSearch"),
    strictEvaluation: bool(tree, "engine.strictEvaluation"),
    globals: (globals as Tree | undefined) ?? {},
  };
  return {
    httpListenAddr: parseListenAddr(string(tree, "server.httpListenAddr") ?? "127.0.0.1:3592"),
    policyDir: string(tree, "storage.disk.directory"),
    engine,
    schemaEnforcement: enforcement,
    limits: {
      maxResourcesPerRequest: positiveInt(tree, "server.requestLimits.maxResourcesPerRequest", DEFAULT_LIMITS.maxResourcesPerRequest),
      maxActionsPerResource: positiveInt(tree, "server.requestLimits.maxActionsPerResource", DEFAULT_LIMITS.maxActionsPerResource),
    },
    jwtDisableVerification: bool(tree, "auxData.jwt.disableVerification") ?? false,
    audit: resolveAudit(tree, (m) => new ConfigError("VD6003", m)),
  };
}
