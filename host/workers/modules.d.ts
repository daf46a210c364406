// Module types for what wrangler's default rules give a Worker: `.wasm` → a compiled
// WebAssembly.Module (CompiledWasm rule), `.bin` → an ArrayBuffer (Data rule).
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
declare module "*.bin" {
  const data: ArrayBuffer;
  export default data;
}
