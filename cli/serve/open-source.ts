// Which policy source `verdict serve` runs: --ruleset FILE, --policies DIR (watched when
// storage.disk.watchForChanges is set), or the config's storage section (disk, git, bundle).
import type { StorageConfig } from "../../host/node/sources/index.ts";
import type { VerdictConfig } from "../config.ts";

export function storageFor(cfg: VerdictConfig, flags: { ruleset?: string; policies?: string }): StorageConfig | undefined {
  if (flags.ruleset) return { driver: "ruleset", path: flags.ruleset };
  if (flags.policies) {
    const disk = cfg.storage?.driver === "disk" ? cfg.storage : undefined;
    return { driver: "disk", directory: flags.policies, watchForChanges: disk?.watchForChanges ?? false, cooldownMs: disk?.cooldownMs };
  }
  return cfg.storage;
}
