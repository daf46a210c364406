// Differential test of RE2 `matches` against real Cerbos 0.55: seeded random RE2 patterns (flags,
// classes, Unicode groups, anchors, word boundaries, case folding, repetition) become one rule each
// in a generated resource policy (`R.attr.s.matches(r'<pattern>')`, action p<i>), and seeded random
// strings (ASCII, case-folding specials such as K/k/U+212A and s/ſ, Greek, astral code points,
// newlines) become one resource each. Every (string, pattern) decision of the Verdict Node host is
// compared with Cerbos's over HTTP on 127.0.0.1: 0 mismatches asserted.
// Knobs: VERDICT_REGEX_PATTERNS, VERDICT_REGEX_STRINGS, VERDICT_REGEX_SEED.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RE2JS } from "@bufbuild/re2";
import { describe, expect, it } from "vitest";
import { effectDifferential } from "./effect-differential.ts";
import { prng, type CheckResourcesRequest } from "./request-gen.ts";

const PATTERNS = Number(process.env.VERDICT_REGEX_PATTERNS ?? 120);
const STRINGS = Number(process.env.VERDICT_REGEX_STRINGS ?? 60);
const SEED = Number(process.env.VERDICT_REGEX_SEED ?? 20261123);
/** Cerbos's default request limits: 50 resources per request, 50 actions per resource. */
const BATCH = 50;

const ALPHABET = ["a", "b", "c", "x", "A", "B", "K", "k", "\u212a", "s", "S", "ſ", "é", "É", "ß", "ẞ", "Ω", "ω", "σ", "ς", "Σ",
  "1", "9", "_", " ", "\t", "\n", ".", "-", "$", "😀", "日"];

/** A random RE2 pattern: atoms, groups, alternation, repetition and flags, depth-bounded. */
function patternGenerator(rnd: () => number): () => string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const atoms = ["a", "b", "c", "k", "s", "é", "ß", "σ", "Ω", "😀", "日", "1", "_", " ", "\\.", "\\$", "\\n", "\\t", "\\x41", "\\x{212a}",
    ".", "\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "\\pL", "\\PL", "\\pN", "\\p{Greek}", "\\p{Lu}", "\\p{Ll}", "[a-c]", "[^ab]",
    "[[:alpha:]]", "[[:^digit:]]", "[[:space:]]", "[k-s]", "[\\d_]", "[^\\n]", "[A-Z0-9]", "[😀-😂]"];
  const anchors = ["^", "$", "\\A", "\\z", "\\b", "\\B"];
  const quants = ["*", "+", "?", "{2}", "{1,2}", "{0,3}", "*?", "+?", "??"];
  const flags = ["(?i)", "(?s)", "(?m)", "(?is)", "(?im)", "(?ms)"];
  const piece = (depth: number): string => {
    const r = rnd();
    let p: string;
    if (r < 0.12) p = pick(anchors);
    else if (r < 0.22 && depth < 2) p = `(${seq(depth + 1)}|${seq(depth + 1)})`;
    else if (r < 0.28 && depth < 2) p = `(?:${seq(depth + 1)})`;
    else if (r < 0.32 && depth < 2) p = `(?i:${seq(depth + 1)})`;
    else p = pick(atoms);
    if (!anchors.includes(p) && rnd() < 0.3) p += pick(quants);
    return p;
  };
  const seq = (depth: number): string => Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => piece(depth)).join("");
  return () => (rnd() < 0.35 ? pick(flags) : "") + seq(0) + (rnd() < 0.15 ? `|${seq(1)}` : "");
}

function stringGenerator(rnd: () => number): () => string {
  return () => Array.from({ length: Math.floor(rnd() * 9) }, () => ALPHABET[Math.floor(rnd() * ALPHABET.length)]).join("");
}

function validRe2(p: string): boolean {
  try {
    RE2JS.compile(p);
    return true;
  } catch {
    return false;
  }
}

describe("differential vs real Cerbos 0.55: RE2 matches()", () => {
  const rnd = prng(SEED);
  const nextPattern = patternGenerator(rnd);
  // hand-picked edge cases first (line anchors around newlines, folding orbits), then generated ones
  const patterns: string[] = ["(?m)^a", "(?m)b$", "^a$", "(?m)^$", "(?m)$\\n", "\\bk", "(?i)K\\B", "(?s)a.b", "a.b", "(?i)ß", "(?i)σ", "(?i)ſ", "\\Aa", "a\\z"];
  while (patterns.length < PATTERNS) {
    const p = nextPattern();
    if (!p.includes("'") && validRe2(p) && !patterns.includes(p)) patterns.push(p);
  }
  const nextString = stringGenerator(rnd);
  const strings = ["", "a", "\n", "K", "\u212a", "x\na", "a\nb\n", "ab\n", "a\nb", "K\u212ak", "Σσς", "ẞ", "a\n\nb"];
  while (strings.length < STRINGS) strings.push(nextString());

  const ask = effectDifferential("regex", (policyDir) => {
    const rules = patterns.map((p, i) => ({
      actions: [`p${i}`],
      effect: "EFFECT_ALLOW",
      roles: ["*"],
      condition: { match: { expr: `R.attr.s.matches(r'${p}')` } },
    }));
    // JSON is YAML: the patterns need no YAML quoting of their own
    const policy = { apiVersion: "api.cerbos.dev/v1", resourcePolicy: { version: "default", resource: "rx", rules } };
    writeFileSync(join(policyDir, "rx.yaml"), JSON.stringify(policy, null, 1));
  });

  it(`${PATTERNS} patterns × ${STRINGS} strings: 0 mismatches`, { timeout: 120_000 }, async () => {
    const requests: CheckResourcesRequest[] = [];
    for (let a = 0; a < patterns.length; a += BATCH) {
      const actions = patterns.slice(a, a + BATCH).map((_, i) => `p${a + i}`);
      for (let s = 0; s < strings.length; s += BATCH) {
        requests.push({
          requestId: `rx-${a}-${s}`,
          principal: { id: "u", roles: ["user"] },
          resources: strings.slice(s, s + BATCH).map((str, i) => ({ actions, resource: { kind: "rx", id: `r${s + i}`, attr: { s: str } } })),
          includeMeta: true,
        });
      }
    }
    const pairs = await ask(requests);
    const checks = pairs.length;
    const allows = pairs.filter((x) => x.cerbos === "EFFECT_ALLOW").length;
    const mismatches = pairs
      .filter((x) => x.cerbos !== x.verdict)
      .map((x) => `${JSON.stringify(requests[x.k]!.resources[x.ri]!.resource.attr?.s)}.matches(${JSON.stringify(patterns[Number(x.action.slice(1))])}): cerbos ${x.cerbos}, verdict ${x.verdict}`);
    console.log(`regex differential seed ${SEED}: ${checks} checks (${allows} match), ${mismatches.length} mismatches${mismatches.length ? `\n  ${mismatches.slice(0, 20).join("\n  ")}` : ""}`);
    expect(checks).toBe(PATTERNS * STRINGS);
    expect(checks).toBeGreaterThanOrEqual(1000);
    expect(allows, "some strings must match").toBeGreaterThan(checks / 20);
    expect(checks - allows, "some strings must not match").toBeGreaterThan(checks / 20);
    expect(mismatches).toEqual([]);
  });
});
