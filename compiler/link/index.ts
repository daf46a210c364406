// Link: resolve every executable policy against its imports — derived roles, exported variables
// and constants — name its rules, order its variables and decide which definitions are compiled
// in. Mirrors the checks of Cerbos's internal/compile (compile.go, variables.go, constants.go).
import type { DiagnosticBag } from "../diagnostics.ts";
import type {
  CelSource,
  Condition,
  ConstantsBlock,
  DerivedRoleDef,
  DerivedRolesPolicy,
  Match,
  Output,
  Policy,
  PrincipalActionRule,
  PrincipalPolicy,
  ResourcePolicy,
  ResourceRule,
  RolePolicy,
  RolePolicyRule,
  Span,
  VariablesBlock,
} from "../model.ts";
import {
  derivedRolesFqn,
  exportConstantsFqn,
  exportVariablesFqn,
  policyKeyFromFqn,
  principalRuleName,
  resourceRuleName,
  sanitize,
} from "./names.ts";
import { buildRegistry, policyFqn, type Registry } from "./registry.ts";
import {
  mergeConstants,
  resolveVariables,
  usedVariables,
  type DefinedConstant,
  type DefinedVariable,
  type ReferencedNames,
  type VariableSet,
} from "./variables.ts";

export type { ReferencedNames } from "./variables.ts";

/** The expression environment of one policy or derived-roles set. */
export interface Module {
  id: string; // FQN of the policy that owns it
  constants: Map<string, unknown>;
  variables: VariableSet;
  /** `runtime.effectiveDerivedRoles` is available (resource policies and derived roles) */
  allowRuntime: boolean;
}

export interface LinkedDerivedRole {
  /** unique key: "<derived roles FQN>#<name>" */
  key: string;
  name: string;
  setName: string;
  setFqn: string;
  def: DerivedRoleDef;
  /** "*" alone when any role qualifies */
  parentRoles: string[];
  condition?: Condition;
  module: Module;
  /** variables this definition's condition uses, in evaluation order */
  usedVars: string[];
}

export interface LinkedResourceRule {
  rule: ResourceRule;
  name: string;
  actions: string[];
  roles: string[];
  derivedRoles: string[];
}

export interface LinkedResourcePolicy {
  kind: "resource";
  policy: Policy;
  body: ResourcePolicy;
  fqn: string;
  /** sanitised resource kind */
  resource: string;
  version: string;
  scope: string;
  /** OVERRIDE_PARENT unless REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS is set */
  parentalConsent: boolean;
  rules: LinkedResourceRule[];
  module: Module;
  usedVars: string[];
  /** referenced derived roles, by name, in first-reference order */
  derivedRoles: Map<string, LinkedDerivedRole>;
}

export interface LinkedPrincipalRule {
  rule: PrincipalActionRule;
  resource: string;
  name: string;
}

export interface LinkedPrincipalPolicy {
  kind: "principal";
  policy: Policy;
  body: PrincipalPolicy;
  fqn: string;
  principal: string;
  version: string;
  scope: string;
  parentalConsent: boolean;
  rules: LinkedPrincipalRule[];
  module: Module;
  usedVars: string[];
}

export interface LinkedRoleRule {
  rule: RolePolicyRule;
  resource: string;
  /** position within this resource's rules (Cerbos's evaluation-key rule id) */
  idx: number;
  name: string;
  allowActions: string[];
}

export interface LinkedRolePolicy {
  kind: "role";
  policy: Policy;
  body: RolePolicy;
  fqn: string;
  role: string;
  version: string; // "default" when unset
  scope: string;
  parentRoles: string[];
  /** rules grouped by resource (first-appearance order), in rule order within a resource */
  rules: LinkedRoleRule[];
  module: Module;
  usedVars: string[];
}

export type LinkedPolicy = LinkedResourcePolicy | LinkedPrincipalPolicy | LinkedRolePolicy;

export interface LinkResult {
  policies: LinkedPolicy[];
  /** Expressions that are compiled by Cerbos (so their errors count) but not part of the ruleset. */
  unusedExprs: Array<{ expr: CelSource; module: Module }>;
}

export function conditionExprs(c: Condition | undefined): CelSource[] {
  const out: CelSource[] = [];
  const walk = (m: Match): void => {
    if (m.kind === "expr") out.push(m.expr);
    else m.of.forEach(walk);
  };
  if (c) walk(c.match);
  return out;
}

export function outputExprs(o: Output | undefined): CelSource[] {
  const out: CelSource[] = [];
  if (o?.ruleActivated) out.push(o.ruleActivated);
  if (o?.conditionNotMet) out.push(o.conditionNotMet);
  return out;
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Cerbos collapses a role list containing "*" to just "*". */
function roleList(xs: Array<{ value: string }>): string[] {
  const vals = uniq(xs.map((x) => x.value));
  return vals.includes("*") ? ["*"] : vals;
}

class Linker {
  private modules = new Map<string, Module>();
  private derived = new Map<string, Map<string, LinkedDerivedRole>>();
  private used = new Map<Module, Set<string>>();
  private referencedDerived = new Set<string>();

  constructor(
    private reg: Registry,
    private refs: ReferencedNames,
    private bag: DiagnosticBag,
  ) {}

  private markUsed(m: Module, names: string[]): void {
    const s = this.used.get(m) ?? new Set<string>();
    names.forEach((n) => s.add(n));
    this.used.set(m, s);
  }

  /** The module of a policy: its imported + local constants and variables, resolved once. */
  module(p: Policy, constants: ConstantsBlock, variables: VariablesBlock, allowRuntime: boolean): Module {
    const id = policyFqn(p);
    const cached = this.modules.get(id);
    if (cached) return cached;

    const constDefs: DefinedConstant[] = [];
    for (const imp of constants.imports) {
      const ec = this.reg.byFqn.get(exportConstantsFqn(imp.name));
      if (!ec || ec.body.kind !== "exportConstants") continue; // reported by the registry
      for (const e of ec.body.definitions.entries) {
        constDefs.push({ name: e.name, value: e.value, source: `import \`${imp.name}\``, span: e.span });
      }
    }
    for (const e of constants.local.entries) {
      constDefs.push({ name: e.name, value: e.value, source: "policy local constants", span: e.span });
    }
    const constMap = mergeConstants(constDefs, p.span, this.bag);

    const varDefs: DefinedVariable[] = [];
    for (const imp of variables.imports) {
      const ev = this.reg.byFqn.get(exportVariablesFqn(imp.name));
      if (!ev || ev.body.kind !== "exportVariables") continue;
      for (const e of ev.body.definitions.entries) {
        varDefs.push({ name: e.name, expr: e.value, source: `import \`${imp.name}\``, span: e.span });
      }
    }
    for (const e of variables.local.entries) {
      varDefs.push({ name: e.name, expr: e.value, source: "policy local variables", span: e.span });
    }
    const varSet = resolveVariables(varDefs, constMap, p.span, this.refs, this.bag);
    const m: Module = { id, constants: constMap, variables: varSet, allowRuntime };
    this.modules.set(id, m);
    this.used.set(m, new Set());
    return m;
  }

  /** Every definition of an imported derived-roles set, compiled once (all are checked, like Cerbos). */
  derivedRoleSet(p: Policy, body: DerivedRolesPolicy): Map<string, LinkedDerivedRole> {
    const fqn = derivedRolesFqn(body.name);
    const cached = this.derived.get(fqn);
    if (cached) return cached;
    const mod = this.module(p, body.constants, body.variables, true);
    const out = new Map<string, LinkedDerivedRole>();
    for (const def of body.definitions) {
      const condition = def.condition;
      const usedVars = usedVariables(conditionExprs(condition), mod.variables, mod.constants, this.refs, this.bag);
      out.set(def.name, {
        key: `${fqn}#${def.name}`,
        name: def.name,
        setName: body.name,
        setFqn: fqn,
        def,
        parentRoles: roleList(def.parentRoles),
        condition,
        module: mod,
        usedVars,
      });
    }
    this.derived.set(fqn, out);
    return out;
  }

  resource(p: Policy, b: ResourcePolicy): LinkedResourcePolicy {
    // derived roles: name → the sets that export it
    const exporters = new Map<string, LinkedDerivedRole[]>();
    for (const imp of b.importDerivedRoles) {
      const dp = this.reg.byFqn.get(derivedRolesFqn(imp.name));
      if (!dp || dp.body.kind !== "derivedRoles") continue; // reported by the registry
      for (const [name, dr] of this.derivedRoleSet(dp, dp.body)) {
        const list = exporters.get(name) ?? [];
        if (!list.some((x) => x.key === dr.key)) list.push(dr);
        exporters.set(name, list);
      }
    }

    const mod = this.module(p, b.constants, b.variables, true);
    const derivedRoles = new Map<string, LinkedDerivedRole>();
    const rules: LinkedResourceRule[] = [];
    const exprs: CelSource[] = [];
    b.rules.forEach((rule, i) => {
      const name = resourceRuleName(rule.name, i);
      for (const ref of rule.derivedRoles) {
        const found = exporters.get(ref.value);
        if (!found) {
          this.bag.error("VD2005", ref.span, `derived role \`${ref.value}\` is not defined in any imports`);
        } else if (found.length > 1) {
          this.bag.error(
            "VD2006",
            ref.span,
            `derived role \`${ref.value}\` is defined in more than one import: ${found.map((f) => `\`${f.setName}\``).join(", ")}`,
          );
        } else if (!derivedRoles.has(ref.value)) {
          derivedRoles.set(ref.value, found[0]);
          this.referencedDerived.add(found[0].key);
          this.markUsed(found[0].module, found[0].usedVars);
        }
      }
      exprs.push(...conditionExprs(rule.condition), ...outputExprs(rule.output));
      rules.push({
        rule,
        name,
        actions: uniq(rule.actions.map((a) => a.value)),
        roles: roleList(rule.roles),
        derivedRoles: uniq(rule.derivedRoles.map((d) => d.value)),
      });
    });
    const usedVars = usedVariables(exprs, mod.variables, mod.constants, this.refs, this.bag);
    this.markUsed(mod, usedVars);
    return {
      kind: "resource",
      policy: p,
      body: b,
      fqn: policyFqn(p),
      resource: sanitize(b.resource),
      version: b.version,
      scope: b.scope,
      parentalConsent: b.scopePermissions === "SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS",
      rules,
      module: mod,
      usedVars,
      derivedRoles,
    };
  }

  principal(p: Policy, b: PrincipalPolicy): LinkedPrincipalPolicy {
    const mod = this.module(p, b.constants, b.variables, false);
    const rules: LinkedPrincipalRule[] = [];
    const exprs: CelSource[] = [];
    for (const rr of b.rules) {
      rr.actions.forEach((rule, i) => {
        exprs.push(...conditionExprs(rule.condition), ...outputExprs(rule.output));
        rules.push({ rule, resource: rr.resource, name: principalRuleName(rule.name, rr.resource, i) });
      });
    }
    const usedVars = usedVariables(exprs, mod.variables, mod.constants, this.refs, this.bag);
    this.markUsed(mod, usedVars);
    return {
      kind: "principal",
      policy: p,
      body: b,
      fqn: policyFqn(p),
      principal: b.principal,
      version: b.version,
      scope: b.scope,
      parentalConsent: b.scopePermissions === "SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS",
      rules,
      module: mod,
      usedVars,
    };
  }

  role(p: Policy, b: RolePolicy): LinkedRolePolicy {
    const mod = this.module(p, b.constants, b.variables, false);
    // Cerbos groups role-policy rules by resource; the rule id restarts at 0 for each resource.
    const byResource = new Map<string, RolePolicyRule[]>();
    for (const r of b.rules) {
      const list = byResource.get(r.resource) ?? [];
      list.push(r);
      byResource.set(r.resource, list);
    }
    const rules: LinkedRoleRule[] = [];
    const exprs: CelSource[] = [];
    for (const [resource, list] of byResource) {
      list.forEach((rule, idx) => {
        exprs.push(...conditionExprs(rule.condition), ...outputExprs(rule.output));
        rules.push({ rule, resource, idx, name: rule.name ?? "", allowActions: uniq(rule.allowActions.map((a) => a.value)) });
      });
    }
    const usedVars = usedVariables(exprs, mod.variables, mod.constants, this.refs, this.bag);
    this.markUsed(mod, usedVars);
    return {
      kind: "role",
      policy: p,
      body: b,
      fqn: policyFqn(p),
      role: b.role,
      version: b.version === "" ? "default" : b.version,
      scope: b.scope,
      parentRoles: uniq(b.parentRoles.map((r) => r.value)),
      rules,
      module: mod,
      usedVars,
    };
  }

  /** Variables and derived-role conditions Cerbos compiles but the ruleset does not need. */
  unused(): Array<{ expr: CelSource; module: Module }> {
    const out: Array<{ expr: CelSource; module: Module }> = [];
    for (const m of this.modules.values()) {
      const used = this.used.get(m) ?? new Set();
      for (const [name, def] of m.variables.defs) if (!used.has(name)) out.push({ expr: def.expr, module: m });
    }
    for (const set of this.derived.values()) {
      for (const dr of set.values()) {
        if (this.referencedDerived.has(dr.key)) continue;
        for (const e of conditionExprs(dr.condition)) out.push({ expr: e, module: dr.module });
      }
    }
    return out;
  }
}

/** Links all parsed policies. Executable policies come back in Cerbos's store walk order. */
export function link(all: Policy[], refs: ReferencedNames, bag: DiagnosticBag): LinkResult {
  const reg = buildRegistry(all, bag);
  const linker = new Linker(reg, refs, bag);
  const policies: LinkedPolicy[] = [];
  for (const p of reg.policies) {
    const b = p.body;
    if (b.kind === "resource") policies.push(linker.resource(p, b));
    else if (b.kind === "principal") policies.push(linker.principal(p, b));
    else if (b.kind === "role") policies.push(linker.role(p, b));
  }
  return { policies, unusedExprs: linker.unused() };
}

export { policyKeyFromFqn };
