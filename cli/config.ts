// Cerbos-style configuration for `verdict serve` and `verdict check`: a YAML file with Cerbos's
// keys (--config) plus repeatable `--set a.b.c=value` overrides, exactly as `cerbos server` takes
// them. Only the keys Verdict acts on are interpreted; unknown keys are ignored like Cerbos ignores
// settings of disabled subsystems, but a known key with a bad value is an error (VD6003).
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { EngineConfig } from "../host/common/config.ts";
import { DEFAULT_LIMITS, type RequestLimits } from "../host/common/validate.ts";
import { type AuditConfig, resolveAudit } from "./serve/audit-config.ts";
import { parseDuration } from "../host/node/sources/duration.ts";
import type { StorageConfig } from "../host/node/sources/index.ts";

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
  /** The policy source (storage.driver disk | git | bundle); undefined when none is configured. */
  storage?: StorageConfig;
  /** Verdict's reload settings (not Cerbos keys): `verdict.reload.runTests` refuses a change whose
   *  own test suites fail; `storage.disk.watchCooldown` batches file events. */
  reload: { runTests: boolean };
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

function duration(tree: Tree, path: string, dflt: number): number {
  const v = get(tree, path);
  if (v === undefined || v === null) return dflt;
  try {
    return parseDuration(v, path);
  } catch (e) {
    throw new ConfigError("VD6003", (e as Error).message);
  }
}

function required(tree: Tree, path: string): string {
  const v = string(tree, path);
  if (!v) throw new ConfigError("VD6003", `\`${path}\` is required`);
  return v;
}

function stringMap(tree: Tree, path: string): Record<string, string> | undefined {
  const v = get(tree, path);
  if (v === undefined || v === null) return undefined;
  if (!isTree(v) || Object.values(v).some((x) => typeof x !== "string")) throw new ConfigError("VD6003", `\`${path}\` must be a map of strings`);
  return v as Record<string, string>;
}

/** Cerbos's `storage` section (disk and git drivers with their keys) plus Verdict's `bundle`. */
export function resolveStorage(tree: Tree): StorageConfig | undefined {
  const driver = string(tree, "storage.driver") ?? (get(tree, "storage.disk.directory") !== undefined ? "disk" : undefined);
  switch (driver) {
    case undefined:
      return undefined;
    case "disk": {
      const directory = string(tree, "storage.disk.directory");
      if (!directory) return undefined; // --policies/--ruleset may still supply one
      return {
        driver: "disk",
        directory,
        watchForChanges: bool(tree, "storage.disk.watchForChanges") ?? false,
        cooldownMs: duration(tree, "storage.disk.watchCooldown", 500),
      };
    }
    case "git": {
      const protocol = string(tree, "storage.git.protocol") ?? "https";
      if (protocol !== "file" && protocol !== "https" && protocol !== "ssh") {
        throw new ConfigError("VD6003", `\`storage.git.protocol\` must be file, https or ssh, got \`${protocol}\``);
      }
      return {
        driver: "git",
        protocol,
        url: required(tree, "storage.git.url"),
        branch: string(tree, "storage.git.branch") ?? "master",
        subDir: string(tree, "storage.git.subDir"),
        checkoutDir: string(tree, "storage.git.checkoutDir"),
        updatePollIntervalMs: duration(tree, "storage.git.updatePollInterval", 0),
        operationTimeoutMs: duration(tree, "storage.git.operationTimeout", 60_000),
        https: { username: string(tree, "storage.git.https.username"), password: string(tree, "storage.git.https.password") },
        ssh: {
          user: string(tree, "storage.git.ssh.user"),
          privateKeyFile: string(tree, "storage.git.ssh.privateKeyFile"),
          password: string(tree, "storage.git.ssh.password"),
        },
      };
    }
    case "bundle":
      return {
        driver: "bundle",
        url: required(tree, "storage.bundle.url"),
        updatePollIntervalMs: duration(tree, "storage.bundle.updatePollInterval", 10_000),
        requestTimeoutMs: duration(tree, "storage.bundle.requestTimeout", 5_000),
        headers: stringMap(tree, "storage.bundle.headers"),
      };
    default:
      throw new ConfigError("VD6004", `storage driver \`${driver}\` is not supported (disk, git or bundle)`);
  }
}

export function resolveConfig(tree: Tree): VerdictConfig {
  const storage = resolveStorage(tree);
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
    storage,
    reload: { runTests: bool(tree, "verdict.reload.runTests") ?? false },
  };
}

/** `--config FILE` plus `--set` overrides → the resolved configuration; a configuration error is
 *  printed (with its stable code) and gives undefined, so commands can exit with EXIT.USAGE. */
export function configFromOptions(file: string | undefined, sets: readonly string[], stderr: (s: string) => void): VerdictConfig | undefined {
  try {
    return resolveConfig(loadConfigTree(file, sets));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    stderr(`verdict: error[${e.code}]: ${e.message}\n`);
    return undefined;
  }
}
