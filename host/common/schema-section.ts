// Schema enforcement plumbing shared by every host, without the validator itself: reading the
// ruleset's SCHEMAS section, the configuration check (a ruleset whose schemas must be enforced
// needs a validator: without one the host refuses it, never skipping validation silently), and
// turning the policy word the evaluator selects for each resource (an RQ_REJECTED probe) into
// the errors of the schemas that policy carries. Which policy applies is the evaluator's decision; this only looks
// up the schemas the compiler recorded for that policy key.
import { HEADER_SIZE, H_SECTION_COUNT, NONE, RESP_STRING_CELL, RQ_REJECTED, SECTION_ENTRY_SIZE, Section } from "../../spec/format.ts";
import { RulesetLoadError } from "./errors.ts";
import type { RulesetIndex } from "./ruleset-strings.ts";

export type SchemaEnforcement = "none" | "warn" | "reject";

/** Cerbos's schemav1.ValidationError as JSON. */
export interface ValidationError {
  path: string;
  message: string;
  source: "SOURCE_PRINCIPAL" | "SOURCE_RESOURCE";
}

export interface SchemaRefEntry {
  ref: string;
  /** Anchored RegExp sources (flag "s") of the ignoreWhen.actions globs. */
  ignoreWhen?: string[];
}

/** The SCHEMAS section's JSON (compiler/schemas.ts writes it). */
export interface SchemaBundle {
  schemas: Record<string, unknown>;
  policies: Record<string, { principal?: SchemaRefEntry; resource?: SchemaRefEntry }>;
}

/** Engine options for schema enforcement (the Node host and `verdict serve`; the size-budgeted
 *  browser and Workers hosts do not offer them, so they decide as Cerbos with enforcement none). */
export interface SchemaOptions {
  /** Cerbos's `schema.enforcement`: "none" (default), "warn" (validationErrors reported, decision
   *  made) or "reject" (every action of an invalid request DENY). */
  schemaEnforcement?: SchemaEnforcement;
  /** The JSON Schema validator (host/common/schema-validate.ts; the Node host always has it). An
   *  engine without one refuses a ruleset with schemas when enforcement is warn or reject. */
  schemaValidator?: SchemaValidatorFactory;
}

/** Validates attributes against one bundled schema: Cerbos's errors, empty when valid. */
export type AttrValidator = (ref: string, attr: unknown, source: ValidationError["source"]) => ValidationError[];

/** Builds the validators of a bundle (host/common/schema-validate.ts; opt-in in small hosts). */
export type SchemaValidatorFactory = (bundle: SchemaBundle) => AttrValidator;

/** Reads the SCHEMAS section; undefined when the ruleset has none. Throws on a corrupt one. */
export function readSchemaBundle(bytes: Uint8Array): SchemaBundle | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < HEADER_SIZE) return undefined;
  const count = dv.getUint32(H_SECTION_COUNT, true);
  for (let i = 0; i < count; i++) {
    const e = HEADER_SIZE + i * SECTION_ENTRY_SIZE;
    if (e + SECTION_ENTRY_SIZE > bytes.length) break;
    if (dv.getUint32(e, true) !== Section.SCHEMAS) continue;
    const off = dv.getUint32(e + 4, true);
    const len = dv.getUint32(e + 8, true);
    if (len < 4 || off + len > bytes.length) throw new RulesetLoadError("corrupt ruleset: SCHEMAS section out of bounds");
    const n = dv.getUint32(off, true);
    if (n > len - 4) throw new RulesetLoadError("corrupt ruleset: SCHEMAS section length");
    let doc: SchemaBundle;
    try {
      doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(off + 4, off + 4 + n))) as SchemaBundle;
    } catch (err) {
      throw new RulesetLoadError(`corrupt ruleset: SCHEMAS section: ${(err as Error).message}`);
    }
    if (!doc || typeof doc !== "object" || typeof doc.schemas !== "object" || typeof doc.policies !== "object") {
      throw new RulesetLoadError("corrupt ruleset: SCHEMAS section shape");
    }
    return doc;
  }
  return undefined;
}

/** What a host keeps to enforce schemas: undefined when nothing is to be enforced (no schemas,
 *  or enforcement "none"). Throws RulesetLoadError when enforcement is asked for, the ruleset
 *  has schemas and the host has no validator (fail closed). */
export function schemaEnforcer(
  ruleset: Uint8Array,
  mode: SchemaEnforcement | undefined,
  factory: SchemaValidatorFactory | undefined,
): SchemaEnforcer | undefined {
  const m = mode ?? "none";
  if (m !== "none" && m !== "warn" && m !== "reject") throw new RulesetLoadError(`unknown schema enforcement ${JSON.stringify(mode)}`);
  if (m === "none") return undefined;
  const bundle = readSchemaBundle(ruleset);
  if (!bundle) return undefined;
  if (!factory) {
    throw new RulesetLoadError(
      `the ruleset needs JSON Schema enforcement (schema.enforcement "${m}") but this host has no schema validator: pass the one from "verdict/schemas" (schemaValidator option)`,
    );
  }
  for (const e of Object.values(bundle.policies)) {
    for (const src of [...(e.principal?.ignoreWhen ?? []), ...(e.resource?.ignoreWhen ?? [])]) {
      try {
        regex(src);
      } catch {
        throw new RulesetLoadError("corrupt ruleset: SCHEMAS section ignoreWhen");
      }
    }
  }
  return new SchemaEnforcer(bundle, factory(bundle), m === "reject");
}

export class SchemaEnforcer {
  constructor(
    private readonly bundle: SchemaBundle,
    private readonly validate: AttrValidator,
    readonly reject: boolean,
  ) {}

  /** Errors for one resource, given the policy word the evaluator reported for it. */
  errors(
    policyWord: number,
    index: RulesetIndex,
    principalAttr: unknown,
    resourceAttr: unknown,
    actions: readonly string[],
  ): ValidationError[] {
    // A word with RESP_STRING_CELL names a key no compiled policy has: no schemas.
    if (policyWord === NONE || (policyWord & RESP_STRING_CELL) !== 0) return [];
    const entry = this.bundle.policies[index.strings[policyWord] ?? ""];
    if (!entry) return [];
    const out: ValidationError[] = [];
    if (entry.principal && applies(entry.principal, actions)) out.push(...this.validate(entry.principal.ref, principalAttr ?? {}, "SOURCE_PRINCIPAL"));
    if (entry.resource && applies(entry.resource, actions)) out.push(...this.validate(entry.resource.ref, resourceAttr ?? {}, "SOURCE_RESOURCE"));
    return out;
  }
}

/** ignoreWhen.actions (compiled to RegExp sources by the compiler): validation is skipped only
 *  when every requested action matches one of them. */
const compiled = new Map<string, RegExp>();
function regex(src: string): RegExp {
  let r = compiled.get(src);
  if (!r) compiled.set(src, (r = new RegExp(src, "s")));
  return r;
}

function applies(e: SchemaRefEntry, actions: readonly string[]): boolean {
  if (!e.ignoreWhen || e.ignoreWhen.length === 0) return true;
  const res = e.ignoreWhen.map(regex);
  return actions.some((a) => !res.some((r) => r.test(a)));
}

/** The parts of the evaluator a check with schema enforcement touches (an Abi satisfies it). */
export interface CheckAbi {
  readonly dv: DataView;
  alloc(n: number): number;
  free(p: number): void;
  ex: { check(reqPtr: number): number; out_ptr(): number; out_len(): number };
}

export interface SchemaCall {
  principal: { attr?: unknown };
  resources: ReadonlyArray<{ resource: { attr?: unknown }; actions: readonly string[] }>;
}

/** `check` with schema enforcement, for an encoded request at `reqPtr`. A first check with
 *  every resource flagged in RQ_REJECTED evaluates nothing and answers, in each action's policy
 *  word, the resource policy Cerbos selects for validation; the host validates against that
 *  policy's schemas, then checks for real with only the invalid resources flagged under
 *  "reject" (the evaluator answers their DENYs) or none under "warn". Returns the final check's
 *  status and the validation errors per resource. */
export function checkWithSchemas(
  enf: SchemaEnforcer,
  abi: CheckAbi,
  reqPtr: number,
  index: RulesetIndex,
  call: SchemaCall,
): { status: number; errors: ValidationError[][] } {
  const n = call.resources.length;
  const flags = abi.alloc(Math.max(n, 1));
  try {
    for (let i = 0; i < n; i++) abi.dv.setUint8(flags + i, 1);
    abi.dv.setUint32(reqPtr + RQ_REJECTED, flags, true);
    const probe = abi.ex.check(reqPtr);
    if (probe !== 0) return { status: probe, errors: [] };
    const words = selectedPolicies(abi.dv, abi.ex.out_ptr() >>> 0, abi.ex.out_len() >>> 0, n);
    const errors = call.resources.map((r, i) => enf.errors(words[i]!, index, call.principal.attr, r.resource.attr, r.actions));
    for (let i = 0; i < n; i++) abi.dv.setUint8(flags + i, enf.reject && errors[i]!.length > 0 ? 1 : 0);
    return { status: abi.ex.check(reqPtr), errors };
  } finally {
    abi.dv.setUint32(reqPtr + RQ_REJECTED, 0, true);
    abi.free(flags);
  }
}

/** The first action's policy word of each resource of a response where every resource was
 *  flagged (no derived roles, outputs or errors follow; NONE for a resource without actions). */
function selectedPolicies(dv: DataView, ptr: number, len: number, n: number): number[] {
  const out: number[] = [];
  const end = ptr + len;
  let p = ptr;
  for (let i = 0; i < n; i++) {
    if (p + 4 > end) throw new RangeError("evaluator response truncated");
    const actions = dv.getUint32(p, true);
    out.push(actions > 0 && p + 12 <= end ? dv.getUint32(p + 8, true) : NONE);
    p += 4 + actions * 12 + 12; // actions, then empty derived roles, outputs, evaluation errors
  }
  return out;
}
