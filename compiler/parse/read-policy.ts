// One YAML document → one model `Policy`, per Cerbos's policy proto. Unknown fields, wrong types
// and bad enum values are reported here (Cerbos's unmarshaller does the same); pattern, required
// and uniqueness rules are checked afterwards by compiler/validate over the model + positions.
import { isMap, type Document } from "yaml";
import type { DiagnosticBag } from "../diagnostics.ts";
import type {
  DerivedRoleDef,
  DerivedRolesPolicy,
  EffectName,
  ExportConstants,
  ExportVariables,
  Policy,
  PolicyBody,
  PrincipalActionRule,
  PrincipalPolicy,
  ResourcePolicy,
  ResourceRule,
  RolePolicy,
  RolePolicyRule,
  ScopePermissions,
  Span,
} from "../model.ts";
import { EFFECTS, POLICY_KINDS, SCOPE_PERMISSIONS, type PolicyKindKey } from "../validate/rules.ts";
import {
  readCondition,
  readConstantDefinitions,
  readConstants,
  readOutput,
  readSchemas,
  readVariableDefinitions,
  readVariables,
} from "./read-blocks.ts";
import { Reader, type Entry, type SourcePositions } from "./reader.ts";
import { spanAt, type YamlSource } from "./yaml-source.ts";

const POLICY_FIELDS = ["apiVersion", "disabled", "description", "metadata", ...POLICY_KINDS, "variables", "$schema"] as const;

export interface ReadPolicy {
  policy: Policy;
  positions: SourcePositions;
  /** fields present in the source (by path) whose absence validate must report */
  present: Set<string>;
  /** the deprecated top-level `variables`, kept apart so validate can check clashes */
  topLevelVariables: Array<{ name: string; span: Span }>;
  /** role policy `scopePermissions` as written (the model drops it: it is a no-op) */
  roleScopePermissions?: { value: string; span: Span };
}

export function readPolicy(src: YamlSource, doc: Document.Parsed, index: number, diags: DiagnosticBag): ReadPolicy | undefined {
  const r = new Reader(src, diags, doc);
  if (!isMap(r.resolve(doc.contents))) {
    // e.g. a file holding just `wat`: Cerbos calls this an invalid document, not a type error.
    diags.error("VD1003", r.span(doc.contents, "$"), "invalid document: contents are not valid YAML or JSON", "a policy is a mapping with `apiVersion` and one policy kind");
    return undefined;
  }
  const root = r.fields(doc.contents, "$", POLICY_FIELDS);
  if (!root) return undefined;
  const kinds = POLICY_KINDS.filter((k) => root.has(k));
  const docSpan = spanAt(src, doc.contents?.range?.[0] ?? 0, "$");
  if (kinds.length === 0) {
    diags.error("VD1008", docSpan, "policy has no kind", `add one of ${POLICY_KINDS.map((k) => `\`${k}\``).join(", ")}`);
    return undefined;
  }
  if (kinds.length > 1) {
    const second = root.get(kinds[1])!;
    diags.error("VD1009", second.keySpan, `policy has both \`${kinds[0]}\` and \`${kinds[1]}\``, "put each policy in its own file");
    return undefined;
  }
  const kindEntry = root.get(kinds[0])!;
  const extra: Pick<ReadPolicy, "roleScopePermissions"> = {};
  const body = readBody(r, kinds[0], kindEntry, extra);
  if (!body) return undefined;

  const topLevelVariables = readVariableDefinitions(r, root.get("variables"));
  // Cerbos merges the deprecated top-level `variables` into `variables.local` (clashes are errors,
  // reported by validate); export policies reject it altogether.
  if ("variables" in body) {
    const local = body.variables.local.entries;
    const localNames = new Set(local.map((e) => e.name));
    for (const v of topLevelVariables) if (!localNames.has(v.name)) local.push(v);
  }

  const metadata = readMetadata(r, root.get("metadata"));
  const policy: Policy = {
    file: src.file,
    document: index,
    apiVersion: r.stringField(root, "apiVersion"),
    disabled: r.bool(root.get("disabled")),
    body,
    span: kindEntry.keySpan,
  };
  const description = root.get("description");
  if (description) policy.description = r.stringField(root, "description");
  if (metadata) policy.metadata = metadata;
  return {
    policy,
    positions: r.positions,
    present: new Set(r.positions.fields.keys()),
    topLevelVariables: topLevelVariables.map((v) => ({ name: v.name, span: v.span })),
    ...extra,
  };
}

function readMetadata(r: Reader, entry: Entry | undefined): Policy["metadata"] | undefined {
  if (!entry) return undefined;
  const f = r.fields(entry.value, entry.path, ["sourceFile", "annotations", "hash", "storeIdentifer", "storeIdentifier", "sourceAttributes"]);
  if (!f) return undefined;
  const annotations = f.get("annotations");
  if (!annotations) return {};
  const out: Record<string, string> = {};
  for (const e of r.entries(annotations)) out[e.key] = r.string(e.node, e.path) ?? "";
  return { annotations: out };
}

function readBody(r: Reader, kind: PolicyKindKey, entry: Entry, extra: Pick<ReadPolicy, "roleScopePermissions">): PolicyBody | undefined {
  switch (kind) {
    case "resourcePolicy":
      return readResourcePolicy(r, entry);
    case "principalPolicy":
      return readPrincipalPolicy(r, entry);
    case "derivedRoles":
      return readDerivedRoles(r, entry);
    case "rolePolicy":
      return readRolePolicy(r, entry, extra);
    case "exportVariables":
      return readExport(r, entry, "exportVariables");
    case "exportConstants":
      return readExport(r, entry, "exportConstants");
  }
}

function readEffect(r: Reader, entry: Entry | undefined): EffectName {
  if (!entry) return "EFFECT_DENY"; // missing: validate reports it; the value is never used
  const value = r.string(entry.value, entry.path);
  if (value !== undefined && !(EFFECTS as readonly string[]).includes(value)) {
    r.diags.error("VD1006", r.span(entry.value, entry.path), `invalid effect \`${value}\``, "use `EFFECT_ALLOW` or `EFFECT_DENY`");
  }
  return value === "EFFECT_ALLOW" ? "EFFECT_ALLOW" : "EFFECT_DENY";
}

function readScopePermissions(r: Reader, entry: Entry | undefined): { value: ScopePermissions; raw?: string } {
  if (!entry) return { value: undefined };
  const raw = r.string(entry.value, entry.path);
  if (raw === undefined || raw === "") return { value: undefined, raw };
  if (!(SCOPE_PERMISSIONS as readonly string[]).includes(raw)) {
    r.diags.error(
      "VD1006",
      r.span(entry.value, entry.path),
      `invalid scope permissions \`${raw}\``,
      `use one of ${SCOPE_PERMISSIONS.map((s) => `\`${s}\``).join(", ")}`,
    );
    return { value: undefined, raw };
  }
  return { value: raw === "SCOPE_PERMISSIONS_UNSPECIFIED" ? undefined : (raw as ScopePermissions), raw };
}

function readResourcePolicy(r: Reader, entry: Entry): ResourcePolicy | undefined {
  const f = r.fields(entry.value, entry.path, [
    "resource", "version", "importDerivedRoles", "rules", "scope", "schemas", "variables", "scopePermissions", "constants",
  ]);
  if (!f) return undefined;
  const rules: ResourceRule[] = r.seq(f.get("rules")).flatMap((item, index) => {
    const rf = r.fields(item.node, item.path, ["actions", "derivedRoles", "roles", "condition", "effect", "name", "output"]);
    if (!rf) return [];
    const rule: ResourceRule = {
      index,
      actions: r.stringList(rf.get("actions")),
      roles: r.stringList(rf.get("roles")),
      derivedRoles: r.stringList(rf.get("derivedRoles")),
      effect: readEffect(r, rf.get("effect")),
      condition: readCondition(r, rf.get("condition")),
      output: readOutput(r, rf.get("output")),
      span: item.span,
    };
    if (rf.has("name")) rule.name = r.stringField(rf, "name");
    return [rule];
  });
  const schemas = readSchemas(r, f.get("schemas"));
  const policy: ResourcePolicy = {
    kind: "resource",
    resource: r.stringField(f, "resource"),
    version: r.stringField(f, "version"),
    scope: r.stringField(f, "scope"),
    scopePermissions: readScopePermissions(r, f.get("scopePermissions")).value,
    importDerivedRoles: r.stringList(f.get("importDerivedRoles")).map((i) => ({ name: i.value, span: i.span })),
    constants: readConstants(r, f.get("constants")),
    variables: readVariables(r, f.get("variables")),
    rules,
  };
  if (schemas) policy.schemas = schemas;
  return policy;
}

function readPrincipalPolicy(r: Reader, entry: Entry): PrincipalPolicy | undefined {
  const f = r.fields(entry.value, entry.path, ["principal", "version", "rules", "scope", "variables", "scopePermissions", "constants"]);
  if (!f) return undefined;
  const rules = r.seq(f.get("rules")).flatMap((item) => {
    const rf = r.fields(item.node, item.path, ["resource", "actions"]);
    if (!rf) return [];
    const actions: PrincipalActionRule[] = r.seq(rf.get("actions")).flatMap((a, index) => {
      const af = r.fields(a.node, a.path, ["action", "condition", "effect", "name", "output"]);
      if (!af) return [];
      const rule: PrincipalActionRule = {
        index,
        action: r.stringField(af, "action"),
        effect: readEffect(r, af.get("effect")),
        condition: readCondition(r, af.get("condition")),
        output: readOutput(r, af.get("output")),
        span: a.span,
      };
      if (af.has("name")) rule.name = r.stringField(af, "name");
      return [rule];
    });
    return [{ resource: r.stringField(rf, "resource"), actions, span: item.span }];
  });
  return {
    kind: "principal",
    principal: r.stringField(f, "principal"),
    version: r.stringField(f, "version"),
    scope: r.stringField(f, "scope"),
    scopePermissions: readScopePermissions(r, f.get("scopePermissions")).value,
    constants: readConstants(r, f.get("constants")),
    variables: readVariables(r, f.get("variables")),
    rules,
  };
}

function readDerivedRoles(r: Reader, entry: Entry): DerivedRolesPolicy | undefined {
  const f = r.fields(entry.value, entry.path, ["name", "definitions", "variables", "constants"]);
  if (!f) return undefined;
  const definitions: DerivedRoleDef[] = r.seq(f.get("definitions")).flatMap((item) => {
    const df = r.fields(item.node, item.path, ["name", "parentRoles", "condition"]);
    if (!df) return [];
    return [{
      name: r.stringField(df, "name"),
      parentRoles: r.stringList(df.get("parentRoles")),
      condition: readCondition(r, df.get("condition")),
      span: item.span,
    }];
  });
  return {
    kind: "derivedRoles",
    name: r.stringField(f, "name"),
    constants: readConstants(r, f.get("constants")),
    variables: readVariables(r, f.get("variables")),
    definitions,
  };
}

function readRolePolicy(r: Reader, entry: Entry, extra: Pick<ReadPolicy, "roleScopePermissions">): RolePolicy | undefined {
  const f = r.fields(entry.value, entry.path, ["role", "version", "parentRoles", "scope", "rules", "scopePermissions", "variables", "constants"]);
  if (!f) return undefined;
  const perIndex = new Map<string, number>(); // Cerbos numbers role rules per resource
  const rules: RolePolicyRule[] = r.seq(f.get("rules")).flatMap((item) => {
    const rf = r.fields(item.node, item.path, ["resource", "allowActions", "condition", "name", "output"]);
    if (!rf) return [];
    const resource = r.stringField(rf, "resource");
    const index = perIndex.get(resource) ?? 0;
    perIndex.set(resource, index + 1);
    const rule: RolePolicyRule = {
      index,
      resource,
      allowActions: r.stringList(rf.get("allowActions")),
      condition: readCondition(r, rf.get("condition")),
      output: readOutput(r, rf.get("output")),
      span: item.span,
    };
    if (rf.has("name")) rule.name = r.stringField(rf, "name");
    return [rule];
  });
  const sp = f.get("scopePermissions");
  const raw = readScopePermissions(r, sp).raw;
  if (sp && raw) extra.roleScopePermissions = { value: raw, span: r.span(sp.value, sp.path) };
  return {
    kind: "role",
    role: r.stringField(f, "role"),
    version: r.stringField(f, "version"),
    scope: r.stringField(f, "scope"),
    parentRoles: r.stringList(f.get("parentRoles")),
    constants: readConstants(r, f.get("constants")),
    variables: readVariables(r, f.get("variables")),
    rules,
  };
}

function readExport(r: Reader, entry: Entry, kind: "exportVariables" | "exportConstants"): ExportVariables | ExportConstants | undefined {
  const f = r.fields(entry.value, entry.path, ["name", "definitions"]);
  if (!f) return undefined;
  const name = r.stringField(f, "name");
  return kind === "exportVariables"
    ? { kind, name, definitions: { entries: readVariableDefinitions(r, f.get("definitions")) } }
    : { kind, name, definitions: { entries: readConstantDefinitions(r, f.get("definitions")) } };
}
