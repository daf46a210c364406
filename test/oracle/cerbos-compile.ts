// Asks the real Cerbos compiler (`cerbos compile -o json`) whether condition expressions compile.
// All expressions go into one resource policy, one rule each, so a single run answers for
// hundreds of them; Cerbos reports every invalid expression with its YAML path.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cerbosBinary } from "./paths.ts";

export interface PolicyExtras {
  /** policy-local variables: name → CEL expression */
  variables?: Record<string, string>;
  /** policy-local constants: name → YAML/JSON value */
  constants?: Record<string, unknown>;
}

/** One resource policy with a rule per expression (rule i's condition is exprs[i]). */
export function policyWithConditions(exprs: readonly string[], extras: PolicyExtras = {}): string {
  const rules = exprs
    .map((e, i) => `    - actions: ["a${i}"]\n      effect: EFFECT_ALLOW\n      roles: ["user"]\n      condition:\n        match:\n          expr: ${JSON.stringify(e)}\n`)
    .join("");
  const block = (key: string, entries: Record<string, unknown> | undefined): string =>
    entries ? `  ${key}:\n    local:\n${Object.entries(entries).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}\n`).join("")}` : "";
  return `apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  version: default\n  resource: doc\n${block("constants", extras.constants)}${block("variables", extras.variables)}  rules:\n${rules}`;
}

/** Which rule (index into exprs) a 1-based line of policyWithConditions's text belongs to. */
export function conditionIndexAt(text: string, line: number): number {
  const lines = text.split("\n");
  let idx = -1;
  for (let i = 0; i < line && i < lines.length; i++) if (lines[i]!.startsWith("    - actions:")) idx++;
  return idx;
}

/** For each expression: undefined when Cerbos accepts it, else Cerbos's error description. */
export function cerbosCompileConditions(exprs: readonly string[], extras: PolicyExtras = {}): Array<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), "verdict-cerbos-compile-"));
  try {
    writeFileSync(join(dir, "doc.yaml"), policyWithConditions(exprs, extras));
    const r = spawnSync(cerbosBinary(), ["compile", "--no-color", "--skip-tests", "-o", "json", dir], {
      encoding: "utf8",
      timeout: 60_000,
      maxBuffer: 64 << 20,
    });
    const out: Array<string | undefined> = exprs.map(() => undefined);
    if (r.status === 0) return out;
    const json = JSON.parse(r.stdout) as { compileErrors?: { errors?: Array<{ description: string; position?: { path?: string } }> } };
    const errors = json.compileErrors?.errors ?? [];
    if (errors.length === 0) throw new Error(`cerbos compile failed without compile errors: ${r.stderr}${r.stdout}`);
    for (const e of errors) {
      const m = /^\$\.resourcePolicy\.rules\[(\d+)\]\.condition/.exec(e.position?.path ?? "");
      if (!m) throw new Error(`cerbos compile error outside a condition: ${JSON.stringify(e)}`);
      out[Number(m[1])] = e.description;
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
