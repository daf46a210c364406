// Cerbos's HTTP API for a Worker, opt-in (`verdict/workers/api` → dist/workers-api.mjs): `POST
// /api/check/resources` with Cerbos 0.55's request validation and messages (host/common/
// validate.ts), JWT auxData, and the full response (meta, outputs, call id), plus the engine-shaped
// checkInputs. It needs the full value decoder, so it lives apart from the gating entry
// (index.ts, within the 5 KB host budget) and runs on the same WorkerPdp: one evaluator instance
// serves both. Still no policy logic: validation, shaping and decoding only.
//
// The built file imports `./workers.mjs` for everything from index.ts (scripts/build.mjs), so a
// Worker importing both entries gets one WorkerPdp class. Errors are matched by name, not class:
// validate.ts's RequestValidationError is bundled in both files.
import { decodeJwtPayloadUnverified, resolveAuxData } from "../common/aux-data.ts";
import { checkResources as shapeResponse } from "../common/check-resources.ts";
import { decodeResponse } from "../common/decode-response.ts";
import type { CheckCall, Engine } from "../common/engine.ts";
import type { CheckInput, CheckOutput, CheckResourcesRequest, CheckResourcesResponse } from "../common/types.ts";
import { parseCheckResourcesRequest, type RequestLimits, validateCheckInput } from "../common/validate.ts";
import { jsonResponse, type WorkerPdp } from "./index.ts";

export type { CheckInput, CheckOutput, CheckResourcesRequest, CheckResourcesResponse };

const NO_LIMITS: RequestLimits = { maxResourcesPerRequest: Infinity, maxActionsPerResource: Infinity };
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const SERVER_INFO = { version: "verdict-0.1.0", commit: "", buildDate: "" };

const named = (e: unknown, name: string): e is Error => e instanceof Error && e.name === name;
const clock = (pdp: WorkerPdp, call?: { now?: Date }): Date => call?.now ?? pdp.opts.now?.() ?? new Date();

/** One engine call through the pdp's evaluator, read with the full decoder (what Engine.check does). */
function engineOf(pdp: WorkerPdp): Pick<Engine, "check"> {
  return {
    check: (call: CheckCall) =>
      pdp.run(
        call.principal,
        call.resources,
        (dv, u8, ptr, len, index) =>
          decodeResponse(dv, u8, ptr, len, index, call.resources.map((r) => ({ requestId: call.requestId, resourceId: r.resource.id, actions: r.actions }))),
        call.auxData,
        call.now,
      ),
  };
}

/** Cerbos's HTTP CheckResources: same request and response JSON. Throws RequestValidationError
 *  (Cerbos's HTTP 400) for a malformed request; JWT auxData follows `pdp.opts.jwt`, batch limits
 *  `pdp.opts.limits` (none by default). */
export function checkResources(pdp: WorkerPdp, req: CheckResourcesRequest, call?: { now?: Date }): CheckResourcesResponse {
  const valid = parseCheckResourcesRequest(req, pdp.opts.limits ?? NO_LIMITS);
  const jwt = pdp.opts.jwt;
  const aux = resolveAuxData(valid.auxData, jwt?.decode ?? (jwt?.disableVerification ? decodeJwtPayloadUnverified : undefined));
  return shapeResponse(engineOf(pdp) as Engine, valid, clock(pdp, call), aux);
}

/** Cerbos's engine API: one CheckOutput per input, in order (as host/node's Pdp.checkInputs). */
export function checkInputs(pdp: WorkerPdp, inputs: CheckInput[], call?: { now?: Date }): CheckOutput[] {
  if (!Array.isArray(inputs)) throw new TypeError("checkInputs expects an array of CheckInput");
  inputs.forEach((input, i) => validateCheckInput(input, `inputs[${i}]`));
  const now = clock(pdp, call);
  const engine = engineOf(pdp);
  return inputs.map(
    (input) =>
      engine.check({
        requestId: input.requestId,
        principal: input.principal,
        resources: [{ resource: input.resource, actions: input.actions }],
        auxData: input.auxData,
        now,
      })[0]!,
  );
}

/** `POST /api/check/resources` for one request: the body in, Cerbos's JSON out (400 code 3 for
 *  bad JSON or an invalid request, 413 for a body over 4 MiB, 500 code 13 when the evaluator fails). */
export async function handleCheckResources(pdp: WorkerPdp, request: Request): Promise<Response> {
  if (request.method !== "POST") return jsonResponse(501, { code: 12, message: "Method Not Allowed" });
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) return jsonResponse(413, { code: 8, message: `request body larger than ${MAX_BODY_BYTES} bytes` });
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) return jsonResponse(413, { code: 8, message: `request body larger than ${MAX_BODY_BYTES} bytes` });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return jsonResponse(400, { code: 3, message: `invalid JSON: ${(e as Error).message}` });
  }
  try {
    return jsonResponse(200, checkResources(pdp, body as CheckResourcesRequest));
  } catch (e) {
    if (named(e, "RequestValidationError")) return jsonResponse(400, { code: 3, message: e.message });
    if (named(e, "EvaluatorError")) return jsonResponse(500, { code: 13, message: e.message });
    throw e;
  }
}

const ROUTES: Record<string, string> = {
  "/api/check/resources": "POST",
  "/api/server_info": "GET",
  "/_cerbos/health": "GET",
};

/** Cerbos's API surface (check/resources, server_info, health) under `prefix` (default: none).
 *  Returns null for any other path so the caller can route it elsewhere. */
export function cerbosApi(pdp: WorkerPdp | (() => WorkerPdp | Promise<WorkerPdp>), prefix = ""): (request: Request) => Promise<Response | null> {
  return async (request) => {
    const url = new URL(request.url);
    if (!url.pathname.startsWith(prefix)) return null;
    const path = url.pathname.slice(prefix.length);
    const method = ROUTES[path];
    if (!method) return null;
    if (request.method !== method && !(method === "GET" && request.method === "HEAD")) {
      return jsonResponse(501, { code: 12, message: "Method Not Allowed" });
    }
    if (path === "/_cerbos/health") return jsonResponse(200, { status: "SERVING" });
    if (path === "/api/server_info") return jsonResponse(200, SERVER_INFO);
    return handleCheckResources(typeof pdp === "function" ? await pdp() : pdp, request);
  };
}
