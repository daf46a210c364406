// The runner's Checker over the Node host: policies are compiled once, and one Pdp is made per
// distinct option set (policy version, scope, lenient scope search, strict evaluation, globals).
import { Pdp, type PdpOptions } from "../../host/node/index.ts";
import type { Checker, FixtureAuxData, TestOptions } from "./types.ts";
import type { CheckOutput, Principal, Resource } from "../../host/common/types.ts";

export const NOW_NOT_PROVIDED = "a policy used a time-based condition, but `now` was not provided in the test options";

// Cerbos runs a test without `now` at Go's zero time and fails it when any condition read the
// clock; the evaluator reports clock reads (Pdp.lastCheckReadNow).
const ZERO_TIME = new Date("0001-01-01T00:00:00Z");

function auxData(a: FixtureAuxData): FixtureAuxData {
  const out: FixtureAuxData = {};
  if (a.jwt) out.jwt = a.jwt;
  if (a.jwts) out.jwts = a.jwts;
  return out;
}

export class PdpChecker implements Checker {
  private readonly pdps = new Map<string, Pdp>();

  constructor(
    private readonly ruleset: Uint8Array,
    /** `--strict-evaluation`: on for every test, whatever the options say */
    private readonly strict = false,
    private readonly extra: PdpOptions = {},
  ) {}

  /** Loads the ruleset into a Pdp now, so a ruleset the evaluator refuses fails once, up front. */
  ready(): void {
    this.pdpFor(undefined);
  }

  private pdpFor(o: TestOptions | undefined): Pdp {
    const opts: PdpOptions = { ...this.extra };
    if (o?.defaultPolicyVersion) opts.defaultPolicyVersion = o.defaultPolicyVersion;
    if (o?.defaultScope) opts.defaultScope = o.defaultScope;
    if (o?.lenientScopeSearch) opts.lenientScopeSearch = true;
    if (o?.strictEvaluation || this.strict) opts.strictEvaluation = true;
    if (o?.globals && Object.keys(o.globals).length > 0) opts.globals = o.globals;
    const key = JSON.stringify([opts.defaultPolicyVersion, opts.defaultScope, opts.lenientScopeSearch, opts.strictEvaluation, opts.globals]);
    let pdp = this.pdps.get(key);
    if (!pdp) {
      pdp = Pdp.fromRuleset(this.ruleset, opts);
      this.pdps.set(key, pdp);
    }
    return pdp;
  }

  check(input: { principal: Principal; resource: Resource; actions: string[]; auxData?: FixtureAuxData }, options: TestOptions | undefined): CheckOutput[] {
    const pdp = this.pdpFor(options);
    const req = {
      principal: input.principal,
      resource: input.resource,
      actions: input.actions,
      // Both parts of Cerbos's AuxData reach policies: `jwt` claims and named `jwts` tokens.
      ...(input.auxData ? { auxData: auxData(input.auxData) } : {}),
    };
    if (options?.now) return pdp.checkInputs([req], { now: new Date(options.now) });
    // Without `now`, a check whose policies read the clock is an error, as in Cerbos.
    const out = pdp.checkInputs([req], { now: ZERO_TIME });
    if (pdp.lastCheckReadNow) throw new Error(NOW_NOT_PROVIDED);
    return out;
  }
}
