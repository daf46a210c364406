// Policy sources for the reloading PDP, and the one factory that builds one from a storage
// config (the keys of Cerbos's `storage` section; `bundle` is Verdict's own driver).
import { BundleSource } from "./bundle.ts";
import { DiskSource } from "./disk.ts";
import { GitSource, type GitSourceOptions } from "./git.ts";
import { RulesetFileSource } from "./ruleset-file.ts";
import type { PolicySource } from "./types.ts";

export { BundleSource, type BundleSourceOptions } from "./bundle.ts";
export { DiskSource, type DiskSourceOptions } from "./disk.ts";
export { GitSource, type GitSourceOptions, gitRemoteUrl } from "./git.ts";
export { RulesetFileSource } from "./ruleset-file.ts";
export { parseDuration } from "./duration.ts";
export { countPolicies } from "./policy-count.ts";
export type { Candidate, Offer, PolicySource } from "./types.ts";

export type StorageConfig =
  | { driver: "disk"; directory: string; watchForChanges: boolean; cooldownMs?: number }
  | ({ driver: "git" } & Omit<GitSourceOptions, "log">)
  | { driver: "bundle"; url: string; updatePollIntervalMs: number; requestTimeoutMs?: number; headers?: Record<string, string> }
  | { driver: "ruleset"; path: string };

export function openSource(cfg: StorageConfig, log?: (line: string) => void): PolicySource {
  switch (cfg.driver) {
    case "disk":
      return new DiskSource({ ...cfg, log });
    case "git":
      return new GitSource({ ...cfg, log });
    case "bundle":
      return new BundleSource({ ...cfg, log });
    case "ruleset":
      return new RulesetFileSource(cfg.path);
  }
}
