// The runtime-neutral core every host wraps: one evaluator instance with one loaded ruleset and
// configuration. It only encodes, calls and decodes; it never decides anything itself.
import { Effect, Status } from "../../spec/format.ts";
import { type Abi, instantiateEvaluator } from "./abi.ts";
import { configure, type EngineConfig, writeConfig } from "./config.ts";
import { decodeResponse } from "./decode-response.ts";
import { type EncodableRequest, RequestEncoder } from "./encode-request.ts";
import { readRulesetIndex, type RulesetIndex } from "./ruleset-strings.ts";
import { statusName } from "./status.ts";
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
}

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
      const ex = inst.abi.ex;
      const st = ex.check(inst.encoder.encode({ principal, resources: [{ resource, actions: [action] }], now: nowMs }));
      if (st !== Status.OK) throw new EvaluatorError(`evaluator refused the request: ${statusName(st)}`);
      this.lastCheckReadNow = (ex.now_read?.() ?? 0) !== 0;
      const out = ex.out_ptr() >>> 0;
      const dv = inst.abi.dv;
      // Response: action count (1), then effect, policy, scope words for the action.
      if ((ex.out_len() >>> 0) < 8 || dv.getUint32(out, true) !== 1) throw new EvaluatorError("evaluator answered a malformed response");
      return dv.getUint32(out + 4, true) === Effect.ALLOW;
    } catch (e) {
      throw this.failed(e);
    }
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
