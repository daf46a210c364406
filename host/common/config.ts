// Writes the engine configuration block (CF_* in spec/format.ts) and hands it to `configure`.
// The evaluator keeps the pointer, so the block (and the strings/globals it points to) lives in
// its own allocation until the next configure or ruleset load. Globals are interned against the
// loaded ruleset, so the block must be rewritten after every load.
import { CF_DEFAULT_SCOPE, CF_DEFAULT_VERSION, CF_FLAGS, CF_GLOBALS, CF_SIZE, ConfigFlag, Status } from "../../spec/format.ts";
import type { Abi } from "./abi.ts";
import { BufferFull, CellWriter } from "./cell-writer.ts";
import type { RulesetIndex } from "./ruleset-strings.ts";
import type { PdpOptions } from "./types.ts";

export type EngineConfig = Pick<
  PdpOptions,
  "defaultPolicyVersion" | "defaultScope" | "lenientScopeSearch" | "strictEvaluation" | "globals"
>;

/** Returns the address of the written block (the caller frees it when replaced). */
export function writeConfig(abi: Abi, index: RulesetIndex, rulesetBase: number, cfg: EngineConfig): number {
  const w = new CellWriter(index, rulesetBase);
  let cap = 4096;
  for (;;) {
    const ptr = abi.alloc(cap);
    try {
      const dv = abi.dv;
      w.begin(abi.u8, dv, ptr, ptr + cap);
      const cf = w.reserve(CF_SIZE, 8);
      const flags =
        (cfg.lenientScopeSearch ? ConfigFlag.LENIENT_SCOPE_SEARCH : 0) |
        (cfg.strictEvaluation ? ConfigFlag.STRICT_EVALUATION : 0);
      dv.setUint32(cf + CF_FLAGS, flags, true);
      dv.setUint32(cf + 4, 0, true);
      dv.setBigUint64(cf + 8, 0n, true);
      // Cerbos's defaults: version "default", root scope "" (a leading "." means root too).
      w.writeString(cf + CF_DEFAULT_VERSION, cfg.defaultPolicyVersion || "default");
      w.writeString(cf + CF_DEFAULT_SCOPE, (cfg.defaultScope ?? "").replace(/^\./, ""));
      w.writeObject(cf + CF_GLOBALS, cfg.globals ?? {});
      return cf;
    } catch (e) {
      abi.free(ptr);
      if (!(e instanceof BufferFull)) throw e;
      cap = Math.max(cap * 2, cap + e.needed * 2);
    }
  }
}

export function configure(abi: Abi, cfPtr: number): void {
  const st = abi.ex.configure(cfPtr);
  if (st !== Status.OK) throw new Error(`evaluator rejected the engine configuration (status ${st})`); // a host bug: only BAD_CONFIG
}
