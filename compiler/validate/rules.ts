// The value rules of Cerbos's policy proto (buf.validate annotations in policy.proto) and the
// CEL identifier rule Cerbos applies to variable and constant names.

export const API_VERSION = "api.cerbos.dev/v1";

export const POLICY_KINDS = [
  "resourcePolicy",
  "principalPolicy",
  "derivedRoles",
  "exportVariables",
  "rolePolicy",
  "exportConstants",
] as const;
export type PolicyKindKey = (typeof POLICY_KINDS)[number];

export const EFFECTS = ["EFFECT_ALLOW", "EFFECT_DENY"] as const;

/** Every name of the ScopePermissions enum (UNSPECIFIED is accepted and means the default). */
export const SCOPE_PERMISSIONS = [
  "SCOPE_PERMISSIONS_UNSPECIFIED",
  "SCOPE_PERMISSIONS_OVERRIDE_PARENT",
  "SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS",
] as const;

export const PATTERNS = {
  /** resource, principal and role names: no glob metacharacters */
  name: /^[^!*?[\]{}]+$/,
  version: /^\w+$/,
  rolePolicyVersion: /^\w*$/,
  scope: /^(|\.|[0-9a-zA-Z][\w-]*(\.\w[\w-]*)*)$/,
  ruleName: /^([a-zA-Z][\w@.-]*)*$/,
  /** derived role names, derived roles/export names and import names */
  importName: /^[\w.-]+$/,
} as const;

const CEL_KEYWORDS = new Set(["false", "in", "null", "true"]);
const CEL_IDENTIFIER = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

/** Why `name` cannot be a variable or constant name (it becomes `V.name` / `C.name` in CEL). */
export function identifierProblem(name: string): string | undefined {
  if (CEL_KEYWORDS.has(name)) return `\`${name}\` is a reserved keyword and can't be used as an identifier`;
  if (!CEL_IDENTIFIER.test(name)) return `\`${name}\` is not a valid identifier`;
  return undefined;
}
