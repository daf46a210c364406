// Shared by the decide*.test.ts files: compile YAML policies with the real compiler and decide
// through the Node host (which only encodes/decodes; every decision is the evaluator's).
import { compilePolicies } from "../../compiler/index.ts";
import { Pdp, type PdpOptions } from "../../host/node/index.ts";
import type { CheckInput, CheckOutput } from "../../host/common/types.ts";

export function compile(files: Record<string, string>): Uint8Array {
  const r = compilePolicies(Object.entries(files).map(([path, text]) => ({ path, text })));
  if (!r.ruleset) throw new Error(r.diagnostics.map((d) => `${d.span.file}: ${d.message}`).join("\n"));
  return r.ruleset;
}

export function pdp(files: Record<string, string>, opts: PdpOptions = {}): Pdp {
  return Pdp.fromRuleset(compile(files), opts);
}

type Input = Omit<CheckInput, "principal" | "resource"> & {
  principal?: Partial<CheckInput["principal"]>;
  resource?: Partial<CheckInput["resource"]>;
};

/** One input, with defaults for what a test does not care about. */
export function check(p: Pdp, input: Input): CheckOutput {
  const full: CheckInput = {
    ...input,
    principal: { id: "u1", roles: ["user"], ...input.principal } as CheckInput["principal"],
    resource: { kind: "doc", id: "d1", ...input.resource } as CheckInput["resource"],
  };
  return p.checkInputs([full])[0]!;
}

/** action → "ALLOW"/"DENY" plus the policy and scope that decided it. */
export function effects(out: CheckOutput): Record<string, string> {
  const r: Record<string, string> = {};
  for (const [a, e] of Object.entries(out.actions)) {
    r[a] = `${e.effect === "EFFECT_ALLOW" ? "ALLOW" : "DENY"} ${e.policy}${e.scope ? ` @${e.scope}` : ""}`;
  }
  return r;
}
