// Policy tests enforce schemas as Cerbos's runner does: with schema.enforcement reject unless
// --ignore-schemas. The same project goes through `verdict test` and the real `cerbos compile`,
// and both must agree on pass/fail (exit codes) with and without the flag.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runTestCommand } from "../../cli/test/index.ts";
import { cerbosBinary } from "../oracle/paths.ts";

const FILES: Record<string, string> = {
  "_schemas/principal.json": JSON.stringify({ type: "object", required: ["dept"], properties: { dept: { enum: ["eng", "ops"] } } }),
  "doc.yaml": `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: doc
  version: default
  schemas:
    principalSchema: {ref: "cerbos:///principal.json", ignoreWhen: {actions: ["list"]}}
  rules:
    - actions: ["view", "list"]
      roles: [user]
      effect: EFFECT_ALLOW
`,
  "doc_test.yaml": `name: DocSuite
principals:
  valid: {id: a, roles: [user], attr: {dept: eng}}
  invalid: {id: b, roles: [user], attr: {dept: hr}}
resources:
  doc1: {kind: doc, id: d1}
tests:
  - name: everyone may view and list
    input: {principals: [valid, invalid], resources: [doc1], actions: [view, list]}
    expected:
      - {principal: valid, resource: doc1, actions: {view: EFFECT_ALLOW, list: EFFECT_ALLOW}}
      - {principal: invalid, resource: doc1, actions: {view: EFFECT_ALLOW, list: EFFECT_ALLOW}}
`,
};

const dir = mkdtempSync(path.join(tmpdir(), "verdict-schema-tests-"));
for (const [name, text] of Object.entries(FILES)) {
  mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  writeFileSync(path.join(dir, name), text);
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function verdict(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const code = await runTestCommand(args, { stdout: (s) => void (stdout += s), stderr: () => {}, readStdin: async () => "" });
  return { code, stdout };
}

function cerbos(args: string[]): number {
  const r = spawnSync(cerbosBinary(), ["compile", "--no-color", ...args, dir], { encoding: "utf8", timeout: 30_000 });
  return r.status ?? -1;
}

describe("policy tests with schemas: verdict test = cerbos compile", () => {
  it("rejects the invalid principal by default (its view is DENY, so the suite fails)", async () => {
    const v = await verdict([dir]);
    expect(v.code).toBe(4);
    expect(v.stdout).toContain("[FAILED]");
    expect(cerbos([])).toBe(4);
  });

  it("passes with --ignore-schemas", async () => {
    const v = await verdict(["--ignore-schemas", dir]);
    expect(v.code).toBe(0);
    expect(cerbos(["--ignore-schemas"])).toBe(0);
  });
});
