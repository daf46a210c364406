// Acceptance 4 (Cerbos API): the official @cerbos/http client, pointed at the example Worker's
// `/api/check/resources`, gets the same answers real Cerbos 0.55 gave for every principal ×
// resource × action of examples/expenses (recorded by setup.ts). The client uses the global
// fetch, which these tests route to the Worker (SELF) while they run.
import type { CheckResourcesRequest } from "@cerbos/core";
import { HTTP } from "@cerbos/http";
import { SELF } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const expenses = inject("verdictExpenses");
const realFetch = globalThis.fetch;

beforeAll(() => {
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => SELF.fetch(input, init)) as typeof fetch;
});
afterAll(() => {
  globalThis.fetch = realFetch;
});

describe("workers: @cerbos/http against the Worker's /api/check/resources", () => {
  const client = new HTTP("https://verdict-worker.example");

  it("has the oracle's answers for every principal", () => {
    expect(expenses.requests.length).toBeGreaterThanOrEqual(5);
    expect(expenses.answers).toHaveLength(expenses.requests.length);
  });

  for (const [i, req] of expenses.requests.entries()) {
    it(`${req.principal.id} (${req.principal.roles.join(",")}): same decisions as real Cerbos`, async () => {
      const res = await client.checkResources(req as unknown as CheckResourcesRequest);
      const want = expenses.answers[i]!;
      expect(res.requestId).toBe(req.requestId);
      const got: Record<string, Record<string, string>> = {};
      const wanted: Record<string, Record<string, string>> = {};
      for (const r of want.results) {
        wanted[r.resource.id] = r.actions;
        got[r.resource.id] = {};
        for (const a of Object.keys(r.actions)) {
          const allowed = res.isAllowed({ resource: { kind: r.resource.kind, id: r.resource.id }, action: a });
          got[r.resource.id]![a] = allowed ? "EFFECT_ALLOW" : "EFFECT_DENY";
        }
      }
      expect(got).toEqual(wanted);
    });
  }

  it("answers with Cerbos's exact JSON (apart from the call id)", async () => {
    for (const [i, req] of expenses.requests.entries()) {
      const res = await SELF.fetch("https://verdict-worker.example/api/check/resources", { method: "POST", body: JSON.stringify(req) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { cerbosCallId?: string };
      expect(body.cerbosCallId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      const { cerbosCallId: _a, ...rest } = body;
      const { cerbosCallId: _b, ...want } = expenses.answers[i] as typeof expenses.answers[number] & { cerbosCallId?: string };
      expect(rest).toEqual(want);
    }
  });

  it("rejects an invalid request the way Cerbos does (400, code 3), and the client reports it", async () => {
    const res = await SELF.fetch("https://verdict-worker.example/api/check/resources", { method: "POST", body: "{not json" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 3 });
    await expect(
      client.checkResources({ principal: { id: "", roles: [] }, resources: [{ resource: { kind: "expense", id: "E1" }, actions: ["read"] }] }),
    ).rejects.toMatchObject({ code: 3 });
  });

  it("serves health and server_info for SDK calls", async () => {
    expect(await (await SELF.fetch("https://verdict-worker.example/_cerbos/health")).json()).toEqual({ status: "SERVING" });
    const info = await client.serverInfo();
    expect(info.version).toMatch(/^verdict-/);
  });
});
