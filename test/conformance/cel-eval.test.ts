// Cerbos's single-condition CEL corpus (internal/test/testdata/cel_eval/*.yaml, consumed upstream
// by internal/engine/evaluator_test.go), run end to end: each case's `condition` becomes the
// condition of an ALLOW rule in a resource policy (compiled by compiler/index.ts compilePolicies),
// its `request` is sent through the Node host (Pdp.fromRuleset → checkInputs) with now() fixed at
// 2021-04-22T10:05:20.021-05:00, and the decision must be ALLOW exactly when `want` is true.
// Failures of known cause are listed in cel-spec-skips.ts under "cel_eval/<file>".
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { compilePolicies } from "../../compiler/index.ts";
import { repoRoot } from "../helpers/cel-harness.ts";
import { CEL_SPEC_SKIPS } from "./cel-spec-skips.ts";

const corpus = path.join(
  process.env.VERDICT_CONFORMANCE_DIR ?? path.resolve(repoRoot, "../shared/conformance"),
  "cerbos/internal/test/testdata/cel_eval",
);
const NOW = new Date("2021-04-22T10:05:20.021-05:00");
const ACTION = "check";

interface CelCase {
  condition: unknown;
  request: {
    principal: { id: string; roles: string[]; attr?: Record<string, unknown>; scope?: string; policyVersion?: string };
    resource: { kind: string; id: string; attr?: Record<string, unknown>; scope?: string; policyVersion?: string };
    auxData?: { jwt?: Record<string, unknown> };
  };
  want: boolean;
  wantError?: boolean;
}

interface PdpLike {
  checkInputs(
    inputs: unknown[],
    call?: { now?: Date },
  ): Array<{ actions: Record<string, { effect: string }>; evaluationErrors?: Array<{ celError: { expression: string; message: string } }> }>;
}

/** The resource policy for the case's scope, plus one placeholder policy per ancestor scope
 *  (Cerbos requires the whole chain to exist). Placeholders only cover an unrelated action. */
export function policiesFor(c: CelCase): Array<{ path: string; text: string }> {
  const { kind, scope = "", policyVersion = "default" } = c.request.resource;
  const doc = (s: string, rule: Record<string, unknown>) => ({
    path: `policy_${s || "root"}.yaml`,
    text: stringifyYaml({
      apiVersion: "api.cerbos.dev/v1",
      resourcePolicy: { version: policyVersion, resource: kind, ...(s ? { scope: s } : {}), rules: [rule] },
    }),
  });
  const files = [doc(scope, { actions: [ACTION], effect: "EFFECT_ALLOW", roles: ["*"], condition: { match: c.condition } })];
  const parts = scope ? scope.split(".") : [];
  for (let n = parts.length - 1; n >= 0; n--) {
    files.push(doc(parts.slice(0, n).join("."), { actions: ["cel_eval_placeholder"], effect: "EFFECT_ALLOW", roles: ["*"] }));
  }
  return files;
}

function leaves(m: unknown): string[] {
  if (!m || typeof m !== "object") return [];
  const o = m as Record<string, unknown>;
  if (typeof o.expr === "string") return [o.expr.trim()];
  const group = (o.all ?? o.any ?? o.none) as { of?: unknown[] } | undefined;
  return (group?.of ?? []).flatMap(leaves);
}

/** Diagnostics for a failing case: every leaf expression as a condition of its own. */
async function leafReport(c: CelCase): Promise<string[]> {
  const { Pdp } = (await import("../../host/node/index.ts")) as unknown as { Pdp: { fromRuleset(b: Uint8Array): PdpLike } };
  return leaves(c.condition).map((expr) => {
    const r = compilePolicies(policiesFor({ ...c, condition: { expr } }));
    if (!r.ruleset) return `    ${expr} → compile error: ${r.diagnostics.map((d) => d.message).join("; ")}`;
    const [out] = Pdp.fromRuleset(r.ruleset).checkInputs(
      [{ principal: c.request.principal, resource: c.request.resource, actions: [ACTION], ...(c.request.auxData ? { auxData: c.request.auxData } : {}) }],
      { now: NOW },
    );
    const errs = (out!.evaluationErrors ?? []).map((e) => e.celError.message);
    return `    ${expr} → ${out!.actions[ACTION]?.effect === "EFFECT_ALLOW" ? "true" : "false"}${errs.length ? ` (error: ${errs.join("; ")})` : ""}`;
  });
}

const files = existsSync(corpus) ? readdirSync(corpus).filter((f) => f.endsWith(".yaml")).sort() : [];

describe("Cerbos cel_eval corpus through compiler + Node host", () => {
  it("finds the corpus", () => {
    expect(files.length, `no cel_eval cases under ${corpus} (set VERDICT_CONFORMANCE_DIR)`).toBeGreaterThanOrEqual(17);
  });

  it("every cel_eval skip entry names a corpus file", () => {
    const stale = Object.keys(CEL_SPEC_SKIPS).filter((k) => k.startsWith("cel_eval/") && !files.includes(k.slice("cel_eval/".length)));
    expect(stale).toEqual([]);
  });

  let Pdp: { fromRuleset(b: Uint8Array, opts?: Record<string, unknown>): PdpLike } | undefined;
  const loadPdp = async () => {
    if (!Pdp) Pdp = ((await import("../../host/node/index.ts")) as unknown as { Pdp: NonNullable<typeof Pdp> }).Pdp;
    return Pdp;
  };

  for (const file of files) {
    const key = `cel_eval/${file}`;
    const skip = Object.hasOwn(CEL_SPEC_SKIPS, key) ? CEL_SPEC_SKIPS[key] : undefined;
    it(`${file}${skip ? ` (known failure: ${skip})` : ""}`, async () => {
      const c = parseYaml(readFileSync(path.join(corpus, file), "utf8")) as CelCase;
      expect(typeof c.want).toBe("boolean");
      const compiled = compilePolicies(policiesFor(c));
      const errors = compiled.diagnostics.filter((d) => d.severity === "error");
      let outcome: string;
      let allowed: boolean | undefined;
      let evalErrors: string[] = [];
      if (!compiled.ruleset) {
        outcome = `compile errors: ${errors.map((d) => `[${d.code}] ${d.message}`).join("; ")}`;
      } else {
        const pdp = (await loadPdp()).fromRuleset(compiled.ruleset);
        const [out] = pdp.checkInputs(
          [{ requestId: file, principal: c.request.principal, resource: c.request.resource, actions: [ACTION], ...(c.request.auxData ? { auxData: c.request.auxData } : {}) }],
          { now: NOW },
        );
        allowed = out!.actions[ACTION]?.effect === "EFFECT_ALLOW";
        evalErrors = (out!.evaluationErrors ?? []).map((e) => `${e.celError.expression.trim()}: ${e.celError.message}`);
        outcome = `${allowed ? "ALLOW" : "DENY"}${evalErrors.length ? `; evaluation errors: ${evalErrors.join(" | ")}` : ""}`;
      }
      const ok = allowed === c.want && (!c.wantError || evalErrors.length > 0);
      if (!ok && !skip) outcome += `\n  leaf by leaf:\n${(await leafReport(c)).join("\n")}`;
      if (skip) {
        // a known failure: it must be refused at compile time for a function Verdict does not
        // implement (VD3017, never a run-time surprise), or compile and get a decision; report
        // when it starts passing so the entry gets pruned
        if (ok) console.warn(`cel_eval: ${file} now passes — prune "${key}" from cel-spec-skips.ts`);
        if (!compiled.ruleset) expect(errors.map((d) => d.code), outcome).toContain("VD3017");
        else expect(allowed, outcome).toBeTypeOf("boolean");
        return;
      }
      const want = `want ${c.want ? "ALLOW" : "DENY"}${c.wantError ? " with an evaluation error" : ""}`;
      expect(allowed, `${want}, got ${outcome}`).toBe(c.want);
      if (c.wantError) expect(evalErrors, `${want}, got ${outcome}`).not.toEqual([]);
    });
  }
});
