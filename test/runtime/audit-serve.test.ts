// Acceptance 5 against `verdict serve` (a child process on loopback): with the file backend the
// audit log holds exactly one well-formed entry per decision, with Cerbos's decision-log fields
// plus the ruleset id; with an HTTP backend whose receiver is slow or failing, decisions are not
// delayed and the lost entries are counted on /_verdict/status.
import { createServer, type Server } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JsonClient } from "../oracle/http.ts";
import { sleep } from "../oracle/process.ts";
import type { RunningServer } from "../oracle/cerbos.ts";
import { startVerdictServe } from "../oracle/verdict-serve.ts";
import { REQUEST, writeDocPolicies } from "./audit-fixture.ts";

const root = mkdtempSync(join(tmpdir(), "verdict-audit-serve-"));
const servers: RunningServer[] = [];
const receivers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const r of receivers) {
    r.closeAllConnections();
    r.close();
  }
  rmSync(root, { recursive: true, force: true });
});
const policyDir = writeDocPolicies(join(root, "policies"));

async function serve(set: Record<string, string>): Promise<{ srv: RunningServer; client: JsonClient }> {
  const srv = await startVerdictServe({ policyDir, set: { "audit.enabled": "true", "audit.decisionLogsEnabled": "true", ...set } });
  servers.push(srv);
  return { srv, client: new JsonClient(srv.baseUrl, { maxSockets: 4 }) };
}

describe("verdict serve decision log", () => {
  it("file backend: one well-formed entry per decision, with every field", async () => {
    const path = join(root, "audit.log");
    const { srv, client } = await serve({
      "audit.backend": "file",
      "audit.file.path": path,
      "audit.includeMetadataKeys": "[x-tenant, authorization]",
    });
    const N = 40;
    const ids = new Map<string, string>(); // callId → ruleset header
    for (let i = 0; i < N; i++) {
      const req = { ...REQUEST, requestId: `r-${i}`, principal: { ...REQUEST.principal, id: i % 2 ? "alice" : "bob" } };
      const r = await client.post("/api/check/resources", req);
      expect(r.status).toBe(200);
      ids.set((r.body as { cerbosCallId: string }).cerbosCallId, "");
    }
    const bad = await client.post("/api/check/resources", { principal: {} }); // refused: no decision, no entry
    expect(bad.status).toBe(400);
    client.close();
    await srv.stop(); // graceful: the queue is written before exit
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(N);
    const seen = new Set<string>();
    for (const l of lines) {
      const e = JSON.parse(l);
      expect(e["log.logger"]).toBe("cerbos.audit");
      expect(e["log.kind"]).toBe("decision");
      expect(ids.has(e.callId)).toBe(true);
      seen.add(e.callId);
      expect(Number.isNaN(Date.parse(e.timestamp))).toBe(false);
      expect(e.peer.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(e.rulesetId).toMatch(/\S/);
      const [in1, in2] = e.checkResources.inputs;
      expect(in1.principal).toMatchObject({ roles: ["user"], attr: { dept: "eng" } });
      expect(in1.resource).toEqual({ kind: "doc", id: "d1", attr: { owner: "alice" } });
      expect(in2.actions).toEqual(["edit"]);
      const o1 = e.checkResources.outputs[0];
      expect(o1.actions.read).toEqual({ effect: "EFFECT_ALLOW", policy: "resource.doc.vdefault" });
      expect(o1.actions.share.effect).toBe("EFFECT_DENY");
      expect(o1.evaluationErrors[0].celError.expression).toBe("R.attr.missing.flag == true");
      expect(o1.outputs[0]).toMatchObject({ action: "read", val: `read-by-${in1.principal.id}` });
      expect(o1.effectiveDerivedRoles).toEqual(in1.principal.id === "alice" ? ["owner"] : []);
      expect(e.auditTrail.effectivePolicies).toHaveProperty(["resource.doc.vdefault"]);
    }
    expect(seen.size).toBe(N);
  });

  it("a slow HTTP sink does not delay decisions; a failing one's drops are counted on the status endpoint", async () => {
    const slow = createServer((req, res) => {
      req.resume();
      setTimeout(() => res.end(), 3000); // far slower than the sink's timeout
    });
    receivers.push(slow);
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(slow.address() as { port: number }).port}/ingest`;
    const { client } = await serve({
      "audit.backend": "http",
      "audit.http.url": url,
      "audit.http.batchSize": "10",
      "audit.http.maxQueue": "50",
      "audit.http.flushInterval": "10ms",
      "audit.http.timeout": "300ms",
    });
    const N = 300;
    const lat: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      const r = await client.post("/api/check/resources", REQUEST);
      lat.push(performance.now() - t0);
      expect(r.status).toBe(200);
    }
    lat.sort((a, b) => a - b);
    const p99 = lat[Math.floor(N * 0.99)]!;
    // The sink's receiver takes 3 s per batch; a decision that waited for it would show that.
    expect(p99).toBeLessThan(250);
    await sleep(700); // let the in-flight send time out
    const st = (await client.get("/_verdict/status")).body as { audit: { decisions: number; dropped: number; sinks: Record<string, { accepted: number; written: number }> } };
    client.close();
    expect(st.audit.decisions).toBe(N);
    const sink = Object.values(st.audit.sinks)[0]!;
    expect(sink.written).toBe(0);
    expect(st.audit.dropped).toBeGreaterThanOrEqual(N - 50 - 10); // all but the queue and one batch in flight
  });
});
