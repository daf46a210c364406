// Shapes of Cerbos test suites and fixture files (policy/v1 TestSuite, TestFixture.*) as message
// descriptors for the decoder, plus the validation rules Cerbos attaches to them. Messages and
// paths follow Cerbos's (protovalidate-style) wording because they surface in TestResults.
import type { FieldType, LoadError, MessageDesc } from "./decode.ts";
import { EFFECTS, posOf } from "./decode.ts";

const S: FieldType = { k: "string" };
const B: FieldType = { k: "bool" };
const V: FieldType = { k: "value" };
const list = (v: FieldType): FieldType => ({ k: "list", v });
const map = (v: FieldType): FieldType => ({ k: "map", v });
const msg = (m: MessageDesc): FieldType => ({ k: "msg", m });
const f = (proto: string, type: FieldType) => ({ proto, type });

export const PRINCIPAL: MessageDesc = {
  fields: { id: f("id", S), policyVersion: f("policy_version", S), roles: f("roles", list(S)), attr: f("attr", map(V)), scope: f("scope", S) },
};
export const RESOURCE: MessageDesc = {
  fields: { kind: f("kind", S), policyVersion: f("policy_version", S), id: f("id", S), attr: f("attr", map(V)), scope: f("scope", S) },
};
const JWT: MessageDesc = { fields: { claims: f("claims", map(V)) } };
export const AUX_DATA: MessageDesc = { fields: { jwt: f("jwt", map(V)), jwts: f("jwts", map(msg(JWT))) } };
const PRINCIPAL_GROUP: MessageDesc = { fields: { principals: f("principals", list(S)) } };
const RESOURCE_GROUP: MessageDesc = { fields: { resources: f("resources", list(S)) } };
const OPTIONS: MessageDesc = {
  fields: {
    now: f("now", { k: "timestamp" }),
    lenientScopeSearch: f("lenient_scope_search", B),
    globals: f("globals", map(V)),
    defaultPolicyVersion: f("default_policy_version", S),
    defaultScope: f("default_scope", S),
    strictEvaluation: f("strict_evaluation", B),
  },
};
const OUTPUT_ENTRY: MessageDesc = { fields: { src: f("src", S), val: f("val", V), action: f("action", S), error: f("error", S) } };
const OUTPUT_EXPECTATIONS: MessageDesc = { fields: { action: f("action", S), expected: f("expected", list(msg(OUTPUT_ENTRY))) } };
const INPUT: MessageDesc = {
  fields: {
    principals: f("principals", list(S)),
    resources: f("resources", list(S)),
    actions: f("actions", list(S)),
    auxData: f("aux_data", S),
    principalGroups: f("principal_groups", list(S)),
    resourceGroups: f("resource_groups", list(S)),
  },
};
const EXPECTATION: MessageDesc = {
  fields: {
    principal: f("principal", S),
    resource: f("resource", S),
    actions: f("actions", map({ k: "effect" })),
    outputs: f("outputs", list(msg(OUTPUT_EXPECTATIONS))),
    principals: f("principals", list(S)),
    resources: f("resources", list(S)),
    principalGroups: f("principal_groups", list(S)),
    resourceGroups: f("resource_groups", list(S)),
  },
};
const TEST_TABLE: MessageDesc = {
  fields: {
    name: f("name", S),
    description: f("description", S),
    skip: f("skip", B),
    skipReason: f("skip_reason", S),
    input: f("input", msg(INPUT)),
    expected: f("expected", list(msg(EXPECTATION))),
    options: f("options", msg(OPTIONS)),
  },
};
export const TEST_SUITE: MessageDesc = {
  fields: {
    name: f("name", S),
    description: f("description", S),
    skip: f("skip", B),
    skipReason: f("skip_reason", S),
    tests: f("tests", list(msg(TEST_TABLE))),
    principals: f("principals", map(msg(PRINCIPAL))),
    resources: f("resources", map(msg(RESOURCE))),
    auxData: f("aux_data", map(msg(AUX_DATA))),
    options: f("options", msg(OPTIONS)),
    $schema: f("$schema", S),
    principalGroups: f("principal_groups", map(msg(PRINCIPAL_GROUP))),
    resourceGroups: f("resource_groups", map(msg(RESOURCE_GROUP))),
  },
};
export const PRINCIPALS_FILE: MessageDesc = {
  fields: { principals: f("principals", map(msg(PRINCIPAL))), $schema: f("$schema", S), principalGroups: f("principal_groups", map(msg(PRINCIPAL_GROUP))) },
};
export const RESOURCES_FILE: MessageDesc = {
  fields: { resources: f("resources", map(msg(RESOURCE))), $schema: f("$schema", S), resourceGroups: f("resource_groups", map(msg(RESOURCE_GROUP))) },
};
export const AUX_DATA_FILE: MessageDesc = { fields: { auxData: f("aux_data", map(msg(AUX_DATA))), $schema: f("$schema", S) } };

// ---------------------------------------------------------------- validation
type Obj = Record<string, unknown>;
// Cerbos renders map keys in validation paths camel-cased (`john_leave_request` → `johnLeaveRequest`).
const key = (k: string) => `[${JSON.stringify(k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()))}]`;
const join = (path: string, field: string) => (path ? `${path}.${field}` : field);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

class Validator {
  readonly errors: LoadError[] = [];
  add(obj: unknown, field: string | undefined, path: string, message: string): void {
    // Missing fields have no source position in Cerbos's messages; present ones do.
    const pos = field === undefined ? posOf(obj) : posOf(obj, field);
    this.errors.push({ pos, message: `${path}: ${message}` });
  }
  required(obj: Obj, field: string, proto: string, path: string): boolean {
    const v = obj[field];
    const missing = v === undefined || v === "" || (Array.isArray(v) && v.length === 0);
    if (missing) this.errors.push({ message: `${join(path, proto)}: value is required` });
    return !missing;
  }
  strings(obj: Obj, field: string, proto: string, path: string, opts: { min?: number; unique?: boolean; required?: boolean }): void {
    const v = obj[field];
    if (opts.required && !this.required(obj, field, proto, path)) return;
    const items = arr(v);
    if (opts.min && items.length < opts.min && !opts.required) this.add(obj, field, join(path, proto), `value must contain at least ${opts.min} item(s)`);
    items.forEach((item, i) => {
      if (str(item) === "") this.add(obj, field, `${join(path, proto)}[${i}]`, "value length must be at least 1 characters");
    });
    if (opts.unique && new Set(items).size !== items.length) this.add(obj, field, join(path, proto), "repeated value must contain unique items");
  }
}

const VERSION = /^[\w]*$/;
const SCOPE = /^(^$|\.|[0-9a-zA-Z][\w-]*(\.\w[\w-]*)*)$/;

function validatePrincipal(v: Validator, p: Obj, path: string): void {
  v.required(p, "id", "id", path);
  v.strings(p, "roles", "roles", path, { required: true, unique: true });
  if (!VERSION.test(str(p.policyVersion))) v.add(p, "policyVersion", join(path, "policy_version"), "value does not match regex pattern `^[\\w]*$`");
  if (!SCOPE.test(str(p.scope))) v.add(p, "scope", join(path, "scope"), "value does not match regex pattern `^(^$|\\.|[0-9a-zA-Z][\\w\\-]*(\\.\\w[\\w\\-]*)*)$`");
}

function validateResource(v: Validator, r: Obj, path: string): void {
  v.required(r, "kind", "kind", path);
  if (!VERSION.test(str(r.policyVersion))) v.add(r, "policyVersion", join(path, "policy_version"), "value does not match regex pattern `^[\\w]*$`");
  v.required(r, "id", "id", path);
  if (!SCOPE.test(str(r.scope))) v.add(r, "scope", join(path, "scope"), "value does not match regex pattern `^(^$|\\.|[0-9a-zA-Z][\\w\\-]*(\\.\\w[\\w\\-]*)*)$`");
}

function validateAuxData(v: Validator, a: Obj, path: string): void {
  if (a.jwt !== undefined && a.jwts !== undefined) v.add(a, undefined, path, "Only one of the jwt or jwts fields must be set");
}

function validateEntries(v: Validator, obj: Obj, field: string, proto: string, fn: (v: Validator, o: Obj, path: string) => void): void {
  const m = obj[field] as Record<string, Obj> | undefined;
  if (!m) return;
  for (const [k, item] of Object.entries(m)) fn(v, item ?? {}, `${proto}${key(k)}`);
}

function validateGroups(v: Validator, obj: Obj, field: string, proto: string, member: string): void {
  validateEntries(v, obj, field, proto, (v, g, path) => v.strings(g, member, member, path, { required: true, unique: true }));
}

function validateExpectation(v: Validator, e: Obj, path: string): void {
  const principal = str(e.principal);
  const resource = str(e.resource);
  if (principal === "" && arr(e.principals).length === 0 && arr(e.principalGroups).length === 0)
    v.add(e, undefined, path, "principal, principals, or principalGroups must be present");
  if (principal !== "" && arr(e.principals).length > 0) v.add(e, undefined, path, "principal and principals may not both be present");
  if (resource === "" && arr(e.resources).length === 0 && arr(e.resourceGroups).length === 0)
    v.add(e, undefined, path, "resource, resources, or resourceGroups must be present");
  if (resource !== "" && arr(e.resources).length > 0) v.add(e, undefined, path, "resource and resources may not both be present");
  const actions = e.actions as Record<string, unknown> | undefined;
  if (!actions || Object.keys(actions).length === 0) v.errors.push({ message: `${join(path, "actions")}: value is required` });
  for (const [action, effect] of Object.entries(actions ?? {}))
    if (!(EFFECTS as readonly unknown[]).includes(effect)) v.add(actions, action, `${join(path, "actions")}${key(action)}`, `must be one of [${EFFECTS.join(", ")}]`);
  for (const [list, proto] of [["principals", "principals"], ["resources", "resources"], ["principalGroups", "principal_groups"], ["resourceGroups", "resource_groups"]] as const)
    v.strings(e, list, proto, path, { unique: true });
  arr(e.outputs).forEach((o, i) => {
    const oe = (o ?? {}) as Obj;
    const p = `${join(path, "outputs")}[${i}]`;
    v.required(oe, "action", "action", p);
    v.required(oe, "expected", "expected", p);
  });
}

function validateTable(v: Validator, t: Obj, path: string): void {
  v.required(t, "name", "name", path);
  const input = t.input as Obj | undefined;
  if (!input) v.errors.push({ message: `${join(path, "input")}: value is required` });
  else {
    const ip = join(path, "input");
    if (arr(input.principals).length === 0 && arr(input.principalGroups).length === 0) v.add(input, undefined, ip, "principals or principalGroups must be present");
    if (arr(input.resources).length === 0 && arr(input.resourceGroups).length === 0) v.add(input, undefined, ip, "resources or resourceGroups must be present");
    v.strings(input, "actions", "actions", ip, { required: true, unique: true });
    for (const [list, proto] of [["principals", "principals"], ["resources", "resources"], ["principalGroups", "principal_groups"], ["resourceGroups", "resource_groups"]] as const)
      v.strings(input, list, proto, ip, { unique: true });
  }
  if (v.required(t, "expected", "expected", path)) arr(t.expected).forEach((e, i) => validateExpectation(v, (e ?? {}) as Obj, `${join(path, "expected")}[${i}]`));
}

export function validateSuite(suite: Obj): LoadError[] {
  const v = new Validator();
  v.required(suite, "name", "name", "");
  if (v.required(suite, "tests", "tests", "")) arr(suite.tests).forEach((t, i) => validateTable(v, (t ?? {}) as Obj, `tests[${i}]`));
  validateEntries(v, suite, "principals", "principals", validatePrincipal);
  validateEntries(v, suite, "resources", "resources", validateResource);
  validateEntries(v, suite, "auxData", "aux_data", validateAuxData);
  validateGroups(v, suite, "principalGroups", "principal_groups", "principals");
  validateGroups(v, suite, "resourceGroups", "resource_groups", "resources");
  return sortErrors(v.errors);
}

export function validatePrincipalsFile(file: Obj): LoadError[] {
  const v = new Validator();
  validateEntries(v, file, "principals", "principals", validatePrincipal);
  validateGroups(v, file, "principalGroups", "principal_groups", "principals");
  return sortErrors(v.errors);
}

export function validateResourcesFile(file: Obj): LoadError[] {
  const v = new Validator();
  validateEntries(v, file, "resources", "resources", validateResource);
  validateGroups(v, file, "resourceGroups", "resource_groups", "resources");
  return sortErrors(v.errors);
}

export function validateAuxDataFile(file: Obj): LoadError[] {
  const v = new Validator();
  validateEntries(v, file, "auxData", "aux_data", validateAuxData);
  return sortErrors(v.errors);
}

// Cerbos lists positioned errors in source order.
function sortErrors(errors: LoadError[]): LoadError[] {
  return [...errors].sort((a, b) => (a.pos?.line ?? 0) - (b.pos?.line ?? 0) || (a.pos?.column ?? 0) - (b.pos?.column ?? 0));
}
