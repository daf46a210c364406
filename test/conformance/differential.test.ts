// Differential test: seeded random CheckResources requests sent to real Cerbos 0.55 (over HTTP on
// 127.0.0.1, keep-alive, bounded concurrency, timeouts) and to the Verdict Node host
// (Pdp.checkResources), for two policy sets: Cerbos's corpus store/ (globals {environment: "test"})
// and examples/expenses. Every (resource, action) is compared on effect and matchedPolicy (asserted:
// 0 mismatches) and on matchedScope, effectiveDerivedRoles and outputs (counted and reported).
// On a mismatch a minimal reproducer (one resource, one action, as few attributes as still
// mismatch) is printed with both answers.
// A third run uses the store with lenientScopeSearch (a fifth as many requests).
// Knobs: VERDICT_DIFF_REQUESTS (per policy set, default 5000), VERDICT_DIFF_SEED.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCerbos, type RunningServer } from "../oracle/cerbos.ts";
import { JsonClient, mapLimit } from "../oracle/http.ts";
import { corpusTestdataDir, repoRoot } from "../oracle/paths.ts";
import { diffDecisions, loadEngineCases, normHttpResult, type NormDecision } from "./engine-cases.ts";
import { describeError, loadPdpClass, type PdpLike } from "./pdp.ts";
import { addSamples, requestGenerator, vocabularyFromPolicies, type CheckResourcesRequest } from "./request-gen.ts";

const REQUESTS = Number(process.env.VERDICT_DIFF_REQUESTS ?? 5000);
const SEED = Number(process.env.VERDICT_DIFF_SEED ?? 20260807);
const CONCURRENCY = 8;

interface DiffConfig {
  name: string;
  policyDir: string;
  globals?: Record<string, unknown>;
  lenientScopeSearch?: boolean;
  withCorpusSamples: boolean;
  seed: number;
  requests: number;
}

const CONFIGS: DiffConfig[] = [
  {
    name: "corpus store",
    policyDir: join(corpusTestdataDir(), "store"),
    globals: { environment: "test" },
    withCorpusSamples: true,
    seed: SEED,
    requests: REQUESTS,
  },
  {
    name: "corpus store, lenient scope search",
    policyDir: join(corpusTestdataDir(), "store"),
    globals: { environment: "test" },
    lenientScopeSearch: true,
    withCorpusSamples: true,
    seed: SEED + 2,
    requests: Math.ceil(REQUESTS / 5),
  },
  {
    name: "expenses example",
    policyDir: join(repoRoot, "examples", "expenses"),
    withCorpusSamples: false,
    seed: SEED + 1,
    requests: REQUESTS,
  },
];

interface Counts {
  requests: number;
  resources: number;
  actions: number;
  effect: number;
  policy: number;
  scope: number;
  effectiveDerivedRoles: number;
  outputs: number;
  cerbosErrors: number;
  verdictErrors: number;
  allows: number;
}

const report: Record<string, Counts & { groups: string[]; reproducers: string[] }> = {};

afterAll(() => {
  if (Object.keys(report).length === 0) return;
  const outDir = join(repoRoot, "test-output", "conformance");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "differential.json"), `${JSON.stringify(report, null, 2)}\n`);
});

// now() and timeSince() make outputs depend on the instant of evaluation; timestamps within two
// minutes of the test run are treated as the same value.
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
function maskNow(v: unknown): unknown {
  if (typeof v === "string" && RFC3339.test(v) && Math.abs(Date.parse(v) - Date.now()) < 120_000) return "<now>";
  if (Array.isArray(v)) return v.map(maskNow);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskNow(x)]));
  return v;
}

function normResult(r: Record<string, unknown>): NormDecision {
  return normHttpResult({ ...r, outputs: maskNow(r.outputs) });
}

type Field = "effect" | "policy" | "scope" | "effectiveDerivedRoles" | "outputs";

/** Which fields differ between two answers for one resource (restricted to `actions`). */
function fieldDiffs(c: NormDecision, v: NormDecision): Map<Field, string[]> {
  const out = new Map<Field, string[]>();
  for (const line of diffDecisions(c, v)) {
    const f: Field = / effect:/.test(line)
      ? "effect"
      : / policy:/.test(line)
        ? "policy"
        : / scope:/.test(line)
          ? "scope"
          : line.startsWith("effectiveDerivedRoles")
            ? "effectiveDerivedRoles"
            : line.startsWith("outputs")
              ? "outputs"
              : "effect"; // a missing or extra action counts as an effect mismatch
    out.set(f, [...(out.get(f) ?? []), line]);
  }
  return out;
}

async function askCerbos(client: JsonClient, req: CheckResourcesRequest): Promise<{ results?: Array<Record<string, unknown>>; error?: string }> {
  try {
    const res = await client.post("/api/check/resources", req);
    const body = res.body as { results?: Array<Record<string, unknown>> } | undefined;
    if (res.status !== 200 || !body?.results) return { error: `HTTP ${res.status}: ${res.text.slice(0, 300)}` };
    return { results: body.results };
  } catch (e) {
    return { error: String(e) };
  }
}

function askVerdict(pdp: PdpLike, req: CheckResourcesRequest): { results?: Array<Record<string, unknown>>; error?: string } {
  try {
    const res = pdp.checkResources(structuredClone(req)) as { results?: Array<Record<string, unknown>> };
    if (!Array.isArray(res.results)) return { error: `no results in ${JSON.stringify(res).slice(0, 300)}` };
    return { results: res.results };
  } catch (e) {
    return { error: describeError(e) };
  }
}

/** Shrinks a mismatching (request, resource, action) to a small request that still mismatches. */
async function reproducer(
  client: JsonClient,
  pdp: PdpLike,
  req: CheckResourcesRequest,
  resIndex: number,
  action: string,
  field: Field,
): Promise<string> {
  const entry = req.resources[resIndex];
  if (!entry) return "";
  let cur: CheckResourcesRequest = structuredClone({
    ...req,
    requestId: "repro",
    resources: [{ actions: field === "outputs" ? entry.actions : [action], resource: entry.resource }],
  });
  const mismatches = async (r: CheckResourcesRequest): Promise<boolean> => {
    const c = await askCerbos(client, r);
    const v = askVerdict(pdp, r);
    if (c.error || v.error) return Boolean(c.error) !== Boolean(v.error);
    return fieldDiffs(normResult(c.results?.[0] ?? {}), normResult(v.results?.[0] ?? {})).has(field);
  };
  if (!(await mismatches(cur))) cur = structuredClone({ ...req, requestId: "repro" }); // needs the whole request
  // Drop attributes, extra roles and optional fields one at a time while the mismatch persists (bounded).
  let budget = 80;
  const tryEdit = async (edit: (r: CheckResourcesRequest) => boolean): Promise<void> => {
    if (budget-- <= 0) return;
    const next = structuredClone(cur);
    if (!edit(next)) return;
    if (await mismatches(next)) cur = next;
  };
  for (const k of Object.keys(cur.principal.attr ?? {})) await tryEdit((r) => delete r.principal.attr?.[k]);
  for (const [ri, e] of cur.resources.entries()) {
    for (const k of Object.keys(e.resource.attr ?? {})) await tryEdit((r) => delete r.resources[ri]?.resource.attr?.[k]);
  }
  if (cur.principal.policyVersion !== undefined) await tryEdit((r) => delete r.principal.policyVersion);
  if (cur.principal.scope !== undefined) await tryEdit((r) => delete r.principal.scope);
  for (const [ri, e] of cur.resources.entries()) {
    if (e.resource.policyVersion !== undefined) await tryEdit((r) => delete r.resources[ri]?.resource.policyVersion);
    if (e.resource.scope !== undefined) await tryEdit((r) => delete r.resources[ri]?.resource.scope);
  }
  for (const role of [...cur.principal.roles]) {
    await tryEdit((r) => {
      if (r.principal.roles.length < 2) return false;
      r.principal.roles = r.principal.roles.filter((x) => x !== role);
      return true;
    });
  }
  // empty attr maps say nothing; drop them for readability
  if (cur.principal.attr && Object.keys(cur.principal.attr).length === 0) delete cur.principal.attr;
  for (const e of cur.resources) if (e.resource.attr && Object.keys(e.resource.attr).length === 0) delete e.resource.attr;
  const c = await askCerbos(client, cur);
  const v = askVerdict(pdp, cur);
  return [
    `request:  ${JSON.stringify(cur)}`,
    `cerbos:   ${c.error ?? JSON.stringify(c.results)}`,
    `verdict:  ${v.error ?? JSON.stringify(v.results)}`,
  ].join("\n");
}

for (const cfg of CONFIGS) {
  describe(`differential vs real Cerbos 0.55: ${cfg.name}`, () => {
    let cerbos: RunningServer | undefined;
    let client: JsonClient | undefined;
    let pdp: PdpLike | undefined;
    let setupError = "";

    beforeAll(async () => {
      try {
        cerbos = await startCerbos({ policyDir: cfg.policyDir, globals: cfg.globals, lenientScopeSearch: cfg.lenientScopeSearch });
        client = new JsonClient(cerbos.baseUrl, { maxSockets: CONCURRENCY, timeoutMs: 10_000 });
        const Pdp = await loadPdpClass();
        pdp = Pdp.fromPolicyDir(cfg.policyDir, {
          ...(cfg.globals ? { globals: cfg.globals } : {}),
          ...(cfg.lenientScopeSearch ? { lenientScopeSearch: true } : {}),
        });
      } catch (e) {
        setupError = describeError(e);
      }
    });
    afterAll(async () => {
      client?.close();
      await cerbos?.stop();
    });

    it(`${cfg.requests} seeded requests: 0 effect and 0 matchedPolicy mismatches`, { timeout: 120_000 }, async () => {
      expect(existsSync(cfg.policyDir), cfg.policyDir).toBe(true);
      if (!client || !pdp) throw new Error(`setup failed: ${setupError}`);
      const vocab = vocabularyFromPolicies(cfg.policyDir);
      if (cfg.withCorpusSamples) {
        for (const d of ["engine", "engine_strict_scope_search", "engine_lenient_scope_search"]) {
          addSamples(vocab, loadEngineCases(d).flatMap((c) => c.inputs as never[]));
        }
      }
      const gen = requestGenerator(vocab, { seed: cfg.seed });
      const reqs = Array.from({ length: cfg.requests }, gen);
      const started = Date.now();
      const cerbosAnswers = await mapLimit(reqs, CONCURRENCY, (r) => askCerbos(client as JsonClient, r));
      const cerbosMs = Date.now() - started;

      const counts: Counts = {
        requests: reqs.length,
        resources: 0,
        actions: 0,
        effect: 0,
        policy: 0,
        scope: 0,
        effectiveDerivedRoles: 0,
        outputs: 0,
        cerbosErrors: 0,
        verdictErrors: 0,
        allows: 0,
      };
      const firsts = new Map<Field, { req: CheckResourcesRequest; res: number; action: string }>();
      // mismatch counts by field, resource kind and action: shows whether one bug or many
      const groups = new Map<string, number>();
      const group = (f: Field, kind: string, action: string): void => {
        const k = `${f} ${kind} ${action}`;
        groups.set(k, (groups.get(k) ?? 0) + 1);
      };
      const vStarted = Date.now();
      for (const [i, req] of reqs.entries()) {
        const c = cerbosAnswers[i];
        if (!c || c.error) {
          counts.cerbosErrors++;
          continue;
        }
        const v = askVerdict(pdp, req);
        for (const [ri, entry] of req.resources.entries()) {
          counts.resources++;
          counts.actions += entry.actions.length;
          const cr = normResult(c.results?.[ri] ?? {});
          for (const a of Object.values(cr.actions)) if (a.effect === "EFFECT_ALLOW") counts.allows++;
          if (v.error || !v.results?.[ri]) {
            counts.verdictErrors++;
            counts.effect += entry.actions.length;
            if (!firsts.has("effect")) firsts.set("effect", { req, res: ri, action: entry.actions[0] as string });
            continue;
          }
          const vr = normResult(v.results[ri] as Record<string, unknown>);
          for (const action of entry.actions) {
            const ca = cr.actions[action];
            const va = vr.actions[action];
            const eff = ca?.effect !== va?.effect;
            const pol = ca?.policy !== va?.policy;
            const sc = ca?.scope !== va?.scope;
            if (eff) (counts.effect++, group("effect", entry.resource.kind, action));
            if (pol) (counts.policy++, group("policy", entry.resource.kind, action));
            if (sc) (counts.scope++, group("scope", entry.resource.kind, action));
            for (const [f, bad] of [["effect", eff], ["policy", pol], ["scope", sc]] as const) {
              if (bad && !firsts.has(f)) firsts.set(f, { req, res: ri, action });
            }
          }
          if (cr.effectiveDerivedRoles.join("\n") !== vr.effectiveDerivedRoles.join("\n")) {
            counts.effectiveDerivedRoles++;
            group("effectiveDerivedRoles", entry.resource.kind, "*");
            if (!firsts.has("effectiveDerivedRoles")) firsts.set("effectiveDerivedRoles", { req, res: ri, action: entry.actions[0] as string });
          }
          if (cr.outputs.join("\n") !== vr.outputs.join("\n")) {
            counts.outputs++;
            group("outputs", entry.resource.kind, "*");
            if (!firsts.has("outputs")) firsts.set("outputs", { req, res: ri, action: entry.actions[0] as string });
          }
        }
      }
      const verdictMs = Date.now() - vStarted;

      const reproducers: string[] = [];
      for (const [field, m] of firsts) {
        reproducers.push(`[${field} mismatch]\n${await reproducer(client, pdp, m.req, m.res, m.action, field)}`);
      }
      const topGroups = [...groups.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, n]) => `${n}× ${k}`);
      report[cfg.name] = { ...counts, groups: topGroups, reproducers };
      console.log(
        [
          `differential [${cfg.name}] seed ${cfg.seed}: ${counts.requests} requests, ${counts.resources} resources, ${counts.actions} action decisions (${counts.allows} ALLOW)`,
          `  cerbos ${cerbosMs} ms (concurrency ${CONCURRENCY}), verdict ${verdictMs} ms`,
          `  mismatches: effect ${counts.effect}, matchedPolicy ${counts.policy}, matchedScope ${counts.scope}, effectiveDerivedRoles ${counts.effectiveDerivedRoles} (per resource), outputs ${counts.outputs} (per resource)`,
          `  errors: cerbos ${counts.cerbosErrors} requests, verdict ${counts.verdictErrors} resources`,
          ...(topGroups.length ? [`  mismatches by field, kind, action: ${topGroups.join("; ")}`] : []),
          ...reproducers.map((r) => `  minimal reproducer ${r.replace(/\n/g, "\n    ")}`),
        ].join("\n"),
      );
      expect(counts.cerbosErrors, "requests Cerbos rejected (the generator must stay valid)").toBe(0);
      expect(counts.allows, "the generator must reach ALLOW decisions").toBeGreaterThan(0);
      expect(counts.verdictErrors, "resources where Verdict threw or answered nothing").toBe(0);
      expect(counts.effect, "effect mismatches").toBe(0);
      expect(counts.policy, "matchedPolicy mismatches").toBe(0);
    });
  });
}
