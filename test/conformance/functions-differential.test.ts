// Issue 3, acceptance 5: a differential test against the real Cerbos 0.55 binary over a policy
// that uses every supported CEL function. One generated resource policy has one rule per probe:
// action `f<N>`, condition `<bool>` (or `(<value>) == (<value>)`), and an output on both branches
// whose value is the probe expression itself, so each check compares the function's result (or
// that it failed) and not only a boolean. Seeded random attributes drive every probe; each request
// asks all probe actions for one resource. Effect, matchedPolicy and output values must agree on
// every (request, action); output error *messages* are counted separately (cel-go's wording is
// reported, not asserted, where Verdict's error differs only in text).
// Knobs: VERDICT_FN_DIFF_REQUESTS (default 5000), VERDICT_FN_DIFF_SEED.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCerbos, type RunningServer } from "../oracle/cerbos.ts";
import { JsonClient, mapLimit } from "../oracle/http.ts";
import { repoRoot } from "../oracle/paths.ts";
import { describeError, loadPdpClass, type PdpLike } from "./pdp.ts";
import { FUNCTION_PROBES, randomAttributes, rng } from "./function-probes.ts";

const REQUESTS = Number(process.env.VERDICT_FN_DIFF_REQUESTS ?? 5000);
const SEED = Number(process.env.VERDICT_FN_DIFF_SEED ?? 20261123);
const CONCURRENCY = 8;
const KIND = "fn_probe";
const dir = join(repoRoot, "test-output", "functions-differential");
const policyDir = join(dir, "policies");

const yamlString = (s: string): string => JSON.stringify(s);

function writePolicy(): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(policyDir, { recursive: true });
  const rules = FUNCTION_PROBES.map((p, i) => {
    const cond = p.bool ? p.expr : `(${p.expr}) == (${p.expr})`;
    return [
      `    - name: f${i}`,
      `      actions: ["f${i}"]`,
      `      effect: EFFECT_ALLOW`,
      `      roles: ["user"]`,
      `      condition:`,
      `        match:`,
      `          expr: ${yamlString(cond)}`,
      `      output:`,
      `        when:`,
      `          ruleActivated: ${yamlString(p.expr)}`,
      `          conditionNotMet: ${yamlString(p.expr)}`,
    ].join("\n");
  });
  writeFileSync(
    join(policyDir, "probe.yaml"),
    `apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  version: default\n  resource: ${KIND}\n  rules:\n${rules.join("\n")}\n`,
  );
}

interface Result {
  actions?: Record<string, string>;
  meta?: { actions?: Record<string, { matchedPolicy?: string }> };
  outputs?: Array<{ src: string; action?: string; val?: unknown; error?: string }>;
}
type Answer = { results?: Result[]; error?: string };

/** Cerbos's default limit is 50 actions per resource: the probes go in chunks, one resource entry
 *  (same attributes) per chunk. */
const CHUNK = 40;
const chunks = (): string[][] => {
  const all = FUNCTION_PROBES.map((_, j) => `f${j}`);
  return Array.from({ length: Math.ceil(all.length / CHUNK) }, (_, k) => all.slice(k * CHUNK, (k + 1) * CHUNK));
};

function request(i: number, random: () => number): Record<string, unknown> {
  const attr = randomAttributes(random);
  return {
    requestId: `r${i}`,
    includeMeta: true,
    principal: { id: "p", roles: ["user"] },
    resources: chunks().map((actions, k) => ({ actions, resource: { kind: KIND, id: `x${i}-${k}`, attr } })),
  };
}

/** Per action: effect, policy, and the output as value-or-"error". */
function normalize(...results: Result[]): Map<string, { effect: string; policy: string; out: string; message: string }> {
  const m = new Map<string, { effect: string; policy: string; out: string; message: string }>();
  for (const r of results) for (const [a, eff] of Object.entries(r.actions ?? {})) {
    m.set(a, { effect: eff, policy: r.meta?.actions?.[a]?.matchedPolicy ?? "", out: "<none>", message: "" });
  }
  for (const o of results.flatMap((r) => r.outputs ?? [])) {
    const a = o.action ?? o.src.replace(/^.*#/, "");
    const e = m.get(a);
    if (!e) continue;
    e.out = o.error !== undefined ? "<error>" : JSON.stringify(o.val ?? null);
    e.message = o.error ?? "";
  }
  return m;
}

describe("differential vs real Cerbos 0.55: every supported CEL function", () => {
  let cerbos: RunningServer | undefined;
  let client: JsonClient | undefined;
  let pdp: PdpLike | undefined;
  let setupError = "";

  beforeAll(async () => {
    try {
      writePolicy();
      cerbos = await startCerbos({ policyDir });
      client = new JsonClient(cerbos.baseUrl, { maxSockets: CONCURRENCY, timeoutMs: 20_000 });
      const Pdp = await loadPdpClass();
      pdp = Pdp.fromPolicyDir(policyDir);
    } catch (e) {
      setupError = describeError(e);
    }
  }, 60_000);
  afterAll(async () => {
    client?.close();
    await cerbos?.stop();
  });

  it(`${REQUESTS} seeded requests × ${FUNCTION_PROBES.length} probes: 0 effect, policy or output-value mismatches`, { timeout: 240_000 }, async () => {
    if (!client || !pdp) throw new Error(`setup failed: ${setupError}`);
    const random = rng(SEED);
    const reqs = Array.from({ length: REQUESTS }, (_, i) => request(i, random));
    const cerbosAnswers = await mapLimit(reqs, CONCURRENCY, async (r): Promise<Answer> => {
      const res = await (client as JsonClient).post("/api/check/resources", r);
      const body = res.body as { results?: Result[] } | undefined;
      return res.status === 200 && body?.results ? { results: body.results } : { error: `HTTP ${res.status}: ${res.text.slice(0, 300)}` };
    });
    const mismatches: string[] = [];
    const byProbe = new Map<string, number>();
    let messageOnly = 0, checks = 0, allows = 0, errors = 0;
    reqs.forEach((req, i) => {
      const c = cerbosAnswers[i]!;
      let v: Answer;
      try {
        v = { results: (pdp as PdpLike).checkResources(structuredClone(req)).results as Result[] };
      } catch (e) {
        v = { error: describeError(e) };
      }
      if (c.error || v.error) {
        mismatches.push(`request ${i}: cerbos ${c.error ?? "ok"}, verdict ${v.error ?? "ok"}`);
        return;
      }
      const cm = normalize(...(c.results ?? [])), vm = normalize(...(v.results ?? []));
      for (const [a, w] of cm) {
        checks++;
        if (w.effect === "EFFECT_ALLOW") allows++;
        if (w.out === "<error>") errors++;
        const g = vm.get(a);
        const probe = FUNCTION_PROBES[Number(a.slice(1))]!.expr;
        if (!g || g.effect !== w.effect || g.policy !== w.policy || g.out !== w.out) {
          byProbe.set(probe, (byProbe.get(probe) ?? 0) + 1);
          if (mismatches.length < 30) {
            mismatches.push(`${probe}\n  attr ${JSON.stringify((req.resources as Array<{ resource: { attr: unknown } }>)[0]!.resource.attr)}\n  cerbos  ${JSON.stringify(w)}\n  verdict ${JSON.stringify(g)}`);
          }
        } else if (g.message !== w.message) messageOnly++;
      }
    });
    const summary = { requests: REQUESTS, probes: FUNCTION_PROBES.length, checks, allows, cerbosOutputErrors: errors, mismatchesByProbe: Object.fromEntries(byProbe), errorTextDiffers: messageOnly };
    writeFileSync(join(dir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(`function differential: ${checks} checks, ${allows} allowed, ${errors} erroring outputs; error text differs on ${messageOnly}`);
    expect(mismatches, mismatches.join("\n")).toEqual([]);
    expect(checks).toBe(REQUESTS * FUNCTION_PROBES.length);
    expect(allows).toBeGreaterThan(checks / 10); // the probes are not all failing
  });
});
