// isAllowed's fast path guard: true only for the plain shape that validateCheckInput accepts
// unchanged (known keys, non-empty id/kind/action strings, 1–8 unique non-empty roles, attr an
// object or absent, policyVersion/scope strings or absent). Anything else — including errors,
// snake_case keys and inherited enumerable keys — takes the general path, which validates and
// reports exactly as before. See docs/performance.md.
import type { Principal, Resource } from "./types.ts";

type Obj = Record<string, unknown>;

function optString(v: unknown): boolean {
  return v === undefined || typeof v === "string";
}
function attrOk(v: unknown): boolean {
  return v === undefined || (typeof v === "object" && v !== null && !Array.isArray(v));
}

function principalOk(p: unknown): p is Principal {
  if (typeof p !== "object" || p === null) return false;
  for (const k in p) if (k !== "id" && k !== "roles" && k !== "attr" && k !== "policyVersion" && k !== "scope") return false;
  const o = p as Obj;
  const id = o.id, roles = o.roles;
  if (typeof id !== "string" || id === "" || !Array.isArray(roles)) return false;
  const n = roles.length;
  if (n === 0 || n > 8) return false;
  for (let i = 0; i < n; i++) {
    const r = roles[i];
    if (typeof r !== "string" || r === "") return false;
    for (let j = 0; j < i; j++) if (roles[j] === r) return false;
  }
  return attrOk(o.attr) && optString(o.policyVersion) && optString(o.scope);
}

/** Whether `r` is a valid resource in the plain shape (no normalisation needed). */
export function resourceOk(r: unknown): r is Resource {
  if (typeof r !== "object" || r === null) return false;
  for (const k in r) if (k !== "kind" && k !== "id" && k !== "attr" && k !== "policyVersion" && k !== "scope") return false;
  const o = r as Obj;
  const kind = o.kind, id = o.id;
  if (typeof kind !== "string" || kind === "" || typeof id !== "string" || id === "") return false;
  return attrOk(o.attr) && optString(o.policyVersion) && optString(o.scope);
}

/** Whether `q` is a valid single check in the plain shape the fast path encodes directly. */
export function plainAllowedQuery(q: { principal: unknown; resource: unknown; action: unknown }): boolean {
  const a = q.action;
  return typeof a === "string" && a !== "" && principalOk(q.principal) && resourceOk(q.resource);
}
