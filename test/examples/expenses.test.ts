// The expenses example (examples/expenses) against the real Cerbos 0.55 binary:
//  - its policy test suite passes `cerbos compile` (real binary) and `verdict test`;
//  - the Node host's decisions for every fixture principal × expense × action (plus an action no
//    rule names) equal real Cerbos's, effect and matchedPolicy;
//  - `node examples/expenses/run.mjs --json` (what `npm start` shows) exits 0 and prints exactly
//    Cerbos's decisions.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCerbos, type RunningServer } from "../oracle/cerbos.ts";
import { JsonClient } from "../oracle/http.ts";
import { cerbosBinary, repoRoot } from "../oracle/paths.ts";
import { describeError, loadPdpClass, type PdpLike } from "../conformance/pdp.ts";

const dir = join(repoRoot, "examples", "expenses");
const { principals } = parse(readFileSync(join(dir, "testdata", "principals.yaml"), "utf8")) as {
  principals: Record<string, { id: string; roles: string[]; attr?: Record<string, unknown> }>;
};
const { resources } = parse(readFileSync(join(dir, "testdata", "resources.yaml"), "utf8")) as {
  resources: Record<string, { kind: string; id: string; attr?: Record<string, unknown> }>;
};
const ACTIONS = ["create", "read", "delete", "approve"];

type Table = Map<string, { effect: string; policy: string }>; // "principal/resource/action" →

function tableFrom(pName: string, body: unknown, into: Table): void {
  const results = (body as { results?: Array<{ actions: Record<string, string>; meta?: { actions?: Record<string, { matchedPolicy?: string }> } }> }).results ?? [];
  Object.keys(resources).forEach((rName, i) => {
    const r = results[i];
    for (const a of ACTIONS) {
      into.set(`${pName}/${rName}/${a}`, { effect: r?.actions[a] ?? "(missing)", policy: r?.meta?.actions?.[a]?.matchedPolicy ?? "(missing)" });
    }
  });
}

function requestFor(pName: string): Record<string, unknown> {
  return {
    requestId: `example-${pName}`,
    principal: principals[pName],
    resources: Object.values(resources).map((resource) => ({ resource, actions: ACTIONS })),
    includeMeta: true,
  };
}

describe("examples/expenses", () => {
  let cerbos: RunningServer | undefined;
  let client: JsonClient | undefined;
  const oracle: Table = new Map();

  beforeAll(async () => {
    cerbos = await startCerbos({ policyDir: dir });
    client = new JsonClient(cerbos.baseUrl, { maxSockets: 2, timeoutMs: 10_000 });
    for (const pName of Object.keys(principals)) {
      const res = await client.post("/api/check/resources", requestFor(pName));
      expect(res.status, res.text).toBe(200);
      tableFrom(pName, res.body, oracle);
    }
  });
  afterAll(async () => {
    client?.close();
    await cerbos?.stop();
  });

  it("its policy tests pass with the real cerbos binary (cerbos compile)", () => {
    const r = spawnSync(cerbosBinary(), ["compile", "--no-color", dir], { encoding: "utf8", timeout: 30_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const m = /(\d+) tests executed \[(\d+) OK\]/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m?.[2])).toBe(Number(m?.[1]));
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(54);
  });

  it("its policy tests pass with `verdict test`", () => {
    const r = spawnSync(process.execPath, [join(repoRoot, "bin", "verdict.mjs"), "test", dir], { cwd: repoRoot, encoding: "utf8", timeout: 60_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  });

  it("the real Cerbos answers exercise both effects", () => {
    const effects = new Set([...oracle.values()].map((d) => d.effect));
    expect([...effects].sort()).toEqual(["EFFECT_ALLOW", "EFFECT_DENY"]);
  });

  it("the Node host decides every principal × expense × action exactly as real Cerbos", async () => {
    let pdp: PdpLike;
    try {
      pdp = (await loadPdpClass()).fromPolicyDir(dir);
    } catch (e) {
      throw new Error(describeError(e));
    }
    const ours: Table = new Map();
    for (const pName of Object.keys(principals)) tableFrom(pName, pdp.checkResources(requestFor(pName)), ours);
    const diffs = [...oracle.entries()]
      .filter(([k, c]) => JSON.stringify(ours.get(k)) !== JSON.stringify(c))
      .map(([k, c]) => `${k}: cerbos ${c.effect} ${c.policy}, verdict ${ours.get(k)?.effect} ${ours.get(k)?.policy}`);
    expect(diffs).toEqual([]);
    expect(ours.size).toBe(Object.keys(principals).length * Object.keys(resources).length * ACTIONS.length);
  });

  it("run.mjs (npm start) exits 0 and prints real Cerbos's decisions", () => {
    const r = spawnSync(process.execPath, [join(dir, "run.mjs"), "--json"], { cwd: repoRoot, encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ principal: string; resource: string; effects: Record<string, string> }>;
    expect(rows.length).toBe(Object.keys(principals).length * Object.keys(resources).length);
    const diffs: string[] = [];
    for (const row of rows) {
      for (const [a, eff] of Object.entries(row.effects)) {
        const c = oracle.get(`${row.principal}/${row.resource}/${a}`);
        if (c?.effect !== eff) diffs.push(`${row.principal}/${row.resource}/${a}: cerbos ${c?.effect}, run.mjs ${eff}`);
      }
    }
    expect(diffs).toEqual([]);
    const table = spawnSync(process.execPath, [join(dir, "run.mjs")], { cwd: repoRoot, encoding: "utf8", timeout: 60_000 });
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/principal\s+expense\s+create\s+read\s+delete/);
  });
});
