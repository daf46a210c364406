import { describe, expect, it } from "vitest";
import { check, effects, pdp } from "./decide-helpers.ts";

const rp = (scope: string, body: string, perms = "") => `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: doc
  version: default
  scope: "${scope}"
${perms ? `  scopePermissions: ${perms}\n` : ""}  rules:
${body}`;

const files = {
  "root.yaml": rp("", `    - actions: [view, edit]
      effect: EFFECT_ALLOW
      roles: [user]
`),
  "acme.yaml": rp("acme", `    - actions: [edit]
      effect: EFFECT_DENY
      roles: [user]
`),
  "acme_hr.yaml": rp("acme.hr", `    - actions: [view]
      effect: EFFECT_ALLOW
      roles: [user]
      condition:
        match:
          expr: R.attr.public == true
`, "SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS"),
};

describe("decide: scopes", () => {
  const strict = pdp(files);
  const lenient = pdp(files, { lenientScopeSearch: true });

  it("walks the chain from the requested scope upwards; a DENY at a nearer scope wins", () => {
    const out = check(strict, { actions: ["view", "edit"], resource: { scope: "acme" } });
    expect(effects(out)).toEqual({ view: "ALLOW resource.doc.vdefault/acme", edit: "DENY resource.doc.vdefault/acme @acme" });
  });

  it("parental consent: a failing ALLOW condition is a DENY, a passing one needs the parent's ALLOW", () => {
    const no = check(strict, { actions: ["view"], resource: { scope: "acme.hr", attr: { public: false } } });
    expect(effects(no)).toEqual({ view: "DENY resource.doc.vdefault/acme.hr @acme.hr" });
    const yes = check(strict, { actions: ["view"], resource: { scope: "acme.hr", attr: { public: true } } });
    expect(effects(yes)).toEqual({ view: "ALLOW resource.doc.vdefault/acme.hr" });
  });

  it("strict scope search: an unknown scope is NO_MATCH; lenient search falls back to the nearest", () => {
    expect(effects(check(strict, { actions: ["edit"], resource: { scope: "acme.zzz" } }))).toEqual({ edit: "DENY NO_MATCH" });
    expect(effects(check(lenient, { actions: ["edit"], resource: { scope: "acme.zzz" } }))).toEqual({
      edit: "DENY resource.doc.vdefault/acme @acme",
    });
  });

  it("a leading '.' in the scope means the same scope, and the default scope applies when empty", () => {
    expect(effects(check(strict, { actions: ["edit"], resource: { scope: ".acme" } }))).toEqual({
      edit: "DENY resource.doc.vdefault/acme @acme",
    });
    const scoped = pdp(files, { defaultScope: "acme" });
    expect(effects(check(scoped, { actions: ["edit"] }))).toEqual({ edit: "DENY resource.doc.vdefault/acme @acme" });
  });

  it("a policy version that does not exist is NO_MATCH; the default version is configurable", () => {
    expect(effects(check(strict, { actions: ["view"], resource: { policyVersion: "v2" } }))).toEqual({ view: "DENY NO_MATCH" });
    const v2 = pdp(files, { defaultPolicyVersion: "v2" });
    expect(effects(check(v2, { actions: ["view"] }))).toEqual({ view: "DENY NO_MATCH" });
  });
});
