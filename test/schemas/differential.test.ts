// Schema enforcement, differential against real Cerbos 0.55: seeded random attribute values
// (test/schemas/fixture.ts) checked by the Verdict Node host (Pdp.checkResources) and by the
// binary, with schema.enforcement warn and reject. Every result must agree on effects, matched
// policy and scope, derived roles, outputs and validationErrors (path, message, source — as a
// multiset: Cerbos validates object properties in Go map order). The run also asserts that
// Cerbos's answers exercised every message form Verdict maps, so a generator that stopped
// reaching a keyword fails rather than passing vacuously.
// Knobs: VERDICT_SCHEMA_DIFF_REQUESTS (default 300, 8 resources each), VERDICT_SCHEMA_DIFF_SEED.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pdp } from "../../host/node/index.ts";
import { startCerbos, type RunningServer } from "../oracle/cerbos.ts";
import { JsonClient, mapLimit } from "../oracle/http.ts";
import { diffDecisions, normHttpResult } from "../conformance/engine-cases.ts";
import { generateRequests, writeSchemaStore } from "./fixture.ts";

const REQUESTS = Number(process.env.VERDICT_SCHEMA_DIFF_REQUESTS ?? 300);
const SEED = Number(process.env.VERDICT_SCHEMA_DIFF_SEED ?? 20261123);

// The message forms Verdict writes (host/common/schema-validate.ts); each must show up.
const FORMS: Array<[string, RegExp]> = [
  ["type", /^expected .+, but got /],
  ["type (several)", /^expected \w+ or \w+, but got /],
  ["enum", /^value must be one of /],
  ["const", /^value must be (?!one of)/],
  ["minimum", /^must be >= /],
  ["maximum", /^must be <= /],
  ["exclusiveMinimum", /^must be > /],
  ["exclusiveMaximum", /^must be < /],
  ["multipleOf", / not multipleOf /],
  ["minLength", /^length must be >= /],
  ["maxLength", /^length must be <= /],
  ["pattern", /^does not match pattern /],
  ["format", / is not valid 'email'$/],
  ["minItems", /^minimum \d+ items required/],
  ["maxItems", /^maximum \d+ items required/],
  ["uniqueItems", /^items at index \d+ and \d+ are equal$/],
  ["minProperties", /^minimum \d+ properties allowed/],
  ["maxProperties", /^maximum \d+ properties allowed/],
  ["required", /^missing properties: /],
  ["additionalProperties", /^additionalProperties .+ not allowed$/],
  ["not", /^not failed$/],
  ["oneOf", /^valid against schemas at indexes 0 and 1$/],
];

type Result = Record<string, unknown> & { validationErrors?: Array<{ path: string; message: string; source: string }> };

/** Go map order also shuffles the names inside one additionalProperties message. */
function normalizeMessages(r: Result): Result {
  if (!r.validationErrors) return r;
  return {
    ...r,
    validationErrors: r.validationErrors.map((e) => {
      const m = /^additionalProperties (.+) not allowed$/.exec(e.message);
      return m ? { ...e, message: `additionalProperties ${m[1]!.split(", ").sort().join(", ")} not allowed` } : e;
    }),
  };
}

for (const mode of ["warn", "reject"] as const) {
  describe(`schema enforcement (${mode}): Verdict Node host = real Cerbos 0.55 on generated attributes`, () => {
    let dir = "";
    let cerbos: RunningServer | undefined;
    let client: JsonClient | undefined;
    let pdp: Pdp;
    beforeAll(async () => {
      dir = writeSchemaStore();
      pdp = Pdp.fromPolicyDir(dir, { schemaEnforcement: mode });
      cerbos = await startCerbos({ policyDir: dir, schemaEnforcement: mode });
      client = new JsonClient(cerbos.baseUrl, { maxSockets: 4, timeoutMs: 10_000 });
    }, 60_000);
    afterAll(async () => {
      client?.close();
      await cerbos?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it(`${REQUESTS} requests × 8 resources agree (seed ${SEED + (mode === "reject" ? 1 : 0)})`, async () => {
      const requests = generateRequests(SEED + (mode === "reject" ? 1 : 0), REQUESTS, 8);
      const problems: string[] = [];
      const seen = new Set<string>();
      let results = 0;
      let withErrors = 0;
      await mapLimit(requests, 4, async (req) => {
        const res = await client!.post("/api/check/resources", req);
        const want = (res.body as { results?: Result[] } | undefined)?.results;
        if (res.status !== 200 || !want) {
          problems.push(`${req.requestId}: Cerbos HTTP ${res.status} ${res.text.slice(0, 200)}`);
          return;
        }
        const got = pdp.checkResources(req as never).results as unknown as Result[];
        for (const [i, w] of want.entries()) {
          results++;
          if (w.validationErrors?.length) withErrors++;
          for (const e of w.validationErrors ?? []) for (const [name, re] of FORMS) if (re.test(e.message)) seen.add(name);
          const d = diffDecisions(normHttpResult(normalizeMessages(w)), normHttpResult(normalizeMessages(got[i]!)));
          if (d.length) {
            problems.push(
              `${req.requestId}/${i}: ${d.join("; ")}\n  principal.attr ${JSON.stringify(req.principal.attr)}\n  resource ${JSON.stringify(req.resources[i])}`,
            );
          }
        }
      });
      console.log(`schema differential (${mode}): ${results} results, ${withErrors} with validation errors, ${problems.length} mismatches`);
      expect(problems.slice(0, 5), `${problems.length} mismatches`).toEqual([]);
      expect(withErrors).toBeGreaterThan(results / 4);
      expect(FORMS.map(([n]) => n).filter((n) => !seen.has(n)), "message forms Cerbos never produced").toEqual([]);
    }, 300_000);
  });
}
