// Shapes handed from the Node globalSetup (setup.ts) to the tests running in workerd.
export const CORPUS_NOW = "2024-01-01T12:00:00.000Z";
export const EXPENSE_ACTIONS = ["create", "read", "delete"] as const;

export const SUITES = [
  { name: "strict", dirs: ["engine", "engine_strict_scope_search"], lenient: false },
  { name: "lenient", dirs: ["engine", "engine_lenient_scope_search"], lenient: true },
] as const;

export interface WorkerCase {
  suite: string;
  file: string;
  inputs: unknown[];
  /** Node's answer (Pdp.checkInputs with CORPUS_NOW), JSON round-tripped; or the error it threw. */
  node: { outputs: unknown[] } | { error: string };
}

export interface ProvidedCorpus {
  rulesetBase64: string;
  cases: WorkerCase[];
}

export interface ProvidedExpenses {
  requests: Array<{ requestId: string; principal: { id: string; roles: string[]; attr?: Record<string, unknown> }; resources: Array<{ resource: { kind: string; id: string; attr?: Record<string, unknown> }; actions: string[] }> }>;
  /** Real Cerbos 0.55's JSON answers, one per request. */
  answers: Array<{ requestId: string; results: Array<{ resource: { id: string; kind: string }; actions: Record<string, string> }> }>;
}

declare module "vitest" {
  export interface ProvidedContext {
    verdictCorpus: ProvidedCorpus;
    verdictExpenses: ProvidedExpenses;
  }
}
