// Acceptance 1 (bounded): ≥ 20,000 mutated rulesets and ≥ 20,000 fuzzed requests, fixed seeds, a
// few seconds. The million-case run is `npm run fuzz -- --n 1000000` (scripts/fuzz.mjs).
import { describe, expect, it } from "vitest";
import { emptyRequestStats, emptyStats, fuzzRequests, makeFuzzers } from "./fuzz/setup.ts";

const N = 20_000;
const { rulesets, pdp } = makeFuzzers();

describe("fuzzing (bounded)", () => {
  it(`${N} mutated rulesets: refused with a status or decided without a trap; no false allow`, () => {
    const s = rulesets.run(N, 0xc0ffee, emptyStats());
    expect(s.findings).toEqual([]);
    expect(s.cases).toBe(N);
    // The run must exercise every outcome, or it proves little.
    expect(s.loaded).toBeGreaterThan(N / 10);
    expect(s.checks).toBeGreaterThan(N);
    expect(s.nonDecisionCases).toBeGreaterThan(N / 20);
    expect(s.signedCases).toBeGreaterThan(N / 20);
    for (const st of ["BAD_MAGIC", "BAD_VERSION", "BAD_LENGTH", "BAD_CHECKSUM", "BAD_SECTION", "BAD_RECORD"]) {
      expect(s.refused[st] ?? 0, st).toBeGreaterThan(0);
    }
  });

  it(`${N} fuzzed requests: a response or a clear error, never a trap; broken identities never allowed`, () => {
    const s = fuzzRequests(pdp, N, 0xbadc0de, emptyRequestStats(), 1000, 7000);
    expect(s.findings).toEqual([]);
    expect(s.cases).toBe(N);
    expect(s.answered).toBeGreaterThan(N / 4);
    expect(s.allowed).toBeGreaterThan(0);
    expect(s.validationErrors).toBeGreaterThan(N / 20);
    expect(s.brokenIdentity).toBeGreaterThan(N / 10);
  });
});
