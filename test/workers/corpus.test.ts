// Acceptance 1 (workerd half): Cerbos's engine corpus, every case the core supports, decided by the
// Workers host inside workerd (checkInputs from the opt-in API entry, on a WorkerPdp) must equal what the Node host (Pdp.checkInputs) answered for the same
// inputs, ruleset and `now`. setup.ts compiled the corpus store and recorded Node's answers.
import { describe, expect, inject, it } from "vitest";
import wasm from "../../build/verdict.wasm";
import { checkInputs } from "../../host/workers/cerbos-api.ts";
import { WorkerPdp } from "../../host/workers/index.ts";
import { CORPUS_NOW, SUITES } from "./shared.ts";

const corpus = inject("verdictCorpus");
const ruleset = Uint8Array.from(atob(corpus.rulesetBase64), (c) => c.charCodeAt(0));
const now = new Date(CORPUS_NOW);

describe("workers: engine corpus in workerd equals Node", () => {
  it("runs inside workerd with the imported evaluator module", () => {
    expect(navigator.userAgent).toBe("Cloudflare-Workers");
    expect(wasm).toBeInstanceOf(WebAssembly.Module);
    // Both suites, most of the corpus: a truncated hand-over would show here.
    for (const s of SUITES) expect(corpus.cases.filter((c) => c.suite === s.name).length, s.name).toBeGreaterThan(30);
  });

  for (const suite of SUITES) {
    describe(suite.name, () => {
      const pdp = new WorkerPdp(wasm, ruleset, { globals: { environment: "test" }, lenientScopeSearch: suite.lenient });
      for (const tc of corpus.cases.filter((c) => c.suite === suite.name)) {
        it(tc.file, () => {
          if ("error" in tc.node) {
            expect(() => checkInputs(pdp, tc.inputs as never, { now }), "Node threw, workerd must too").toThrow();
            return;
          }
          const got = JSON.parse(JSON.stringify(checkInputs(pdp, tc.inputs as never, { now }))) as unknown[];
          expect(got).toEqual(tc.node.outputs);
          // The gating path (decisions-only decoder) reads the same effect, policy and scope.
          const outs = tc.node.outputs as Array<{ actions: Record<string, unknown> }>;
          (tc.inputs as Array<{ principal: never; resource: never; actions: string[]; auxData?: never }>).forEach((input, i) => {
            const row = pdp.check(input.principal, [{ resource: input.resource, actions: input.actions }], input.auxData, now)[0]!;
            const gated: Record<string, unknown> = {};
            input.actions.forEach((a, j) => (gated[a] = row[j]));
            expect(JSON.parse(JSON.stringify(gated)), `input ${i}`).toEqual(outs[i]!.actions);
          });
        });
      }
    });
  }
});
