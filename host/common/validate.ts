// Request validation with Cerbos's rules and messages (protojson decoding + protovalidate), so a
// malformed request is refused the way Cerbos refuses it (HTTP 400, gRPC code 3) and never
// reaches the evaluator. Runtime-neutral: the server, Pdp and future browser host share it.
import type { AuxData, CheckInput, CheckResourcesRequest, Principal, Resource } from "./types.ts";

/** A request Cerbos would refuse with InvalidArgument (HTTP 400, {"code":3,"message":...}). */
export class RequestValidationError extends Error {
  readonly code = 3;
  constructor(message: string) {
    super(message);
    this.name = "RequestValidationError";
  }
}

export interface RequestLimits {
  maxResourcesPerRequest: number;
  maxActionsPerResource: number;
}
export const DEFAULT_LIMITS: RequestLimits = { maxResourcesPerRequest: 50, maxActionsPerResource: 50 };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** protojson accepts both the JSON name and the proto (snake_case) name of every field. */
function field(o: Obj, json: string, proto: string): unknown {
  return o[json] !== undefined ? o[json] : o[proto];
}

function checkKnown(o: Obj, where: string, known: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) throw new RequestValidationError(`proto: unknown field "${k}"${where ? ` in ${where}` : ""}`);
  }
}

function str(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new RequestValidationError(`proto: invalid value for string field ${name}: ${JSON.stringify(v)}`);
  return v;
}

function strList(v: unknown, name: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new RequestValidationError(`proto: invalid value for repeated string field ${name}: ${JSON.stringify(v)}`);
  return v.map((x, i) => str(x, `${name}[${i}]`) ?? "");
}

function attrs(v: unknown, name: string): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new RequestValidationError(`proto: invalid value for map field ${name}: ${JSON.stringify(v)}`);
  return v;
}

function decodePrincipal(v: unknown): Principal | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new RequestValidationError(`proto: invalid value for message field principal`);
  checkKnown(v, "principal", ["id", "roles", "attr", "policyVersion", "policy_version", "scope"]);
  const p: Principal = { id: str(v.id, "principal.id") ?? "", roles: strList(v.roles, "principal.roles") };
  const attr = attrs(v.attr, "principal.attr");
  if (attr) p.attr = attr;
  const pv = str(field(v, "policyVersion", "policy_version"), "principal.policyVersion");
  if (pv) p.policyVersion = pv;
  const sc = str(v.scope, "principal.scope");
  if (sc) p.scope = sc;
  return p;
}

function decodeResource(v: unknown, where: string): Resource | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new RequestValidationError(`proto: invalid value for message field ${where}`);
  checkKnown(v, where, ["kind", "id", "attr", "policyVersion", "policy_version", "scope"]);
  const r: Resource = { kind: str(v.kind, `${where}.kind`) ?? "", id: str(v.id, `${where}.id`) ?? "" };
  const attr = attrs(v.attr, `${where}.attr`);
  if (attr) r.attr = attr;
  const pv = str(field(v, "policyVersion", "policy_version"), `${where}.policyVersion`);
  if (pv) r.policyVersion = pv;
  const sc = str(v.scope, `${where}.scope`);
  if (sc) r.scope = sc;
  return r;
}

/** Collects protovalidate-style violations and formats them like Cerbos. */
class Violations {
  readonly items: string[] = [];
  add(path: string, message: string): void {
    this.items.push(`${path}: ${message}`);
  }
  principal(p: Principal | undefined, path = "principal"): void {
    if (!p) return this.add(path, "value is required");
    if (!p.id) this.add(`${path}.id`, "value is required");
    this.stringSet(p.roles, `${path}.roles`);
  }
  resource(r: Resource | undefined, path: string): void {
    if (!r) return this.add(path, "value is required");
    if (!r.kind) this.add(`${path}.kind`, "value is required");
    if (!r.id) this.add(`${path}.id`, "value is required");
  }
  /** Required, unique, each item non-empty (roles and actions share these rules). */
  stringSet(list: readonly string[], path: string): void {
    if (list.length === 0) return this.add(path, "value is required");
    if (new Set(list).size !== list.length) this.add(path, "repeated value must contain unique items");
    list.forEach((s, i) => s === "" && this.add(`${path}[${i}]`, "must be at least 1 characters"));
  }
  throwIfAny(): void {
    if (this.items.length === 1) throw new RequestValidationError(`validation error: ${this.items[0]}`);
    if (this.items.length > 1) throw new RequestValidationError(`validation errors:\n - ${this.items.join("\n - ")}`);
  }
}

/** Decodes and validates a CheckResources request body (already JSON-parsed). */
export function parseCheckResourcesRequest(body: unknown, limits: RequestLimits = DEFAULT_LIMITS): CheckResourcesRequest {
  if (!isObj(body)) {
    throw new RequestValidationError(`proto: syntax error: expected a JSON object, got ${body === null ? "null" : Array.isArray(body) ? "an array" : typeof body}`);
  }
  checkKnown(body, "", ["requestId", "request_id", "principal", "resources", "auxData", "aux_data", "includeMeta", "include_meta", "requestContext", "request_context"]);
  const principal = decodePrincipal(body.principal);
  const rawResources = body.resources ?? [];
  if (!Array.isArray(rawResources)) throw new RequestValidationError("proto: invalid value for repeated field resources");
  const resources = rawResources.map((e, i) => {
    const where = `resources[${i}]`;
    if (!isObj(e)) throw new RequestValidationError(`proto: invalid value for message field ${where}`);
    checkKnown(e, where, ["actions", "resource"]);
    return { actions: strList(e.actions, `${where}.actions`), resource: decodeResource(e.resource, `${where}.resource`) };
  });
  const requestId = str(field(body, "requestId", "request_id"), "requestId");
  const includeMeta = field(body, "includeMeta", "include_meta");
  if (includeMeta !== undefined && includeMeta !== null && typeof includeMeta !== "boolean") {
    throw new RequestValidationError(`proto: invalid value for bool field includeMeta: ${JSON.stringify(includeMeta)}`);
  }
  const auxData = field(body, "auxData", "aux_data");
  if (auxData !== undefined && auxData !== null && !isObj(auxData)) throw new RequestValidationError("invalid auxData");

  const v = new Violations();
  v.principal(principal);
  if (resources.length === 0) v.add("resources", "value is required");
  resources.forEach((r, i) => {
    if (r.actions.length === 0) v.add(`resources[${i}].actions`, "value is required");
    else v.stringSet(r.actions, `resources[${i}].actions`);
    v.resource(r.resource, `resources[${i}].resource`);
  });
  v.throwIfAny();

  if (resources.length > limits.maxResourcesPerRequest) {
    throw new RequestValidationError(`number of resources in batch (${resources.length}) exceeds configured limit (${limits.maxResourcesPerRequest})`);
  }
  for (const r of resources) {
    if (r.actions.length > limits.maxActionsPerResource) {
      throw new RequestValidationError(`number of actions (${r.actions.length}) exceeds configured limit (${limits.maxActionsPerResource})`);
    }
  }

  const req: CheckResourcesRequest = {
    principal: principal!,
    resources: resources.map((r) => ({ actions: r.actions, resource: r.resource! })),
  };
  if (requestId) req.requestId = requestId;
  if (includeMeta === true) req.includeMeta = true;
  if (isObj(auxData)) req.auxData = auxData as CheckResourcesRequest["auxData"];
  return req;
}

/** Validates an engine-shaped CheckInput (Pdp.checkInputs / isAllowed): the same required
 *  fields as CheckResources, without the batch limits. */
export function validateCheckInput(input: CheckInput, path = "input"): void {
  if (!isObj(input)) throw new RequestValidationError(`${path}: expected an object`);
  const principal = decodePrincipal(input.principal);
  const resource = decodeResource(input.resource, `${path}.resource`);
  const actions = strList(input.actions, `${path}.actions`);
  if (input.auxData !== undefined && input.auxData !== null && !isObj(input.auxData)) {
    throw new RequestValidationError(`${path}.auxData: expected an object`);
  }
  const v = new Violations();
  v.principal(principal, `${path}.principal`);
  v.resource(resource, `${path}.resource`);
  // The engine tolerates repeated actions (they collapse into one key), but not empty ones.
  if (actions.length === 0) v.add(`${path}.actions`, "value is required");
  actions.forEach((s, i) => s === "" && v.add(`${path}.actions[${i}]`, "must be at least 1 characters"));
  v.throwIfAny();
}

export type { AuxData };

/** Decodes and validates one principal (Pdp.forPrincipal): the CheckInput rules, normalised
 *  (snake_case fields read, empty optional strings dropped). */
export function validPrincipal(v: unknown, path = "principal"): Principal {
  const p = decodePrincipal(v);
  const vs = new Violations();
  vs.principal(p, path);
  vs.throwIfAny();
  return p!;
}

/** Decodes and validates one resource (a principal binding's checks), normalised likewise. */
export function validResource(v: unknown, path = "resource"): Resource {
  const r = decodeResource(v, path);
  const vs = new Violations();
  vs.resource(r, path);
  vs.throwIfAny();
  return r!;
}
