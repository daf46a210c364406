// Differential test of Cerbos action globs against real Cerbos 0.55. The compiler turns each glob
// into an anchored regex program (compiler/plan/glob.ts) that the evaluator's Pike VM runs, so
// this checks the translation: seeded random well-formed globs (':' segments, `*`, `**`, `?`,
// `[...]`, `[!...]`, ranges, nested `{a,b}`, escapes, non-ASCII) become one rule each (action =
// the glob, effect ALLOW), and seeded random action strings are asked of both over HTTP on
// 127.0.0.1. Patterns without '*' are included: Cerbos compares those as text.
// Known differences, left out of the generator: gobwas (Cerbos's glob library) mis-matches some
// unusual shapes — runs of three or more '*', empty alternatives ("{}", "{a,}"), wildcards inside
// alternatives ("{a*,b}", "{?,b}"), and '?'/'[...]' against non-ASCII text (it counts bytes where
// it should count code points). Verdict matches those as the glob syntax says; docs/cel-support.md
// lists them. gobwas's PrefixSuffix quirk ("b**b" matches "b") is common enough to reproduce.
// Knobs: VERDICT_GLOB_PATTERNS, VERDICT_GLOB_ACTIONS, VERDICT_GLOB_SEED.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCerbos, type RunningServer } from "../oracle/cerbos.ts";
import { JsonClient, mapLimit } from "../oracle/http.ts";
import { describeError, loadPdpClass, type PdpLike } from "./pdp.ts";
import { prng, type CheckResourcesRequest } from "./request-gen.ts";

const PATTERNS = Number(process.env.VERDICT_GLOB_PATTERNS ?? 150);
const ACTIONS = Number(process.env.VERDICT_GLOB_ACTIONS ?? 100);
const SEED = Number(process.env.VERDICT_GLOB_SEED ?? 20261124);
/** Cerbos's default request limits: 50 resources per request, 50 actions per resource. */
const BATCH = 50;

const CHARS = ["a", "b", "c", ":", ":", "-"];

function globGenerator(rnd: () => number): () => string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const atoms = ["*", "*", "**", "?", "[ab]", "[!a]", "[a-c]", "[!:]", "\\*", "\\?"];
  const text = (): string => Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(CHARS)).join("");
  const alt = text;
  const piece = (): string => {
    const r = rnd();
    if (r < 0.35) return pick(atoms);
    if (r < 0.45) return `{${Array.from({ length: 2 + Math.floor(rnd() * 2) }, alt).join(",")}}`;
    return pick(CHARS);
  };
  return () => Array.from({ length: 1 + Math.floor(rnd() * 4) }, piece).join("") + (rnd() < 0.5 ? pick(["*", ":*", "a"]) : "");
}

describe("differential vs real Cerbos 0.55: action globs", () => {
  const rnd = prng(SEED);
  const next = globGenerator(rnd);
  const patterns = ["*", "**", "view:*", "*:view", "a:**", "{a,b}:*", "a?", "[ab]*", "[!a]*", "a\\*", "{a,b:c}:*", "b**b", "ab**ba", ":c**c"];
  while (patterns.length < PATTERNS) {
    const p = next();
    if (!/\*\*\*/.test(p.replace(/\\\*/g, "")) && !patterns.includes(p)) patterns.push(p);
  }
  const actions = ["a", "b", "a:b", "a:b:c", ":", "::", "view:x", "x:view", "*", "a*", "a?", "é", "😀", "ab", "ba", "aba", "a-b", "{a,b}", ":c"];
  while (actions.length < ACTIONS) {
    const s = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => CHARS[Math.floor(rnd() * CHARS.length)]).join("");
    if (!actions.includes(s)) actions.push(s);
  }

  let dir = "";
  let cerbos: RunningServer | undefined;
  let client: JsonClient | undefined;
  let pdp: PdpLike | undefined;
  let setupError = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "verdict-glob-"));
    mkdirSync(join(dir, "policies"));
    // One resource kind per pattern, so an ALLOW names the pattern that matched.
    patterns.forEach((p, i) => {
      const policy = {
        apiVersion: "api.cerbos.dev/v1",
        resourcePolicy: { version: "default", resource: `g${i}`, rules: [{ actions: [p], effect: "EFFECT_ALLOW", roles: ["*"] }] },
      };
      writeFileSync(join(dir, "policies", `g${i}.yaml`), JSON.stringify(policy, null, 1));
    });
    try {
      cerbos = await startCerbos({ policyDir: join(dir, "policies") });
      client = new JsonClient(cerbos.baseUrl, { maxSockets: 4, timeoutMs: 10_000 });
      pdp = (await loadPdpClass()).fromPolicyDir(join(dir, "policies"));
    } catch (e) {
      setupError = describeError(e);
    }
  });
  afterAll(async () => {
    client?.close();
    await cerbos?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`${PATTERNS} globs × ${ACTIONS} actions: 0 mismatches`, { timeout: 120_000 }, async () => {
    if (!client || !pdp) throw new Error(`setup failed: ${setupError}`);
    const requests: CheckResourcesRequest[] = [];
    for (let a = 0; a < actions.length; a += BATCH) {
      const batch = actions.slice(a, a + BATCH);
      for (let g = 0; g < patterns.length; g += BATCH) {
        requests.push({
          requestId: `glob-${a}-${g}`,
          principal: { id: "u", roles: ["user"] },
          resources: patterns.slice(g, g + BATCH).map((_, i) => ({ actions: batch, resource: { kind: `g${g + i}`, id: "r" } })),
        });
      }
    }
    const answers = await mapLimit(requests, 4, async (req) => {
      const res = await (client as JsonClient).post("/api/check/resources", req);
      const body = res.body as { results?: Array<{ actions: Record<string, string> }> } | undefined;
      if (res.status !== 200 || !body?.results) throw new Error(`cerbos: HTTP ${res.status}: ${res.text.slice(0, 300)}`);
      return body.results;
    });
    let checks = 0;
    let allows = 0;
    const mismatches: string[] = [];
    for (const [k, req] of requests.entries()) {
      const mine = (pdp.checkResources(structuredClone(req)) as { results: Array<{ actions: Record<string, { effect: string } | string> }> }).results;
      for (const [ri, entry] of req.resources.entries()) {
        for (const action of entry.actions) {
          checks++;
          const theirs = answers[k]?.[ri]?.actions[action];
          const v = mine[ri]?.actions[action];
          const ours = typeof v === "string" ? v : v?.effect;
          if (theirs === "EFFECT_ALLOW") allows++;
          if (theirs !== ours) mismatches.push(`glob ${JSON.stringify(patterns[Number(entry.resource.kind.slice(1))])} vs action ${JSON.stringify(action)}: cerbos ${theirs}, verdict ${ours}`);
        }
      }
    }
    console.log(`glob differential seed ${SEED}: ${checks} checks (${allows} allowed), ${mismatches.length} mismatches${mismatches.length ? `\n  ${mismatches.slice(0, 20).join("\n  ")}` : ""}`);
    expect(checks).toBe(PATTERNS * ACTIONS);
    expect(allows, "some actions must match").toBeGreaterThan(checks / 50);
    expect(checks - allows, "some actions must not match").toBeGreaterThan(checks / 20);
    expect(mismatches).toEqual([]);
  });
});
