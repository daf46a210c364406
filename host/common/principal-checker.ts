// A principal bound once, checked many times (Pdp.forPrincipal) — the way CASL users cache an
// ability per user. The principal is validated and copied when bound (a snapshot: later changes
// to the caller's object are not seen; bind again), encoded into the evaluator once per instance,
// and each check encodes only the resource and the action. Decisions come from the evaluator's
// effects-only `decide`, the same decision procedure as every other check.
import type { Engine, BoundPrincipal } from "./engine.ts";
import { resourceOk } from "./fast-allowed.ts";
import type { BoundCheck } from "./bound-encoder.ts";
import { ValueEncodeError } from "./cell-writer.ts";
import type { Principal, Resource } from "./types.ts";
import { RequestValidationError, validPrincipal, validResource } from "./validate.ts";

export type { BoundCheck };

/** Where a checker finds its engine and clock: the Pdp (a reloading PDP hands out the engine of
 *  the ruleset in service, so bindings follow reloads). */
export interface CheckerHost {
  engine(): Engine;
  nowMs(): number;
}

const MAX_DEPTH = 100;

/** A deep copy with the request encoder's JSON semantics (toJSON, dropped undefined/functions,
 *  null for unencodable array items), so encoding the copy equals encoding the original then. */
function copyValue(v: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new ValueEncodeError(`value nested deeper than ${MAX_DEPTH} levels (cycle?)`);
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) return v.map((x) => (encodable(x) ? copyValue(x, depth + 1) : null));
  const toJSON = (v as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return copyValue(toJSON.call(v), depth + 1);
  return copyObject(v as Record<string, unknown>, depth);
}

function copyObject(o: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in o) {
    if (Object.prototype.hasOwnProperty.call(o, k) && encodable(o[k])) out[k] = copyValue(o[k], depth + 1);
  }
  return out;
}

function encodable(v: unknown): boolean {
  const t = typeof v;
  return t !== "undefined" && t !== "function" && t !== "symbol";
}

function validAction(a: unknown, path: string): string {
  if (typeof a !== "string") throw new RequestValidationError(`proto: invalid value for string field ${path}: ${JSON.stringify(a) ?? String(a)}`);
  if (a === "") throw new RequestValidationError(`validation error: ${path}: must be at least 1 characters`);
  return a;
}

export class PrincipalChecker {
  private readonly bound: BoundPrincipal;
  /** Whether the last check evaluated now() or timeSince(). */
  lastCheckReadNow = false;

  constructor(
    private readonly host: CheckerHost,
    principal: Principal,
  ) {
    const p = validPrincipal(principal);
    const snap: Principal = { id: p.id, roles: [...p.roles] };
    if (p.attr) snap.attr = copyObject(p.attr, 0);
    if (p.policyVersion) snap.policyVersion = p.policyVersion;
    if (p.scope) snap.scope = p.scope;
    this.bound = { principal: Object.freeze(snap) };
  }

  /** The validated copy the checks use. */
  get principal(): Readonly<Principal> {
    return this.bound.principal;
  }

  /** True only when `action` on `resource` is explicitly allowed. Throws RequestValidationError
   *  for an invalid resource or action. */
  isAllowed(resource: Resource, action: string): boolean {
    const r = resourceOk(resource) ? resource : validResource(resource);
    const a = typeof action === "string" && action !== "" ? action : validAction(action, "action");
    const engine = this.host.engine();
    const allowed = engine.boundAllowed(this.bound, r, a, this.host.nowMs());
    this.lastCheckReadNow = engine.lastCheckReadNow;
    return allowed;
  }

  /** Decisions only for many checks (e.g. a menu), in order, in one evaluator call. The whole
   *  batch is validated first: one invalid entry throws and nothing is decided. */
  allowedMany(checks: ReadonlyArray<BoundCheck>): boolean[] {
    if (!Array.isArray(checks)) throw new RequestValidationError("allowedMany expects an array of { resource, action }");
    let list: ReadonlyArray<BoundCheck> = checks;
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i] as BoundCheck | undefined;
      if (typeof c !== "object" || c === null) throw new RequestValidationError(`checks[${i}]: expected { resource, action }`);
      const r = resourceOk(c.resource) ? c.resource : validResource(c.resource, `checks[${i}].resource`);
      const a = typeof c.action === "string" && c.action !== "" ? c.action : validAction(c.action, `checks[${i}].action`);
      if (r !== c.resource || a !== c.action || list !== checks) {
        if (list === checks) list = checks.slice(0, i);
        (list as BoundCheck[]).push({ resource: r, action: a });
      }
    }
    if (list.length === 0) return [];
    const engine = this.host.engine();
    const out = engine.boundAllowedMany(this.bound, list, this.host.nowMs());
    this.lastCheckReadNow = engine.lastCheckReadNow;
    return out;
  }
}
