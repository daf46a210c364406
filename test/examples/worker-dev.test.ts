// The Worker example (examples/worker) under `wrangler dev`, exactly as its README runs it: offline
// env vars, --ip 127.0.0.1, a free port. Through real loopback HTTP: the middleware lets an allowed
// request reach the handler and answers a denied one with 403 JSON, and the official @cerbos/http
// client gets the same decisions from the Worker's /api/check/resources as the Node host gives.
// wrangler runs in its own process group, which is always killed (it starts two workerd processes).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import type { CheckResourcesRequest } from "@cerbos/core";
import { HTTP } from "@cerbos/http";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pdp } from "../../host/node/index.ts";
import { repoRoot } from "../oracle/paths.ts";
import { freePort, sleep } from "../oracle/process.ts";

const exampleDir = join(repoRoot, "examples", "worker");
const expensesDir = join(repoRoot, "examples", "expenses");
const READY_TIMEOUT_MS = 45_000;

let child: ChildProcess | undefined;
let output = "";
let baseUrl = "";
let port = 0;

function killGroup(sig: NodeJS.Signals): void {
  if (child?.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    /* already gone */
  }
}
const onExit = (): void => killGroup("SIGKILL");

function portOpen(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port: p });
    s.setTimeout(500);
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
    s.once("timeout", () => (s.destroy(), resolve(false)));
  });
}

/** Live (non-zombie) processes in a process group, from /proc (Linux; [] elsewhere). */
function liveGroupMembers(pgid: number): string[] {
  if (!existsSync("/proc")) return [];
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid pgrp …; comm may contain spaces, so split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(rest[2]) === pgid && rest[0] !== "Z") found.push(`${pid} ${stat.slice(stat.indexOf("("), stat.lastIndexOf(")") + 1)} ${rest[0]}`);
  }
  return found;
}

async function stopWrangler(): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    killGroup("SIGKILL"); // workerd children may outlive wrangler
    return;
  }
  const exited = new Promise<void>((r) => child!.once("exit", () => r()));
  killGroup("SIGTERM");
  const t = setTimeout(() => killGroup("SIGKILL"), 3000);
  await exited;
  clearTimeout(t);
  killGroup("SIGKILL");
}

beforeAll(async () => {
  expect(existsSync(join(repoRoot, "build", "expenses.bin")), "build/expenses.bin (run node scripts/build.mjs)").toBe(true);
  port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [join(repoRoot, "node_modules", "wrangler", "bin", "wrangler.js"), "dev", "--ip", "127.0.0.1", "--port", String(port)], {
    cwd: exampleDir,
    detached: true, // own process group, killed as a whole
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_HIDE_BANNER: "true", CI: "true" },
  });
  process.once("exit", onExit);
  const append = (d: Buffer): void => {
    output = (output + d.toString("utf8")).slice(-32768);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    const ok = await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`wrangler dev not ready within ${READY_TIMEOUT_MS} ms:\n${output}`);
    await sleep(100);
  }
}, READY_TIMEOUT_MS + 15_000);

afterAll(async () => {
  await stopWrangler();
  process.off("exit", onExit);
}, 15_000);

describe("examples/worker under wrangler dev (loopback, offline)", () => {
  it("middleware: an allowed request reaches the handler, a denied one gets 403 JSON", async () => {
    const headers = { "x-user-id": "bob", "x-roles": "user" };
    const ok = await fetch(`${baseUrl}/expenses/E1`, { headers, signal: AbortSignal.timeout(10_000) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ action: "read", expense: { id: "E1", ownerId: "bob" } });
    const no = await fetch(`${baseUrl}/expenses/E1`, { method: "DELETE", headers, signal: AbortSignal.timeout(10_000) });
    expect(no.status).toBe(403);
    expect(no.headers.get("content-type")).toBe("application/json");
    expect(await no.json()).toEqual({ code: 7, message: "PERMISSION_DENIED", action: "delete", resource: { kind: "expense", id: "E1" }, principal: "bob" });
  });

  it("@cerbos/http gets the Node host's decisions for every fixture principal × resource × action", async () => {
    const principals = Object.values((parse(readFileSync(join(expensesDir, "testdata", "principals.yaml"), "utf8")) as { principals: object }).principals);
    const resources = Object.values((parse(readFileSync(join(expensesDir, "testdata", "resources.yaml"), "utf8")) as { resources: object }).resources);
    const pdp = Pdp.fromPolicyDir(expensesDir);
    const client = new HTTP(baseUrl);
    let compared = 0;
    for (const principal of principals as CheckResourcesRequest["principal"][]) {
      const req = { principal, resources: (resources as Array<CheckResourcesRequest["resources"][number]["resource"]>).map((resource) => ({ resource, actions: ["create", "read", "delete", "approve"] })) };
      const want = pdp.checkResources(req as never);
      const got = await client.checkResources(req);
      for (const r of want.results) {
        for (const [action, effect] of Object.entries(r.actions)) {
          expect(got.isAllowed({ resource: r.resource, action }), `${principal.id} ${action} ${r.resource.id}`).toBe(effect === "EFFECT_ALLOW");
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThanOrEqual(40);
  });

  it("stops cleanly: the process group is gone and the port is closed", async () => {
    await stopWrangler();
    const deadline = Date.now() + 5000;
    while ((await portOpen(port)) && Date.now() < deadline) await sleep(100);
    expect(await portOpen(port)).toBe(false);
    // Zombies (already dead, waiting for the container's init to reap them) do not count.
    expect(liveGroupMembers(child!.pid!)).toEqual([]);
  });
});
