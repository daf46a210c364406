// Seeded random CheckResources requests for differential testing. The vocabulary (kinds, versions,
// scopes, actions, roles, principal ids, attribute names and literal values) is read from the
// policies themselves, optionally enriched with sample requests (e.g. the engine corpus inputs),
// and mixed with values no policy mentions. Attribute values take every JSON type, and attributes
// are often missing, so CEL errors ("no such key") and type mismatches are exercised too.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { prng } from "../helpers/prng.ts";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export { prng } from "../helpers/prng.ts";

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
  /** per resource kind: the scopes, versions, roles (incl. derived roles' parents) and actions its policies name */
  byKind: Map<string, { scopes: Set<string>; versions: Set<string>; roles: Set<string>; actions: Set<string> }>;
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
    byKind: new Map(),
  };
}

function kindEntry(v: Vocabulary, kind: string): { scopes: Set<string>; versions: Set<string>; roles: Set<string>; actions: Set<string> } {
  let e = v.byKind.get(kind);
  if (!e) {
    e = { scopes: new Set(), versions: new Set(), roles: new Set(), actions: new Set() };
    v.byKind.set(kind, e);
  }
  return e;
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
  const allDocs: unknown[] = [];
  for (const rel of policyFiles(dir)) {
    try {
      allDocs.push(...parseAllDocuments(readFileSync(join(dir, rel), "utf8")).map((d) => d.toJSON() as unknown));
    } catch {
      continue;
    }
  }
  // derived role name → parent roles (names may repeat across sets; union them)
  const drParents = new Map<string, Set<string>>();
  for (const doc of allDocs) {
    const dr = (doc as Rec | null)?.derivedRoles as Rec | undefined;
    for (const def of arr(dr?.definitions) as Rec[]) {
      const name = str(def.name);
      if (!name) continue;
      const set = drParents.get(name) ?? new Set<string>();
      for (const p of arr(def.parentRoles)) if (typeof p === "string" && p !== "*") set.add(p);
      drParents.set(name, set);
    }
  }
  {
    for (const doc of allDocs) {
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
        const ke = k ? kindEntry(v, k) : undefined;
        if (k) v.kinds.add(k);
        if (ke) {
          ke.scopes.add(str(rp.scope) ?? "");
          ke.versions.add(str(rp.version) ?? "default");
        }
        for (const r of arr(rp.rules) as Rec[]) {
          for (const a of arr(r.actions)) {
            if (typeof a === "string") concreteActions(a).forEach((x) => (v.actions.add(x), ke?.actions.add(x)));
          }
          for (const role of arr(r.roles)) if (typeof role === "string" && role !== "*") (v.roles.add(role), ke?.roles.add(role));
          for (const d of arr(r.derivedRoles)) {
            for (const p of drParents.get(String(d)) ?? []) (v.roles.add(p), ke?.roles.add(p));
          }
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
          const ke = k && !k.includes("*") ? kindEntry(v, k) : undefined;
          if (ke && role) ke.roles.add(role);
          if (ke && ro.scope) ke.scopes.add(String(ro.scope));
          for (const a of arr(r.allowActions)) {
            if (typeof a === "string") concreteActions(a).forEach((x) => (v.actions.add(x), ke?.actions.add(x)));
          }
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
    const ke = kindEntry(v, s.resource.kind);
    s.principal.roles.forEach((r) => ke.roles.add(r));
    s.actions.forEach((a) => ke.actions.add(a));
    if (s.resource.scope) ke.scopes.add(s.resource.scope);
    if (s.resource.policyVersion) ke.versions.add(s.resource.policyVersion);
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
  // Known values most of the time; values no policy mentions about 7 % of the time.
  const withUnknown = (known: Iterable<string>, unknown: string[]): string[] => {
    const k = [...known];
    // repeat the known values so that the unknown ones make up about 7 % of the list
    const reps = Math.max(1, Math.round((unknown.length * 0.93) / (0.07 * Math.max(1, k.length))));
    return [...Array.from({ length: reps }, () => k).flat(), ...unknown];
  };
  const kinds = withUnknown(v.kinds, ["unknown_kind"]);
  const versions = withUnknown(v.versions, ["v_unknown"]);
  const scopes = withUnknown(v.scopes, ["acme.unknown", "zz"]);
  const actions = withUnknown(v.actions, ["unknown_action", "x:y:z"]);
  const roles = withUnknown(v.roles, ["unknown_role"]);
  const ids = withUnknown([...v.principalIds, "alice", "bob"], ["zz_unknown"]);
  const strings = [...v.strings, "", "other", "EU", "US"];
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

  const fromKind = (kind: string, key: "scopes" | "versions" | "roles" | "actions", fallback: readonly string[]): readonly string[] => {
    const e = v.byKind.get(kind)?.[key];
    return e && e.size > 0 && chance(0.75) ? [...e] : fallback;
  };

  return () => {
    n++;
    const focus = pick(kinds); // the principal's roles are drawn mostly from what this kind's policies name
    const pid = pick(ids);
    const principal: CheckResourcesRequest["principal"] = { id: pid, roles: uniq(1 + Math.floor(rnd() * 3), fromKind(focus, "roles", roles)) };
    const pa = attrs(pAttrs, 0.5);
    if (pa) principal.attr = pa;
    if (chance(0.2)) principal.policyVersion = pick(versions);
    if (chance(0.2)) principal.scope = pick(scopes);
    const resources: CheckResourcesRequest["resources"] = [];
    const nres = 1 + Math.floor(rnd() * maxRes);
    for (let i = 0; i < nres; i++) {
      const kind = i === 0 || chance(0.5) ? focus : pick(kinds);
      const resource: CheckResourcesRequest["resources"][number]["resource"] = { kind, id: `r${n}-${i}` };
      const ra = attrs(rAttrs, 0.5);
      if (ra) {
        for (const k of Object.keys(ra)) {
          // equality conditions need matching values: owner-style attributes often point at the
          // principal, and attributes both sides have are often copied from the principal
          if (/owner|^id$/i.test(k) && chance(0.5)) ra[k] = pid;
          else if (pa && k in pa && chance(0.5)) ra[k] = structuredClone(pa[k] as Json);
        }
        resource.attr = ra;
      }
      if (chance(0.3)) resource.policyVersion = pick(fromKind(kind, "versions", versions));
      if (chance(0.4)) resource.scope = pick(fromKind(kind, "scopes", scopes));
      resources.push({ actions: uniq(1 + Math.floor(rnd() * maxAct), fromKind(kind, "actions", actions)), resource });
    }
    return { requestId: `diff-${opts.seed}-${n}`, principal, resources, includeMeta: true };
  };
}
