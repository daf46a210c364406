// The raw WebAssembly ABI of the evaluator (assembly/index.ts), with no loader and no runtime
// glue: instantiate synchronously, check the ABI version, and give typed access to memory.
// Runtime-neutral on purpose (no Node APIs): the browser and Workers hosts reuse it. Workers
// forbid compiling from bytes, so callers there pass a WebAssembly.Module they imported.
import { ABI_MAJOR } from "../../spec/format.ts";
import { EvaluatorError } from "./errors.ts";
import { hostImports } from "./imports.ts";

export interface EvaluatorExports {
  memory: WebAssembly.Memory;
  abi_version(): number;
  alloc(n: number): number;
  free(p: number): void;
  load(ptr: number, len: number): number;
  configure(ptr: number): number;
  check(reqPtr: number): number;
  out_ptr(): number;
  out_len(): number;
  /** Effects-only check (ABI 1.1): first action's effect | DECIDE_NOW_READ, or −Status. */
  decide?(reqPtr: number): number;
  /** 1 when the last check read the clock (now(), timeSince()); absent in older evaluators. */
  now_read?(): number;
}

export class AbiMismatchError extends Error {
  constructor(readonly found: { major: number; minor: number }) {
    super(
      `evaluator ABI ${found.major}.${found.minor} is not supported by this host (needs ${ABI_MAJOR}.x): build both from one checkout`,
    );
    this.name = "AbiMismatchError";
  }
}

const REQUIRED = ["abi_version", "alloc", "free", "load", "configure", "check", "out_ptr", "out_len"] as const;

/** Compiles (when given bytes) and instantiates the evaluator with the host imports. */
export function instantiateEvaluator(source: WebAssembly.Module | BufferSource): Abi {
  const module = source instanceof WebAssembly.Module ? source : new WebAssembly.Module(source);
  const ex = new WebAssembly.Instance(module, hostImports(() => ex.memory as WebAssembly.Memory)).exports as Record<string, unknown>;
  for (const name of REQUIRED) {
    if (typeof ex[name] !== "function") throw new Error(`not a Verdict evaluator: missing export \`${name}\``);
  }
  if (!(ex.memory instanceof WebAssembly.Memory)) throw new Error("not a Verdict evaluator: missing memory export");
  const abi = new Abi(ex as unknown as EvaluatorExports);
  const v = abi.ex.abi_version() >>> 0;
  const found = { major: v >>> 16, minor: v & 0xffff };
  if (found.major !== ABI_MAJOR) throw new AbiMismatchError(found);
  return abi;
}

/** Typed views over the evaluator's memory. Views are re-created whenever memory.buffer changes
 *  (growth detaches the old ArrayBuffer), so always go through these getters after any call
 *  into wasm that may allocate. */
export class Abi {
  private buf: ArrayBuffer | undefined;
  private _u8!: Uint8Array;
  private _dv!: DataView;

  constructor(readonly ex: EvaluatorExports) {}

  private refresh(): void {
    const b = this.ex.memory.buffer;
    if (b !== this.buf) {
      this.buf = b;
      this._u8 = new Uint8Array(b);
      this._dv = new DataView(b);
    }
  }
  get u8(): Uint8Array {
    this.refresh();
    return this._u8;
  }
  get dv(): DataView {
    this.refresh();
    return this._dv;
  }

  /** Allocates n bytes in wasm memory; throws when the evaluator is out of memory. */
  alloc(n: number): number {
    const p = this.ex.alloc(n) >>> 0;
    if (p === 0) throw new EvaluatorError(`evaluator out of memory (allocating ${n} bytes)`);
    return p;
  }
  free(p: number): void {
    if (p !== 0) this.ex.free(p);
  }

  /** Copies bytes into a fresh allocation and returns its address. */
  copyIn(bytes: Uint8Array): number {
    const p = this.alloc(Math.max(bytes.length, 1));
    this.u8.set(bytes, p);
    return p;
  }
}
