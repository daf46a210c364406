// Assembles tiny WebAssembly modules from text (binaryen ships with AssemblyScript), for testing
// the ABI checks against real modules rather than JS objects.
import binaryen from "binaryen";

/** A module with every evaluator export; abi_version returns `version`, the rest are stubs. */
export function stubEvaluatorWasm(version: number, omit: string[] = []): Uint8Array {
  const fns: Record<string, string> = {
    abi_version: `(func (export "abi_version") (result i32) i32.const ${version})`,
    alloc: `(func (export "alloc") (param i32) (result i32) i32.const 1024)`,
    free: `(func (export "free") (param i32))`,
    load: `(func (export "load") (param i32 i32) (result i32) i32.const 0)`,
    configure: `(func (export "configure") (param i32) (result i32) i32.const 0)`,
    check: `(func (export "check") (param i32) (result i32) unreachable)`,
    out_ptr: `(func (export "out_ptr") (result i32) i32.const 0)`,
    out_len: `(func (export "out_len") (result i32) i32.const 0)`,
  };
  const body = Object.entries(fns)
    .filter(([k]) => !omit.includes(k))
    .map(([, v]) => v)
    .join("\n");
  const m = binaryen.parseText(`(module (memory (export "memory") 1)\n${body})`);
  const bytes = m.emitBinary();
  m.dispose();
  return bytes;
}
