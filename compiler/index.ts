// The compiler pipeline: parse+validate every file → link → lower CEL → plan rows → encode.
// Diagnostics of every stage are collected (a later stage still runs after an earlier one failed,
// so one run reports as much as possible) and no ruleset is produced when any error exists.
import { DiagnosticBag, sortDiagnostics, type Diagnostic } from "./diagnostics.ts";
import type { CelSource, Policy } from "./model.ts";
import { parsePolicySource } from "./parse/index.ts";
import { discoverPolicyFiles } from "./load.ts";
import { lowerCel, referencedNames } from "./cel/index.ts";
import { link, type Module } from "./link/index.ts";
import { plan, type LowerScope } from "./plan/index.ts";
import { RulesetBuilder } from "./encode/tables.ts";
import { writeRuleset } from "./encode/write.ts";
import { HeaderFlag } from "../spec/format.ts";
import { bundleSchemas, checkSchemaRefs, readSchemaFiles, SCHEMA_DIR } from "./schemas.ts";
import { slicePolicies, type SliceOptions } from "./slice/index.ts";
import { fillDigest } from "./encode/integrity.ts";

export interface CompileOptions {
  /** Leave expression source text out of the ruleset (smaller; evaluationErrors lose `expression`). */
  stripSources?: boolean;
  /** JSON Schemas by path relative to `_schemas/`; files passed as `_schemas/...` are added. */
  schemas?: Map<string, string>;
  /** Keep only some kinds, scopes or roles, and/or strip names (compiler/slice). The full set is
   *  compiled first so its errors are reported as without slicing. `strip` implies stripSources. */
  slice?: SliceOptions;
  /** Append the INTEGRITY section with the content's SHA-256 (`verdict compile` always does). */
  integrity?: boolean;
}

export interface CompileResult {
  ruleset?: Uint8Array;
  diagnostics: Diagnostic[];
}

/** Compiles policy sources (paths relative to the policy directory) into one ruleset. */
export function compilePolicies(files: Array<{ path: string; text: string }>, options: CompileOptions = {}): CompileResult {
  const bag = new DiagnosticBag();
  const policies: Policy[] = [];
  const schemas = new Map(options.schemas);
  for (const f of files) {
    if (f.path.startsWith(`${SCHEMA_DIR}/`)) {
      schemas.set(f.path.slice(SCHEMA_DIR.length + 1), f.text);
      continue;
    }
    const r = parsePolicySource(f.path, f.text);
    policies.push(...r.policies);
    bag.items.push(...r.diagnostics);
  }
  const slice = options.slice;
  if (slice) {
    const full = compilePolicies(files, { ...options, slice: undefined, integrity: false });
    if (!full.ruleset) return full;
    policies.splice(0, policies.length, ...slicePolicies(policies, slice));
  }
  const stripSources = options.stripSources || slice?.strip;

  const linked = link(policies, referencedNames, bag);
  checkSchemaRefs(policies, schemas, bag);

  // Expressions Cerbos compiles but no row needs (unused variables, unreferenced derived roles):
  // lowered into a scratch table only so their errors are reported.
  const scratch = new RulesetBuilder();
  for (const { expr, module } of linked.unusedExprs) lowerCel(expr, scratchScope(module), scratch, bag);

  const builder = new RulesetBuilder({ stripSources });
  plan(linked.policies, builder, (src: CelSource, scope: LowerScope) => lowerCel(src, scope, builder, bag));

  const diagnostics = sortDiagnostics(bag.items);
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics };
  const schemaBundle = bundleSchemas(policies, schemas);
  const ruleset = writeRuleset(builder, stripSources ? HeaderFlag.STRIPPED : 0, options.integrity === true, schemaBundle);
  if (options.integrity) fillDigest(ruleset);
  return { ruleset, diagnostics };
}

function scratchScope(m: Module): LowerScope {
  return {
    variables: new Map([...m.variables.defs.keys()].map((n) => [n, 0])),
    constants: m.constants,
    allowRuntime: m.allowRuntime,
  };
}

/** Compiles every policy file under `dir` (see compiler/load.ts for what is skipped). */
export function compileDirectory(dir: string, options: CompileOptions = {}): CompileResult {
  return compilePolicies(discoverPolicyFiles(dir), { ...options, schemas: options.schemas ?? readSchemaFiles(dir) });
}
