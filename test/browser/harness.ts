// Drives Debian's Chromium (/usr/bin/chromium) with playwright-core, and serves pages from a
// static server on 127.0.0.1. Without Chromium: under CI=true the browser tests FAIL with a clear
// message; otherwise they are skipped with the reason (see `chromiumMissing`).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { chromium, type Browser, type BrowserContext } from "playwright-core";

export const CHROMIUM = process.env.VERDICT_CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Why the browser tests cannot run here, or undefined when they can. */
export const chromiumMissing: string | undefined = existsSync(CHROMIUM)
  ? undefined
  : `Chromium not found at ${CHROMIUM} (install Debian's \`chromium\` package or set VERDICT_CHROMIUM)`;
export const isCI = process.env.CI === "true" || process.env.CI === "1";
/** Skip (outside CI) when there is no Chromium; under CI the tests run and fail loudly. */
export const skipBrowser = chromiumMissing !== undefined && !isCI;

export interface RunningBrowser {
  browser: Browser;
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh user-data dir per launch (persistent context), closed and removed by close(). */
export async function launchChromium(): Promise<RunningBrowser> {
  if (chromiumMissing) throw new Error(`${chromiumMissing}; browser tests cannot run${isCI ? " (CI=true: not skipped)" : ""}`);
  const dir = mkdtempSync(join(tmpdir(), "verdict-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      timeout: 30_000,
      viewport: { width: 900, height: 640 },
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  context.setDefaultTimeout(10_000);
  return {
    browser: context.browser()!,
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".vrdt": "application/octet-stream",
  ".json": "application/json",
};

export interface StaticServer {
  baseUrl: string;
  /** Serves `body` at `path` (overrides files), e.g. a newer ruleset. */
  set(path: string, body: Uint8Array | string, type?: string): void;
  /** Requests seen, by path. */
  hits(path: string): number;
  close(): Promise<void>;
}

/** Serves files under `dir` (no directory escapes) plus in-memory overrides, on 127.0.0.1. */
export async function startStaticServer(dir: string | undefined): Promise<StaticServer> {
  const overrides = new Map<string, { body: Uint8Array | string; type: string }>();
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const o = overrides.get(path);
    const headers = { "cache-control": "no-cache" };
    if (o) {
      res.writeHead(200, { ...headers, "content-type": o.type });
      res.end(o.body);
      return;
    }
    const rel = normalize(path === "/" ? "/index.html" : path).replace(/^(\.\.[/\\])+/, "");
    const file = dir ? join(dir, rel) : "";
    if (!dir || !file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }
    res.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const addr = server.address();
  if (!addr || typeof addr === "string") throw new Error("static server: no port");
  return {
    baseUrl: `http://127.0.0.1:${addr.port}`,
    set(path, body, type) {
      overrides.set(path, { body, type: type ?? TYPES[extname(path)] ?? "application/octet-stream" });
    },
    hits: (path) => counts.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
