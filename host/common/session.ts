// A long-lived evaluator instance whose ruleset can be replaced in place (the evaluator's `load`
// swaps rulesets without re-instantiating the wasm). Unlike Engine, it does not decode responses
// itself: the caller passes a decoder, so a small host (browser, Workers) can use a decisions-only
// decoder and leave the full one (outputs, evaluation errors) out of its bundle.
// Runtime-neutral; additive next to engine.ts (host/node keeps using Engine).
import { Status } from "../../spec/format.ts";
import { type Abi, instantiateEvaluator } from "./abi.ts";
import { configure, type EngineConfig, writeConfig } from "./config.ts";
import { type EncodableRequest, RequestEncoder } from "./encode-request.ts";
import { EvaluatorError, RulesetLoadError } from "./errors.ts";
import { readRulesetIndex, type RulesetIndex } from "./ruleset-strings.ts";

/** Reads the response of one `check`: `ptr`/`len` are out_ptr/out_len. */
export type ResponseDecoder<T> = (dv: DataView, u8: Uint8Array, ptr: number, len: number, index: RulesetIndex) => T;

interface Loaded {
  index: RulesetIndex;
  bytes: Uint8Array;
  rulesetPtr: number;
  configPtr: number;
  encoder: RequestEncoder;
}

export class EvaluatorSession {
  private abi: Abi | undefined;
  private cur!: Loaded;

  constructor(
    private readonly module: WebAssembly.Module,
    ruleset: Uint8Array,
    private readonly config: EngineConfig = {},
  ) {
    this.cur = this.loadInto(this.instance(), ruleset);
  }

  get index(): RulesetIndex {
    return this.cur.index;
  }
  get ruleset(): Uint8Array {
    return this.cur.bytes;
  }

  private instance(): Abi {
    return (this.abi ??= instantiateEvaluator(this.module));
  }

  private loadInto(abi: Abi, bytes: Uint8Array): Loaded {
    let index: RulesetIndex;
    try {
      index = readRulesetIndex(bytes);
    } catch (e) {
      throw new RulesetLoadError((e as Error).message);
    }
    const rulesetPtr = abi.copyIn(bytes);
    const st = abi.ex.load(rulesetPtr, bytes.length);
    if (st !== Status.OK) {
      abi.free(rulesetPtr);
      throw new RulesetLoadError(`evaluator refused the ruleset (status ${st})`, st);
    }
    const configPtr = writeConfig(abi, index, rulesetPtr, this.config);
    configure(abi, configPtr);
    return { index, bytes, rulesetPtr, configPtr, encoder: new RequestEncoder(abi, index, rulesetPtr) };
  }

  /** Replaces the ruleset in the running instance. On failure the old ruleset stays loaded. */
  replace(bytes: Uint8Array): void {
    const abi = this.instance();
    const old = this.cur;
    try {
      this.cur = this.loadInto(abi, bytes);
    } catch (e) {
      // A refusal leaves the old ruleset loaded; anything later (configuration) may have left
      // the instance half-switched, so drop it: the next check starts afresh with the old bytes.
      if (!(e instanceof RulesetLoadError)) this.abi = undefined;
      throw e;
    }
    old.encoder.dispose();
    abi.free(old.configPtr);
    abi.free(old.rulesetPtr);
  }

  /** One boundary crossing: encode, check, decode. A trap drops the instance; the next call
   *  instantiates the same compiled module again and reloads the current ruleset. */
  run<T>(call: EncodableRequest, decode: ResponseDecoder<T>): T {
    if (!this.abi) this.cur = this.loadInto(this.instance(), this.cur.bytes);
    const abi = this.abi!;
    try {
      const reqPtr = this.cur.encoder.encode(call);
      const st = abi.ex.check(reqPtr);
      if (st !== Status.OK) throw new EvaluatorError(`evaluator refused the request (status ${st})`);
      return decode(abi.dv, abi.u8, abi.ex.out_ptr() >>> 0, abi.ex.out_len() >>> 0, this.cur.index);
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError || e instanceof EvaluatorError || e instanceof RangeError) {
        this.abi = undefined;
        if (e instanceof EvaluatorError) throw e;
        throw new EvaluatorError(`evaluator failed: ${(e as Error).message}`, { cause: e });
      }
      throw e;
    }
  }
}
