// The ABI wrapper refuses evaluators it cannot talk to, before any request is sent.
import { describe, expect, it } from "vitest";
import { AbiMismatchError, instantiateEvaluator } from "../../host/common/abi.ts";
import { ABI_MAJOR } from "../../spec/format.ts";
import { stubEvaluatorWasm } from "./wat.ts";

describe("instantiateEvaluator", () => {
  it("accepts the same ABI major with any minor, from bytes or a compiled module", () => {
    const bytes = stubEvaluatorWasm((ABI_MAJOR << 16) | 7);
    expect(instantiateEvaluator(bytes).ex.abi_version() >>> 16).toBe(ABI_MAJOR);
    expect(instantiateEvaluator(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)).u8.length).toBe(65536);
  });

  it("refuses a different ABI major with a clear error", () => {
    const bytes = stubEvaluatorWasm(((ABI_MAJOR + 1) << 16) | 0);
    expect(() => instantiateEvaluator(bytes)).toThrow(AbiMismatchError);
    expect(() => instantiateEvaluator(bytes)).toThrow(new RegExp(`evaluator ABI ${ABI_MAJOR + 1}\\.0 is not supported.*needs ${ABI_MAJOR}\\.x`));
  });

  it("refuses a module that lacks an evaluator export", () => {
    expect(() => instantiateEvaluator(stubEvaluatorWasm(ABI_MAJOR << 16, ["check"]))).toThrow(/missing export `check`/);
  });

  it("re-creates memory views after memory grows", () => {
    const abi = instantiateEvaluator(stubEvaluatorWasm(ABI_MAJOR << 16));
    const before = abi.u8;
    (abi.ex.memory as WebAssembly.Memory).grow(1);
    expect(before.byteLength).toBe(0); // detached by growth
    expect(abi.u8.byteLength).toBe(2 * 65536);
    abi.dv.setUint32(65536 + 4, 42, true);
    expect(abi.dv.getUint32(65536 + 4, true)).toBe(42);
  });
});
