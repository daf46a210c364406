// host/common: the runtime-neutral half of every host (Node, browser, Workers). No Node APIs here.
export { Abi, AbiMismatchError, instantiateEvaluator, type EvaluatorExports } from "./abi.ts";
export { Engine, type CheckCall } from "./engine.ts";
export { EvaluatorError, RulesetLoadError } from "./errors.ts";
export { checkResources } from "./check-resources.ts";
export { decodeJwtPayloadUnverified, resolveAuxData, type JwtDecoder } from "./aux-data.ts";
export { DEFAULT_LIMITS, parseCheckResourcesRequest, RequestValidationError, validateCheckInput, type RequestLimits } from "./validate.ts";
export { readRulesetIndex, type RulesetIndex } from "./ruleset-strings.ts";
export { newCallId } from "./call-id.ts";
export type * from "./types.ts";
export * from "./audit/index.ts";
export * from "./integrity/index.ts";
