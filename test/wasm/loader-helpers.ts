// Raw access to the evaluator for loader tests: instantiate build/verdict.wasm, copy bytes in,
// call load, and locate sections/records inside a ruleset to corrupt them precisely.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CHECKSUM_FROM, FNV_OFFSET, FNV_PRIME, H_CHECKSUM, H_SECTION_COUNT, HEADER_SIZE, SECTION_ENTRY_SIZE } from "../../spec/format.ts";
import { hostImports } from "../../host/common/imports.ts";

const wasmPath = join(import.meta.dirname, "..", "..", "build", "verdict.wasm");
let module: WebAssembly.Module | undefined;

export interface Evaluator {
  ex: {
    memory: WebAssembly.Memory;
    alloc(n: number): number;
    free(p: number): void;
    load(p: number, n: number): number;
    check(p: number): number;
    abi_version(): number;
    out_ptr(): number;
    out_len(): number;
  };
  /** Copies bytes into a fresh alloc'd block and loads them; returns the Status. */
  load(bytes: Uint8Array): number;
}

export function evaluator(): Evaluator {
  module ??= new WebAssembly.Module(readFileSync(wasmPath));
  const ex: Evaluator["ex"] = new WebAssembly.Instance(module, hostImports(() => ex.memory)).exports as unknown as Evaluator["ex"];
  return {
    ex,
    load(bytes) {
      const p = ex.alloc(Math.max(1, bytes.length));
      new Uint8Array(ex.memory.buffer).set(bytes, p);
      const st = ex.load(p, bytes.length);
      if (st !== 0) ex.free(p); // refused: the block is still the host's
      return st;
    },
  };
}

export function fnv(bytes: Uint8Array, from: number): number {
  let h = FNV_OFFSET;
  for (let i = from; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h >>> 0;
}

/** Rewrites the header checksum so a corruption is judged by the later checks. */
export function reseal(b: Uint8Array): Uint8Array {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(H_CHECKSUM, fnv(b, CHECKSUM_FROM), true);
  return b;
}

/** Absolute offset and length of section `id` in a ruleset. */
export function section(b: Uint8Array, id: number): { offset: number; length: number } {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = dv.getUint32(H_SECTION_COUNT, true);
  for (let i = 0; i < n; i++) {
    const e = HEADER_SIZE + i * SECTION_ENTRY_SIZE;
    if (dv.getUint32(e, true) === id) return { offset: dv.getUint32(e + 4, true), length: dv.getUint32(e + 8, true) };
  }
  throw new Error(`no section ${id}`);
}

export function u32(b: Uint8Array, at: number, v: number): Uint8Array {
  const c = b.slice();
  new DataView(c.buffer).setUint32(at, v >>> 0, true);
  return c;
}
