// The Cloudflare Workers host: a Cerbos-compatible PDP over the wasm evaluator, a fetch-handler
// middleware and Cerbos's `POST /api/check/resources`. Thin on purpose: validation, encoding,
// decoding and the response shape all come from host/common; every decision is the evaluator's.
//
// Workers forbid compiling wasm from bytes ("Wasm code generation disallowed by embedder"), so the
// evaluator is always a WebAssembly.Module the Worker imported (`import wasm from "…/verdict.wasm"`,
// wrangler's CompiledWasm rule). The ruleset is plain data: an import of a `.bin` file (wrangler's
// Data rule gives an ArrayBuffer), a KV value, or a fetched bundle.
//
// Package entry (for package.json `exports`): `workerd` / `worker` condition → `./dist/workers.mjs`
// (built by scripts/build.mjs from this file, platform-neutral ESM, no Node APIs); types from
// `./host/workers/index.ts`. The evaluator ships as `./build/verdict.wasm` (also `./dist/verdict.wasm`).
import { decodeJwtPayloadUnverified, type JwtDecoder, resolveAuxData } from "../common/aux-data.ts";
import { checkResources as checkResourcesShape } from "../common/check-resources.ts";
import { Engine } from "../common/engine.ts";
import { EvaluatorError, RulesetLoadError } from "../common/errors.ts";
import type {
  CheckInput,
  CheckOutput,
  CheckResourcesRequest,
  CheckResourcesResponse,
  PdpOptions as CommonPdpOptions,
  Principal,
  Resource,
} from "../common/types.ts";
import { parseCheckResourcesRequest, RequestValidationError, type RequestLimits, validateCheckInput } from "../common/validate.ts";

// Only what a Worker needs is re-exported (each re-export is bundled even when unused).
export { AbiMismatchError } from "../common/abi.ts";
export { EvaluatorError, RulesetLoadError } from "../common/errors.ts";
export { RequestValidationError, type RequestLimits } from "../common/validate.ts";
export type { JwtDecoder } from "../common/aux-data.ts";
export type * from "../common/types.ts";

export interface WorkerPdpOptions extends CommonPdpOptions {
  /** HTTP auxData JWTs, as in host/node: `disableVerification` decodes without checking the
   *  signature (Cerbos's auxData.jwt.disableVerification); `decode` lets the caller verify. */
  jwt?: { disableVerification?: boolean; decode?: JwtDecoder };
  /** Batch limits for checkResources (Cerbos server.requestLimits); none by default. */
  limits?: RequestLimits;
}

/** What a ruleset can be handed over as in a Worker. */
export type RulesetSource = ArrayBuffer | ArrayBufferView;

/** The subset of a KV namespace binding the host reads from. */
export interface KvLike {
  get(key: string, type: "arrayBuffer"): Promise<ArrayBuffer | null>;
}

const NO_LIMITS: RequestLimits = { maxResourcesPerRequest: Infinity, maxActionsPerResource: Infinity };

function toBytes(src: RulesetSource): Uint8Array {
  if (src instanceof Uint8Array) return src;
  if (ArrayBuffer.isView(src)) return new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  throw new TypeError("ruleset must be an ArrayBuffer or a typed array (import the .bin with wrangler's Data rule)");
}

export class WorkerPdp {
  private readonly engine: Engine;
  private readonly jwtDecode?: JwtDecoder;

  /** `wasm` must be a compiled module (Workers cannot compile bytes); `ruleset` is copied into the evaluator. */
  constructor(
    wasm: WebAssembly.Module,
    ruleset: RulesetSource,
    private readonly opts: WorkerPdpOptions = {},
  ) {
    if (!(wasm instanceof WebAssembly.Module)) {
      throw new TypeError("WorkerPdp needs the evaluator as a WebAssembly.Module: `import wasm from \"verdict/verdict.wasm\"`");
    }
    this.engine = new Engine(wasm, toBytes(ruleset), opts);
    this.jwtDecode = opts.jwt?.decode ?? (opts.jwt?.disableVerification ? decodeJwtPayloadUnverified : undefined);
  }

  /** Ruleset from a KV namespace (stored as binary). Throws RulesetLoadError when the key is missing. */
  static async fromKV(wasm: WebAssembly.Module, kv: KvLike, key: string, opts?: WorkerPdpOptions): Promise<WorkerPdp> {
    const buf = await kv.get(key, "arrayBuffer");
    if (!buf) throw new RulesetLoadError(`ruleset not found in KV under ${JSON.stringify(key)}`);
    return new WorkerPdp(wasm, buf, opts);
  }

  /** Ruleset from a fetched bundle (a Response, e.g. from `fetch(url)` or the Cache API). */
  static async fromResponse(wasm: WebAssembly.Module, res: Response, opts?: WorkerPdpOptions): Promise<WorkerPdp> {
    if (!res.ok) throw new RulesetLoadError(`ruleset fetch failed: HTTP ${res.status}`);
    return new WorkerPdp(wasm, await res.arrayBuffer(), opts);
  }

  private now(call?: { now?: Date }): Date {
    return call?.now ?? this.opts.now?.() ?? new Date();
  }

  /** Cerbos's HTTP CheckResources: same request and response JSON. Throws RequestValidationError
   *  (Cerbos's HTTP 400) for a malformed request. */
  checkResources(req: CheckResourcesRequest, call?: { now?: Date }): CheckResourcesResponse {
    const valid = parseCheckResourcesRequest(req, this.opts.limits ?? NO_LIMITS);
    const aux = resolveAuxData(valid.auxData, this.jwtDecode);
    return checkResourcesShape(this.engine, valid, this.now(call), aux);
  }

  /** Cerbos's engine API: one CheckOutput per input, in order. */
  checkInputs(inputs: CheckInput[], call?: { now?: Date }): CheckOutput[] {
    if (!Array.isArray(inputs)) throw new TypeError("checkInputs expects an array of CheckInput");
    inputs.forEach((input, i) => validateCheckInput(input, `inputs[${i}]`));
    const now = this.now(call);
    return inputs.map(
      (input) =>
        this.engine.check({
          requestId: input.requestId,
          principal: input.principal,
          resources: [{ resource: input.resource, actions: input.actions }],
          auxData: input.auxData,
          now,
        })[0]!,
    );
  }

  /** True only when the action is explicitly allowed. Throws on an invalid request. */
  isAllowed(q: AuthzQuery): boolean {
    return this.decide(q).effect === "EFFECT_ALLOW";
  }

  /** One action on one resource, with the matched policy (for logs and 403 bodies). */
  decide(q: AuthzQuery, call?: { now?: Date }): { effect: "EFFECT_ALLOW" | "EFFECT_DENY"; policy: string; scope?: string } {
    const [out] = this.checkInputs([{ principal: q.principal, resource: q.resource, actions: [q.action] }], call);
    return out?.actions[q.action] ?? { effect: "EFFECT_DENY", policy: "NO_MATCH" };
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP: JSON responses shaped like Cerbos 0.55's REST gateway (same as `verdict serve`).

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const SERVER_INFO = { version: "verdict-0.1.0", commit: "", buildDate: "" };

export function jsonResponse(status: number, body: unknown, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  return new Response(JSON.stringify(body), { status, headers: h });
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
    return jsonResponse(200, pdp.checkResources(body as CheckResourcesRequest));
  } catch (e) {
    if (e instanceof RequestValidationError) return jsonResponse(400, { code: 3, message: e.message });
    if (e instanceof EvaluatorError) return jsonResponse(500, { code: 13, message: e.message });
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

// ---------------------------------------------------------------------------------------------
// Middleware for fetch handlers.

export interface AuthzQuery {
  principal: Principal;
  resource: Resource;
  action: string;
}

/** The Workers ExecutionContext, structurally (no dependency on @cloudflare/workers-types). */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException?(): void;
}

export type FetchHandler<Env, Ctx = ExecutionContextLike> = (request: Request, env: Env, ctx: Ctx) => Response | Promise<Response>;

export interface Decision extends AuthzQuery {
  effect: "EFFECT_ALLOW" | "EFFECT_DENY";
  policy: string;
  scope?: string;
}

export interface AuthorizeOptions<Env, Ctx = ExecutionContextLike> {
  /** The PDP, or a getter (e.g. one that builds it once from `env` on first use). */
  pdp: WorkerPdp | ((env: Env) => WorkerPdp | Promise<WorkerPdp>);
  /** Maps a request to what to check. Return a Response to answer directly (e.g. 401 when there are
   *  no credentials), or `null` to mark the request as public (it passes through unchecked). */
  map: (request: Request, env: Env, ctx: Ctx) => AuthzQuery | Response | null | Promise<AuthzQuery | Response | null>;
  /** Builds the answer to a denied request (default: 403 with a JSON body). */
  onDenied?: (decision: Decision, request: Request) => Response | Promise<Response>;
}

/** Default 403 body: what was refused, never the principal's attributes. */
export function forbidden(decision: Decision): Response {
  return jsonResponse(403, {
    code: 7,
    message: "PERMISSION_DENIED",
    action: decision.action,
    resource: { kind: decision.resource.kind, id: decision.resource.id },
    principal: decision.principal.id,
  });
}

/**
 * Wraps a fetch handler: each request is mapped to principal/resource/action and checked; an
 * allowed request reaches `handler` (with the decision as a 4th argument), a denied one gets 403
 * JSON. Fails closed: a mapper that throws or an evaluator failure answers 500 JSON, never the handler.
 */
export function withAuthorization<Env, Ctx = ExecutionContextLike>(
  opts: AuthorizeOptions<Env, Ctx>,
  handler: (request: Request, env: Env, ctx: Ctx, decision: Decision | null) => Response | Promise<Response>,
): FetchHandler<Env, Ctx> {
  return async (request, env, ctx) => {
    let decision: Decision;
    try {
      const q = await opts.map(request, env, ctx);
      if (q instanceof Response) return q;
      if (q === null) return handler(request, env, ctx, null);
      const pdp = typeof opts.pdp === "function" ? await opts.pdp(env) : opts.pdp;
      decision = { ...q, ...pdp.decide(q) };
    } catch (e) {
      if (e instanceof RequestValidationError) return jsonResponse(500, { code: 13, message: `authorization query invalid: ${e.message}` });
      return jsonResponse(500, { code: 13, message: "authorization failed" });
    }
    if (decision.effect !== "EFFECT_ALLOW") return opts.onDenied ? opts.onDenied(decision, request) : forbidden(decision);
    return handler(request, env, ctx, decision);
  };
}
