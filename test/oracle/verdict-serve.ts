// Starts `verdict serve` (our Cerbos-compatible HTTP server) on 127.0.0.1:0 and reads the port from
// its "listening on http://127.0.0.1:PORT" line. Needs `node scripts/build.mjs` first (vitest's
// global setup does it). Always stopped by stop() (or at process exit).
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { RunningServer } from "./cerbos.ts";
import { repoRoot } from "./paths.ts";
import { spawnTracked, waitUntil } from "./process.ts";

export interface ServeOptions {
  policyDir: string;
  /** Extra `--set key=value` settings, e.g. { "engine.globals.environment": "test" }. */
  set?: Record<string, string>;
  startTimeoutMs?: number;
}

export async function startVerdictServe(opts: ServeOptions): Promise<RunningServer> {
  const bin = join(repoRoot, "bin", "verdict.mjs");
  if (!existsSync(join(repoRoot, "dist", "cli.mjs"))) {
    throw new Error("dist/cli.mjs is missing: run `node scripts/build.mjs` first");
  }
  const sets: Record<string, string> = {
    "server.httpListenAddr": "127.0.0.1:0",
    "storage.driver": "disk",
    "storage.disk.directory": opts.policyDir,
    ...opts.set,
  };
  const args = [bin, "serve"];
  for (const [k, v] of Object.entries(sets)) args.push("--set", `${k}=${v}`);
  const proc = spawnTracked(process.execPath, args, { cwd: repoRoot });
  let baseUrl = "";
  try {
    await waitUntil(
      async () => {
        const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(proc.output());
        if (m) baseUrl = m[1] as string;
        return m !== null;
      },
      proc,
      `verdict serve (${opts.policyDir})`,
      opts.startTimeoutMs ?? 20_000,
    );
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return {
    baseUrl,
    port: Number(new URL(baseUrl).port),
    pid: proc.child.pid ?? -1,
    output: proc.output,
    stop: () => proc.stop(),
  };
}
