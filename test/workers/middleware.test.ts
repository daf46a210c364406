// Acceptance 4 (middleware): requests through the example Worker (examples/worker, the `main` of this
// vitest project) and through withAuthorization directly: allowed requests reach the handler,
// denied ones get 403 with a JSON body, and failures fail closed.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import wasm from "../../build/verdict.wasm";
import ruleset from "../../build/expenses.bin";
import { type AuthzQuery, type Decision, RequestValidationError, withAuthorization, WorkerPdp } from "../../host/workers/index.ts";

const as = (id: string, roles: string, region?: string): Record<string, string> => ({
  "x-user-id": id,
  "x-roles": roles,
  ...(region ? { "x-region": region } : {}),
});

async function call(method: string, path: string, headers: Record<string, string>): Promise<{ status: number; type: string | null; body: Record<string, unknown> }> {
  const res = await SELF.fetch(`https://expenses.example${path}`, { method, headers });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type"), body: JSON.parse(text) as Record<string, unknown> };
}

describe("workers: the example Worker behind withAuthorization", () => {
  it("lets an allowed request through to the handler", async () => {
    const r = await call("GET", "/expenses/E1", as("bob", "user"));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ action: "read", allowedBy: "resource.expense.vdefault", expense: { id: "E1", ownerId: "bob", region: "EU", amount: 120 } });
  });

  it("answers a denied request with 403 JSON and never reaches the handler", async () => {
    const r = await call("DELETE", "/expenses/E1", as("bob", "user"));
    expect(r.status).toBe(403);
    expect(r.type).toBe("application/json");
    expect(r.body).toEqual({ code: 7, message: "PERMISSION_DENIED", action: "delete", resource: { kind: "expense", id: "E1" }, principal: "bob" });
  });

  it("decides per principal as the expense policy says", async () => {
    const cases: Array<[string, string, Record<string, string>, number]> = [
      ["GET", "/expenses/E2", as("bob", "user"), 403], // not his own
      ["POST", "/expenses", as("bob", "user"), 201],
      ["DELETE", "/expenses/E2", as("alice", "admin"), 200],
      ["GET", "/expenses/E1", as("mia", "manager", "EU"), 200], // her region
      ["GET", "/expenses/E2", as("mia", "manager", "EU"), 403], // another region
      ["DELETE", "/expenses/E1", as("mia", "manager", "EU"), 403],
      ["GET", "/expenses/E1", as("gary", "guest"), 403],
    ];
    const got = [];
    for (const [m, p, h] of cases) got.push((await call(m, p, h)).status);
    expect(got).toEqual(cases.map((c) => c[3]));
  });

  it("passes the mapper's own responses through (401 without credentials, 404 unknown expense)", async () => {
    expect((await call("GET", "/expenses/E1", {})).status).toBe(401);
    expect((await call("GET", "/expenses/E9", as("alice", "admin"))).status).toBe(404);
  });
});

describe("workers: withAuthorization", () => {
  const pdp = new WorkerPdp(wasm, ruleset);
  const query = (action: string): AuthzQuery => ({
    principal: { id: "bob", roles: ["user"] },
    resource: { kind: "expense", id: "E1", attr: { ownerId: "bob" } },
    action,
  });

  function wrap(map: (r: Request) => AuthzQuery | Response | null) {
    const seen: Array<Decision | null> = [];
    const fetch = withAuthorization<unknown>({ pdp: () => pdp, map }, (_req, _env, _ctx, d) => {
      seen.push(d);
      return new Response("handled");
    });
    const ctx = { waitUntil() {} };
    return { seen, run: (path: string) => fetch(new Request(`https://x.example${path}`), {}, ctx) };
  }

  it("calls the handler with the decision only when allowed", async () => {
    const w = wrap((r) => query(new URL(r.url).pathname.slice(1)));
    const allowed = await w.run("/read");
    expect([allowed.status, await allowed.text()]).toEqual([200, "handled"]);
    expect(w.seen).toEqual([{ ...query("read"), effect: "EFFECT_ALLOW", policy: "resource.expense.vdefault" }]);
    const denied = await w.run("/delete");
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ code: 7, action: "delete" });
    expect(w.seen).toHaveLength(1);
  });

  it("uses onDenied when given", async () => {
    const fetch = withAuthorization<unknown>(
      { pdp, map: () => query("delete"), onDenied: (d) => new Response(`no ${d.action} (${d.policy})`, { status: 451 }) },
      () => new Response("handled"),
    );
    const res = await fetch(new Request("https://x.example/"), {}, { waitUntil() {} });
    expect([res.status, await res.text()]).toEqual([451, "no delete (resource.expense.vdefault)"]);
  });

  it("fails closed: a throwing mapper or an invalid query answers 500 JSON, not the handler", async () => {
    const boom = wrap(() => {
      throw new Error("session store down");
    });
    const r1 = await boom.run("/");
    expect(r1.status).toBe(500);
    expect(await r1.json()).toEqual({ code: 13, message: "authorization failed" });
    const invalid = wrap(() => ({ principal: { id: "", roles: [] }, resource: { kind: "expense", id: "E1" }, action: "read" }));
    const r2 = await invalid.run("/");
    expect(r2.status).toBe(500);
    expect(boom.seen.length + invalid.seen.length).toBe(0);
  });

  it("lets `null` (a public route) through without a decision", async () => {
    const w = wrap(() => null);
    expect((await w.run("/")).status).toBe(200);
    expect(w.seen).toEqual([null]);
  });
});

describe("workers: WorkerPdp gating (decisions-only path)", () => {
  const pdp = new WorkerPdp(wasm, ruleset);
  const bob = { id: "bob", roles: ["user"] };
  const e1 = { kind: "expense", id: "E1", attr: { ownerId: "bob" } };

  it("check: many resources × actions in one call, [i][j] per requested action", () => {
    const got = pdp.check(bob, [
      { resource: e1, actions: ["read", "delete"] },
      { resource: { kind: "expense", id: "E2", attr: { ownerId: "carol" } }, actions: ["read"] },
    ]);
    expect(got.map((row) => row.map((d) => d.effect))).toEqual([["EFFECT_ALLOW", "EFFECT_DENY"], ["EFFECT_DENY"]]);
    expect(got[0]![0]).toEqual({ effect: "EFFECT_ALLOW", policy: "resource.expense.vdefault" });
    expect(pdp.decide({ principal: bob, resource: e1, action: "read" })).toEqual(got[0]![0]);
  });

  it("refuses what Cerbos's validation refuses (RequestValidationError), never deciding it", () => {
    const bad: Array<[unknown, unknown, unknown]> = [
      [{ id: "", roles: ["user"] }, e1, "read"],
      [{ id: "bob", roles: [] }, e1, "read"],
      [{ id: "bob", roles: "user" }, e1, "read"],
      [{ id: "bob", roles: ["user"], atr: { ownerId: "bob" } }, e1, "read"], // unknown field (typo)
      [{ id: 7, roles: ["user"] }, e1, "read"],
      [bob, { kind: "", id: "E1" }, "read"],
      [bob, { kind: "expense", id: "E1", attr: [] }, "read"],
      [bob, { kind: "expense", id: "E1", scope: 1 }, "read"],
      [bob, e1, ""],
      [null, e1, "read"],
    ];
    for (const [principal, resource, action] of bad) {
      expect(() => pdp.isAllowed({ principal, resource, action } as never), JSON.stringify([principal, resource, action])).toThrow(RequestValidationError);
    }
    expect(() => pdp.check(bob, [{ resource: e1, actions: [] }])).toThrow(RequestValidationError);
    // Accepted like validate.ts accepts them: proto names, empty optional fields, repeated actions.
    expect(pdp.check({ id: "bob", roles: ["user"], scope: "", policy_version: "default" } as never, [{ resource: e1, actions: ["read", "read"] }])[0]!.map((d) => d.effect)).toEqual(["EFFECT_ALLOW", "EFFECT_ALLOW"]);
  });
});
