// `verdict serve` as a real child process (node bin/verdict.mjs serve; needs the build from
// test/setup/build.ts): Cerbos's HTTP API on 127.0.0.1, port 0, health, 400s, config, shutdown.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const tmp = mkdtempSync(join(tmpdir(), "verdict-serve-"));
const policies = join(tmp, "policies");
mkdirSync(policies);
// Decisions below were recorded from Cerbos 0.55.0 serving this same policy.
writeFileSync(
  join(policies, "doc.yaml"),
  `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: doc
  version: default
  rules:
    - actions: ["view"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      output:
        when:
          ruleActivated: '"hi " + P.id'
    - actions: ["env"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          expr: G.environment == "test"
`,
);

interface Server {
  proc: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}
const started: Server[] = [];

async function startServe(args: string[], timeoutMs = 20_000): Promise<Server> {
  const proc = spawn(process.execPath, [join(root, "bin", "verdict.mjs"), "serve", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  const server: Server = { proc, url: "", output: () => out, exited };
  started.push(server);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (m) {
      server.url = m[1]!;
      return server;
    }
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  proc.kill("SIGKILL");
  throw new Error(`verdict serve did not start:\n${out}`);
}

async function stop(s: Server): Promise<number | null> {
  if (s.proc.exitCode === null) s.proc.kill("SIGTERM");
  const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 5_000));
  const r = await Promise.race([s.exited, timeout]);
  if (r === "timeout") {
    s.proc.kill("SIGKILL");
    throw new Error("verdict serve did not stop within 5 s of SIGTERM");
  }
  return r;
}

async function post(url: string, body: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}/api/check/resources`, { method: "POST", body, signal: AbortSignal.timeout(5_000) });
  return { status: res.status, json: await res.json() };
}

const principal = { id: "a", roles: ["user"] };
const REQ = {
  requestId: "r1",
  principal: { id: "a", roles: ["user"] },
  resources: [{ actions: ["view", "x"], resource: { kind: "doc", id: "1", policyVersion: "default" } }],
  includeMeta: true,
};

let server: Server;
beforeAll(async () => {
  server = await startServe([
    "--set", "server.httpListenAddr=127.0.0.1:0",
    "--set", "storage.driver=disk",
    "--set", `storage.disk.directory=${policies}`,
    "--set", "engine.globals.environment=test",
  ]);
});
afterAll(async () => {
  for (const s of started) if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
  rmSync(tmp, { recursive: true, force: true });
});

describe("verdict serve", () => {
  it("binds 127.0.0.1 and answers health checks", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/_cerbos/health`, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "SERVING" });
  });

  it("answers CheckResources with Cerbos's response shape", async () => {
    const { status, json } = await post(server.url, JSON.stringify(REQ));
    expect(status).toBe(200);
    expect(json.requestId).toBe("r1");
    expect(json.cerbosCallId).toMatch(/^[0-9A-Z]{26}$/);
    expect(json.results).toHaveLength(1);
    expect(json.results[0].resource).toEqual({ id: "1", kind: "doc", policyVersion: "default" });
    expect(Object.keys(json.results[0].actions)).toEqual(["view", "x"]);
  });

  it("decides like Cerbos 0.55 (recorded response)", async () => {
    const { json } = await post(server.url, JSON.stringify(REQ));
    const { cerbosCallId: _, ...rest } = json;
    expect(rest).toEqual({
      requestId: "r1",
      results: [
        {
          resource: { id: "1", kind: "doc", policyVersion: "default" },
          actions: { view: "EFFECT_ALLOW", x: "EFFECT_DENY" },
          meta: { actions: { view: { matchedPolicy: "resource.doc.vdefault" }, x: { matchedPolicy: "resource.doc.vdefault" } } },
          outputs: [{ src: "resource.doc.vdefault#rule-001", val: "hi a", action: "view" }],
        },
      ],
    });
  });

  it("applies engine.globals from --set", async () => {
    const req = { principal: { id: "a", roles: ["user"] }, resources: [{ actions: ["env"], resource: { kind: "doc", id: "1" } }] };
    const { json } = await post(server.url, JSON.stringify(req));
    expect(json.results[0].actions).toEqual({ env: "EFFECT_ALLOW" });
  });

  it("answers bad JSON and invalid requests with HTTP 400 {code: 3}", async () => {
    const bad = await post(server.url, "{bad");
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe(3);
    expect(bad.json.message).toMatch(/JSON/);
    const invalid = await post(server.url, JSON.stringify({ principal: { id: "", roles: [] }, resources: [] }));
    expect(invalid.status).toBe(400);
    expect(invalid.json).toEqual({
      code: 3,
      message: "validation errors:\n - principal.id: value is required\n - principal.roles: value is required\n - resources: value is required",
    });
    const tooMany = await post(server.url, JSON.stringify({ ...REQ, resources: Array.from({ length: 51 }, () => REQ.resources[0]) }));
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.message).toBe("number of resources in batch (51) exceeds configured limit (50)");
    // The server is still alive after all of that.
    expect((await post(server.url, JSON.stringify(REQ))).status).toBe(200);
  });

  it("answers unknown paths with 404 and wrong methods with 501, like Cerbos's gateway", async () => {
    const nf = await fetch(`${server.url}/api/nope`, { signal: AbortSignal.timeout(5_000) });
    expect(nf.status).toBe(404);
    expect(await nf.json()).toEqual({ code: 5, message: "Not Found" });
    const wm = await fetch(`${server.url}/api/check/resources`, { signal: AbortSignal.timeout(5_000) });
    expect(wm.status).toBe(501);
    expect(await wm.json()).toEqual({ code: 12, message: "Method Not Allowed" });
  });

  it("reads a Cerbos config file, with --set overriding it, and stops on SIGTERM with exit 0", async () => {
    const conf = join(tmp, "config.yaml");
    writeFileSync(
      conf,
      `server:\n  httpListenAddr: "127.0.0.1:1"\n  requestLimits: {maxResourcesPerRequest: 1}\nstorage:\n  driver: disk\n  disk: {directory: ${JSON.stringify(policies)}}\nschema: {enforcement: none}\n`,
    );
    const s = await startServe(["--config", conf, "--set", "server.httpListenAddr=127.0.0.1:0"]);
    const two = await post(s.url, JSON.stringify({ ...REQ, resources: [REQ.resources[0], REQ.resources[0]] }));
    expect(two.status).toBe(400);
    expect(two.json.message).toBe("number of resources in batch (2) exceeds configured limit (1)");
    expect(await stop(s)).toBe(0);
  });

  it("works with Cerbos's own JavaScript SDK (@cerbos/http)", async () => {
    const { HTTP } = await import("@cerbos/http");
    const client = new HTTP(server.url);
    expect(await client.isAllowed({ principal, resource: { kind: "doc", id: "1" }, action: "view" })).toBe(true);
    const r = await client.checkResources({
      requestId: "sdk",
      principal,
      resources: [{ resource: { kind: "doc", id: "1" }, actions: ["view", "x"] }],
      includeMetadata: true,
    });
    const result = r.findResult({ kind: "doc", id: "1" })!;
    expect(result.actions).toEqual({ view: "EFFECT_ALLOW", x: "EFFECT_DENY" });
    expect(result.metadata?.actions.view?.matchedPolicy).toBe("resource.doc.vdefault");
    expect(result.outputs).toEqual([{ action: "view", source: "resource.doc.vdefault#rule-001", value: "hi a" }]);
    await expect(client.checkResources({ principal: { id: "", roles: [] }, resources: [] })).rejects.toThrow(/INVALID_ARGUMENT.*principal.id: value is required/s);
    expect((await client.serverInfo()).version).toMatch(/^verdict-/);
  });

  it("refuses bad configuration with a clear error", async () => {
    for (const [set, msg] of [
      ["storage.driver=blob", /storage driver `blob` is not supported/],
      ["schema.enforcement=strict", /schema.enforcement` must be none, warn or reject/],
      ["server.httpListenAddr=nonsense", /must be host:port/],
    ] as const) {
      const proc = spawn(process.execPath, [join(root, "bin", "verdict.mjs"), "serve", "--set", `storage.disk.directory=${policies}`, "--set", set], {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let err = "";
      proc.stderr.on("data", (d) => (err += d));
      const code = await new Promise<number | null>((r) => {
        const t = setTimeout(() => (proc.kill("SIGKILL"), r(null)), 10_000);
        proc.once("exit", (c) => (clearTimeout(t), r(c)));
      });
      expect(code).toBe(2);
      expect(err).toMatch(msg);
    }
  });
});
