// Loads the Node host lazily so a missing or broken host fails the tests that need it (with the
// import error in view) instead of breaking collection of the whole file.
import type { NormDecision } from "./engine-cases.ts";

export interface PdpLike {
  checkInputs(inputs: unknown[], call?: { now?: Date }): Array<Record<string, unknown>>;
  checkResources(req: unknown, call?: { now?: Date }): Record<string, unknown>;
  isAllowed(q: { principal: unknown; resource: unknown; action: string }): boolean;
}

export interface PdpStatic {
  fromPolicyDir(dir: string, opts?: Record<string, unknown>): PdpLike;
}

export async function loadPdpClass(): Promise<PdpStatic> {
  const mod = (await import("../../host/node/index.ts")) as unknown as { Pdp?: PdpStatic };
  if (!mod.Pdp) throw new Error("host/node/index.ts does not export Pdp");
  return mod.Pdp;
}

/** Formats a CompileError (or anything thrown) with its diagnostics, for test failure messages. */
export function describeError(e: unknown): string {
  if (e && typeof e === "object" && "diagnostics" in e) {
    const diags = (e as { diagnostics: unknown[] }).diagnostics;
    const lines = diags.slice(0, 20).map((d) => {
      const x = d as { code?: string; severity?: string; message?: string; span?: { file?: string; line?: number; column?: number } };
      return `  ${x.span?.file ?? "?"}:${x.span?.line ?? 0}:${x.span?.column ?? 0}: ${x.severity ?? "error"}[${x.code ?? "?"}]: ${x.message ?? JSON.stringify(d)}`;
    });
    return `${String((e as unknown as Error).message ?? e)}\n${lines.join("\n")}${diags.length > 20 ? `\n  … ${diags.length - 20} more` : ""}`;
  }
  return e instanceof Error ? `${e.message}` : String(e);
}

export type { NormDecision };
