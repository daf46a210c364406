// Decision audit log, in-process: entries built from the request and the engine outputs (Cerbos's
// DecisionLogEntry fields), filters, the bounded batching core, the file sink's rotation, and the
// HTTP sink against a slow and a failing receiver (decisions never wait; drops are counted).
import { createServer, type Server } from "node:http";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AuditLog, Batcher, callbackSink, type DecisionLogEntry } from "../../host/common/audit/index.ts";
import { FileSink, HttpSink } from "../../host/node/audit/index.ts";
import { Pdp } from "../../host/node/index.ts";
import { REQUEST, writeDocPolicies } from "./audit-fixture.ts";

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), "verdict-audit-t-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const policyDir = writeDocPolicies(tmp());

function pdpWith(log: AuditLog): Pdp {
  return Pdp.fromPolicyDir(policyDir, { onDecision: (d) => log.record({ ...d, rulesetId: "rev-1" }) });
}

describe("decision entries", () => {
  it("carry the call id, principal, resources, effects, policies, derived roles, outputs, errors and ruleset id", () => {
    const got: DecisionLogEntry[] = [];
    const log = new AuditLog({ sinks: [callbackSink((e) => got.push(e))], policySource: () => ({ disk: { directory: "p/" } }) });
    const res = pdpWith(log).checkResources(REQUEST);
    expect(got).toHaveLength(1);
    const e = got[0]!;
    expect(e.callId).toBe(res.cerbosCallId);
    expect(Number.isNaN(Date.parse(e.timestamp))).toBe(false);
    expect(e.rulesetId).toBe("rev-1");
    expect(e.policySource).toEqual({ disk: { directory: "p/" } });
    expect(e.checkResources.inputs).toEqual([
      { principal: REQUEST.principal, resource: REQUEST.resources[0]!.resource, actions: ["read", "edit", "share"], requestId: "r-1" },
      { principal: REQUEST.principal, resource: REQUEST.resources[1]!.resource, actions: ["edit"], requestId: "r-1" },
    ]);
    const [o1, o2] = e.checkResources.outputs;
    expect(o1).toMatchObject({
      requestId: "r-1",
      resourceId: "d1",
      actions: {
        read: { effect: "EFFECT_ALLOW", policy: "resource.doc.vdefault" },
        edit: { effect: "EFFECT_ALLOW", policy: "resource.doc.vdefault" },
        share: { effect: "EFFECT_DENY", policy: "resource.doc.vdefault" },
      },
      effectiveDerivedRoles: ["owner"],
      outputs: [{ src: "resource.doc.vdefault#rule-001", action: "read", val: "read-by-alice" }],
    });
    expect(o1!.evaluationErrors?.[0]?.celError.expression).toBe("R.attr.missing.flag == true");
    expect(o2).toMatchObject({ resourceId: "d2", actions: { edit: { effect: "EFFECT_DENY" } } });
    expect(e.auditTrail.effectivePolicies).toEqual({ "resource.doc.vdefault": { attributes: {} } });
    expect(log.stats()).toMatchObject({ decisions: 1, filtered: 0, dropped: 0 });
  });

  it("ignoreAllowAll, a predicate and metadata include/exclude filter like Cerbos", () => {
    const got: DecisionLogEntry[] = [];
    const log = new AuditLog({
      sinks: [callbackSink((e) => got.push(e))],
      ignoreAllowAll: true,
      excludeMetadataKeys: ["x-secret"],
      predicate: (e) => e.checkResources.inputs[0]!.principal.id !== "mallory",
    });
    const pdp = pdpWith(log);
    const allow = { principal: REQUEST.principal, resources: [{ resource: REQUEST.resources[0]!.resource, actions: ["read"] }] };
    pdp.checkResources(allow); // all allowed: ignored
    pdp.checkResources({ ...allow, principal: { id: "mallory", roles: ["x"] } }); // predicate says no
    pdp.checkResources(REQUEST, {
      observe: (d) => log.record({ ...d, metadata: { authorization: "Bearer t", "x-secret": "s", "x-tenant": "acme" } }),
    });
    expect(got).toHaveLength(1);
    expect(got[0]!.metadata).toEqual({ "x-tenant": { values: ["acme"] } });
    expect(log.stats()).toMatchObject({ decisions: 3, filtered: 2 });

    const onlyTenant = new AuditLog({ sinks: [callbackSink((e) => got.push(e))], includeMetadataKeys: ["X-Tenant", "authorization"] });
    onlyTenant.record({ callId: "c", timestamp: new Date(), inputs: [], outputs: [], metadata: { authorization: "a", "x-tenant": "t", other: "o" } });
    expect(got[1]!.metadata).toEqual({ "x-tenant": { values: ["t"] } });
  });

  it("a throwing callback never fails the decision; its drops are counted", () => {
    const log = new AuditLog({
      sinks: [
        callbackSink(() => {
          throw new Error("sink down");
        }),
      ],
    });
    const res = pdpWith(log).checkResources(REQUEST);
    expect(res.results[0]!.actions.read).toBe("EFFECT_ALLOW");
    expect(log.stats().dropped).toBe(1);
  });
});

describe("Batcher", () => {
  it("bounds its queue, counts drops and failed sends, and batches", async () => {
    const batches: number[][] = [];
    let fail = false;
    let release!: () => void;
    let gate = new Promise<void>((r) => (release = r));
    const b = new Batcher<number>({
      maxBatch: 3,
      maxQueue: 5,
      flushIntervalMs: 5,
      send: async (batch) => {
        await gate;
        if (fail) throw new Error("down");
        batches.push(batch);
      },
    });
    for (let i = 0; i < 10; i++) b.push(i); // 3 in flight, 5 queued, 2 dropped
    expect(b.stats()).toMatchObject({ accepted: 8, dropped: 2, pending: 8 });
    release();
    await b.flush();
    expect(batches.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(b.stats()).toMatchObject({ sent: 8, dropped: 2, failedSends: 0, pending: 0 });
    fail = true;
    gate = Promise.resolve();
    b.push(100);
    await b.flush();
    expect(b.stats()).toMatchObject({ sent: 8, dropped: 3, failedSends: 1, pending: 0 });
  });
});

describe("FileSink", () => {
  it("writes one JSON line per entry and rotates by size, keeping maxFileCount old files", async () => {
    const dir = tmp();
    const path = join(dir, "audit.log");
    // ~1 KiB per entry; 0.002 MB ≈ 2 KiB per file → rotation every couple of entries.
    const sink = new FileSink({ path, maxFileSizeMB: 0.002, maxFileCount: 2 });
    const log = new AuditLog({ sinks: [sink] });
    const pdp = pdpWith(log);
    for (let i = 0; i < 12; i++) {
      pdp.checkResources(REQUEST);
      await sink.flush(); // one write per entry, so rotation happens between entries
    }
    await log.close();
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(existsSync(`${path}.2`)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
    for (const p of [path, `${path}.1`, `${path}.2`]) {
      const lines = readFileSync(p, "utf8").trimEnd().split("\n");
      for (const l of lines) expect(JSON.parse(l)).toMatchObject({ "log.logger": "cerbos.audit", "log.kind": "decision", rulesetId: "rev-1" });
    }
    expect(sink.stats()).toMatchObject({ accepted: 12, written: 12, dropped: 0, pending: 0 });
  });
});

function receiver(handler: (body: string, res: import("node:http").ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => handler(body, res));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/logs` })));
}

describe("HttpSink", () => {
  it("delivers batches as NDJSON", async () => {
    const lines: string[] = [];
    const { server, url } = await receiver((body, res) => {
      lines.push(...body.trimEnd().split("\n"));
      res.end();
    });
    const sink = new HttpSink({ url, maxBatch: 10, flushIntervalMs: 10 });
    const pdp = pdpWith(new AuditLog({ sinks: [sink] }));
    for (let i = 0; i < 25; i++) pdp.checkResources(REQUEST);
    await sink.flush();
    server.close();
    expect(lines).toHaveLength(25);
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({ "log.kind": "decision", rulesetId: "rev-1" });
    expect(first.checkResources.inputs[0].principal.id).toBe("alice");
    expect(sink.stats()).toMatchObject({ accepted: 25, written: 25, dropped: 0 });
  });

  it("a slow receiver never delays decisions: the bounded queue drops and counts", async () => {
    const { server, url } = await receiver((_b, res) => setTimeout(() => res.end(), 2000)); // never in time
    const sink = new HttpSink({ url, maxBatch: 10, maxQueue: 50, flushIntervalMs: 5, timeoutMs: 200 });
    const log = new AuditLog({ sinks: [sink] });
    const pdp = pdpWith(log);
    const t0 = performance.now();
    for (let i = 0; i < 500; i++) pdp.checkResources(REQUEST);
    const ms = performance.now() - t0;
    const plain = Pdp.fromPolicyDir(policyDir);
    const t1 = performance.now();
    for (let i = 0; i < 500; i++) plain.checkResources(REQUEST);
    const baseline = performance.now() - t1;
    // Logging costs serialisation only (no waiting): well within a few × the unlogged time.
    expect(ms).toBeLessThan(baseline * 5 + 200);
    await sink.flush();
    server.closeAllConnections();
    server.close();
    const s = log.stats();
    expect(s.sinks[sink.name]!.accepted).toBeLessThan(500); // the rest overflowed the bounded queue
    expect(s.dropped).toBe(500); // queue overflow + timed-out batches: nothing got through, all counted
  });

  it("a failing receiver (HTTP 500 / connection refused) counts every entry as dropped", async () => {
    const { server, url } = await receiver((_b, res) => {
      res.statusCode = 500;
      res.end();
    });
    const sink = new HttpSink({ url, maxBatch: 5, flushIntervalMs: 5 });
    const refused = new HttpSink({ url: "http://127.0.0.1:9/none", maxBatch: 5, flushIntervalMs: 5, timeoutMs: 1000 });
    const log = new AuditLog({ sinks: [sink, refused] });
    const pdp = pdpWith(log);
    for (let i = 0; i < 20; i++) expect(pdp.checkResources(REQUEST).results).toHaveLength(2);
    await log.flush();
    server.close();
    expect(sink.stats()).toMatchObject({ accepted: 20, written: 0, dropped: 20 });
    expect(refused.stats()).toMatchObject({ accepted: 20, written: 0, dropped: 20 });
    expect(log.stats().dropped).toBe(40);
  });
});
