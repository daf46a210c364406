// Plan: flatten linked policies into Cerbos's rule table rows (internal/ruletable/ruletable.go:
// addResourcePolicy, addPrincipalPolicy, addRolePolicy) plus the side tables the evaluator needs
// (scopes, parent roles, derived roles per policy, variable sets, condition trees).
import { CondKind, Effect, NONE, PolicyKind, RowFlag, ScopeFlag, ScopePermissions, WellKnown } from "../../spec/format.ts";
import { compileGlob, hasGlobSyntax } from "./glob.ts";
import type { CelSource, Condition, EffectName, Match, Output } from "../model.ts";
import type { RulesetBuilder, RowRecord } from "../encode/tables.ts";
import type {
  LinkedDerivedRole,
  LinkedPolicy,
  LinkedPrincipalPolicy,
  LinkedResourcePolicy,
  LinkedRolePolicy,
  Module,
} from "../link/index.ts";
import { policyKeyFromFqn, sanitize } from "../link/names.ts";

/** compiler/cel's LowerScope. */
export interface LowerScope {
  variables: Map<string, number>;
  constants: Map<string, unknown>;
  allowRuntime: boolean;
}

/** Lowers one CEL expression into the builder; undefined when it failed (already diagnosed). */
export type Lower = (src: CelSource, scope: LowerScope) => number | undefined;

interface VarSetPlan {
  params: number; // PARAMS index or NONE
  scope: LowerScope;
}

const effectOf = (e: EffectName): Effect => (e === "EFFECT_ALLOW" ? Effect.ALLOW : Effect.DENY);
const isGlob = (s: string): boolean => s.includes("*");

export class Planner {
  private varSets = new Map<string, VarSetPlan>();
  private conds = new Map<Condition, number>();
  private negated = new Map<number, number>();
  private evalKeys = new Map<string, number>();
  private exprCache = new Map<CelSource, Map<LowerScope, number>>();
  private drPlans = new Map<string, { condition: number; params: number; parents: number[] }>();
  private scopeFlags = new Map<string, number>();
  private scopePerms = new Map<string, number>();
  private parentRoles = new Map<string, Map<string, string[]>>();

  constructor(
    private b: RulesetBuilder,
    private lower: Lower,
  ) {}

  /** A module's variables used by one consumer: consecutive VARS slots and a PARAMS record. */
  private varSet(mod: Module, used: string[]): VarSetPlan {
    const key = `${mod.id}|${used.join(",")}`;
    const known = this.varSets.get(key);
    if (known) return known;
    const slots = new Map<string, number>();
    const start = this.b.vars.length;
    used.forEach((n, i) => slots.set(n, start + i));
    const scope: LowerScope = { variables: slots, constants: mod.constants, allowRuntime: mod.allowRuntime };
    // Reserve the slots first: lowering a variable may refer to any earlier slot of the set.
    for (const n of used) this.b.vars.push({ name: this.b.intern(n), expr: NONE });
    used.forEach((n, i) => {
      const def = mod.variables.defs.get(n)!;
      this.b.vars[start + i].expr = this.expr(def.expr, scope) ?? NONE;
    });
    let params: number = NONE;
    if (used.length > 0) {
      this.b.params.push({ start, count: used.length });
      params = this.b.params.length - 1;
    }
    const plan = { params, scope };
    this.varSets.set(key, plan);
    return plan;
  }

  private expr(src: CelSource, scope: LowerScope): number | undefined {
    let perScope = this.exprCache.get(src);
    if (!perScope) {
      perScope = new Map();
      this.exprCache.set(src, perScope);
    }
    if (perScope.has(scope)) return perScope.get(scope);
    const idx = this.lower(src, scope);
    if (idx !== undefined) perScope.set(scope, idx);
    return idx;
  }

  private match(m: Match, scope: LowerScope): number {
    if (m.kind === "expr") {
      const e = this.expr(m.expr, scope);
      return e === undefined ? NONE : this.b.condExpr(e);
    }
    const kind = m.kind === "all" ? CondKind.ALL : m.kind === "any" ? CondKind.ANY : CondKind.NONE;
    return this.b.condGroup(kind, m.of.map((x) => this.match(x, scope)));
  }

  private condition(c: Condition | undefined, scope: LowerScope): number {
    if (!c) return NONE;
    const known = this.conds.get(c);
    if (known !== undefined) return known;
    const node = this.match(c.match, scope);
    this.conds.set(c, node);
    return node;
  }

  /** REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS rewrite: ALLOW if c  →  DENY if none(c). */
  private none(node: number): number {
    const known = this.negated.get(node);
    if (known !== undefined) return known;
    const n = this.b.condGroup(CondKind.NONE, [node]);
    this.negated.set(node, n);
    return n;
  }

  private evalKey(tuple: string): number {
    let k = this.evalKeys.get(tuple);
    if (k === undefined) {
      k = this.evalKeys.size;
      this.evalKeys.set(tuple, k);
    }
    return k;
  }

  private output(o: Output | undefined, scope: LowerScope): { activated: number; notMet: number } {
    return {
      activated: o?.ruleActivated ? (this.expr(o.ruleActivated, scope) ?? NONE) : NONE,
      notMet: o?.conditionNotMet ? (this.expr(o.conditionNotMet, scope) ?? NONE) : NONE,
    };
  }

  private row(r: Partial<RowRecord> & Pick<RowRecord, "kind" | "scope" | "version" | "policy" | "evalKey">): void {
    const full: RowRecord = {
      effect: Effect.NO_MATCH,
      scopePermissions: 0,
      flags: 0,
      resource: NONE,
      role: NONE,
      action: NONE,
      principal: NONE,
      condition: NONE,
      drCondition: NONE,
      params: NONE,
      drParams: NONE,
      name: NONE,
      outputSrc: NONE,
      derivedRole: NONE,
      outputActivated: NONE,
      outputNotMet: NONE,
      allowStart: 0,
      allowCount: 0,
      ...r,
    };
    this.b.rows.push(full);
    // Cerbos's scope maps: which kinds have rows in a scope, and one permission per scope. Cerbos
    // keeps whichever explicit permission it indexes last, so when policies of one scope disagree
    // its answer depends on load order; Verdict then applies the stricter one (fail closed).
    const flag = full.kind === PolicyKind.PRINCIPAL ? ScopeFlag.HAS_PRINCIPAL_POLICY : ScopeFlag.HAS_RESOURCE_POLICY;
    const scope = this.scopeText.get(full.scope) ?? "";
    this.scopeFlags.set(scope, (this.scopeFlags.get(scope) ?? 0) | flag);
    const had = this.scopePerms.get(scope);
    if (full.scopePermissions !== 0) {
      const disagree = had !== undefined && had !== full.scopePermissions;
      this.scopePerms.set(scope, disagree ? ScopePermissions.REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS : full.scopePermissions);
    }
  }

  private scopeText = new Map<number, string>();
  private scopeSid(scope: string): number {
    const sid = this.b.intern(scope);
    this.scopeText.set(sid, scope);
    return sid;
  }

  private derivedRole(dr: LinkedDerivedRole): { condition: number; params: number; parents: number[] } {
    const known = this.drPlans.get(dr.key);
    if (known) return known;
    const vs = this.varSet(dr.module, dr.usedVars);
    const plan = {
      condition: this.condition(dr.condition, vs.scope),
      params: vs.params,
      parents: dr.parentRoles.map((r) => this.b.intern(r)),
    };
    this.drPlans.set(dr.key, plan);
    return plan;
  }

  /** The fields every row of a resource or principal policy shares; a policy without rules gets
   *  a NOOP row so it still exists in its scope (Cerbos's ruletable does the same). */
  private policyRows<T extends Partial<RowRecord> & Pick<RowRecord, "version" | "scope">>(
    p: LinkedResourcePolicy | LinkedPrincipalPolicy,
    kind: PolicyKind,
    fields: T,
  ) {
    const common = {
      kind,
      ...fields,
      scopePermissions: p.parentalConsent
        ? ScopePermissions.REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS
        : ScopePermissions.OVERRIDE_PARENT,
      policy: this.b.intern(policyKeyFromFqn(p.fqn)),
    };
    if (p.rules.length === 0) {
      this.row({ ...common, flags: RowFlag.NOOP, evalKey: this.evalKey(`noop|${p.fqn}`) });
    }
    return common;
  }

  /** A rule's condition and effect, with the parental-consent rewrite: under
   *  REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS a conditional ALLOW becomes DENY if none(condition). */
  private ruleCondition(
    p: LinkedResourcePolicy | LinkedPrincipalPolicy,
    rule: { condition?: Condition; effect: EffectName },
    scope: LowerScope,
  ): { condition: number; effect: Effect } {
    const condition = this.condition(rule.condition, scope);
    const effect = effectOf(rule.effect);
    if (p.parentalConsent && effect === Effect.ALLOW && condition !== NONE) return { condition: this.none(condition), effect: Effect.DENY };
    return { condition, effect };
  }

  resource(p: LinkedResourcePolicy): void {
    const b = this.b;
    const vs = this.varSet(p.module, p.usedVars);
    const key = policyKeyFromFqn(p.fqn);
    const common = this.policyRows(p, PolicyKind.RESOURCE, {
      version: b.intern(p.version),
      resource: b.intern(p.resource),
      scope: this.scopeSid(p.scope),
    });
    for (const dr of p.derivedRoles.values()) {
      const plan = this.derivedRole(dr);
      b.droles.push({
        resource: common.resource,
        version: common.version,
        scope: common.scope,
        name: b.intern(dr.name),
        parentsStart: b.list(plan.parents),
        parentsCount: plan.parents.length,
        condition: plan.condition,
        params: plan.params,
      });
    }
    for (const rule of p.rules) {
      const { condition, effect } = this.ruleCondition(p, rule.rule, vs.scope);
      const out = this.output(rule.rule.output, vs.scope);
      const perRule = {
        ...common,
        effect,
        condition,
        params: vs.params,
        name: b.intern(rule.name),
        outputSrc: b.intern(`${key}#${rule.name}`),
        outputActivated: out.activated,
        outputNotMet: out.notMet,
      };
      const ruleKey = this.evalKey(`R|${p.resource}|${p.version}|${p.scope}|${rule.name}`);
      for (const action of rule.actions) {
        const actionFlags = isGlob(action) ? RowFlag.ACTION_GLOB : 0;
        if (actionFlags) this.glob(action);
        for (const role of rule.roles) {
          this.row({
            ...perRule,
            role: b.intern(role),
            action: b.intern(action),
            flags: actionFlags | (role === "*" ? RowFlag.ROLE_ANY : 0),
            evalKey: ruleKey,
          });
        }
        for (const drName of rule.derivedRoles) {
          const dr = p.derivedRoles.get(drName);
          if (!dr) continue; // unknown/ambiguous: already an error
          const plan = this.derivedRole(dr);
          const drKey = this.evalKey(`D|${p.resource}|${drName}|${p.version}|${p.scope}|${rule.name}`);
          for (const parent of dr.parentRoles) {
            this.row({
              ...perRule,
              role: b.intern(parent),
              action: b.intern(action),
              flags: actionFlags | (parent === "*" ? RowFlag.ROLE_ANY : 0),
              drCondition: plan.condition,
              drParams: plan.params,
              derivedRole: b.intern(drName),
              evalKey: drKey,
            });
          }
        }
      }
    }
  }

  principal(p: LinkedPrincipalPolicy): void {
    const b = this.b;
    const vs = this.varSet(p.module, p.usedVars);
    const key = policyKeyFromFqn(p.fqn);
    const common = this.policyRows(p, PolicyKind.PRINCIPAL, {
      version: b.intern(p.version),
      scope: this.scopeSid(p.scope),
      principal: b.intern(p.principal),
    });
    for (const r of p.rules) {
      const { condition, effect } = this.ruleCondition(p, r.rule, vs.scope);
      const out = this.output(r.rule.output, vs.scope);
      const resource = sanitize(r.resource);
      this.row({
        ...common,
        effect,
        condition,
        params: vs.params,
        resource: isGlob(resource) ? this.glob(resource) : b.intern(resource),
        role: b.intern("*"),
        action: isGlob(r.rule.action) ? this.glob(r.rule.action) : b.intern(r.rule.action),
        flags: RowFlag.ROLE_ANY | (isGlob(r.rule.action) ? RowFlag.ACTION_GLOB : 0) | (isGlob(resource) ? RowFlag.RESOURCE_GLOB : 0),
        name: b.intern(r.name),
        outputSrc: b.intern(`${key}#${r.name}`),
        outputActivated: out.activated,
        outputNotMet: out.notMet,
        evalKey: this.evalKey(`P|${p.principal}|${p.version}|${p.scope}|${r.name}`),
      });
    }
  }

  role(p: LinkedRolePolicy): void {
    const b = this.b;
    const vs = this.varSet(p.module, p.usedVars);
    const key = policyKeyFromFqn(p.fqn);
    for (const r of p.rules) {
      const out = this.output(r.rule.output, vs.scope);
      // Role policies glob-match every allow action; plain text needs only the sid comparison.
      const allow = r.allowActions.map((a) => (hasGlobSyntax(a) ? this.glob(a) : b.intern(a)));
      this.row({
        kind: PolicyKind.RESOURCE,
        version: b.intern(p.version),
        scope: this.scopeSid(p.scope),
        policy: b.intern(key),
        resource: isGlob(r.resource) ? this.glob(r.resource) : b.intern(r.resource),
        role: b.intern(p.role),
        flags: RowFlag.FROM_ROLE_POLICY | (isGlob(r.resource) ? RowFlag.RESOURCE_GLOB : 0),
        condition: this.condition(r.rule.condition, vs.scope),
        params: vs.params,
        name: b.intern(r.name),
        outputSrc: b.intern(`${key}#${r.name}`),
        outputActivated: out.activated,
        outputNotMet: out.notMet,
        allowStart: b.list(allow),
        allowCount: allow.length,
        // Cerbos's key leaves the resource out and restarts the id per resource (kept on purpose).
        evalKey: this.evalKey(`O|${p.role}|${p.version}|${p.scope}|${r.idx}`),
      });
    }
    // Later definitions of the same role in a scope replace earlier ones, as in Cerbos's map.
    const perScope = this.parentRoles.get(p.scope) ?? new Map<string, string[]>();
    perScope.set(p.role, p.parentRoles);
    this.parentRoles.set(p.scope, perScope);
  }

  /** SCOPES and PARENT_ROLES, sorted for determinism. */
  /** Interns a glob pattern and records its regex program in GLOBS ("*" needs none). */
  private glob(pattern: string): number {
    const b = this.b;
    const sid = b.intern(pattern);
    if (sid !== WellKnown.STAR && !b.globs.has(sid)) {
      b.globs.set(sid, b.constant({ regex: { pattern, program: compileGlob(pattern).bytes } }));
    }
    return sid;
  }

  finish(): void {
    const b = this.b;
    for (const scope of [...this.scopeFlags.keys()].sort()) {
      b.scopes.push({ scope: b.intern(scope), flags: this.scopeFlags.get(scope)!, permissions: this.scopePerms.get(scope) ?? 0 });
    }
    for (const scope of [...this.parentRoles.keys()].sort()) {
      const roles = this.parentRoles.get(scope)!;
      for (const role of [...roles.keys()].sort()) {
        // transitive closure within the scope (Cerbos's collectParentRoles)
        const seen = new Set<string>([role]);
        const parents = new Set<string>();
        const walk = (r: string): void => {
          for (const pr of roles.get(r) ?? []) {
            parents.add(pr);
            if (!seen.has(pr)) {
              seen.add(pr);
              walk(pr);
            }
          }
        };
        walk(role);
        const list = [...parents].sort().map((x) => b.intern(x));
        b.proles.push({ scope: b.intern(scope), role: b.intern(role), parentsStart: b.list(list), parentsCount: list.length });
      }
    }
  }
}

/** Plans every linked policy into `builder`, in the given (store walk) order. */
export function plan(policies: LinkedPolicy[], builder: RulesetBuilder, lower: Lower): void {
  const planner = new Planner(builder, lower);
  for (const p of policies) {
    if (p.kind === "resource") planner.resource(p);
    else if (p.kind === "principal") planner.principal(p);
    else planner.role(p);
  }
  planner.finish();
}
