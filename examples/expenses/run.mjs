#!/usr/bin/env node
// The expenses example end to end (what `npm start` runs after `verdict test examples/expenses`):
// compile the policies in this folder, make a Pdp, and print who may do what.
//   node examples/expenses/run.mjs          a decision table
//   node examples/expenses/run.mjs --json   the same decisions as JSON (used by test/examples/)
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { Pdp } from "verdict/host/node";

const here = dirname(fileURLToPath(import.meta.url));

// The same principals and resources the policy tests use (testdata/), so the table and the test
// suite talk about the same people and expenses.
const { principals } = parse(readFileSync(join(here, "testdata", "principals.yaml"), "utf8"));
const { resources } = parse(readFileSync(join(here, "testdata", "resources.yaml"), "utf8"));
const actions = ["create", "read", "delete"];

const started = performance.now();
const pdp = Pdp.fromPolicyDir(here); // compiles expense.yaml into a ruleset and loads the evaluator
const compileMs = performance.now() - started;

const rows = [];
for (const [pName, principal] of Object.entries(principals)) {
  const res = pdp.checkResources({
    requestId: `run-${pName}`,
    principal,
    resources: Object.values(resources).map((resource) => ({ resource, actions })),
    includeMeta: true,
  });
  for (const [i, [rName, resource]] of Object.entries(resources).entries()) {
    const result = res.results[i];
    rows.push({ principal: pName, principalRef: principal, resource: rName, resourceRef: resource, effects: result.actions });
  }
}

if (process.argv.includes("--json")) {
  console.log(JSON.stringify(rows.map(({ principal, resource, effects }) => ({ principal, resource, effects })), null, 2));
} else {
  const short = (e) => (e === "EFFECT_ALLOW" ? "ALLOW" : "deny");
  const who = (p) => `${p.id} (${p.roles.join("+")}${p.attr?.region ? `, ${p.attr.region}` : ""})`;
  const what = (r) => `${r.id} (${r.attr?.ownerId ? `owner ${r.attr.ownerId}` : "no owner"}${r.attr?.region ? `, ${r.attr.region}` : ""})`;
  const w1 = Math.max(9, ...rows.map((r) => who(r.principalRef).length)) + 2;
  const w2 = Math.max(7, ...rows.map((r) => what(r.resourceRef).length)) + 2;
  console.log(`expenses example: compiled and loaded in ${compileMs.toFixed(0)} ms`);
  console.log("");
  console.log(`${"principal".padEnd(w1)}${"expense".padEnd(w2)}${actions.map((a) => a.padEnd(8)).join("")}`.trimEnd());
  let last = "";
  for (const r of rows) {
    const p = r.principal === last ? "" : who(r.principalRef);
    last = r.principal;
    console.log(`${p.padEnd(w1)}${what(r.resourceRef).padEnd(w2)}${actions.map((a) => short(r.effects[a]).padEnd(8)).join("")}`.trimEnd());
  }
  console.log("");
  console.log(
    `isAllowed(bob reads his own expense E1): ${pdp.isAllowed({ principal: principals.bob_user, resource: resources.bob_expense_eu, action: "read" })}`,
  );
}
