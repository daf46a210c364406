// Pdp.isAllowed's fast path (host/common/fast-allowed.ts + Engine.allowed) must decide exactly as
// the general path (checkInputs) and leave every unusual or invalid shape to it, so errors and
// messages are unchanged. Speed is measured only by `npm run bench` (docs/performance.md).
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Pdp, RequestValidationError } from "../../host/node/index.ts";
import { plainAllowedQuery } from "../../host/common/fast-allowed.ts";

const dir = join(fileURLToPath(new URL("../../examples/expenses", import.meta.url)));
const pdp = Pdp.fromPolicyDir(dir);
const general = (q: Parameters<Pdp["isAllowed"]>[0]): boolean =>
  pdp.checkInputs([{ principal: q.principal, resource: q.resource, actions: [q.action] }])[0]!.actions[q.action]!.effect === "EFFECT_ALLOW";

describe("isAllowed fast path", () => {
  it("agrees with checkInputs on every role × action × ownership × region combination", () => {
    const roleSets = [["admin"], ["user"], ["manager"], ["user", "admin"], ["manager", "user"], ["auditor"]];
    let allowed = 0, n = 0;
    for (const roles of roleSets) for (const action of ["create", "read", "delete", "frobnicate"]) {
      for (const owner of ["sally", "bob"]) for (const region of ["eu", "us"]) {
        const q = {
          principal: { id: "sally", roles, attr: { region: "eu", department: "ops" } },
          resource: { kind: "expense", id: "e1", attr: { ownerId: owner, region, amount: 12.5 } },
          action,
        };
        expect(plainAllowedQuery(q)).toBe(true);
        const got = pdp.isAllowed(q);
        expect(got, JSON.stringify(q)).toBe(general(q));
        allowed += got ? 1 : 0;
        n++;
      }
    }
    expect(n).toBe(96);
    expect(allowed).toBeGreaterThan(20); // both outcomes are exercised
    expect(allowed).toBeLessThan(n);
  });

  it("sends unusual shapes down the general path, with the same decisions", () => {
    const base = { principal: { id: "sally", roles: ["user"] }, resource: { kind: "expense", id: "e1", attr: { ownerId: "sally" } }, action: "read" };
    const variants = [
      { ...base, principal: { ...base.principal, policy_version: "default" } },
      { ...base, resource: { ...base.resource, attr: null } },
      { ...base, principal: { ...base.principal, roles: ["a", "b", "c", "d", "e", "f", "g", "h", "user"] } },
      { ...base, principal: Object.assign(Object.create({ inherited: 1 }), base.principal) },
    ];
    for (const q of variants) {
      expect(plainAllowedQuery(q)).toBe(false);
      expect(pdp.isAllowed(q as never)).toBe(general(q as never));
    }
  });

  it("still refuses invalid requests with the validator's errors", () => {
    const ok = { principal: { id: "sally", roles: ["user"] }, resource: { kind: "expense", id: "e1" }, action: "read" };
    const bad = [
      { ...ok, principal: { ...ok.principal, id: "" } },
      { ...ok, principal: { ...ok.principal, roles: [] } },
      { ...ok, principal: { ...ok.principal, roles: ["user", "user"] } },
      { ...ok, resource: { ...ok.resource, kind: "" } },
      { ...ok, action: "" },
      { ...ok, principal: { ...ok.principal, extra: 1 } },
    ];
    for (const q of bad) {
      expect(plainAllowedQuery(q)).toBe(false);
      expect(() => pdp.isAllowed(q as never)).toThrow(RequestValidationError);
    }
  });

  it("uses the configured clock like the general path (lastCheckReadNow stays meaningful)", () => {
    const q = { principal: { id: "sally", roles: ["admin"] }, resource: { kind: "expense", id: "e1" }, action: "read" };
    expect(pdp.isAllowed(q)).toBe(true);
    expect(pdp.lastCheckReadNow).toBe(false);
  });
});
