// The policy registry: what Cerbos's storage index checks before compiling anything — duplicate
// definitions, missing imports, missing ancestor scopes and same-scope scopePermissions conflicts
// (internal/storage/index/builder.go). Disabled policies are left out of the registry entirely,
// so a disabled ancestor is reported as a missing one, exactly as Cerbos does.
import type { DiagnosticBag } from "../diagnostics.ts";
import type { Policy } from "../model.ts";
import { matchesGlob } from "./glob.ts";
import {
  derivedRolesFqn,
  exportConstantsFqn,
  exportVariablesFqn,
  policyKeyFromFqn,
  principalPolicyFqn,
  resourcePolicyFqn,
  rolePolicyFqn,
  sanitize,
  scopeParents,
} from "./names.ts";

export function policyFqn(p: Policy): string {
  const b = p.body;
  switch (b.kind) {
    case "resource":
      return resourcePolicyFqn(b.resource, b.version, b.scope);
    case "principal":
      return principalPolicyFqn(b.principal, b.version, b.scope);
    case "role":
      return rolePolicyFqn(b.role, b.version, b.scope);
    case "derivedRoles":
      return derivedRolesFqn(b.name);
    case "exportVariables":
      return exportVariablesFqn(b.name);
    case "exportConstants":
      return exportConstantsFqn(b.name);
  }
}

function policyScope(p: Policy): string {
  const b = p.body;
  return b.kind === "resource" || b.kind === "principal" || b.kind === "role" ? b.scope : "";
}

/** Cerbos walks the store with fs.WalkDir: entries sorted by name within each directory. */
export function walkOrder(a: Policy, b: Policy): number {
  const pa = a.file.split("/");
  const pb = b.file.split("/");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) {
      // a directory and a file with the same prefix: compare just the names, like ReadDir does
      return pa[i] < pb[i] ? -1 : 1;
    }
  }
  return pa.length - pb.length || a.document - b.document;
}

export interface Registry {
  /** enabled policies in walk order */
  policies: Policy[];
  byFqn: Map<string, Policy>;
}

export function buildRegistry(all: Policy[], bag: DiagnosticBag): Registry {
  const policies: Policy[] = [];
  const byFqn = new Map<string, Policy>();
  // Same-scope scopePermissions: Cerbos records the permission of every policy after the first
  // one seen in a scope (the first only creates the group), and a group of two values conflicts.
  const groups = new Map<string, Set<string>>();
  const conflicting = new Set<string>();
  // Explicit permissions per scope (the first included), for the fail-closed warning below.
  const explicitPerms = new Map<string, string>();
  const disagreeing = new Set<string>();

  for (const p of [...all].sort(walkOrder)) {
    if (p.disabled) continue;
    const fqn = policyFqn(p);
    const other = byFqn.get(fqn);
    if (other) {
      bag.error(
        "VD2001",
        p.span,
        `policy \`${policyKeyFromFqn(fqn)}\` is already defined in ${other.file}`,
      );
      continue;
    }
    byFqn.set(fqn, p);
    policies.push(p);

    const scope = policyScope(p);
    const perm =
      p.body.kind === "resource" || p.body.kind === "principal" ? (p.body.scopePermissions ?? "") : "";
    // Rows of a policy without scopePermissions carry OVERRIDE_PARENT (Cerbos's default).
    const rowPerm = p.body.kind === "resource" || p.body.kind === "principal" ? perm || "SCOPE_PERMISSIONS_OVERRIDE_PARENT" : "";
    if (rowPerm !== "") {
      const seen = explicitPerms.get(scope);
      if (seen === undefined) explicitPerms.set(scope, rowPerm);
      else if (seen !== rowPerm && !disagreeing.has(scope)) {
        disagreeing.add(scope);
        bag.warning(
          "VD2016",
          p.span,
          `policies in scope \`${scope}\` disagree on scopePermissions: Cerbos applies whichever it loads last; Verdict applies SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS there`,
          "give every policy in one scope the same scopePermissions",
        );
      }
    }
    const group = groups.get(scope);
    if (!group) {
      groups.set(scope, new Set());
    } else if (!conflicting.has(scope)) {
      group.add(perm);
      if (group.size > 1) {
        conflicting.add(scope);
        bag.error(
          "VD2013",
          p.span,
          `policies in scope \`${scope}\` have conflicting scopePermissions`,
          "every policy in one scope must use the same scopePermissions",
        );
      }
    }
  }

  const reg: Registry = { policies, byFqn };
  checkImports(reg, bag);
  checkAncestors(reg, bag);
  return reg;
}

function checkImports(reg: Registry, bag: DiagnosticBag): void {
  for (const p of reg.policies) {
    const b = p.body;
    const key = policyKeyFromFqn(policyFqn(p));
    if (b.kind === "resource") {
      for (const imp of b.importDerivedRoles) {
        if (!reg.byFqn.has(derivedRolesFqn(imp.name))) {
          bag.error("VD2002", imp.span, `cannot find derived roles \`${imp.name}\` imported by policy ${key}`);
        }
      }
    }
    if (b.kind === "exportVariables" || b.kind === "exportConstants") continue;
    for (const imp of b.constants.imports) {
      if (!reg.byFqn.has(exportConstantsFqn(imp.name))) {
        bag.error("VD2004", imp.span, `cannot find constants \`${imp.name}\` imported by policy ${key}`);
      }
    }
    for (const imp of b.variables.imports) {
      if (!reg.byFqn.has(exportVariablesFqn(imp.name))) {
        bag.error("VD2003", imp.span, `cannot find variables \`${imp.name}\` imported by policy ${key}`);
      }
    }
  }
}

/**
 * A scoped resource or principal policy needs a policy at every ancestor scope. For resource
 * policies Cerbos accepts a role policy of the same version at the missing scope whose rules
 * cover the resource instead.
 */
function checkAncestors(reg: Registry, bag: DiagnosticBag): void {
  const roleCoverage: Array<{ resource: string; scope: string; version: string }> = [];
  for (const p of reg.policies) {
    if (p.body.kind !== "role") continue;
    for (const r of p.body.rules) {
      // Cerbos's policy wrapper defaults an empty role-policy version to "default"
      roleCoverage.push({ resource: r.resource, scope: p.body.scope, version: p.body.version || "default" });
    }
  }
  for (const p of reg.policies) {
    const b = p.body;
    if ((b.kind !== "resource" && b.kind !== "principal") || b.scope === "") continue;
    for (const s of scopeParents(b.scope)) {
      const fqn =
        b.kind === "resource" ? resourcePolicyFqn(b.resource, b.version, s) : principalPolicyFqn(b.principal, b.version, s);
      if (reg.byFqn.has(fqn)) continue;
      if (
        b.kind === "resource" &&
        roleCoverage.some(
          (c) => c.scope === s && sanitize(c.version) === sanitize(b.version) && matchesGlob(c.resource, b.resource),
        )
      ) {
        continue;
      }
      bag.error(
        "VD2012",
        p.span,
        `missing ancestor policy \`${policyKeyFromFqn(fqn)}\``,
        `a policy with scope \`${b.scope}\` needs a policy at every ancestor scope`,
      );
    }
  }
}
