// The compiler's typed model of Cerbos policies: what parse+validate produce and link consumes.
// Field names follow Cerbos's policy proto (camelCase as in YAML). Every node that a later stage
// may report an error about carries a Span pointing back into the source file.

export interface Span {
  file: string; // path as given to the compiler (relative to the policy directory)
  line: number; // 1-based
  column: number; // 1-based
  /** JSONPath-like location in the policy, e.g. $.resourcePolicy.rules[2].condition.match.expr */
  path?: string;
}

/** A CEL expression as written, with where its text starts so CEL offsets map to line:col. */
export interface CelSource {
  text: string;
  span: Span;
  /** Maps a character offset inside `text` to its position in the file (handles block/quoted scalars). */
  positionAt(offset: number): Span;
}

export type Match =
  | { kind: "expr"; expr: CelSource; span: Span }
  | { kind: "all" | "any" | "none"; of: Match[]; span: Span };

export interface Condition {
  match: Match;
  span: Span;
}

export interface Output {
  ruleActivated?: CelSource;
  conditionNotMet?: CelSource;
  span: Span;
}

export interface Definitions<T> {
  /** name → value, in source order */
  entries: Array<{ name: string; value: T; span: Span }>;
}

/** constants: {import: [...], local: {...}} — local values are plain JSON-like YAML values. */
export interface ConstantsBlock {
  imports: Array<{ name: string; span: Span }>;
  local: Definitions<unknown>;
}

/** variables: {import: [...], local: {...}} — local values are CEL expressions. */
export interface VariablesBlock {
  imports: Array<{ name: string; span: Span }>;
  local: Definitions<CelSource>;
}

export type ScopePermissions =
  | "SCOPE_PERMISSIONS_OVERRIDE_PARENT"
  | "SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS"
  | undefined;

export type EffectName = "EFFECT_ALLOW" | "EFFECT_DENY";

export interface ResourceRule {
  name?: string; // as written; default name "rule-NNN" is assigned by link
  index: number; // 0-based position in rules
  actions: Array<{ value: string; span: Span }>;
  roles: Array<{ value: string; span: Span }>;
  derivedRoles: Array<{ value: string; span: Span }>;
  effect: EffectName;
  condition?: Condition;
  output?: Output;
  span: Span;
}

export interface SchemaRef {
  ref: string;
  ignoreWhenActions: string[];
  span: Span;
}

export interface ResourcePolicy {
  kind: "resource";
  resource: string;
  version: string;
  scope: string; // "" when unset
  scopePermissions: ScopePermissions;
  importDerivedRoles: Array<{ name: string; span: Span }>;
  constants: ConstantsBlock;
  variables: VariablesBlock;
  rules: ResourceRule[];
  schemas?: { principalSchema?: SchemaRef; resourceSchema?: SchemaRef };
}

export interface DerivedRoleDef {
  name: string;
  parentRoles: Array<{ value: string; span: Span }>;
  condition?: Condition;
  span: Span;
}

export interface DerivedRolesPolicy {
  kind: "derivedRoles";
  name: string;
  constants: ConstantsBlock;
  variables: VariablesBlock;
  definitions: DerivedRoleDef[];
}

export interface PrincipalActionRule {
  name?: string;
  index: number;
  action: string;
  effect: EffectName;
  condition?: Condition;
  output?: Output;
  span: Span;
}

export interface PrincipalPolicy {
  kind: "principal";
  principal: string;
  version: string;
  scope: string;
  scopePermissions: ScopePermissions;
  constants: ConstantsBlock;
  variables: VariablesBlock;
  rules: Array<{ resource: string; actions: PrincipalActionRule[]; span: Span }>;
}

export interface RolePolicyRule {
  name?: string;
  index: number; // position within this resource's rules
  resource: string;
  allowActions: Array<{ value: string; span: Span }>;
  condition?: Condition;
  output?: Output;
  span: Span;
}

export interface RolePolicy {
  kind: "role";
  role: string;
  version: string; // "" allowed; treated as "default"
  scope: string;
  parentRoles: Array<{ value: string; span: Span }>;
  constants: ConstantsBlock;
  variables: VariablesBlock;
  rules: RolePolicyRule[];
}

export interface ExportVariables {
  kind: "exportVariables";
  name: string;
  definitions: Definitions<CelSource>;
}

export interface ExportConstants {
  kind: "exportConstants";
  name: string;
  definitions: Definitions<unknown>;
}

export type PolicyBody =
  | ResourcePolicy
  | DerivedRolesPolicy
  | PrincipalPolicy
  | RolePolicy
  | ExportVariables
  | ExportConstants;

export interface Policy {
  file: string;
  /** index of the YAML document within a multi-document file */
  document: number;
  apiVersion: string;
  description?: string;
  disabled: boolean;
  metadata?: { annotations?: Record<string, string> };
  body: PolicyBody;
  span: Span; // of the policy kind key (e.g. `resourcePolicy:`)
}
