// Which tests and actions run: `--test-filter` dimensions, the `--run` name regexp and (for the
// conformance corpus) policy FQNs excluded from the bundle. Skips carry Cerbos's fixed reasons;
// filter skips are not counted as tests.
import { matchesGlob } from "./glob.ts";
import type { Details, ExpandedTest, TestOptions } from "./types.ts";

export const SKIP = {
  name: "Test name did not match the provided pattern",
  resource: "Resource matched a policy that was excluded from the bundle",
  principal: "Principal matched a policy that was excluded from the bundle",
  suite: "Suite did not match the test filter",
  test: "Test did not match the test filter",
  filterPrincipal: "Principal did not match the test filter",
  filterResource: "Resource did not match the test filter",
  action: "No actions matched the test filter",
} as const;

const FILTER_REASONS = new Set<string>([SKIP.suite, SKIP.test, SKIP.filterPrincipal, SKIP.filterResource, SKIP.action]);
export const isFilterSkipReason = (r: string | undefined): boolean => r !== undefined && FILTER_REASONS.has(r);

export interface FilterConfig {
  suite: string[];
  test: string[];
  principal: string[];
  resource: string[];
  action: string[];
}

export interface RunConfig {
  filter?: FilterConfig;
  includedTestNamesRegexp?: string;
  excludedResourcePolicyFqns?: string[];
  excludedPrincipalPolicyFqns?: string[];
}

/** Parses `suite=a,b;test=c;...` (several flags are merged by the caller). Throws on bad input. */
export function parseFilter(text: string, into?: FilterConfig): FilterConfig {
  const fc: FilterConfig = into ?? { suite: [], test: [], principal: [], resource: [], action: [] };
  for (const raw of text.trim().split(";")) {
    const dim = raw.trim();
    if (dim === "") continue;
    const eq = dim.indexOf("=");
    if (eq < 0) throw new Error(`invalid filter dimension format "${dim}": expected 'dimension=glob1,glob2'`);
    const name = dim.slice(0, eq).trim().toLowerCase();
    if (!(name in fc)) throw new Error(`unknown filter dimension "${dim.slice(0, eq)}": valid dimensions are suite, test, principal, resource, action`);
    const globs = dim
      .slice(eq + 1)
      .split(",")
      .map((g) => g.trim())
      .filter((g) => g !== "");
    fc[name as keyof FilterConfig].push(...globs);
  }
  if (Object.values(fc).every((l) => l.length === 0)) throw new Error("filter must contain at least one glob pattern in at least one dimension");
  return fc;
}

const anyGlob = (globs: string[] | undefined, v: string) => !globs || globs.length === 0 || globs.some((g) => matchesGlob(g, v));

// Cerbos's policy name sanitising for legacy-looking names.
const OLD_NAME = /^[A-Za-z][\w@.\-/]*(:[A-Za-z][\w@.\-/]*)*$/;
const sanitize = (v: string) => (OLD_NAME.test(v) ? v.replace(/[^\w.]+/g, "_") : v);
const withScope = (fqn: string, scope: string) => (scope === "" ? fqn : `${fqn}/${scope}`);
const versionOf = (f: { policyVersion?: string }, o?: TestOptions) => f.policyVersion || o?.defaultPolicyVersion || "default";
const scopeOf = (f: { scope?: string }, o?: TestOptions) => (f.scope ?? "").replace(/^\./, "") || o?.defaultScope || "";

export class TestFilter {
  private readonly nameRe?: RegExp;
  private readonly excludedResources: Set<string>;
  private readonly excludedPrincipals: Set<string>;

  constructor(private readonly conf: RunConfig) {
    this.nameRe = conf.includedTestNamesRegexp ? new RegExp(conf.includedTestNamesRegexp) : undefined;
    this.excludedResources = new Set(conf.excludedResourcePolicyFqns ?? []);
    this.excludedPrincipals = new Set(conf.excludedPrincipalPolicyFqns ?? []);
  }

  /** A skip result when the test should not run, or undefined. */
  apply(test: ExpandedTest, suiteName: string): Details | undefined {
    const skip = (skipReason: string): Details => ({ result: "RESULT_SKIPPED", skipReason });
    const f = this.conf.filter;
    // Cerbos matches the regexp against `<suite>/<protobuf text of the test name>`.
    const fullName = `${suiteName}/test_table_name:${JSON.stringify(test.table)} principal_key:${JSON.stringify(test.principalKey)} resource_key:${JSON.stringify(test.resourceKey)}`;
    if (this.nameRe && !this.nameRe.test(fullName)) return skip(SKIP.name);
    if (this.excludedResources.size > 0) {
      const fqn = withScope(`cerbos.resource.${sanitize(test.resource.kind)}.v${sanitize(versionOf(test.resource, test.options))}`, scopeOf(test.resource, test.options));
      if (this.excludedResources.has(fqn)) return skip(SKIP.resource);
    }
    if (this.excludedPrincipals.size > 0) {
      const fqn = withScope(`cerbos.principal.${sanitize(test.principal.id)}.v${sanitize(versionOf(test.principal, test.options))}`, scopeOf(test.principal, test.options));
      if (this.excludedPrincipals.has(fqn)) return skip(SKIP.principal);
    }
    if (!anyGlob(f?.suite, suiteName)) return skip(SKIP.suite);
    if (!anyGlob(f?.test, test.table)) return skip(SKIP.test);
    if (!anyGlob(f?.principal, test.principalKey)) return skip(SKIP.filterPrincipal);
    if (!anyGlob(f?.resource, test.resourceKey)) return skip(SKIP.filterResource);
    if (this.partition(test.actions).matched.length === 0) return skip(SKIP.action);
    if (test.skip) return skip(test.skipReason);
    return undefined;
  }

  partition(actions: string[]): { matched: string[]; skipped: string[] } {
    const globs = this.conf.filter?.action;
    if (!globs || globs.length === 0) return { matched: actions, skipped: [] };
    return { matched: actions.filter((a) => anyGlob(globs, a)), skipped: actions.filter((a) => !anyGlob(globs, a)) };
  }
}
