import { describe, expect, it } from "vitest";
import { check, effects, pdp } from "./decide-helpers.ts";

const doc = `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: doc
  version: default
  rules:
    - actions: [view]
      effect: EFFECT_ALLOW
      roles: [user]
    - actions: [edit]
      effect: EFFECT_ALLOW
      roles: [user]
      condition:
        match:
          expr: R.attr.owner == P.id
      output:
        when:
          ruleActivated: '"owner:" + P.id'
          conditionNotMet: '"not-owner"'
    - actions: ["*"]
      effect: EFFECT_DENY
      roles: [banned]
`;

describe("decide: one resource policy", () => {
  const p = pdp({ "doc.yaml": doc });

  it("allows a role's action and falls back to DENY with the policy key", () => {
    const out = check(p, { actions: ["view", "delete"], resource: { attr: {} } });
    expect(effects(out)).toEqual({ view: "ALLOW resource.doc.vdefault", delete: "DENY resource.doc.vdefault" });
  });

  it("evaluates conditions and emits the matching output", () => {
    const mine = check(p, { actions: ["edit"], resource: { attr: { owner: "u1" } } });
    expect(effects(mine)).toEqual({ edit: "ALLOW resource.doc.vdefault" });
    expect(mine.outputs).toEqual([{ src: "resource.doc.vdefault#rule-002", val: "owner:u1", action: "edit" }]);
    const theirs = check(p, { actions: ["edit"], resource: { attr: { owner: "u2" } } });
    expect(effects(theirs)).toEqual({ edit: "DENY resource.doc.vdefault" });
    expect(theirs.outputs).toEqual([{ src: "resource.doc.vdefault#rule-002", val: "not-owner", action: "edit" }]);
  });

  it("a wildcard DENY for one role does not beat another role's ALLOW", () => {
    const out = check(p, { actions: ["view"], principal: { roles: ["banned", "user"] } });
    expect(effects(out)).toEqual({ view: "ALLOW resource.doc.vdefault" });
    const only = check(p, { actions: ["view"], principal: { roles: ["banned"] } });
    expect(effects(only)).toEqual({ view: "DENY resource.doc.vdefault" });
  });

  it("an unknown kind is NO_MATCH", () => {
    const out = check(p, { actions: ["view"], resource: { kind: "other" } });
    expect(effects(out)).toEqual({ view: "DENY NO_MATCH" });
  });

  it("a missing attribute is an evaluation error and the condition is false", () => {
    const out = check(p, { actions: ["edit"], resource: { attr: {} } });
    expect(effects(out)).toEqual({ edit: "DENY resource.doc.vdefault" });
    expect(out.evaluationErrors?.[0]?.celError.expression).toBe("R.attr.owner == P.id");
    expect(out.evaluationErrors?.[0]?.celError.message).toContain("owner");
  });
});
