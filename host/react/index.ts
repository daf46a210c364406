// React binding: synchronous after init (no per-check loading state). Create the Verdict once
// (await Verdict.load(...)) before rendering, then:
//   <VerdictProvider verdict={v} principal={user}> … <Can resource={r} action="delete">…</Can>
// Components re-render when the principal changes (provider prop) and when the ruleset is
// swapped (useSyncExternalStore over verdict.subscribe / verdict.version).
import { createContext, createElement, Fragment, type ReactNode, useContext, useMemo, useSyncExternalStore } from "react";
import type { AuxData, Decisions, Principal, Resource, ResourceCheck, Verdict } from "../browser/index.ts";

interface Ctx {
  verdict: Verdict;
  principal: Principal;
  auxData?: AuxData;
}

const VerdictContext = createContext<Ctx | null>(null);

export function VerdictProvider(props: { verdict: Verdict; principal: Principal; auxData?: AuxData; children?: ReactNode }): ReactNode {
  const { verdict, principal, auxData } = props;
  const value = useMemo(() => ({ verdict, principal, auxData }), [verdict, principal, auxData]);
  return createElement(VerdictContext.Provider, { value }, props.children);
}

/** The provider's Verdict and principal; re-renders the caller on every ruleset swap. */
export function useVerdict(): Ctx & { version: number } {
  const ctx = useContext(VerdictContext);
  if (!ctx) throw new Error("useVerdict/useAllowed/<Can> must be inside <VerdictProvider>");
  const version = useSyncExternalStore(ctx.verdict.subscribe, () => ctx.verdict.version, () => ctx.verdict.version);
  return { ...ctx, version };
}

/** Many resources × actions in one evaluator call (a whole menu): allowed[action] per resource. */
export function useChecks(resources: readonly ResourceCheck[]): Decisions {
  const { verdict, principal, auxData } = useVerdict();
  return verdict.check(principal, resources, auxData);
}

export function useAllowed(resource: Resource, action: string): boolean {
  const { verdict, principal, auxData } = useVerdict();
  return verdict.isAllowed({ principal, resource, action, auxData });
}

/** Renders children only when the action is allowed (else `fallback`). */
export function Can(props: { resource: Resource; action: string; children?: ReactNode; fallback?: ReactNode }): ReactNode {
  const ok = useAllowed(props.resource, props.action);
  return createElement(Fragment, null, ok ? props.children : (props.fallback ?? null));
}
