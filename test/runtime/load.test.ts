// Acceptance 4: under load from a second process (scripts/loadgen.mjs, keep-alive HTTP) across 20
// hot reloads, `verdict serve` fails no request, and every response matches the ruleset that
// answered it: two policy versions alternate (read allowed for `user` / only for `admin`), each
// response names its ruleset in X-Verdict-Ruleset, and all responses of one ruleset carry that
// ruleset's decision — a response mixing old and new would show up as the wrong effect.
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { JsonClient } from "../oracle/http.ts";
import { repoRoot } from "../oracle/paths.ts";
import { sleep, spawnTracked, type Spawned } from "../oracle/process.ts";
import type { RunningServer } from "../oracle/cerbos.ts";
import { startVerdictServe } from "../oracle/verdict-serve.ts";
import { docPolicy, writeDocPolicies } from "./audit-fixture.ts";

const policyDir = writeDocPolicies(undefined, "user");
let srv: RunningServer | undefined;
let gen: Spawned | undefined;
afterAll(async () => {
  await gen?.stop();
  await srv?.stop();
  rmSync(policyDir, { recursive: true, force: true });
});

const REQ = { principal: { id: "alice", roles: ["user"] }, resources: [{ resource: { kind: "doc", id: "d1", attr: { owner: "bob" } }, actions: ["read"] }] };

interface Status {
  ruleset: { revision: string };
  reloads: number;
}

it("0 failed requests and no response from the wrong ruleset across 20 reloads under load", async () => {
  srv = await startVerdictServe({ policyDir, set: { "storage.disk.watchForChanges": "true", "storage.disk.watchCooldown": "30ms" } });
  const client = new JsonClient(srv.baseUrl, { maxSockets: 2 });
  const status = async (): Promise<Status> => (await client.get("/_verdict/status")).body as Status;
  const first = await status();
  const allowId = first.ruleset.revision; // version A: user may read

  gen = spawnTracked(process.execPath, [
    join(repoRoot, "scripts", "loadgen.mjs"),
    "--url", srv.baseUrl, "--duration-ms", "9000", "--concurrency", "8", "--body", JSON.stringify(REQ), "--action", "read",
  ]);
  const genDone = new Promise<void>((r) => gen!.child.once("exit", () => r()));
  await sleep(300);

  // 20 reloads, each confirmed on the status endpoint before the next (bounded wait per reload).
  let denyId = "";
  for (let i = 1; i <= 20; i++) {
    const tmp = join(policyDir, ".doc.yaml.tmp"); // hidden: never read as a policy
    writeFileSync(tmp, docPolicy(i % 2 === 1 ? "admin" : "user"));
    renameSync(tmp, join(policyDir, "doc.yaml")); // atomic: the watcher never sees half a file
    const deadline = Date.now() + 3000;
    let s = await status();
    while (s.reloads < i && Date.now() < deadline) {
      await sleep(20);
      s = await status();
    }
    expect(s.reloads, `reload ${i} not seen within 3 s`).toBe(i);
    if (i === 1) denyId = s.ruleset.revision;
    expect(s.ruleset.revision).toBe(i % 2 === 1 ? denyId : allowId);
    await sleep(150); // let the load run against this ruleset for a while
  }
  client.close();
  await genDone;
  const out = JSON.parse(gen.output().trim().split("\n").pop()!) as {
    total: number;
    failed: number;
    failures: string[];
    byRuleset: Record<string, Record<string, number>>;
    rps: number;
  };
  console.log(`load: ${out.total} requests, ${out.rps} req/s, ${out.failed} failed, by ruleset ${JSON.stringify(out.byRuleset)}`);
  expect(out.failures).toEqual([]);
  expect(out.failed).toBe(0);
  expect(out.total).toBeGreaterThan(1000);
  expect(Object.keys(out.byRuleset).sort()).toEqual([allowId, denyId].sort());
  expect(out.byRuleset[allowId]).toEqual({ EFFECT_ALLOW: expect.any(Number) });
  expect(out.byRuleset[denyId]).toEqual({ EFFECT_DENY: expect.any(Number) });
}, 40_000);
