// Ruleset slicing: keep only what one tenant's bundle needs, before linking and planning, so
// nothing about the removed kinds, scopes or roles is ever interned into STRINGS.
//
// Guarantee (test/hardening/slice.test.ts): for requests whose resource kind and scope are kept
// and whose principal holds only kept roles, the sliced ruleset decides exactly as the full one;
// other kinds are denied (no policy exists for them any more). Globs in principal and role policy
// rules are expanded into one literal rule per kept kind they match — a kept `*` would otherwise
// still match removed kinds.
import { matchesGlob } from "../link/glob.ts";
import { principalRuleName } from "../link/names.ts";
import type { Policy, PolicyBody, PrincipalPolicy, ResourcePolicy, RolePolicy } from "../model.ts";
import { stripNames } from "./strip.ts";

export interface SliceOptions {
  /** Resource kinds to keep (exact names, as in `resourcePolicy.resource`). */
  resources?: string[];
  /** Scopes to keep: each listed scope with its ancestors (the scope chain) and descendants. */
  scopes?: string[];
  /** Roles to keep (closed over role-policy parent roles); `*` rules always stay. */
  roles?: string[];
  /** Replace rule and import names with opaque ones and drop descriptions (sources: stripSources). */
  strip?: boolean;
}

const isGlob = (s: string): boolean => /[*?[\]{}]/.test(s);

export function slicePolicies(policies: Policy[], o: SliceOptions): Policy[] {
  let out = policies.map((p) => ({ ...p, body: { ...p.body } as PolicyBody }));
  if (o.scopes) out = out.filter((p) => !("scope" in p.body) || scopeKept(p.body.scope, o.scopes!));
  if (o.resources) out = sliceKinds(out, new Set(o.resources));
  if (o.roles) out = sliceRoles(out, roleClosure(out, o.roles));
  if (o.strip) out = stripNames(out);
  return out;
}

/** A scope stays when it is a listed scope, one of its ancestors (decisions walk up the chain) or a descendant. */
export function scopeKept(scope: string, keep: string[]): boolean {
  return keep.some((k) => k === scope || scope === "" || k.startsWith(`${scope}.`) || scope.startsWith(`${k}.`));
}

function sliceKinds(policies: Policy[], kinds: Set<string>): Policy[] {
  const kept = [...kinds];
  const expand = (resource: string): string[] =>
    isGlob(resource) ? kept.filter((k) => matchesGlob(resource, k)) : kinds.has(resource) ? [resource] : [];
  const out: Policy[] = [];
  for (const p of policies) {
    const b = p.body;
    if (b.kind === "resource") {
      if (kinds.has(b.resource)) out.push(p);
      continue;
    }
    if (b.kind === "principal") {
      // Emptied principal policies stay (with no rules): their existence shapes scope chains.
      const rules = b.rules.flatMap((r) =>
        expand(r.resource).map((k) => ({
          ...r,
          resource: k,
          // Keep the name the full ruleset reports: the default one embeds the rule's resource.
          actions: r.actions.map((a) => ({ ...a, name: principalRuleName(a.name, r.resource, a.index) })),
        })),
      );
      out.push({ ...p, body: { ...b, rules } satisfies PrincipalPolicy });
      continue;
    }
    if (b.kind === "role") {
      // A role policy denies kinds it has no rule for, so an emptied one still matters: keep it.
      const rules = b.rules.flatMap((r) => expand(r.resource).map((k) => ({ ...r, resource: k })));
      out.push({ ...p, body: { ...b, rules } satisfies RolePolicy });
      continue;
    }
    out.push(p);
  }
  return out;
}

/** Kept roles plus, transitively, the parent roles their role policies grant. */
function roleClosure(policies: Policy[], roles: string[]): Set<string> {
  const set = new Set(roles);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of policies) {
      if (p.body.kind !== "role" || !set.has(p.body.role)) continue;
      for (const r of p.body.parentRoles) if (!set.has(r.value)) (set.add(r.value), (grew = true));
    }
  }
  return set;
}

function sliceRoles(policies: Policy[], roles: Set<string>): Policy[] {
  const keepRole = (r: string): boolean => r === "*" || roles.has(r);
  // Derived roles that a kept-role principal can activate: some parent role survives.
  const usable = new Set<string>();
  for (const p of policies) {
    if (p.body.kind !== "derivedRoles") continue;
    for (const d of p.body.definitions) if (d.parentRoles.some((r) => keepRole(r.value))) usable.add(d.name);
  }
  const out: Policy[] = [];
  for (const p of policies) {
    const b = p.body;
    if (b.kind === "role") {
      if (roles.has(b.role)) out.push(p);
    } else if (b.kind === "derivedRoles") {
      const definitions = b.definitions
        .map((d) => ({ ...d, parentRoles: d.parentRoles.filter((r) => keepRole(r.value)) }))
        .filter((d) => d.parentRoles.length > 0);
      out.push({ ...p, body: { ...b, definitions } });
    } else if (b.kind === "resource") {
      const rules = b.rules
        .map((r) => ({ ...r, roles: r.roles.filter((x) => keepRole(x.value)), derivedRoles: r.derivedRoles.filter((x) => usable.has(x.value)) }))
        .filter((r) => r.roles.length > 0 || r.derivedRoles.length > 0);
      out.push({ ...p, body: { ...b, rules } satisfies ResourcePolicy });
    } else {
      out.push(p);
    }
  }
  return out;
}
