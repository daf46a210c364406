// Starts the HTTP server and stops it gracefully: on SIGTERM/SIGINT it stops accepting, lets
// in-flight requests finish (bounded), then resolves so the process exits with code 0.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHandler, type HandlerOptions } from "./http-handler.ts";

export interface RunningServer {
  server: Server;
  url: string;
  /** Resolves when the server has fully closed. */
  closed: Promise<void>;
  close(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 5_000;

export function startServer(
  pdp: HandlerOptions["pdp"],
  addr: { host: string; port: number },
  log: (line: string) => void,
  extra: Omit<HandlerOptions, "pdp" | "log"> = {},
): Promise<RunningServer> {
  const server = createServer(createHandler({ ...extra, pdp, log }));
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(addr.port, addr.host, () => {
      server.off("error", reject);
      const a = server.address() as AddressInfo;
      const host = a.family === "IPv6" ? `[${a.address}]` : a.address;
      let resolveClosed!: () => void;
      const closed = new Promise<void>((r) => (resolveClosed = r));
      server.once("close", () => resolveClosed());
      const close = (): Promise<void> => {
        server.close();
        server.closeIdleConnections();
        // Connections still busy after the grace period are cut so shutdown is bounded.
        const t = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        t.unref();
        return closed;
      };
      resolve({ server, url: `http://${host}:${a.port}`, closed, close });
    });
  });
}
