// Starts the real Cerbos 0.55 PDP (the oracle) on 127.0.0.1 with a free port. The config lives in a
// fresh temp dir, telemetry and audit are off, gRPC listens on a unix socket in that dir (so only
// one TCP port is needed), and the process is always killed by stop() (or at process exit).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonClient } from "./http.ts";
import { cerbosBinary } from "./paths.ts";
import { freePort, spawnTracked, waitUntil } from "./process.ts";

export interface CerbosOptions {
  policyDir: string;
  globals?: Record<string, unknown>;
  lenientScopeSearch?: boolean;
  defaultPolicyVersion?: string;
  schemaEnforcement?: "none" | "warn" | "reject";
  startTimeoutMs?: number;
}

export interface RunningServer {
  baseUrl: string;
  port: number;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

export async function startCerbos(opts: CerbosOptions): Promise<RunningServer> {
  const bin = cerbosBinary();
  let lastErr: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), "verdict-cerbos-"));
    const port = await freePort();
    const engine: Record<string, unknown> = {};
    if (opts.globals) engine.globals = opts.globals;
    if (opts.lenientScopeSearch) engine.lenientScopeSearch = true;
    if (opts.defaultPolicyVersion) engine.defaultPolicyVersion = opts.defaultPolicyVersion;
    const config = {
      server: { httpListenAddr: `127.0.0.1:${port}`, grpcListenAddr: `unix:${join(dir, "grpc.sock")}` },
      storage: { driver: "disk", disk: { directory: opts.policyDir, watchForChanges: false } },
      schema: { enforcement: opts.schemaEnforcement ?? "none" },
      audit: { enabled: false },
      telemetry: { disabled: true },
      engine,
    };
    const confPath = join(dir, "config.yaml");
    writeFileSync(confPath, JSON.stringify(config, null, 2)); // JSON is YAML
    const proc = spawnTracked(bin, ["server", `--config=${confPath}`, "--log-level=warn"], {
      env: { ...process.env, CERBOS_NO_TELEMETRY: "1" },
    });
    const health = new JsonClient(`http://127.0.0.1:${port}`, { maxSockets: 1, timeoutMs: 1000 });
    const cleanup = async (): Promise<void> => {
      health.close();
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      await waitUntil(
        async () => {
          const r = await health.get("/_cerbos/health");
          return r.status === 200;
        },
        proc,
        `cerbos (${opts.policyDir})`,
        opts.startTimeoutMs ?? 20_000,
      );
      health.close();
      return {
        baseUrl: `http://127.0.0.1:${port}`,
        port,
        pid: proc.child.pid ?? -1,
        output: proc.output,
        stop: cleanup,
      };
    } catch (e) {
      lastErr = e;
      await cleanup();
      if (!/address already in use/i.test(proc.output())) break; // only a port race is worth retrying
    }
  }
  throw lastErr;
}
