// The runtime-neutral core every host wraps: one evaluator instance with one loaded ruleset and
// configuration. It only encodes, calls and decodes; it never decides anything itself.
import { DECIDE_NOW_READ, Effect, RESP_ACTION_WORDS, Status } from "../../spec/format.ts";
import { type Abi, instantiateEvaluator } from "./abi.ts";
import { configure, type EngineConfig, writeConfig } from "./config.ts";
import { decodeResponse } from "./decode-response.ts";
import { type EncodableRequest, RequestEncoder } from "./encode-request.ts";
import { readRulesetIndex, type RulesetIndex } from "./ruleset-strings.ts";
import { statusName } from "./status.ts";
import { type BoundCheck, BoundEncoder, type EncodedPrincipal, Moved } from "./bound-encoder.ts";
import type { CheckOutput, Principal, Resource } from "./types.ts";
import { EvaluatorError, RulesetLoadError } from "./errors.ts";
import { checkWithSchemas, schemaEnforcer, type SchemaEnforcer, type SchemaOptions, type ValidationError } from "./schema-section.ts";

export { EvaluatorError, RulesetLoadError };

export interface CheckCall extends EncodableRequest {
  requestId?: string;
}

interface Instance {
  abi: Abi;
  rulesetPtr: number;
  configPtr: number;
  encoder: RequestEncoder;
  /** Requests of principal bindings (Pdp.forPrincipal), made on first use. */
  bound?: BoundEncoder;
}

/** What a principal binding keeps: its validated snapshot and that snapshot's encoding. */
export interface BoundPrincipal {
  readonly principal: Principal;
  enc?: EncodedPrincipal;
}

/** Words per resource in a `decide` response with one action per resource. */
const ONE_ACTION_WORDS = 1 + RESP_ACTION_WORDS;

export class Engine {
  readonly index: RulesetIndex;
  private inst: Instance | undefined;
  /** Set when schemas must be enforced (schema.enforcement warn/reject and a ruleset with schemas). */
  private readonly schemas: SchemaEnforcer | undefined;

  /** `wasm` is the compiled evaluator, or a factory for an instance (tests use a JS fake). */
  constructor(
    private readonly wasm: WebAssembly.Module | (() => Abi),
    private readonly ruleset: Uint8Array,
    private readonly config: EngineConfig & SchemaOptions = {},
    /** Runs before anything reads the ruleset (host/common/integrity); throws to refuse it. The
     *  caller passes bytes it owns, so they cannot change between this check and a reload. */
    verify?: (ruleset: Uint8Array) => void,
  ) {
    verify?.(ruleset);
    try {
      this.index = readRulesetIndex(ruleset);
    } catch (e) {
      throw new RulesetLoadError((e as Error).message);
    }
    this.schemas = schemaEnforcer(ruleset, config.schemaEnforcement, config.schemaValidator);
    this.inst = this.start();
  }

  private start(): Instance {
    const abi = typeof this.wasm === "function" ? this.wasm() : instantiateEvaluator(this.wasm);
    const rulesetPtr = abi.copyIn(this.ruleset);
    const st = abi.ex.load(rulesetPtr, this.ruleset.length);
    if (st !== Status.OK) throw new RulesetLoadError(`evaluator refused the ruleset: ${statusName(st)}`, st);
    const configPtr = writeConfig(abi, this.index, rulesetPtr, this.config);
    configure(abi, configPtr);
    return { abi, rulesetPtr, configPtr, encoder: new RequestEncoder(abi, this.index, rulesetPtr) };
  }

  /** Whether the last `check` read the clock (now(), timeSince()): Cerbos's test runner errors
   *  a test that depends on the time without fixing `now`. */
  lastCheckReadNow = false;

  /** One action on one resource, already validated (Pdp.isAllowed's fast path): encodes without
   *  building the call shape and reads only the effect word, never the full response. True only
   *  for an explicit ALLOW. */
  allowed(principal: Principal, resource: Resource, action: string, nowMs: number): boolean {
    if (this.schemas) {
      // Validation needs the full path (the evaluator's choice of policy, then maybe a rejection).
      const out = this.check({ principal, resources: [{ resource, actions: [action] }], now: nowMs });
      return out[0]?.actions[action]?.effect === "EFFECT_ALLOW";
    }
    const inst = (this.inst ??= this.start());
    try {
      return this.decideOne(inst, inst.encoder.encode({ principal, resources: [{ resource, actions: [action] }], now: nowMs }));
    } catch (e) {
      throw this.failed(e);
    }
  }

  /** `allowed` for a bound principal: only the resource and action are encoded. */
  boundAllowed(p: BoundPrincipal, resource: Resource, action: string, nowMs: number): boolean {
    if (this.schemas) return this.allowed(p.principal, resource, action, nowMs); // validation first
    const inst = (this.inst ??= this.start());
    try {
      const be = (inst.bound ??= new BoundEncoder(inst.abi, this.index, inst.rulesetPtr));
      for (;;) {
        if (!be.current(p.enc)) p.enc = be.encodePrincipal(p.principal);
        let req: number;
        try {
          req = be.encodeOne(p.enc, resource, action, nowMs);
        } catch (e) {
          if (e instanceof Moved) continue;
          throw e;
        }
        return this.decideOne(inst, req);
      }
    } catch (e) {
      throw this.failed(e);
    }
  }

  /** Decisions only, for many (resource, action) checks of a bound principal: one evaluator call. */
  boundAllowedMany(p: BoundPrincipal, checks: readonly BoundCheck[], nowMs: number): boolean[] {
    if (this.schemas) {
      // Schema enforcement needs the full path: validation, then maybe a rejection per resource.
      const out = this.check({ principal: p.principal, resources: checks.map((c) => ({ resource: c.resource, actions: [c.action] })), now: nowMs });
      return checks.map((c, i) => out[i]?.actions[c.action]?.effect === "EFFECT_ALLOW");
    }
    const inst = (this.inst ??= this.start());
    try {
      const be = (inst.bound ??= new BoundEncoder(inst.abi, this.index, inst.rulesetPtr));
      let req: number;
      for (;;) {
        if (!be.current(p.enc)) p.enc = be.encodePrincipal(p.principal);
        try {
          req = be.encode(p.enc, checks, nowMs);
          break;
        } catch (e) {
          if (!(e instanceof Moved)) throw e;
        }
      }
      const ex = inst.abi.ex;
      if (!ex.decide) throw new EvaluatorError("evaluator predates ABI 1.1 (no `decide`): rebuild it");
      this.decideOne(inst, req);
      const n = checks.length;
      const out = ex.out_ptr() >>> 0;
      if ((ex.out_len() >>> 0) !== n * ONE_ACTION_WORDS * 4) throw new EvaluatorError("evaluator answered a malformed response");
      const dv = inst.abi.dv;
      const res = new Array<boolean>(n);
      for (let i = 0; i < n; i++) {
        const w = out + i * ONE_ACTION_WORDS * 4;
        if (dv.getUint32(w, true) !== 1) throw new EvaluatorError("evaluator answered a malformed response");
        res[i] = dv.getUint32(w + 4, true) === Effect.ALLOW;
      }
      return res;
    } catch (e) {
      throw this.failed(e);
    }
  }

  /** Runs `decide` (effects only; `check` on an evaluator without it) on an encoded request: true
   *  only for an explicit ALLOW of the first action. */
  private decideOne(inst: Instance, req: number): boolean {
    const ex = inst.abi.ex;
    if (ex.decide) {
      const r = ex.decide(req) | 0;
      if (r < 0) throw new EvaluatorError(`evaluator refused the request: ${statusName(-r)}`);
      this.lastCheckReadNow = (r & DECIDE_NOW_READ) !== 0;
      return (r & 0xff) === Effect.ALLOW;
    }
    const st = ex.check(req);
    if (st !== Status.OK) throw new EvaluatorError(`evaluator refused the request: ${statusName(st)}`);
    this.lastCheckReadNow = (ex.now_read?.() ?? 0) !== 0;
    const out = ex.out_ptr() >>> 0;
    const dv = inst.abi.dv;
    // Response: action count (1), then effect, policy, scope words for the action.
    if ((ex.out_len() >>> 0) < 8 || dv.getUint32(out, true) !== 1) throw new EvaluatorError("evaluator answered a malformed response");
    return dv.getUint32(out + 4, true) === Effect.ALLOW;
  }

  /** A trapped instance may hold inconsistent state: drop it, start afresh next time. */
  private failed(e: unknown): unknown {
    if (e instanceof WebAssembly.RuntimeError || e instanceof EvaluatorError || e instanceof RangeError) {
      this.inst = undefined;
      if (e instanceof EvaluatorError) return e;
      return new EvaluatorError(`evaluator failed: ${(e as Error).message}`, { cause: e });
    }
    return e;
  }

  /** Checks one principal against N resources; results in request order. */
  check(call: CheckCall): CheckOutput[] {
    const inst = (this.inst ??= this.start());
    try {
      const reqPtr = inst.encoder.encode(call);
      let st: number;
      let invalid: ValidationError[][] | undefined;
      if (this.schemas) ({ status: st, errors: invalid } = checkWithSchemas(this.schemas, inst.abi, reqPtr, this.index, call));
      else st = inst.abi.ex.check(reqPtr);
      if (st !== Status.OK) throw new EvaluatorError(`evaluator refused the request: ${statusName(st)}`);
      const ex = inst.abi.ex;
      this.lastCheckReadNow = (ex.now_read?.() ?? 0) !== 0;
      const out = ex.out_ptr() >>> 0;
      const len = ex.out_len() >>> 0;
      const outputs = decodeResponse(
        inst.abi.dv,
        inst.abi.u8,
        out,
        len,
        this.index,
        call.resources.map((r) => ({ requestId: call.requestId, resourceId: r.resource.id, actions: r.actions })),
      );
      if (invalid) invalid.forEach((v, i) => v.length && (outputs[i]!.validationErrors = v));
      return outputs;
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError || e instanceof EvaluatorError || e instanceof RangeError) {
        // RangeError: a pointer in the response fell outside memory.
        // A trapped instance may hold inconsistent state: drop it, start afresh next time.
        this.inst = undefined;
        if (e instanceof EvaluatorError) throw e;
        throw new EvaluatorError(`evaluator failed: ${(e as Error).message}`, { cause: e });
      }
      throw e;
    }
  }
}
