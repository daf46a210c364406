// The Cerbos-compatible HTTP surface of `verdict serve`: the request router and JSON error
// bodies. Status codes and bodies follow Cerbos 0.55's REST gateway (checked against the binary):
// 400 {"code":3,...} for bad JSON or an invalid request, 404 {"code":5,"message":"Not Found"},
// 501 {"code":12,"message":"Method Not Allowed"} for a known path with the wrong method.
import type { IncomingMessage, ServerResponse } from "node:http";
import { EvaluatorError, type Pdp, RequestValidationError } from "../../host/node/index.ts";
import type { AuditLog } from "../../host/common/audit/log.ts";
import { requestObserver } from "./decision-audit.ts";

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface HandlerOptions {
  /** A Pdp, or a ReloadingPdp that swaps rulesets between requests. */
  pdp: Pick<Pdp, "checkResources">;
  /** The loaded ruleset and the last reload error, for GET /_verdict/status. */
  status?: () => unknown;
  /** Logs one line for unexpected failures (never request contents). */
  log: (line: string) => void;
  /** Decision log (audit.* config); each answered check is offered to it. */
  audit?: AuditLog;
  /** The id of the ruleset serving now; sent as X-Verdict-Ruleset and logged with each decision. */
  rulesetId?: () => string | undefined;
}

function send(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const ROUTES: Record<string, string> = {
  "/api/check/resources": "POST",
  "/api/server_info": "GET",
  "/_cerbos/health": "GET",
  "/_verdict/status": "GET",
};

/** Verdict's own version (Cerbos reports its build here; SDKs only display it). */
const SERVER_INFO = { version: "verdict-0.1.0", commit: "", buildDate: "" };

export function createHandler(opts: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(req, res, opts).catch((e) => {
      opts.log(`verdict serve: internal error: ${(e as Error)?.message ?? String(e)}`);
      if (!res.headersSent) send(res, 500, { code: 13, message: "internal error" });
      else res.destroy();
    });
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, { pdp, status, audit, rulesetId }: HandlerOptions): Promise<void> {
  const path = (req.url ?? "/").split("?")[0]!;
  const method = ROUTES[path];
  if (!method) return send(res, 404, { code: 5, message: "Not Found" });
  if (req.method !== method && !(method === "GET" && req.method === "HEAD")) {
    return send(res, 501, { code: 12, message: "Method Not Allowed" });
  }

  if (path === "/_cerbos/health") return send(res, 200, { status: "SERVING" });
  if (path === "/api/server_info") return send(res, 200, SERVER_INFO);
  if (path === "/_verdict/status") return send(res, 200, status?.() ?? {});

  let text: string;
  try {
    text = await readBody(req);
  } catch (e) {
    if (e instanceof BodyTooLarge) return send(res, 413, { code: 8, message: `request body larger than ${MAX_BODY_BYTES} bytes` });
    throw e;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return send(res, 400, { code: 3, message: `invalid JSON: ${(e as Error).message}` });
  }
  try {
    // The ruleset id is read right after the synchronous check: a swap cannot happen in between,
    // so the header (and the audit entry) name the ruleset that answered.
    const observe = audit ? requestObserver(audit, req, rulesetId) : undefined;
    const answer = pdp.checkResources(body as Parameters<Pdp["checkResources"]>[0], observe ? { observe } : undefined);
    const id = rulesetId?.();
    send(res, 200, answer, id ? { "x-verdict-ruleset": id } : undefined);
  } catch (e) {
    if (e instanceof RequestValidationError) return send(res, 400, { code: 3, message: e.message });
    if (e instanceof EvaluatorError) return send(res, 500, { code: 13, message: e.message });
    throw e;
  }
}
