// Request fuzzing through the Node host (validation → encoder → wasm → decoder), one Pdp for the
// whole run. Each case starts from a valid request and applies mutations: missing or wrong-typed
// fields, huge strings and lists, deep nesting, odd unicode, many resources. Properties:
//  1. the outcome is a response or a clear error (RequestValidationError, TypeError from input
//     checks, EvaluatorError for a refused request such as OUT_OF_MEMORY) — never a wasm trap
//     (an EvaluatorError caused by a WebAssembly.RuntimeError counts as one) nor another exception;
//  2. a request broken in a field that decides who and what (principal id/roles, kind, actions)
//     never yields an ALLOW: it must be refused (false allow otherwise);
//  3. wasm memory stays bounded (the caller reads the page count after the run).
import type { Pdp } from "../../../host/node/index.ts";
import { EvaluatorError } from "../../../host/common/errors.ts";
import { RequestValidationError } from "../../../host/common/validate.ts";
import { type Finding, Rng } from "./rng.ts";

export interface RequestFuzzStats {
  cases: number;
  answered: number;
  allowed: number;
  validationErrors: number;
  evaluatorErrors: number;
  brokenIdentity: number;
  findings: Finding[];
}

const WEIRD = ["", "\u0000", "\uffff", "\ud800", "😀".repeat(3), "é\u0301", "*", "**", "resource.*", "..", ".acme", "acme.", "\u202e", "NO_MATCH"];
const ROLES = ["user", "admin", "manager", "auditor", "contractor", "hr_payroll_clerk", "*"];
const KINDS = ["invoice", "document", "payroll_secret", "x", "*"];
const ACTIONS = ["view", "edit", "delete", "approve", "share", "*"];

function junk(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 3 ? 6 : 9)) {
    case 0: return null;
    case 1: return rng.chance(0.5);
    case 2: return rng.pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), Number.MAX_VALUE, 1e-320, NaN, Infinity]);
    case 3: return rng.pick(WEIRD);
    case 4: return String.fromCharCode(...Array.from({ length: rng.int(20) }, () => rng.int(0x10000)));
    case 5: return undefined;
    case 6: return Array.from({ length: rng.int(5) }, () => junk(rng, depth + 1));
    case 7: return Object.fromEntries(Array.from({ length: rng.int(5) }, () => [rng.pick(WEIRD.slice(0, 6).concat(["owner", "team", "amount"])), junk(rng, depth + 1)]));
    default: return 123n;
  }
}

/** The resource's attr as a writable object (an earlier mutation may have made it junk). */
function attrOf(resource: Record<string, unknown>): Record<string, unknown> {
  const a = resource.attr;
  if (a === null || typeof a !== "object" || Array.isArray(a)) return (resource.attr = {}) as Record<string, unknown>;
  return a as Record<string, unknown>;
}

function deep(n: number, list: boolean): unknown {
  let v: unknown = "leaf";
  for (let i = 0; i < n; i++) v = list ? [v] : { a: v };
  return v;
}

interface Case {
  input: Record<string, unknown>;
  /** A deciding field was made invalid: the host must refuse (never allow). */
  broken: boolean;
  big: boolean;
}

/** Type violations in the fields that decide who and what (emptiness is left to the validator). */
function identityBroken(input: Record<string, unknown>): boolean {
  const obj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  const strings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === "string");
  const { principal: p, resource: r, actions } = input;
  if (!obj(p) || !obj(r)) return true;
  return typeof p.id !== "string" || !strings(p.roles) || typeof r.kind !== "string" || !strings(actions);
}

function makeCase(rng: Rng, allowBig: boolean): Case {
  const principal: Record<string, unknown> = { id: rng.pick(["alice", "bob"]), roles: [rng.pick(ROLES)], attr: { teams: ["t1"] } };
  const resource: Record<string, unknown> = { kind: rng.pick(KINDS), id: "r1", attr: { owner: "alice", team: "t1", amount: 10, locked: false } };
  const input: Record<string, unknown> = { principal, resource, actions: [rng.pick(ACTIONS), rng.pick(ACTIONS)] };
  let broken = false;
  let big = false;
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const m = rng.int(14);
    if (!allowBig && m >= 9 && m <= 12) continue;
    switch (m) {
      case 0: delete principal[rng.pick(["id", "roles"])]; broken = true; break;
      case 1: principal.id = rng.pick([1, null, {}, [], true]); broken = true; break;
      case 2: principal.roles = rng.pick([[], "user", [1], [null], [{}], null, {}]); broken = true; break;
      case 3: resource.kind = rng.pick([1, null, {}, [], undefined]); broken = true; break;
      case 4: input.actions = rng.pick([[], "view", [1], [null], null, {}, undefined]); broken = true; break;
      case 5: delete input[rng.pick(["principal", "resource"])]; broken = true; break;
      case 6: attrOf(resource)[rng.pick(["owner", "team", "amount", "locked", "x"])] = junk(rng); break;
      case 7: principal.attr = junk(rng); resource.attr = junk(rng); break;
      case 8: resource[rng.pick(["scope", "policyVersion", "id"])] = rng.pick([...WEIRD, 7, null]); principal.scope = rng.pick(WEIRD); break;
      case 9: attrOf(resource).nest = deep(rng.pick([64, 500, 5000]), rng.chance(0.5)); big = true; break;
      case 10: principal.roles = Array.from({ length: rng.pick([1000, 20_000]) }, (_, i) => `role${i}`).concat(["admin"]); big = true; break;
      case 11: input.actions = Array.from({ length: rng.pick([500, 5000]) }, (_, i) => (i % 2 ? "view" : `a${i}`)); big = true; break;
      case 12: resource.attr = { owner: "x".repeat(rng.pick([70_000, 1 << 20])), team: "\u{1F600}".repeat(1 << 14), list: Array.from({ length: 10_000 }, (_, i) => i) }; big = true; break;
      default: input.auxData = rng.chance(0.5) ? junk(rng) : { jwt: { token: rng.pick(WEIRD) } }; break;
    }
  }
  return { input, broken: broken && identityBroken(input), big };
}

function classify(e: unknown): "validation" | "evaluator" | "trap" | "other" {
  if (e instanceof RequestValidationError || e instanceof TypeError) return "validation";
  if (e instanceof EvaluatorError) return e.cause instanceof WebAssembly.RuntimeError ? "trap" : "evaluator";
  if (e instanceof WebAssembly.RuntimeError) return "trap";
  return "other";
}

export function emptyRequestStats(): RequestFuzzStats {
  return { cases: 0, answered: 0, allowed: 0, validationErrors: 0, evaluatorErrors: 0, brokenIdentity: 0, findings: [] };
}

/** `bigEvery`: how often a case may keep its huge parts; `hugeEvery`: how often a call carries
 *  10,000 resources (both dominate the run time). */
export function fuzzRequests(pdp: Pdp, n: number, seed: number, stats = emptyRequestStats(), bigEvery = 50, hugeEvery = 700): RequestFuzzStats {
  const rng = new Rng(seed);
  for (let i = 0; i < n; i++) {
    // Huge parts and 10,000 resources are tested apart: together they only measure allocation time.
    const c = makeCase(rng, i % bigEvery === 0 && i % hugeEvery !== 0);
    stats.cases++;
    if (c.broken) stats.brokenIdentity++;
    try {
      const out = i % 7 === 0 ? manyResources(pdp, c, i % hugeEvery === 0 ? 10_000 : 1 + (i % 20)) : pdp.checkInputs([c.input as never]);
      stats.answered++;
      const allow = out.some((o) => Object.values(o.actions).some((a) => a.effect === "EFFECT_ALLOW"));
      if (allow) stats.allowed++;
      if (allow && c.broken) stats.findings.push({ kind: "false-allow", seed, caseNo: i, detail: JSON.stringify(c.input).slice(0, 300) });
    } catch (e) {
      const k = classify(e);
      if (k === "validation") stats.validationErrors++;
      else if (k === "evaluator") stats.evaluatorErrors++;
      else stats.findings.push({ kind: k, seed, caseNo: i, detail: `${(e as Error).stack ?? e}`.slice(0, 600) });
    }
  }
  return stats;
}

/** Cerbos's HTTP shape with `count` resources in one call (the 10,000-resource case). */
function manyResources(pdp: Pdp, c: Case, count: number) {
  const { principal, resource, actions } = c.input;
  const res = pdp.checkResources({
    requestId: "fuzz",
    principal: principal as never,
    resources: Array.from({ length: count }, (_, i) => ({ resource: { ...(resource as object), id: `r${i}` } as never, actions: actions as never })),
  });
  return res.results.map((r) => ({ actions: Object.fromEntries(Object.entries(r.actions).map(([a, e]) => [a, { effect: e }])) }));
}
