// Acceptance 6: Cerbos's own JavaScript SDK (@cerbos/http, unchanged) gets the same answers from
// `verdict serve` as from real Cerbos 0.55, both on loopback with the same policies (the expenses
// example plus the audit fixture with derived roles, outputs and a failing condition):
// checkResources (whole results: effects, meta, outputs) and isAllowed for every principal ×
// resource × action.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Principal, Resource } from "@cerbos/core";
import { HTTP } from "@cerbos/http";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCerbos, type RunningServer } from "../oracle/cerbos.ts";
import { repoRoot } from "../oracle/paths.ts";
import { startVerdictServe } from "../oracle/verdict-serve.ts";
import { writeDocPolicies } from "./audit-fixture.ts";

// The SDK's own types: attributes are its JSON `Value`s.
type P = Principal;
type R = Resource;

const dir = mkdtempSync(join(tmpdir(), "verdict-cerbos-http-"));
const expenses = join(repoRoot, "examples", "expenses");
copyFileSync(join(expenses, "expense.yaml"), join(dir, "expense.yaml"));
writeDocPolicies(dir);
const td = (f: string): Record<string, Record<string, unknown>> => parseYaml(readFileSync(join(expenses, "testdata", f), "utf8"));
const principals: P[] = [...Object.values(td("principals.yaml").principals!) as P[], { id: "alice", roles: ["user"], attr: { dept: "eng" } } as P];
const resources: Array<{ resource: R; actions: string[] }> = [
  ...(Object.values(td("resources.yaml").resources!) as R[]).map((resource) => ({ resource, actions: ["create", "read", "delete", "approve"] })),
  { resource: { kind: "doc", id: "d1", attr: { owner: "alice" } }, actions: ["read", "edit", "share"] },
  { resource: { kind: "doc", id: "d2", attr: { owner: "bob" } }, actions: ["read", "edit", "share"] },
];

let cerbos: RunningServer;
let verdict: RunningServer;
beforeAll(async () => {
  [cerbos, verdict] = await Promise.all([startCerbos({ policyDir: dir }), startVerdictServe({ policyDir: dir })]);
});
afterAll(async () => {
  await Promise.all([cerbos?.stop(), verdict?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe("@cerbos/http against verdict serve and real Cerbos", () => {
  it("checkResources: same results for every principal (effects, meta, outputs)", async () => {
    const [c, v] = [new HTTP(cerbos.baseUrl), new HTTP(verdict.baseUrl)];
    for (const principal of principals) {
      const req = { requestId: `req-${principal.id}`, principal, resources, includeMetadata: true };
      const [want, got] = await Promise.all([c.checkResources(req), v.checkResources(req)]);
      // cerbosCallId is a fresh ULID per call on both sides.
      expect({ ...got, cerbosCallId: "" }, principal.id).toEqual({ ...want, cerbosCallId: "" });
      expect(got.results.length).toBe(resources.length);
    }
  });

  it("isAllowed: same answer for every principal × resource × action", async () => {
    const [c, v] = [new HTTP(cerbos.baseUrl), new HTTP(verdict.baseUrl)];
    let allowed = 0;
    let n = 0;
    for (const principal of principals) {
      for (const { resource, actions } of resources) {
        for (const action of actions) {
          const [want, got] = await Promise.all([c.isAllowed({ principal, resource, action }), v.isAllowed({ principal, resource, action })]);
          expect(got, `${principal.id} ${resource.kind}/${resource.id} ${action}`).toBe(want);
          n++;
          if (got) allowed++;
        }
      }
    }
    // Both answers occur, so the comparison can tell a wrong decision apart.
    expect(allowed).toBeGreaterThan(5);
    expect(n - allowed).toBeGreaterThan(5);
  });
});
