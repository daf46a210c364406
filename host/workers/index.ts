// The Cloudflare Workers host for gating: WorkerPdp (isAllowed, decide, batch checks) and a
// fetch-handler middleware (withAuthorization). Thin on purpose: encoding comes from host/common,
// every decision is the evaluator's. Kept within the 5 KB min+gzip host budget (issue 4) by sharing
// the browser host's slim path (host/common/session.ts) with a decisions-only decoder
// (decisions.ts); Cerbos's `POST /api/check/resources` (Cerbos's validation messages, the full
// response with outputs and meta) and the engine-shaped checkInputs are the opt-in entry
// `verdict/workers/api` (cerbos-api.ts).
//
// Workers forbid compiling wasm from bytes ("Wasm code generation disallowed by embedder"), so the
// evaluator is always a WebAssembly.Module the Worker imported (`import wasm from "…/verdict.wasm"`,
// wrangler's CompiledWasm rule). The ruleset is plain data: an import of a `.bin` file (wrangler's
// Data rule gives an ArrayBuffer), a KV value, or a fetched bundle.
//
// Package entries (package.json `exports`): `workerd` / `worker` condition and `./workers` →
// `./dist/workers.mjs`; `./workers/api` → `./dist/workers-api.mjs` (which imports `./workers.mjs`,
// so both share one WorkerPdp class). Both built by scripts/build.mjs, platform-neutral ESM, no
// Node APIs; types from the .ts sources. The evaluator ships as `./dist/verdict.wasm`.
import type { JwtDecoder } from "../common/aux-data.ts";
import { RulesetLoadError } from "../common/errors.ts";
import { EvaluatorSession, type ResponseDecoder } from "../common/session.ts";
import type { AuxData, PdpOptions as CommonPdpOptions, Principal, Resource } from "../common/types.ts";
import { RequestValidationError, type RequestLimits } from "../common/validate.ts";
import { type ActionDecision, decodeDecisions, validateChecks } from "./decisions.ts";

// Only what a Worker needs is re-exported (each re-export is bundled even when unused).
export { AbiMismatchError } from "../common/abi.ts";
export { EvaluatorError, RulesetLoadError } from "../common/errors.ts";
export { RequestValidationError, type RequestLimits } from "../common/validate.ts";
export type { JwtDecoder } from "../common/aux-data.ts";
export type { ResponseDecoder } from "../common/session.ts";
export type { ActionDecision } from "./decisions.ts";
export type * from "../common/types.ts";

export interface WorkerPdpOptions extends CommonPdpOptions {
  /** For `verdict/workers/api` (HTTP auxData JWTs), as in host/node: `disableVerification` decodes
   *  without checking the signature (Cerbos's auxData.jwt.disableVerification); `decode` lets the
   *  caller verify. */
  jwt?: { disableVerification?: boolean; decode?: JwtDecoder };
  /** For `verdict/workers/api`: batch limits of its checkResources (Cerbos server.requestLimits);
   *  none by default. */
  limits?: RequestLimits;
}

/** What a ruleset can be handed over as in a Worker. */
export type RulesetSource = ArrayBuffer | ArrayBufferView;

/** The subset of a KV namespace binding the host reads from. */
export interface KvLike {
  get(key: string, type: "arrayBuffer"): Promise<ArrayBuffer | null>;
}

/** One resource and the actions asked about it. */
export interface ResourceCheck {
  resource: Resource;
  actions: readonly string[];
}

// Anything else (a string, null) reads as no bytes, which the ruleset loader refuses.
const toBytes = (src: RulesetSource): Uint8Array =>
  ArrayBuffer.isView(src) ? new Uint8Array(src.buffer, src.byteOffset, src.byteLength) : new Uint8Array(src);

function load(wasm: WebAssembly.Module, bytes: ArrayBuffer | null | false, missing: string, opts?: WorkerPdpOptions): WorkerPdp {
  if (!bytes) throw new RulesetLoadError(missing);
  return new WorkerPdp(wasm, bytes, opts);
}

export class WorkerPdp {
  private readonly session: EvaluatorSession;

  /** `wasm` must be the compiled module a Worker imports (workerd refuses to compile bytes:
   *  "WebAssembly.Module(): Wasm code generation disallowed by embedder"); `ruleset` is copied
   *  into the evaluator. */
  constructor(
    wasm: WebAssembly.Module,
    ruleset: RulesetSource,
    readonly opts: WorkerPdpOptions = {},
  ) {
    this.session = new EvaluatorSession(wasm, toBytes(ruleset), opts);
  }

  /** Ruleset from a KV namespace (stored as binary). Throws RulesetLoadError when the key is missing. */
  static async fromKV(wasm: WebAssembly.Module, kv: KvLike, key: string, opts?: WorkerPdpOptions): Promise<WorkerPdp> {
    return load(wasm, await kv.get(key, "arrayBuffer"), `no ruleset in KV under ${key}`, opts);
  }

  /** Ruleset from a fetched bundle (a Response, e.g. from `fetch(url)` or the Cache API). */
  static async fromResponse(wasm: WebAssembly.Module, res: Response, opts?: WorkerPdpOptions): Promise<WorkerPdp> {
    return load(wasm, res.ok && (await res.arrayBuffer()), `ruleset fetch failed: HTTP ${res.status}`, opts);
  }

  /** Low level (used by `verdict/workers/api`): one principal × N resources in one evaluator call,
   *  read by `decode`. Throws RequestValidationError for a request the evaluator must not see,
   *  EvaluatorError when the evaluator fails (the next call starts a fresh instance). */
  run<T>(principal: Principal, resources: readonly ResourceCheck[], decode: ResponseDecoder<T>, auxData?: AuxData, now?: Date | number): T {
    validateChecks(principal, resources);
    return this.session.run(
      { principal, resources: resources as ResourceCheck[], auxData, now: now ?? this.opts.now?.() ?? new Date() },
      decode,
    );
  }

  /** Many resources × actions in one evaluator call (checkResources-like batch decisions):
   *  `check(p, rs)[i][j]` answers `rs[i].actions[j]` with the effect, matched policy and scope.
   *  Only an explicit ALLOW is EFFECT_ALLOW. `auxData` is decoded claims; for Cerbos's HTTP
   *  request and response (JWT tokens, requestId, includeMeta, outputs) use
   *  `checkResources(pdp, req)` from `verdict/workers/api`. */
  check(principal: Principal, resources: readonly ResourceCheck[], auxData?: AuxData, now?: Date): ActionDecision[][] {
    return this.run(principal, resources, (dv, u8, ptr, len, index) =>
      decodeDecisions(dv, u8, ptr, len, index, resources.map((r) => r.actions.length)), auxData, now);
  }

  /** True only when the action is explicitly allowed. Throws on an invalid request. */
  isAllowed(q: AuthzQuery): boolean {
    return this.decide(q).effect === "EFFECT_ALLOW";
  }

  /** One action on one resource, with the matched policy (for logs and 403 bodies). */
  decide(q: AuthzQuery, call?: { now?: Date }): ActionDecision {
    return this.check(q.principal, [{ resource: q.resource, actions: [q.action] }], undefined, call?.now)[0]![0]!;
  }
}

/** A JSON response (the Cerbos REST gateway's content type). */
export function jsonResponse(status: number, body: unknown, headers?: HeadersInit): Response {
  const res = new Response(JSON.stringify(body), { status, headers });
  res.headers.set("content-type", "application/json");
  return res;
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
      const message = e instanceof RequestValidationError ? `authorization query invalid: ${e.message}` : "authorization failed";
      return jsonResponse(500, { code: 13, message });
    }
    if (decision.effect !== "EFFECT_ALLOW") return opts.onDenied ? opts.onDenied(decision, request) : forbidden(decision);
    return handler(request, env, ctx, decision);
  };
}
