// The Node host: the runtime Pdp (pdp.ts) plus compiling a policy directory in process. Users who
// ship a compiled ruleset can import `verdict/node/runtime` instead and never load the compiler.
import { compileDirectory } from "../../compiler/index.ts";
import type { Diagnostic } from "../../compiler/diagnostics.ts";
import { renderDiagnostic, sortDiagnostics } from "../../compiler/diagnostics.ts";
import { Pdp as RuntimePdp, type PdpOptions } from "./pdp.ts";

export * from "./pdp.ts";

/** Policies failed to compile; `diagnostics` holds every problem, sorted. */
export class CompileError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === "error");
    const head = errors.slice(0, 5).map(renderDiagnostic).join("\n");
    super(`policies failed to compile (${errors.length} error${errors.length === 1 ? "" : "s"})${head ? `:\n${head}` : ""}`);
    this.name = "CompileError";
  }
}

export class Pdp extends RuntimePdp {
  static override fromRuleset(bytes: Uint8Array, opts: PdpOptions = {}): Pdp {
    return super.fromRuleset(bytes, opts) as Pdp;
  }

  static override fromFile(path: string, opts: PdpOptions = {}): Pdp {
    return super.fromFile(path, opts) as Pdp;
  }

  /** Compiles a policy directory (as `verdict compile` does); throws CompileError on errors. */
  static fromPolicyDir(dir: string, opts: PdpOptions = {}): Pdp {
    const { ruleset, diagnostics } = compileDirectory(dir);
    if (!ruleset) throw new CompileError(sortDiagnostics(diagnostics));
    return Pdp.fromRuleset(ruleset, opts);
  }
}
