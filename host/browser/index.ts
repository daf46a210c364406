// The browser host: async init (streaming compile of the .wasm from a URL, or a given
// WebAssembly.Module / bytes), then every check is synchronous. Rulesets are swapped in place in
// the same wasm instance; subscribers hear about every swap (UI bindings re-apply on it).
// Thin on purpose: encode → evaluator → decisions; no policy logic here. Decisions in the browser
// are for UI gating only — enforce on the server too.
import type { EngineConfig } from "../common/config.ts";
import { decodeEffects } from "../common/decode-effects.ts";
import { EvaluatorSession, type ResponseDecoder } from "../common/session.ts";
import type { AuxData, Principal, Resource } from "../common/types.ts";

export type { AuxData, Principal, Resource };
export type { ResponseDecoder };

export type WasmSource = string | URL | Response | PromiseLike<Response> | WebAssembly.Module | BufferSource | Uint8Array;
export type RulesetSource = string | URL | Response | PromiseLike<Response> | BufferSource | Uint8Array;

export interface VerdictOptions extends EngineConfig {
  /** Clock for CEL `now()` (default: the current time at each check). */
  now?: () => Date;
  /** fetch used for URLs (default: globalThis.fetch). */
  fetch?: typeof fetch;
}

export interface ResourceCheck {
  resource: Resource;
  actions: readonly string[];
}

/** allowed[action] per resource, in request order. */
export type Decisions = Array<Record<string, boolean>>;

type Fetchable = string | URL | Response | PromiseLike<Response>;
const isFetchable = (s: unknown): s is Fetchable =>
  typeof s === "string" || s instanceof URL || s instanceof Response || typeof (s as PromiseLike<Response>)?.then === "function";

async function toResponse(src: Fetchable, f: typeof fetch): Promise<Response> {
  const r = typeof src === "string" || src instanceof URL ? await f(src) : await src;
  if (!r.ok) throw new Error(`fetching ${r.url || String(src)} failed: HTTP ${r.status}`);
  return r;
}

/** Compiles the evaluator: streaming from a URL/Response when possible (falls back to bytes when
 *  the server does not send application/wasm). */
export async function compileEvaluator(src: WasmSource, f: typeof fetch = fetch): Promise<WebAssembly.Module> {
  if (src instanceof WebAssembly.Module) return src;
  if (!isFetchable(src)) return WebAssembly.compile(src as BufferSource);
  const res = await toResponse(src, f);
  return /application\/wasm/.test(res.headers.get("content-type") ?? "") && WebAssembly.compileStreaming
    ? WebAssembly.compileStreaming(res)
    : WebAssembly.compile(await res.arrayBuffer());
}

/** Reads a ruleset from a URL, a Response or bytes. */
export async function readRuleset(src: RulesetSource, f: typeof fetch = fetch): Promise<Uint8Array> {
  return isFetchable(src) ? new Uint8Array(await (await toResponse(src, f)).arrayBuffer()) : toBytes(src);
}

function toBytes(b: BufferSource | Uint8Array): Uint8Array {
  return b instanceof Uint8Array ? b : ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);
}

export class Verdict {
  private readonly session: EvaluatorSession;
  private readonly listeners = new Set<() => void>();
  private _version = 0;

  /** Synchronous construction from a compiled module (webviews, workers, tests). */
  constructor(
    module: WebAssembly.Module,
    ruleset: BufferSource | Uint8Array,
    private readonly opts: VerdictOptions = {},
  ) {
    this.session = new EvaluatorSession(module, toBytes(ruleset), opts);
  }

  /** Async init: compiles the .wasm (streaming from a URL) and reads the ruleset in parallel. */
  static async load(wasm: WasmSource, ruleset: RulesetSource, opts: VerdictOptions = {}): Promise<Verdict> {
    const f = opts.fetch ?? fetch.bind(globalThis);
    const [module, bytes] = await Promise.all([compileEvaluator(wasm, f), readRuleset(ruleset, f)]);
    return new Verdict(module, bytes, opts);
  }

  /** Increases on every ruleset swap (a snapshot for useSyncExternalStore). */
  get version(): number {
    return this._version;
  }
  /** The loaded ruleset's bytes (e.g. to cache them). */
  get ruleset(): Uint8Array {
    return this.session.ruleset;
  }

  /** Replaces the ruleset in place (no new wasm instance) and tells subscribers. Throws
   *  RulesetLoadError on a bad ruleset; the old one then stays in force. */
  setRuleset(bytes: BufferSource | Uint8Array): void {
    this.session.replace(toBytes(bytes));
    this._version++;
    for (const l of [...this.listeners]) l();
  }

  /** Fetches a ruleset and swaps it in. */
  async loadRuleset(src: RulesetSource): Promise<void> {
    this.setRuleset(await readRuleset(src, this.opts.fetch ?? fetch.bind(globalThis)));
  }

  /** Called after every ruleset swap; returns the unsubscribe function. Bound (stable identity),
   *  so it can go straight to useSyncExternalStore. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.unsubscribe(listener);
  };
  unsubscribe(listener: () => void): void {
    this.listeners.delete(listener);
  }

  /** Low level: one check with a caller-chosen response decoder (see host/browser/full.ts). */
  run<T>(principal: Principal, resources: readonly ResourceCheck[], decode: ResponseDecoder<T>, auxData?: AuxData, now?: Date): T {
    if (!principal || !Array.isArray(principal.roles)) throw new TypeError("principal needs an id and a roles array");
    for (const r of resources) {
      if (!r || !r.resource || !Array.isArray(r.actions)) throw new TypeError("each entry needs a resource and an actions array");
    }
    return this.session.run(
      { principal, resources: resources as ResourceCheck[], auxData, now: now ?? this.opts.now?.() ?? new Date() },
      decode,
    );
  }

  /** Many resources × actions in one boundary crossing (a whole menu at once): allowed[action]
   *  per resource, in order. Only an explicit ALLOW is true. */
  check(principal: Principal, resources: readonly ResourceCheck[], auxData?: AuxData): Decisions {
    if (resources.length === 0) return [];
    const rows = this.run(principal, resources, (dv, _u8, ptr, len) =>
      decodeEffects(dv, ptr, len, resources.map((r) => r.actions.length)),
    auxData);
    return rows.map((row, i) => {
      const m: Record<string, boolean> = {};
      resources[i]!.actions.forEach((a, j) => (m[a] = (m[a] ?? true) && row[j]!));
      return m;
    });
  }

  /** Cerbos-style batch: {results: [{resource: {id, kind}, actions: {a: EFFECT_ALLOW|EFFECT_DENY}}]}. */
  checkResources(req: { principal: Principal; resources: ResourceCheck[]; auxData?: AuxData }): {
    results: Array<{ resource: { id: string; kind: string }; actions: Record<string, "EFFECT_ALLOW" | "EFFECT_DENY"> }>;
  } {
    const d = this.check(req.principal, req.resources, req.auxData);
    return {
      results: req.resources.map((r, i) => {
        const actions: Record<string, "EFFECT_ALLOW" | "EFFECT_DENY"> = {};
        for (const a in d[i]) actions[a] = d[i]![a] ? "EFFECT_ALLOW" : "EFFECT_DENY";
        return { resource: { id: r.resource.id, kind: r.resource.kind }, actions };
      }),
    };
  }

  isAllowed(q: { principal: Principal; resource: Resource; action: string; auxData?: AuxData }): boolean {
    return this.check(q.principal, [{ resource: q.resource, actions: [q.action] }], q.auxData)[0]![q.action] === true;
  }
}

export { RulesetLoadError, EvaluatorError } from "../common/errors.ts";
