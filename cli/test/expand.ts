// Suite expansion: each test table becomes one test per principal × resource pair with its
// expected effects and outputs. Lookups and error texts follow Cerbos (they show up in results).
import type { Principal, Resource } from "../../host/common/types.ts";
import { checkGroups, groupMembers, type Fixture } from "./load.ts";
import type { Effect, ExpandedTest, FixtureAuxData, TestSuite, TestTable } from "./types.ts";
import { deepEqual } from "./values.ts";

export class SuiteError extends Error {}

export class SuiteRun {
  readonly principalGroups: Record<string, string[]>;
  readonly resourceGroups: Record<string, string[]>;

  constructor(
    readonly suite: TestSuite,
    readonly fixture: Fixture | undefined,
  ) {
    this.principalGroups = groupMembers(suite.principalGroups as Record<string, Record<string, unknown>> | undefined, "principals");
    this.resourceGroups = groupMembers(suite.resourceGroups as Record<string, Record<string, unknown>> | undefined, "resources");
  }

  /** Group definitions in the suite may name suite or fixture members. */
  checkGroups(): string | undefined {
    const p = checkGroups(this.principalGroups, (n) => this.tryLookup(() => this.principal(n)));
    if (p) return `Invalid principal groups in test suite: ${p}`;
    const r = checkGroups(this.resourceGroups, (n) => this.tryLookup(() => this.resource(n)));
    if (r) return `Invalid resource groups in test suite: ${r}`;
    return undefined;
  }

  private tryLookup(fn: () => unknown): boolean {
    try {
      fn();
      return true;
    } catch {
      return false;
    }
  }

  duplicateNames(): string | undefined {
    const seen = new Set<string>();
    const errs: string[] = [];
    for (const t of this.suite.tests ?? []) {
      const name = t.name ?? "";
      if (seen.has(name)) errs.push(`another test named ${name} already exists`);
      seen.add(name);
    }
    return errs.length > 0 ? errs.join("; ") : undefined;
  }

  principal(name: string): Principal {
    const p = own(this.suite.principals, name) ?? own(this.fixture?.principals, name);
    if (!p) throw new SuiteError(`principal "${name}" not found`);
    return p;
  }

  resource(name: string): Resource {
    const r = own(this.suite.resources, name) ?? own(this.fixture?.resources, name);
    if (!r) throw new SuiteError(`resource "${name}" not found`);
    return r;
  }

  principalGroup(name: string): string[] {
    const g = own(this.principalGroups, name) ?? own(this.fixture?.principalGroups, name);
    if (!g) throw new SuiteError(`principal group "${name}" not found`);
    return g;
  }

  resourceGroup(name: string): string[] {
    const g = own(this.resourceGroups, name) ?? own(this.fixture?.resourceGroups, name);
    // Cerbos's message says "principal group" here too; kept identical because it is user-visible
    // in TestResults and compared with Cerbos's output.
    if (!g) throw new SuiteError(`principal group "${name}" not found`);
    return g;
  }

  auxData(name: string | undefined): FixtureAuxData | undefined {
    if (!name) return undefined;
    const a = own(this.suite.auxData, name) ?? own(this.fixture?.auxData, name);
    if (!a) throw new SuiteError(`auxData "${name}" not found`);
    return a;
  }

  /** All tests of the suite in table order; throws SuiteError with Cerbos's message. */
  tests(): ExpandedTest[] {
    const all: ExpandedTest[] = [];
    for (const table of this.suite.tests ?? []) {
      try {
        all.push(...this.expandTable(table));
      } catch (e) {
        if (e instanceof SuiteError) throw new SuiteError(`invalid test "${table.name ?? ""}": ${e.message}`);
        throw e;
      }
    }
    return all;
  }

  private collect(single: string | undefined, names: string[] | undefined, groups: string[] | undefined, lookup: (g: string) => string[]): string[] {
    const out = single ? [single] : [...(names ?? [])];
    const seen = new Set(out);
    for (const g of groups ?? []) {
      for (const m of lookup.call(this, g)) {
        if (!seen.has(m)) {
          seen.add(m);
          out.push(m);
        }
      }
    }
    return out;
  }

  expandTable(table: TestTable): ExpandedTest[] {
    const input = table.input ?? {};
    const actions = input.actions ?? [];
    const lookup = this.expectations(table);
    const principals = this.collect(undefined, input.principals, input.principalGroups, this.principalGroup);
    const resources = this.collect(undefined, input.resources, input.resourceGroups, this.resourceGroup);
    const pairs: Array<{ pk: string; rk: string; exp: ReturnType<typeof lookup.get> }> = [];
    for (const pk of principals) {
      for (const rk of resources) {
        const key = pairKey(pk, rk);
        pairs.push({ pk, rk, exp: lookup.get(key) });
        lookup.delete(key);
      }
    }
    for (const key of lookup.keys()) {
      const [p, r] = JSON.parse(key) as [string, string];
      throw new SuiteError(`found an expectation for principal "${p}" and resource "${r}", but at least one of these is not present in input`);
    }
    // Fixtures are resolved only after the whole matrix is known, so a dangling expectation is
    // reported before an unknown principal, as Cerbos does.
    const tests: ExpandedTest[] = pairs.map(({ pk, rk, exp }) => ({
      table: table.name ?? "",
      description: table.description ?? "",
      principalKey: pk,
      resourceKey: rk,
      skip: table.skip ?? false,
      skipReason: table.skipReason ?? "",
      principal: this.principal(pk),
      resource: this.resource(rk),
      actions,
      auxData: this.auxData(input.auxData),
      // A pair without expectations expects DENY for every action.
      expected: exp?.actions ?? Object.fromEntries(actions.map((a) => [a, "EFFECT_DENY" as Effect])),
      expectedOutputs: exp?.outputs ?? {},
      // A test's options replace the suite's entirely (no merging).
      options: table.options ?? this.suite.options,
    }));
    return tests;
  }

  private expectations(table: TestTable): Map<string, { actions: Record<string, Effect>; outputs: Record<string, Map<string, unknown>> }> {
    const inputActions = new Set(table.input?.actions ?? []);
    const lookup = new Map<string, { actions: Record<string, Effect>; outputs: Record<string, Map<string, unknown>> }>();
    for (const e of table.expected ?? []) {
      const outputs: Record<string, Map<string, unknown>> = {};
      for (const o of e.outputs ?? []) {
        const entries = new Map<string, unknown>();
        for (const x of o.expected ?? []) entries.set(x.src ?? "", x.val ?? null);
        outputs[o.action ?? ""] = entries;
      }
      const unreachable = Object.keys(outputs).filter((a) => !inputActions.has(a));
      if (unreachable.length > 0) throw new SuiteError(`found output expectations for actions that are not in the input actions list: [${unreachable.join(",")}]`);
      const principals = this.collect(e.principal, e.principals, e.principalGroups, this.principalGroup);
      const resources = this.collect(e.resource, e.resources, e.resourceGroups, this.resourceGroup);
      for (const pk of principals) {
        for (const rk of resources) {
          const extra = Object.keys(e.actions ?? {}).filter((a) => !inputActions.has(a)).sort();
          if (extra.length > 0) throw new SuiteError(`found expectations for actions that do not exist in the input actions list: [${extra.join(",")}]`);
          const key = pairKey(pk, rk);
          const target = lookup.get(key) ?? { actions: {}, outputs: {} };
          lookup.set(key, target);
          for (const [action, effect] of Object.entries(e.actions ?? {})) {
            const old = target.actions[action];
            if (old !== undefined && old !== effect)
              throw new SuiteError(`found inconsistent expectations for principal "${pk}" performing action "${action}" on resource "${rk}"`);
            target.actions[action] = effect;
          }
          for (const [action, entries] of Object.entries(outputs)) {
            const into = (target.outputs[action] ??= new Map());
            for (const [src, val] of entries) {
              if (into.has(src) && !deepEqual(into.get(src), val))
                throw new SuiteError(`found inconsistent expectations for output "${src}" from principal "${pk}" performing action "${action}" on resource "${rk}"`);
              into.set(src, val);
            }
          }
        }
      }
    }
    return lookup;
  }
}

function pairKey(p: string, r: string): string {
  return JSON.stringify([p, r]);
}

function own<T>(m: Record<string, T> | undefined, k: string): T | undefined {
  return m && Object.prototype.hasOwnProperty.call(m, k) ? m[k] : undefined;
}
