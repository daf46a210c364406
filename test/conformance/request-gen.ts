// Seeded random CheckResources requests for differential testing. The vocabulary (kinds, versions,
// scopes, actions, roles, principal ids, attribute names and literal values) is read from the
// policies themselves, optionally enriched with sample requests (e.g. the engine corpus inputs),
// and mixed with values no policy mentions. Attribute values take every JSON type, and attributes
// are often missing, so CEL errors ("no such key") and type mismatches are exercised too.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** mulberry32: small, fast, good enough for test data; same seed → same requests. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Vocabulary {
  kinds: Set<string>;
  versions: Set<string>;
  scopes: Set<string>;
  actions: Set<string>;
  roles: Set<string>;
  principalIds: Set<string>;
  resourceAttrs: Set<string>;
  principalAttrs: Set<string>;
  strings: Set<string>;
  numbers: Set<number>;
  /** attribute name → values seen in sample requests */
  sampleValues: Map<string, Json[]>;
}

function emptyVocabulary(): Vocabulary {
  return {
    kinds: new Set(),
    versions: new Set(["default"]),
    scopes: new Set([""]),
    actions: new Set(),
    roles: new Set(),
    principalIds: new Set(),
    resourceAttrs: new Set(),
    principalAttrs: new Set(),
    strings: new Set(),
    numbers: new Set([0, 1, -1, 2.5, 100, 1000]),
    sampleValues: new Map(),
  };
}

function policyFiles(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    if (name.startsWith(".") || name === "testdata" || name === "_schemas" || name === "node_modules") continue;
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(join(dir, r)).isDirectory()) out.push(...policyFiles(dir, r));
    else if (/\.(ya?ml|json)$/.test(name) && !/_test\.(ya?ml|json)$/.test(name)) out.push(r);
  }
  return out;
}

const attrRe = /\b(R|P|request\.resource|request\.principal)\.attr\.([A-Za-z_][A-Za-z0-9_]*)/g;
const inAttrRe = /["']([A-Za-z_][A-Za-z0-9_]*)["']\s+in\s+(R|P|request\.resource|request\.principal)\.attr\b/g;
const strLitRe = /"([^"\\]{0,40})"|'([^'\\]{0,40})'/g;
const numRe = /(?<![\w.])(-?\d+(?:\.\d+)?)(?![\w.])/g;

function addScopeAndParents(v: Vocabulary, scope: string): void {
  const parts = scope.split(".");
  for (let i = 1; i <= parts.length; i++) v.scopes.add(parts.slice(0, i).join("."));
}

/** Expands an action glob to concrete actions ("view:*" → "view:x"), keeping plain names as they are. */
function concreteActions(a: string): string[] {
  if (a === "*" || a === "**") return [];
  if (!a.includes("*")) return [a];
  return [a.replace(/\*\*?/g, "x"), a.replace(/\*\*?/g, "public")];
}

function scanExpressions(v: Vocabulary, node: unknown): void {
  if (typeof node === "string") {
    for (const m of node.matchAll(attrRe)) (m[1] === "R" || m[1] === "request.resource" ? v.resourceAttrs : v.principalAttrs).add(m[2] as string);
    for (const m of node.matchAll(inAttrRe)) (m[2] === "R" || m[2] === "request.resource" ? v.resourceAttrs : v.principalAttrs).add(m[1] as string);
    if (/[.=(<>!]/.test(node)) {
      for (const m of node.matchAll(strLitRe)) v.strings.add((m[1] ?? m[2]) as string);
      for (const m of node.matchAll(numRe)) v.numbers.add(Number(m[1]));
    }
  } else if (Array.isArray(node)) {
    for (const x of node) scanExpressions(v, x);
  } else if (node && typeof node === "object") {
    for (const x of Object.values(node)) scanExpressions(v, x);
  }
}

type Rec = Record<string, unknown>;
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const str = (x: unknown): string | undefined => (typeof x === "string" ? x : undefined);

export function vocabularyFromPolicies(dir: string): Vocabulary {
  const v = emptyVocabulary();
  for (const rel of policyFiles(dir)) {
    let docs: unknown[];
    try {
      docs = parseAllDocuments(readFileSync(join(dir, rel), "utf8")).map((d) => d.toJSON() as unknown);
    } catch {
      continue;
    }
    for (const doc of docs) {
      if (!doc || typeof doc !== "object") continue;
      const d = doc as Rec;
      scanExpressions(v, d);
      const rp = d.resourcePolicy as Rec | undefined;
      const pp = d.principalPolicy as Rec | undefined;
      const ro = d.rolePolicy as Rec | undefined;
      const dr = d.derivedRoles as Rec | undefined;
      for (const p of [rp, pp, ro]) {
        if (!p) continue;
        const ver = str(p.version);
        if (ver) v.versions.add(ver);
        const sc = str(p.scope);
        if (sc) addScopeAndParents(v, sc);
      }
      if (rp) {
        const k = str(rp.resource);
        if (k) v.kinds.add(k);
        for (const r of arr(rp.rules) as Rec[]) {
          for (const a of arr(r.actions)) if (typeof a === "string") concreteActions(a).forEach((x) => v.actions.add(x));
          for (const role of arr(r.roles)) if (typeof role === "string" && role !== "*") v.roles.add(role);
        }
      }
      if (pp) {
        const id = str(pp.principal);
        if (id) v.principalIds.add(id);
        for (const r of arr(pp.rules) as Rec[]) {
          const k = str(r.resource);
          if (k && !k.includes("*")) v.kinds.add(k);
          for (const a of arr(r.actions) as Rec[]) {
            const act = str(a.action);
            if (act) concreteActions(act).forEach((x) => v.actions.add(x));
          }
        }
      }
      if (ro) {
        const role = str(ro.role);
        if (role) v.roles.add(role);
        for (const p of arr(ro.parentRoles)) if (typeof p === "string") v.roles.add(p);
        for (const r of arr(ro.rules) as Rec[]) {
          const k = str(r.resource);
          if (k && !k.includes("*")) v.kinds.add(k);
          for (const a of arr(r.allowActions)) if (typeof a === "string") concreteActions(a).forEach((x) => v.actions.add(x));
        }
      }
      if (dr) {
        for (const def of arr(dr.definitions) as Rec[]) {
          for (const p of arr(def.parentRoles)) if (typeof p === "string" && p !== "*") v.roles.add(p);
        }
      }
    }
  }
  return v;
}

export interface SampleInput {
  principal: { id: string; roles: string[]; attr?: Record<string, Json>; policyVersion?: string; scope?: string };
  resource: { kind: string; id: string; attr?: Record<string, Json>; policyVersion?: string; scope?: string };
  actions: string[];
}

/** Adds the ids, roles, kinds, scopes, actions and attribute values of sample requests. */
export function addSamples(v: Vocabulary, samples: SampleInput[]): void {
  const addVal = (k: string, val: Json): void => {
    const l = v.sampleValues.get(k) ?? [];
    if (l.length < 12 && !l.some((x) => JSON.stringify(x) === JSON.stringify(val))) l.push(val);
    v.sampleValues.set(k, l);
  };
  for (const s of samples) {
    v.principalIds.add(s.principal.id);
    s.principal.roles.forEach((r) => v.roles.add(r));
    v.kinds.add(s.resource.kind);
    s.actions.forEach((a) => v.actions.add(a));
    for (const x of [s.principal, s.resource]) {
      if (x.policyVersion) v.versions.add(x.policyVersion);
      if (x.scope) addScopeAndParents(v, x.scope);
    }
    for (const [k, val] of Object.entries(s.principal.attr ?? {})) {
      v.principalAttrs.add(k);
      addVal(k, val);
    }
    for (const [k, val] of Object.entries(s.resource.attr ?? {})) {
      v.resourceAttrs.add(k);
      addVal(k, val);
    }
  }
}

export interface CheckResourcesRequest {
  requestId: string;
  principal: { id: string; roles: string[]; attr?: Record<string, Json>; policyVersion?: string; scope?: string };
  resources: Array<{
    actions: string[];
    resource: { kind: string; id: string; attr?: Record<string, Json>; policyVersion?: string; scope?: string };
  }>;
  includeMeta: true;
}

export interface GenOptions {
  seed: number;
  maxResources?: number;
  maxActions?: number;
}

/** A generator of random but valid (per Cerbos's request validation) CheckResources requests. */
export function requestGenerator(v: Vocabulary, opts: GenOptions): () => CheckResourcesRequest {
  const rnd = prng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const chance = (p: number): boolean => rnd() < p;
  const kinds = [...v.kinds, "unknown_kind"];
  const versions = [...v.versions, "v_unknown"];
  const scopes = [...v.scopes, "acme.unknown", "zz"];
  const actions = [...v.actions, "unknown_action", "x:y:z"];
  const roles = [...v.roles, "unknown_role"];
  const ids = [...v.principalIds, "alice", "bob", "zz_unknown"];
  const strings = [...v.strings, "", "other"];
  const numbers = [...v.numbers];
  const rAttrs = [...v.resourceAttrs, "unmentioned"];
  const pAttrs = [...v.principalAttrs, "unmentioned"];
  const maxRes = opts.maxResources ?? 4;
  const maxAct = opts.maxActions ?? 5;
  let n = 0;

  const scalar = (): Json => {
    const r = rnd();
    if (r < 0.35) return pick(strings);
    if (r < 0.5) return pick(ids);
    if (r < 0.7) return pick(numbers);
    if (r < 0.85) return chance(0.5);
    if (r < 0.9) return null;
    if (r < 0.95) return pick(["10.20.0.13", "192.168.1.1", "2021-01-01T00:00:00Z", "2099-01-01T00:00:00Z"]);
    return Math.floor(rnd() * 5000) / 4;
  };
  const value = (name: string): Json => {
    const samples = v.sampleValues.get(name);
    if (samples && samples.length > 0 && chance(0.55)) return pick(samples);
    const r = rnd();
    if (r < 0.75) return scalar();
    if (r < 0.9) return Array.from({ length: Math.floor(rnd() * 4) }, scalar);
    const o: Record<string, Json> = {};
    for (let i = Math.floor(rnd() * 3); i > 0; i--) o[pick(strings) || "k"] = scalar();
    return o;
  };
  const attrs = (names: string[], pPresent: number): Record<string, Json> | undefined => {
    const o: Record<string, Json> = {};
    for (const name of names) if (chance(pPresent)) o[name] = value(name);
    return Object.keys(o).length > 0 || chance(0.5) ? o : undefined;
  };
  const uniq = (count: number, from: readonly string[]): string[] => {
    const s = new Set<string>();
    for (let i = 0; i < count * 3 && s.size < count; i++) s.add(pick(from));
    return [...s];
  };

  return () => {
    n++;
    const pid = pick(ids);
    const principal: CheckResourcesRequest["principal"] = { id: pid, roles: uniq(1 + Math.floor(rnd() * 3), roles) };
    const pa = attrs(pAttrs, 0.45);
    if (pa) principal.attr = pa;
    if (chance(0.45)) principal.policyVersion = pick(versions);
    if (chance(0.3)) principal.scope = pick(scopes);
    const resources: CheckResourcesRequest["resources"] = [];
    const nres = 1 + Math.floor(rnd() * maxRes);
    for (let i = 0; i < nres; i++) {
      const resource: CheckResourcesRequest["resources"][number]["resource"] = { kind: pick(kinds), id: `r${n}-${i}` };
      const ra = attrs(rAttrs, 0.45);
      if (ra) {
        // owner-style attributes often point at the principal, so ownership conditions get exercised
        for (const k of Object.keys(ra)) if (/owner|^id$/i.test(k) && chance(0.5)) ra[k] = pid;
        resource.attr = ra;
      }
      if (chance(0.45)) resource.policyVersion = pick(versions);
      if (chance(0.45)) resource.scope = pick(scopes);
      resources.push({ actions: uniq(1 + Math.floor(rnd() * maxAct), actions), resource });
    }
    return { requestId: `diff-${opts.seed}-${n}`, principal, resources, includeMeta: true };
  };
}
