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
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { effectDifferential } from "./effect-differential.ts";
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

  // One resource kind per pattern, so an ALLOW names the pattern that matched.
  const ask = effectDifferential("glob", (policyDir) => {
    patterns.forEach((p, i) => {
      const policy = {
        apiVersion: "api.cerbos.dev/v1",
        resourcePolicy: { version: "default", resource: `g${i}`, rules: [{ actions: [p], effect: "EFFECT_ALLOW", roles: ["*"] }] },
      };
      writeFileSync(join(policyDir, `g${i}.yaml`), JSON.stringify(policy, null, 1));
    });
  });

  it(`${PATTERNS} globs × ${ACTIONS} actions: 0 mismatches`, { timeout: 120_000 }, async () => {
    const requests: CheckResourcesRequest[] = [];
    for (let a = 0; a < actions.length; a += BATCH) {
      const batch = actions.slice(a, a + BATCH);
      for (let g = 0; g < patterns.length; g += BATCH) {
        requests.push({
          requestId: `glob-${a}-${g}`,
          principal: { id: "u", roles: ["user"] },
          resources: patterns.slice(g, g + BATCH).map((_, i) => ({ actions: batch, resource: { kind: `g${g + i}`, id: "r" } })),
          includeMeta: true,
        });
      }
    }
    const pairs = await ask(requests);
    const checks = pairs.length;
    const allows = pairs.filter((x) => x.cerbos === "EFFECT_ALLOW").length;
    const mismatches = pairs
      .filter((x) => x.cerbos !== x.verdict)
      .map((x) => `glob ${JSON.stringify(patterns[Number(requests[x.k]!.resources[x.ri]!.resource.kind.slice(1))])} vs action ${JSON.stringify(x.action)}: cerbos ${x.cerbos}, verdict ${x.verdict}`);
    console.log(`glob differential seed ${SEED}: ${checks} checks (${allows} allowed), ${mismatches.length} mismatches${mismatches.length ? `\n  ${mismatches.slice(0, 20).join("\n  ")}` : ""}`);
    expect(checks).toBe(PATTERNS * ACTIONS);
    expect(allows, "some actions must match").toBeGreaterThan(checks / 50);
    expect(checks - allows, "some actions must not match").toBeGreaterThan(checks / 20);
    expect(mismatches).toEqual([]);
  });
});
