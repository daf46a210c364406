// Cerbos's naming rules (internal/namer): FQNs, policy keys, sanitising and scope helpers.
// Output `src`, matched policy keys and evaluation keys must be byte-identical to Cerbos's, so
// these follow the Go implementation's behaviour exactly (including its legacy sanitising quirk).

const FQN_PREFIX = "cerbos.";

// Names that matched the pre-0.30 pattern keep being sanitised (non-word chars → "_") so module
// ids stay stable in Cerbos; names outside the pattern are used verbatim.
const OLD_NAME_PATTERN =
  /^[A-Za-z][A-Za-z0-9_@.\-/]*(:[A-Za-z][A-Za-z0-9_@.\-/]*)*$/;
const INVALID_IDENTIFIER_CHARS = /[^A-Za-z0-9_.]+/g;

export function sanitize(v: string): string {
  return OLD_NAME_PATTERN.test(v) ? v.replace(INVALID_IDENTIFIER_CHARS, "_") : v;
}

function withScope(fqn: string, scope: string): string {
  return scope === "" ? fqn : `${fqn}/${scope}`;
}

export function resourcePolicyFqn(resource: string, version: string, scope: string): string {
  return withScope(`${FQN_PREFIX}resource.${sanitize(resource)}.v${sanitize(version)}`, scope);
}

export function principalPolicyFqn(principal: string, version: string, scope: string): string {
  return withScope(`${FQN_PREFIX}principal.${sanitize(principal)}.v${sanitize(version)}`, scope);
}

/** Role policies: an empty version means "default". */
export function rolePolicyFqn(role: string, version: string, scope: string): string {
  const v = version === "" ? "default" : version;
  return withScope(`${FQN_PREFIX}role.${sanitize(role)}.v${sanitize(v)}`, scope);
}

export function derivedRolesFqn(name: string): string {
  return `${FQN_PREFIX}derived_roles.${sanitize(name)}`;
}

export function exportVariablesFqn(name: string): string {
  return `${FQN_PREFIX}export_variables.${sanitize(name)}`;
}

export function exportConstantsFqn(name: string): string {
  return `${FQN_PREFIX}export_constants.${sanitize(name)}`;
}

export function policyKeyFromFqn(fqn: string): string {
  return fqn.startsWith(FQN_PREFIX) ? fqn.slice(FQN_PREFIX.length) : fqn;
}

/** Parent scopes of `scope`, nearest first, ending with the root "" (nothing for the root). */
export function scopeParents(scope: string): string[] {
  const out: string[] = [];
  for (let i = scope.length - 1; i >= 0; i--) {
    if (scope[i] === "." || i === 0) out.push(scope.slice(0, i));
  }
  return out;
}

/** Default name of the i-th (0-based) resource rule: Cerbos's `rule-NNN`, 1-based, 3 digits. */
export function resourceRuleName(name: string | undefined, index: number): string {
  return name ? name : `rule-${String(index + 1).padStart(3, "0")}`;
}

/** Default name of a principal action rule: `<resource>_rule-NNN` (1-based within the resource). */
export function principalRuleName(name: string | undefined, resource: string, index: number): string {
  return name ? name : `${resource}_rule-${String(index + 1).padStart(3, "0")}`;
}
