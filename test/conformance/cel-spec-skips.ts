// The ONE skip list of the cel-spec conformance runner (cel-spec.test.ts): test id
// ("file/section/name", or "decode:file/section/name" for a host-decode mismatch) → a one-line
// reason naming the owner (VM = assembly/, LOWER = compiler/cel, HOST = host/common, CERBOS =
// Cerbos itself behaves the same way, so this is not a bug). Prune entries that start passing.
export const CEL_SPEC_SKIPS: Record<string, string> = {
};
