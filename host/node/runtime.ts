// `verdict/node/runtime`: the Node host for compiled rulesets (Pdp.fromRuleset / fromFile)
// without the compiler, so import → first decision takes a few ms (docs/performance.md).
export * from "./pdp.ts";
