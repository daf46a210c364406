// Builds the Pdp a command serves from: a compiled ruleset file or a policy directory, with the
// engine settings of the Cerbos-style config. Shared by `verdict serve` and `verdict check`.
import { CompileError, Pdp, type PdpOptions } from "../../host/node/index.ts";
import { renderDiagnostic } from "../../compiler/diagnostics.ts";
import type { VerdictConfig } from "../config.ts";

export interface PdpSource {
  ruleset?: string;
  policyDir?: string;
}

export function pdpOptions(cfg: VerdictConfig): PdpOptions {
  return {
    ...cfg.engine,
    schemaEnforcement: cfg.schemaEnforcement,
    limits: cfg.limits,
    jwt: { disableVerification: cfg.jwtDisableVerification },
  };
}

/** Throws CompileError (with diagnostics) or an Error with a clear message. */
export function openPdp(src: PdpSource, opts: PdpOptions): Pdp {
  if (src.ruleset) return Pdp.fromFile(src.ruleset, opts);
  if (src.policyDir) return Pdp.fromPolicyDir(src.policyDir, opts);
  throw new Error("no policies: pass --ruleset FILE or --policies DIR (or storage.disk.directory in the config)");
}

/** Text for a failed open: every diagnostic of a CompileError, else the message. */
export function describeOpenError(e: unknown): string {
  if (e instanceof CompileError) return e.diagnostics.map(renderDiagnostic).join("\n");
  return e instanceof Error ? e.message : String(e);
}
