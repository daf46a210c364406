// Child-process servers for tests: spawn, wait until healthy (bounded), and always kill afterwards.
// Every server started here binds 127.0.0.1 only; a process-exit hook kills any that a crashed
// test run left behind, so no listener outlives the vitest worker.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

const live = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = (): void => {
    for (const c of live) {
      try {
        c.kill("SIGKILL");
      } catch {
        /* already gone */
      }
    }
  };
  process.once("exit", killAll);
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the caller retries if it is taken meanwhile). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error("could not get a free port"))));
    });
  });
}

export interface Spawned {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far (bounded to the last 64 KiB). */
  output(): string;
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnTracked(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Spawned {
  hookExit();
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let buf = "";
  const append = (d: Buffer): void => {
    buf += d.toString("utf8");
    if (buf.length > 65536) buf = buf.slice(-65536);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  let done = false;
  const exitP = new Promise<void>((resolve) => {
    child.once("exit", () => {
      done = true;
      live.delete(child);
      resolve();
    });
    child.once("error", (e) => {
      append(Buffer.from(`\n[spawn error] ${String(e)}\n`));
      done = true;
      live.delete(child);
      resolve();
    });
  });
  return {
    child,
    output: () => buf,
    exited: () => done,
    async stop(graceMs = 3000): Promise<void> {
      if (done) return;
      child.kill("SIGTERM");
      const t = setTimeout(() => {
        if (!done) child.kill("SIGKILL");
      }, graceMs);
      await exitP;
      clearTimeout(t);
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every `intervalMs` until it returns true, the process exits, or `timeoutMs` passes. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  proc: Spawned,
  what: string,
  timeoutMs: number,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exited()) throw new Error(`${what} exited during startup; output:\n${proc.output()}`);
    if (await probe().catch(() => false)) return;
    await sleep(intervalMs);
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms; output:\n${proc.output()}`);
}
