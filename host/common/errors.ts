// Errors a host raises besides request validation (validate.ts).

/** The ruleset was refused (corrupt, wrong format version, ...). */
export class RulesetLoadError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "RulesetLoadError";
  }
}

/** The evaluator failed while checking (trap, bad status, malformed response). The failed call is
 *  never reported as a decision; the engine starts a fresh instance on the next call. */
export class EvaluatorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EvaluatorError";
  }
}
