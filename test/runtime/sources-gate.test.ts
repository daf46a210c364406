// verdict.reload.runTests: a change whose own policy test suites fail is refused like a compile
// error (the gate is cli/serve/test-gate.ts over the `verdict test` runner).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { testSuiteGate } from "../../cli/serve/test-gate.ts";
import { ReloadingPdp } from "../../host/node/reloading-pdp.ts";
import { DiskSource } from "../../host/node/sources/disk.ts";
import { docPolicy, removeDir, tempDir, within, writeFiles } from "./sources-helpers.ts";

const root = tempDir("verdict-gate-");
afterAll(() => removeDir(root));

const SUITE = `name: DocSuite
principals:
  alice: { id: alice, roles: [user] }
resources:
  doc1: { kind: doc, id: doc1 }
tests:
  - name: users view
    input: { principals: [alice], resources: [doc1], actions: [view] }
    expected:
      - { principal: alice, resource: doc1, actions: { view: EFFECT_ALLOW } }
`;

describe("test-suite gate", () => {
  it("refuses a change that fails its suites, then accepts one that passes", async () => {
    writeFiles(root, { "doc.yaml": docPolicy("user"), "doc_test.yaml": SUITE });
    const pdp = await ReloadingPdp.open(new DiskSource({ directory: root, watchForChanges: true, cooldownMs: 50 }), { gate: testSuiteGate(false) });
    const allowed = (role: string): boolean => pdp.isAllowed({ principal: { id: "p", roles: [role] }, resource: { kind: "doc", id: "d" }, action: "view" });
    try {
      // Compiles fine, but the suite expects users to view: refused.
      writeFileSync(join(root, "doc.yaml"), docPolicy("admin"));
      await within(3_000, "refusal", () => pdp.status().refused === 1);
      expect(pdp.status().lastError!.message).toMatch(/policy tests failed \(1\): alice viewing doc1: expected ALLOW, got DENY/);
      expect([allowed("user"), allowed("admin")]).toEqual([true, false]);

      // Admins added alongside users: the suite passes and the change is served.
      writeFileSync(join(root, "doc.yaml"), docPolicy("user").replace('roles: ["user"]', 'roles: ["user", "admin"]'));
      await within(3_000, "accepted", () => pdp.status().reloads === 1);
      expect([allowed("user"), allowed("admin")]).toEqual([true, true]);
    } finally {
      await pdp.stop();
    }
  });
});
