// What the benchmark needs besides the public host: the compiler (to build the rulesets before
// timing, and to time the compile of the large policy in a fresh process).
export { compileDirectory } from "../../compiler/index.ts";
