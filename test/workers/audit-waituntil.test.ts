// Workers audit sink (issue 5) in workerd: host/workers/audit.ts's WaitUntilHttpSink. Entries
// (from withAuthorization's decision via authzDecision, and from the engine-shaped checkInputs of
// verdict/workers/api) are POSTed as NDJSON batches whose delivery is handed to ctx.waitUntil —
// the response never waits for them. Bounded: a full queue, a failing or a hanging collector
// drop entries and count them; nothing throws into the decision path.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import wasm from "../../build/verdict.wasm";
import ruleset from "../../build/expenses.bin";
import { AuditLog, authzDecision, WaitUntilHttpSink } from "../../host/workers/audit.ts";
import { checkInputs } from "../../host/workers/cerbos-api.ts";
import { type Decision, withAuthorization, WorkerPdp } from "../../host/workers/index.ts";

declare module "cloudflare:test" {
  export function createExecutionContext(): { waitUntil(p: Promise<unknown>): void; passThroughOnException(): void };
  export function waitOnExecutionContext(ctx: { waitUntil(p: Promise<unknown>): void }): Promise<void>;
}

const pdp = new WorkerPdp(wasm, ruleset);
const bob = { id: "bob", roles: ["user"] };

function collector(answer: (n: number) => Promise<Response> | Response = () => new Response(null, { status: 204 })) {
  const c = {
    posts: [] as Array<{ url: string; type: string | null; auth: string | null; lines: Array<Record<string, any>> }>,
    fetch: async (url: string, init: RequestInit): Promise<Response> => {
      const h = new Headers(init.headers);
      c.posts.push({ url, type: h.get("content-type"), auth: h.get("authorization"), lines: String(init.body).split("\n").filter(Boolean).map((l) => JSON.parse(l)) });
      return answer(c.posts.length);
    },
  };
  return c;
}

describe("workers: WaitUntilHttpSink", () => {
  it("batches decision entries into NDJSON POSTs delivered under ctx.waitUntil, after the response", async () => {
    const c = collector();
    const sink = new WaitUntilHttpSink({ url: "https://audit.example/decisions", headers: { authorization: "Bearer t" }, maxBatch: 3, fetch: c.fetch });
    const log = new AuditLog({ sinks: [sink] });
    let n = 0;
    const handler = withAuthorization<unknown>(
      { pdp, map: (req) => ({ principal: bob, resource: { kind: "expense", id: new URL(req.url).pathname.slice(1), attr: { ownerId: "bob" } }, action: req.method === "DELETE" ? "delete" : "read" }) },
      () => new Response("ok"),
    );
    const audited = async (req: Request, env: unknown, ctx: ReturnType<typeof createExecutionContext>): Promise<Response> => {
      let decision: Decision | undefined;
      const res = await withAuthorization<unknown>(
        { pdp, map: (r) => ({ principal: bob, resource: { kind: "expense", id: new URL(r.url).pathname.slice(1), attr: { ownerId: "bob" } }, action: r.method === "DELETE" ? "delete" : "read" }), onDenied: (d) => ((decision = d), new Response("no", { status: 403 })) },
        (_r, _e, _c, d) => ((decision = d ?? undefined), new Response("ok")),
      )(req, env, ctx);
      if (decision) log.record(authzDecision(decision, { callId: `c${++n}`, timestamp: new Date("2024-01-01T00:00:00Z"), rulesetId: "etag:\"r1\"" }));
      sink.flushOn(ctx);
      return res;
    };
    expect((await handler(new Request("https://x.example/E1"), {}, createExecutionContext())).status).toBe(200);

    const statuses: number[] = [];
    for (const [m, id] of [["GET", "E1"], ["DELETE", "E1"], ["GET", "E5"], ["GET", "E6"]] as const) {
      const ctx = createExecutionContext();
      statuses.push((await audited(new Request(`https://x.example/${id}`, { method: m }), {}, ctx)).status);
      await waitOnExecutionContext(ctx);
    }
    expect(statuses).toEqual([200, 403, 200, 200]);
    // Each request flushed its own entry under its waitUntil.
    expect(c.posts.map((p) => p.lines.length)).toEqual([1, 1, 1, 1]);
    expect(c.posts[0]).toMatchObject({ url: "https://audit.example/decisions", type: "application/x-ndjson", auth: "Bearer t" });
    const lines = c.posts.flatMap((p) => p.lines);
    expect(lines[1]).toEqual({
      "log.logger": "cerbos.audit",
      "log.kind": "decision",
      callId: "c2",
      timestamp: "2024-01-01T00:00:00.000Z",
      checkResources: {
        inputs: [{ principal: bob, resource: { kind: "expense", id: "E1", attr: { ownerId: "bob" } }, actions: ["delete"] }],
        outputs: [{ resourceId: "E1", actions: { delete: { effect: "EFFECT_DENY", policy: "resource.expense.vdefault" } }, effectiveDerivedRoles: [], outputs: [] }],
      },
      auditTrail: { effectivePolicies: { "resource.expense.vdefault": { attributes: {} } } },
      rulesetId: 'etag:"r1"',
    });
    expect(sink.stats()).toEqual({ accepted: 4, written: 4, dropped: 0, pending: 0 });
  });

  it("logs engine-shaped entries (checkInputs) and sends full batches at once under the bound ctx", async () => {
    const c = collector();
    const sink = new WaitUntilHttpSink({ url: "https://audit.example/d", maxBatch: 2, fetch: c.fetch });
    const log = new AuditLog({ sinks: [sink], ignoreAllowAll: true });
    const ctx = createExecutionContext();
    sink.bind(ctx);
    const now = new Date("2024-01-01T00:00:00Z");
    for (let i = 0; i < 5; i++) {
      const inputs = [{ requestId: `r${i}`, principal: bob, resource: { kind: "expense", id: `E${i}`, attr: { ownerId: i % 2 ? "bob" : "carol" } }, actions: ["read", "delete"] }];
      log.record({ callId: `k${i}`, timestamp: now, inputs, outputs: checkInputs(pdp, inputs, { now }) });
    }
    // Two full batches went out without any flush call; the fifth entry waits for flushOn.
    expect(c.posts.map((p) => p.lines.length)).toEqual([2, 2]);
    sink.flushOn(ctx);
    await waitOnExecutionContext(ctx);
    expect(c.posts.map((p) => p.lines.length)).toEqual([2, 2, 1]);
    expect(c.posts[0]!.lines[0]!.checkResources.outputs[0]).toMatchObject({ requestId: "r0", resourceId: "E0", actions: { read: { effect: "EFFECT_DENY" }, delete: { effect: "EFFECT_DENY" } } });
    expect(c.posts[0]!.lines[1]!.checkResources.outputs[0].actions.read.effect).toBe("EFFECT_ALLOW");
    expect(log.stats()).toMatchObject({ decisions: 5, filtered: 0, dropped: 0, sinks: { "http:https://audit.example/d": { accepted: 5, written: 5, pending: 0 } } });
  });

  it("counts drops: full queue, failing collector, hanging collector (timeout); decisions never wait or throw", async () => {
    const entry = authzDecision({ principal: bob, resource: { kind: "expense", id: "E1" }, action: "read", effect: "EFFECT_ALLOW", policy: "resource.expense.vdefault" }, { callId: "x" });

    const ok = collector();
    const small = new WaitUntilHttpSink({ url: "https://audit.example/q", maxBatch: 100, maxQueue: 3, fetch: ok.fetch });
    const l1 = new AuditLog({ sinks: [small] });
    for (let i = 0; i < 5; i++) l1.record(entry);
    expect(l1.stats()).toMatchObject({ decisions: 5, dropped: 2, sinks: { "http:https://audit.example/q": { accepted: 3, dropped: 2, pending: 3 } } });
    const ctx1 = createExecutionContext();
    small.flushOn(ctx1);
    await waitOnExecutionContext(ctx1);
    expect(l1.stats()).toMatchObject({ dropped: 2, sinks: { "http:https://audit.example/q": { written: 3, pending: 0 } } });

    const errors: string[] = [];
    const failing = collector(() => new Response("no", { status: 500 }));
    const s2 = new WaitUntilHttpSink({ url: "https://audit.example/f", maxBatch: 2, fetch: failing.fetch, onError: (m) => errors.push(m) });
    const l2 = new AuditLog({ sinks: [s2] });
    const ctx2 = createExecutionContext();
    s2.bind(ctx2);
    for (let i = 0; i < 5; i++) l2.record(entry);
    s2.flushOn(ctx2);
    await waitOnExecutionContext(ctx2);
    expect(l2.stats()).toMatchObject({ dropped: 5, sinks: { "http:https://audit.example/f": { accepted: 5, written: 0, dropped: 5, pending: 0 } } });
    expect(errors).toEqual(["audit http:https://audit.example/f: 2 entries dropped: HTTP 500", "audit http:https://audit.example/f: 2 entries dropped: HTTP 500", "audit http:https://audit.example/f: 1 entries dropped: HTTP 500"]);

    const hanging = {
      fetch: (_u: string, init: RequestInit) =>
        new Promise<Response>((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(new Error("aborted")))),
    };
    const s3 = new WaitUntilHttpSink({ url: "https://audit.example/h", timeoutMs: 50, fetch: hanging.fetch, onError: (m) => errors.push(m) });
    const l3 = new AuditLog({ sinks: [s3] });
    const t0 = Date.now();
    l3.record(entry);
    l3.record(entry);
    const ctx3 = createExecutionContext();
    s3.flushOn(ctx3);
    expect(Date.now() - t0).toBeLessThan(50); // recording and flushOn return at once
    await waitOnExecutionContext(ctx3);
    expect(l3.stats()).toMatchObject({ dropped: 2, sinks: { "http:https://audit.example/h": { dropped: 2, pending: 0 } } });
    expect(errors.at(-1)).toBe("audit http:https://audit.example/h: 2 entries dropped: timed out after 50 ms");

    // A fetch that throws synchronously is a failed send, not an exception in the caller.
    const s4 = new WaitUntilHttpSink({ url: "https://audit.example/t", maxBatch: 1, fetch: () => { throw new Error("boom"); } });
    const l4 = new AuditLog({ sinks: [s4] });
    expect(() => l4.record(entry)).not.toThrow();
    await s4.flush();
    expect(l4.stats().dropped).toBe(1);
  });
});
