// Compiles a policy directory into a Candidate (sources share this): errors become diagnostics
// on the candidate, never a throw, so a bad change is refused and reported rather than crashing.
import { createHash } from "node:crypto";
import { compileDirectory } from "../../../compiler/index.ts";
import { sortDiagnostics } from "../../../compiler/diagnostics.ts";
import type { Candidate } from "./types.ts";

/** `revision` defaults to a content hash of the ruleset (disk sources have no commit). */
export function compileCandidate(dir: string, source: string, revision?: string): Candidate {
  const t0 = performance.now();
  let result;
  try {
    result = compileDirectory(dir);
  } catch (e) {
    // An unreadable directory (deleted mid-change, permissions) is a refused candidate too.
    return { source, revision: revision ?? "unknown", error: `cannot read ${dir}: ${(e as Error).message}`, policyDir: dir };
  }
  const buildMs = performance.now() - t0;
  const diagnostics = sortDiagnostics(result.diagnostics);
  if (!result.ruleset) return { source, revision: revision ?? "uncompiled", diagnostics, policyDir: dir, buildMs };
  return {
    source,
    revision: revision ?? contentId(result.ruleset),
    ruleset: result.ruleset,
    diagnostics,
    policyDir: dir,
    buildMs,
  };
}

export function contentId(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}`;
}
