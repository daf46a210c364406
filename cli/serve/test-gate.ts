// `verdict.reload.runTests: true`: a change is only served when the policy test suites it
// carries pass (the same runner as `verdict test`). A refusal names the failing tests.
import type { Candidate } from "../../host/node/sources/types.ts";
import { PdpChecker } from "../test/pdp-checker.ts";
import { failureLines } from "../test/tree-output.ts";
import { verify } from "../test/verify.ts";

export function testSuiteGate(strictEvaluation: boolean): (c: Candidate) => string | undefined {
  return (c) => {
    if (!c.policyDir || !c.ruleset) return undefined; // a compiled bundle carries no suites
    const results = verify(c.policyDir, new PdpChecker(c.ruleset, strictEvaluation, { schemaEnforcement: "reject" }));
    const overall = results.summary.overallResult;
    if (overall !== "RESULT_FAILED" && overall !== "RESULT_ERRORED") return undefined;
    const lines = failureLines(results);
    const head = lines.slice(0, 5).join("; ");
    return `policy tests failed (${lines.length}): ${head}${lines.length > 5 ? "; ..." : ""}`;
  };
}
