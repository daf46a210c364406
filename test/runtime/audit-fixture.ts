// A small policy set for the audit tests: a derived role, an output, and a condition that fails
// to evaluate (so entries carry effectiveDerivedRoles, outputs and evaluationErrors).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const DERIVED = `apiVersion: api.cerbos.dev/v1
derivedRoles:
  name: doc_roles
  definitions:
    - name: owner
      parentRoles: [user]
      condition:
        match:
          expr: R.attr.owner == P.id
`;

export function docPolicy(readRole = "user"): string {
  return `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: doc
  version: default
  importDerivedRoles: [doc_roles]
  rules:
    - actions: [read]
      effect: EFFECT_ALLOW
      roles: [${readRole}]
      output:
        when:
          ruleActivated: '"read-by-" + P.id'
    - actions: [edit]
      effect: EFFECT_ALLOW
      derivedRoles: [owner]
    - actions: [share]
      effect: EFFECT_ALLOW
      roles: [user]
      condition:
        match:
          expr: R.attr.missing.flag == true
`;
}

/** Writes the policies into `dir` (or a fresh temp dir) and returns it. */
export function writeDocPolicies(dir = mkdtempSync(join(tmpdir(), "verdict-audit-")), readRole = "user"): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "derived.yaml"), DERIVED);
  writeFileSync(join(dir, "doc.yaml"), docPolicy(readRole));
  return dir;
}

export const REQUEST = {
  requestId: "r-1",
  principal: { id: "alice", roles: ["user"], attr: { dept: "eng" } },
  resources: [
    { resource: { kind: "doc", id: "d1", attr: { owner: "alice" } }, actions: ["read", "edit", "share"] },
    { resource: { kind: "doc", id: "d2", attr: { owner: "bob" } }, actions: ["edit"] },
  ],
};
