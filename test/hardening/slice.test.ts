// Acceptance 3: a sliced ruleset decides exactly as the full one for what it keeps, denies the
// rest, and its bytes name nothing it removed.
import { describe, expect, it } from "vitest";
import { compileDirectory, type CompileOptions } from "../../compiler/index.ts";
import type { SliceOptions } from "../../compiler/slice/index.ts";
import { Pdp } from "../../host/node/index.ts";
import type { CheckInput } from "../../host/common/types.ts";
import { requestGrid, TENANTS_DIR } from "./tenants.ts";

function compile(slice?: SliceOptions): Uint8Array {
  const opts: CompileOptions = { integrity: true, slice };
  const { ruleset, diagnostics } = compileDirectory(TENANTS_DIR, opts);
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return ruleset!;
}

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString("latin1");
const full = Pdp.fromRuleset(compile());
const grid = requestGrid();
const decide = (pdp: Pdp, inputs: CheckInput[]) => pdp.checkInputs(inputs);
const effects = (outs: ReturnType<Pdp["checkInputs"]>) => outs.map((o) => Object.fromEntries(Object.entries(o.actions).map(([a, r]) => [a, r.effect])));

describe("ruleset slicing", () => {
  it("the full fixture allows something for every kept kind (so equality below means something)", () => {
    const outs = decide(full, grid);
    for (const kind of ["invoice", "document", "payroll_secret"]) {
      const allowed = outs.filter((o, i) => grid[i]!.resource.kind === kind && Object.values(o.actions).some((a) => a.effect === "EFFECT_ALLOW"));
      expect(allowed.length, kind).toBeGreaterThan(0);
    }
  });

  it("--resources: identical for kept kinds, DENY for removed ones, removed names absent from the bytes", () => {
    const bytes = compile({ resources: ["invoice", "document"] });
    for (const secret of ["payroll_secret", "bob-payroll-peek", "hr_payroll_clerk", "salary_band", "Payroll"]) {
      expect(latin1(bytes).includes(secret), secret).toBe(false);
    }
    const sliced = Pdp.fromRuleset(bytes);
    const kept = grid.filter((r) => r.resource.kind === "invoice" || r.resource.kind === "document");
    expect(decide(sliced, kept)).toEqual(decide(full, kept));
    const removed = grid.filter((r) => r.resource.kind === "payroll_secret" || r.resource.kind === "unknown_kind");
    expect(removed.length).toBeGreaterThan(100);
    for (const o of decide(sliced, removed)) for (const a of Object.values(o.actions)) expect(a.effect).toBe("EFFECT_DENY");
  });

  it("--scopes: identical inside the tenant's scope chain; the other tenant's scope and names are gone", () => {
    const bytes = compile({ scopes: ["acme"] });
    for (const secret of ["globex", "zanzibar"]) expect(latin1(bytes).includes(secret), secret).toBe(false);
    const sliced = Pdp.fromRuleset(bytes);
    const kept = grid.filter((r) => r.resource.scope !== "globex");
    expect(decide(sliced, kept)).toEqual(decide(full, kept));
    // alice: bob's principal policy (root scope) still applies to him everywhere, as in the full set.
    const other = grid.filter((r) => r.resource.scope === "globex" && r.principal.id === "alice" && r.principal.roles.includes("globex_director"));
    expect(other.length).toBeGreaterThan(0);
    for (const o of decide(sliced, other)) expect(o.actions.approve!.effect).toBe("EFFECT_DENY");
  });

  it("--roles: identical for principals holding only kept roles; other roles' rules are gone", () => {
    const bytes = compile({ roles: ["user", "admin"] });
    for (const secret of ["hr_payroll_clerk", "globex_director", "auditor_of_team", "contractor"]) {
      expect(latin1(bytes).includes(secret), secret).toBe(false);
    }
    const sliced = Pdp.fromRuleset(bytes);
    const kept = grid.filter((r) => r.principal.roles.every((x) => x === "user" || x === "admin"));
    expect(kept.length).toBeGreaterThan(100);
    expect(decide(sliced, kept)).toEqual(decide(full, kept));
  });

  it("role-policy parent roles stay with their role (the kept set is closed over them)", () => {
    const sliced = Pdp.fromRuleset(compile({ roles: ["contractor"] }));
    const kept = grid.filter((r) => r.principal.roles.every((x) => x === "contractor"));
    expect(decide(sliced, kept)).toEqual(decide(full, kept));
  });

  it("--strip: same effects, no sources, rule names, import names or descriptions", () => {
    const bytes = compile({ resources: ["invoice", "document"], scopes: ["acme"], strip: true });
    for (const secret of ["invoice-owner-edits", "common_roles", "secret description", "request.resource.attr.amount", "globex"]) {
      expect(latin1(bytes).includes(secret), secret).toBe(false);
    }
    const sliced = Pdp.fromRuleset(bytes);
    const kept = grid.filter((r) => (r.resource.kind === "invoice" || r.resource.kind === "document") && r.resource.scope !== "globex");
    expect(effects(decide(sliced, kept))).toEqual(effects(decide(full, kept)));
  });
});
