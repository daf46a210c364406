// The Cerbos check algorithm (internal/ruletable/check.go) over our rule rows, one resource at a
// time: scope chains, role expansion, principal then resource policies, the per-role scope walk
// with DENY precedence and first-ALLOW-wins, derived roles per scope, outputs and evaluation
// errors. It writes the resource's RESP_* words into the response vector.
import {
  NONE, Tag, Effect, PolicyKind, ScopePermissions, ScopeFlag, WellKnown, ConfigFlag, CELL_SIZE,
  RQ_PRINCIPAL, PB_ID, PB_VERSION, PB_SCOPE, PB_ROLES, RS_KIND, RS_VERSION, RS_SCOPE, RS_ACTIONS,
  CL_A, CL_B, ROW_SIZE, RW_KIND, RW_EFFECT, RW_FLAGS, RW_SCOPE, RW_CONDITION, RW_DR_CONDITION, RW_PARAMS,
  RW_DR_PARAMS, RW_POLICY, RW_OUTPUT_SRC, RW_OUTPUT_ACTIVATED, RW_OUTPUT_NOT_MET, RW_EVAL_KEY, RowFlag,
  SCOPE_SIZE, SC_SCOPE, SC_FLAGS, SC_PERMISSIONS, PROLE_SIZE, PR_SCOPE, PR_ROLE, PR_PARENTS_START,
  PR_PARENTS_COUNT, DROLE_SIZE, DR_RESOURCE, DR_VERSION, DR_SCOPE, DR_NAME, DR_PARENTS_START,
  DR_PARENTS_COUNT, DR_CONDITION, DR_PARAMS,
} from "../spec/format";
import {
  scopeCount, scopeRecords, proleCount, proleRecords, droleCount, droleRecords, listWords,
} from "./ruleset";
import { setRequest, setRuntimeEdr } from "./context";
import { arenaAlloc } from "./arena";
import { inMemory, findSid, strPtr, strLen, strCmp } from "./reader";
import { sp, sn, cellStr, scopeValue, sanitized, policyKeyWord } from "./names";
import { vecNew, vecPush, vecLen, vecClear, vecSet, vecAppend, vecAt } from "./response";
import {
  query, row, setQueryCommon, setQueryAction, setQueryRoles, setQueryKind, resourceOk, versionOk,
  candidates, principalCandidates, nextCandidate,
  B_SHIFT, B_ROW_MASK, B_ROW, B_NO_MATCH, B_NEGATED, B_OUTPUT,
} from "./query";
import {
  resetCaches, setErrVec, setOutVec, setStrict, evalParams, evalCond, cachedCond, cacheCond,
  emitOutput, MODE_PROGRAMS, MODE_VARIABLES, C_TRUE, C_ERROR, strict,
} from "./evaluate";

// ---- configuration (set by index.ts configure) -------------------------------------------

let cfgFlags: u32 = 0;
let defVerPtr: usize = 0, defVerLen: u32 = 0;
let defScopePtr: usize = 0, defScopeLen: u32 = 0;
const T_PRINCIPAL = memory.data<u8>([0x70, 0x72, 0x69, 0x6e, 0x63, 0x69, 0x70, 0x61, 0x6c]); // "principal"
const T_RESOURCE = memory.data<u8>([0x72, 0x65, 0x73, 0x6f, 0x75, 0x72, 0x63, 0x65]); // "resource"
const DEFAULT_VERSION = memory.data<u8>([0x64, 0x65, 0x66, 0x61, 0x75, 0x6c, 0x74]); // "default"

export function setDecideConfig(flags: u32, vp: usize, vn: u32, scp: usize, scn: u32): void {
  cfgFlags = flags;
  if (vn == 0) { vp = DEFAULT_VERSION; vn = 7; }
  defVerPtr = vp; defVerLen = vn; defScopePtr = scp; defScopeLen = scn;
}
setDecideConfig(0, 0, 0, 0, 0);

// ---- vectors reused by every check ---------------------------------------------------------

let outVec: usize = 0, resOutputs: usize = 0, resErrors: usize = 0, bindings: usize = 0, edrVec: usize = 0;

/** The response vector (index.ts exposes it as out_ptr/out_len). */
export function responseVec(): usize {
  if (outVec == 0) {
    outVec = vecNew(); resOutputs = vecNew(); resErrors = vecNew(); bindings = vecNew(); edrVec = vecNew();
    memory.fill(outVec, 0, 12); memory.fill(resOutputs, 0, 12); memory.fill(resErrors, 0, 12);
    memory.fill(bindings, 0, 12); memory.fill(edrVec, 0, 12);
  }
  return outVec;
}

/** Effects-only mode (the `decide` export): the same decision procedure, without what only the
 *  full response needs — policy keys, outputs, derived-role and error lists. */
export let effectsOnly = false;
export function setEffectsOnly(b: bool): void { effectsOnly = b; }

/** Set when an arena allocation of the decision procedure failed (check → OUT_OF_MEMORY). */
export let outOfMemory = false;
export function clearOutOfMemory(): void { outOfMemory = false; }
/** The check cannot be decided within its bounds (a glob match out of steps): fail it whole. */
export function failCheck(): void { outOfMemory = true; }
function alloc(n: usize): usize {
  const p = arenaAlloc(n == 0 ? 16 : n);
  if (p == 0) outOfMemory = true;
  return p;
}

// ---- per-resource state ------------------------------------------------------------------

let reqPtr: usize = 0, prinPtr: usize = 0;
let roleCount: u32 = 0;
let roleSids: usize = 0;       // u32 per principal role
let allRoles: usize = 0;       // roles + parent roles at the resource scope
let allRoleCount: u32 = 0;
let qRoleBuf: usize = 0;       // one role + its parents
let pChain: usize = 0, pChainLen: u32 = 0;
let rChain: usize = 0, rChainLen: u32 = 0;
let pKey: u32 = NONE, rKey: u32 = NONE;
let pExists = false, rExists = false;
let rScopeSid: u32 = NONE;
let pidSid: u32 = NONE;
let kindPtr: usize = 0, kindLen: u32 = 0, kindSid: u32 = NONE;
let rVerSid: u32 = NONE, rVerEmpty = false;
let drDone: usize = 0;         // u32 per resource chain scope: runtime EDR LIST cell, 0 = not yet
const emptyList = memory.data(16);

function scopeRecord(sid: u32): usize {
  for (let i: u32 = 0; i < scopeCount; i++) {
    const r = scopeRecords + <usize>i * SCOPE_SIZE;
    if (load<u32>(r + SC_SCOPE) == sid) return r;
  }
  return 0;
}

function scopeHas(sid: u32, flag: u32): bool {
  if (sid == NONE) return false;
  const r = scopeRecord(sid);
  return r != 0 && (load<u32>(r + SC_FLAGS) & flag) != 0;
}

/** GetAllScopes: the requested scope (if some policy of the kind exists there, else empty unless
 *  lenient) followed by each existing ancestor. Chain of sids at `out`; returns its length. */
function allScopes(flag: u32, p: usize, n: u32, out: usize): u32 {
  let len: u32 = 0;
  const sid = findSid(p, n);
  if (scopeHas(sid, flag)) store<u32>(out + (<usize>(len++) << 2), sid);
  else if ((cfgFlags & ConfigFlag.LENIENT_SCOPE_SEARCH) == 0) return 0;
  for (let i = <i32>n - 1; i >= 0; i--) {
    if (load<u8>(p + <usize>i) == 0x2e || i == 0) {
      const s = findSid(p, <u32>i);
      if (scopeHas(s, flag)) store<u32>(out + (<usize>(len++) << 2), s);
    }
  }
  return len;
}

function scopePermissions(sid: u32): u32 {
  const r = scopeRecord(sid);
  return r == 0 ? 0 : load<u32>(r + SC_PERMISSIONS);
}

function inChain(chain: usize, len: u32, sid: u32): bool {
  for (let i: u32 = 0; i < len; i++) if (load<u32>(chain + (<usize>i << 2)) == sid) return true;
  return false;
}

/** Appends the (closed) parent roles of `role` at the resource scope to `out` at `n`. */
function addParents(role: u32, out: usize, n: u32): u32 {
  if (role == NONE || rScopeSid == NONE) return n;
  for (let i: u32 = 0; i < proleCount; i++) {
    const r = proleRecords + <usize>i * PROLE_SIZE;
    if (load<u32>(r + PR_SCOPE) != rScopeSid || load<u32>(r + PR_ROLE) != role) continue;
    const s = load<u32>(r + PR_PARENTS_START), c = load<u32>(r + PR_PARENTS_COUNT);
    for (let j: u32 = 0; j < c; j++) store<u32>(out + (<usize>(n++) << 2), load<u32>(listWords + (<usize>(s + j) << 2)));
  }
  return n;
}

function parentCount(role: u32): u32 {
  let n: u32 = 0;
  if (role == NONE || rScopeSid == NONE) return 0;
  for (let i: u32 = 0; i < proleCount; i++) {
    const r = proleRecords + <usize>i * PROLE_SIZE;
    if (load<u32>(r + PR_SCOPE) == rScopeSid && load<u32>(r + PR_ROLE) == role) n += load<u32>(r + PR_PARENTS_COUNT);
  }
  return n;
}

/** Reads a LIST cell: element count (0 when not a readable list), first element at listAt. */
let listAt: usize = 0;
function listOf(c: usize): u32 {
  listAt = 0;
  if (!inMemory(c, 16) || load<u8>(c) != <u8>Tag.LIST) return 0;
  const n = load<u32>(c + CL_A);
  const p = <usize>load<u32>(c + CL_B);
  if (n == 0 || n > 0x100000 || !inMemory(p, <usize>n << 4)) return 0;
  listAt = p;
  return n;
}

// ---- derived roles -----------------------------------------------------------------------

function rolesIntersect(s: u32, c: u32): bool {
  for (let j: u32 = 0; j < c; j++) {
    const pr = load<u32>(listWords + (<usize>(s + j) << 2));
    if (pr == WellKnown.STAR) return true;
    for (let k: u32 = 0; k < allRoleCount; k++) if (load<u32>(allRoles + (<usize>k << 2)) == pr) return true;
  }
  return false;
}

function edrAdd(sid: u32): void {
  const n = vecLen(edrVec);
  for (let i: u32 = 0; i < n; i++) if (vecAt(edrVec, i) == sid) return;
  vecPush(edrVec, sid);
}

/** Derived roles of the resource policy at chain scope `si` (computed once per resource): adds the
 *  active ones to effectiveDerivedRoles and makes them runtime.effectiveDerivedRoles. */
function derivedRolesAt(si: u32): void {
  const slot = drDone + (<usize>si << 2);
  let cell = load<u32>(slot);
  if (cell == 0) {
    const scope = load<u32>(rChain + (<usize>si << 2));
    // Names are collected as sids in a scratch array, then sorted for runtime.effectiveDerivedRoles.
    const names = alloc(<usize>(droleCount + 1) << 2);
    if (names == 0) return;
    let n: u32 = 0;
    let failed = false;
    for (let i: u32 = 0; i < droleCount; i++) {
      const d = droleRecords + <usize>i * DROLE_SIZE;
      if (load<u32>(d + DR_RESOURCE) != kindSid || load<u32>(d + DR_SCOPE) != scope) continue;
      if (rVerEmpty || load<u32>(d + DR_VERSION) != rVerSid) continue;
      if (!rolesIntersect(load<u32>(d + DR_PARENTS_START), load<u32>(d + DR_PARENTS_COUNT))) continue;
      evalParams(load<u32>(d + DR_PARAMS), MODE_VARIABLES);
      const v = evalCond(load<u32>(d + DR_CONDITION));
      if (v == C_ERROR) { failed = true; continue; }
      if (v == C_TRUE) {
        const name = load<u32>(d + DR_NAME);
        store<u32>(names + (<usize>(n++) << 2), name);
        edrAdd(name);
      }
    }
    cell = <u32>edrListCell(names, n, failed);
    if (cell == 0) return;
    store<u32>(slot, cell);
  }
  // A failed derived role (strict mode) makes reading `runtime` an error: cell 1 encodes that.
  setRuntimeEdr(cell == 1 ? 0 : <usize>cell);
}

/** Sorted LIST cell of STRING cells for the names; 1 when the roles could not be computed. */
function edrListCell(names: usize, n: u32, failed: bool): usize {
  if (failed) return 1;
  sortSids(names, n);
  const cell = alloc(<usize>CELL_SIZE + (<usize>n << 4));
  if (cell == 0) return 0;
  const elems = cell + CELL_SIZE;
  for (let i: u32 = 0; i < n; i++) {
    const sid = load<u32>(names + (<usize>i << 2));
    const e = elems + (<usize>i << 4);
    store<u32>(e, Tag.STRING);
    store<u32>(e + CL_A, strLen(sid));
    store<u32>(e + CL_B, <u32>strPtr(sid));
    store<u32>(e + 12, sid);
  }
  store<u32>(cell, Tag.LIST);
  store<u32>(cell + CL_A, n);
  store<u32>(cell + CL_B, n == 0 ? 0 : <u32>elems);
  store<u32>(cell + 12, 0);
  return cell;
}

function sortSids(p: usize, n: u32): void {
  for (let i: u32 = 1; i < n; i++) {
    const x = load<u32>(p + (<usize>i << 2));
    let j = <i32>i - 1;
    while (j >= 0 && strCmp(load<u32>(p + (<usize>j << 2)), x) > 0) {
      store<u32>(p + (<usize>(j + 1) << 2), load<u32>(p + (<usize>j << 2)));
      j--;
    }
    store<u32>(p + (<usize>(j + 1) << 2), x);
  }
}

// ---- the check -------------------------------------------------------------------------

/** Prepares the principal side of a request (shared by all its resources). */
export function beginRequest(req: usize): void {
  reqPtr = req;
  prinPtr = <usize>load<u32>(req + RQ_PRINCIPAL);
  setStrict((cfgFlags & ConfigFlag.STRICT_EVALUATION) != 0);
}

/** Decides one resource block and appends its response words. `rejected` (RQ_REJECTED): every
 *  action is DENY by the resource policy Cerbos selects for schema validation, unevaluated. */
export function decideResource(res: usize, rejected: bool): void {
  setRequest(reqPtr, prinPtr, res);
  resetCaches();
  vecClear(resOutputs); vecClear(resErrors); vecClear(edrVec);
  setOutVec(resOutputs); setErrVec(resErrors);
  store<u32>(emptyList, Tag.LIST); store<u32>(emptyList, 0, 4); store<u64>(emptyList, 0, 8);
  setRuntimeEdr(emptyList);

  const nActions = listOf(res + RS_ACTIONS);
  const actions = listAt;
  const base = vecLen(outVec);
  rKey = NONE;
  const ok = prepare(res) && !rejected;
  const pol = rejected ? rKey : WellKnown.NO_MATCH;
  vecPush(outVec, nActions);
  for (let i: u32 = 0; i < nActions; i++) { vecPush(outVec, Effect.DENY); vecPush(outVec, pol); vecPush(outVec, NONE); }

  if (ok) {
    for (let a: u32 = 0; a < nActions && !outOfMemory; a++) decideAction(actions + (<usize>a << 4), a, base + 1 + a * 3);
  }
  if (effectsOnly) return;

  // effectiveDerivedRoles (sorted), outputs, evaluation errors.
  const d = vecLen(edrVec);
  const tmp: usize = d == 0 ? 0 : alloc(<usize>d << 2);
  if (tmp != 0) {
    for (let i: u32 = 0; i < d; i++) store<u32>(tmp + (<usize>i << 2), vecAt(edrVec, i));
    sortSids(tmp, d);
    vecPush(outVec, d);
    for (let i: u32 = 0; i < d; i++) vecPush(outVec, load<u32>(tmp + (<usize>i << 2)));
  } else vecPush(outVec, 0);
  vecPush(outVec, vecLen(resOutputs) >> 2);
  vecAppend(outVec, resOutputs, 0, vecLen(resOutputs));
  vecPush(outVec, vecLen(resErrors) >> 1);
  vecAppend(outVec, resErrors, 0, vecLen(resErrors));
}

/** Scope chains, policy keys, existence and roles. False when no policy can apply. */
function prepare(res: usize): bool {
  // Principal side.
  cellStr(prinPtr + PB_VERSION);
  let pvp = sp, pvn = sn;
  if (pvn == 0) { pvp = defVerPtr; pvn = defVerLen; }
  scopeValue(prinPtr + PB_SCOPE, defScopePtr, defScopeLen);
  const psp = sp, psn = sn;
  // Resource side.
  cellStr(res + RS_VERSION);
  let rvp = sp, rvn = sn;
  if (rvn == 0) { rvp = defVerPtr; rvn = defVerLen; }
  scopeValue(res + RS_SCOPE, defScopePtr, defScopeLen);
  const rsp = sp, rsn = sn;

  pChain = alloc(<usize>(psn + 2) << 2);
  rChain = alloc(<usize>(rsn + 2) << 2);
  if (pChain == 0 || rChain == 0) return false;
  pChainLen = allScopes(ScopeFlag.HAS_PRINCIPAL_POLICY, psp, psn, pChain);
  rChainLen = allScopes(ScopeFlag.HAS_RESOURCE_POLICY, rsp, rsn, rChain);
  if (pChainLen == 0 && rChainLen == 0) return false;

  cellStr(prinPtr + PB_ID);
  const idp = sp, idn = sn;
  pidSid = findSid(idp, idn);
  cellStr(res + RS_KIND);
  const kp = sp, kn = sn;
  pKey = rKey = NONE;
  if (pChainLen > 0 && !effectsOnly) {
    const s = load<u32>(pChain);
    pKey = policyKeyWord(T_PRINCIPAL, 9, idp, idn, pvp, pvn, s, strPtr(s), strLen(s));
  }
  if (rChainLen > 0 && !effectsOnly) {
    const s = load<u32>(rChain);
    rKey = policyKeyWord(T_RESOURCE, 8, kp, kn, rvp, rvn, s, strPtr(s), strLen(s));
  }
  if (!effectsOnly && (pKey == NONE && pChainLen > 0 || rKey == NONE && rChainLen > 0)) { outOfMemory = true; return false; }

  if (!sanitized(kp, kn)) { outOfMemory = true; return false; }
  kindPtr = sp; kindLen = sn; kindSid = findSid(kindPtr, kindLen);
  rVerEmpty = rvn == 0;
  rVerSid = findSid(rvp, rvn);
  const pVerSid = findSid(pvp, pvn);
  setQueryCommon(rVerSid, rVerEmpty, kindPtr, kindLen, kindSid);

  // ScopedPrincipalExists / ScopedResourceExists (any row of the kind, version and chain scopes).
  // Only the row index's candidates (query.ts): principal-policy rows, and the rows of this kind.
  pExists = false; rExists = false;
  if (pVerSid != NONE) {
    principalCandidates();
    for (let i = nextCandidate(); i != NONE && !pExists; i = nextCandidate()) {
      const r = row(i);
      pExists = <u32>load<u8>(r + RW_KIND) == PolicyKind.PRINCIPAL && load<u32>(r + 4) == pVerSid &&
        inChain(pChain, pChainLen, load<u32>(r + RW_SCOPE));
    }
  }
  candidates();
  for (let i = nextCandidate(); i != NONE && !rExists; i = nextCandidate()) {
    const r = row(i);
    rExists = <u32>load<u8>(r + RW_KIND) == PolicyKind.RESOURCE && versionOk(r) &&
      inChain(rChain, rChainLen, load<u32>(r + RW_SCOPE)) && resourceOk(r);
  }
  if (!pExists && !rExists) return false;

  // Roles: the principal's, then all parents at the resource scope (AddParentRoles).
  rScopeSid = findSid(rsp, rsn);
  roleCount = listOf(prinPtr + PB_ROLES);
  const roleCells = listAt;
  let parents: u32 = 0;
  roleSids = alloc(<usize>(roleCount + 1) << 2);
  if (roleSids == 0) return false;
  let maxParents: u32 = 0;
  for (let i: u32 = 0; i < roleCount; i++) {
    cellStr(roleCells + (<usize>i << 4));
    const s = findSid(sp, sn);
    store<u32>(roleSids + (<usize>i << 2), s);
    const c = parentCount(s);
    parents += c;
    if (c > maxParents) maxParents = c;
  }
  allRoles = alloc(<usize>(roleCount + parents + 1) << 2);
  qRoleBuf = alloc(<usize>(maxParents + 2) << 2);
  drDone = alloc(<usize>(rChainLen + 1) << 2);
  if (allRoles == 0 || qRoleBuf == 0 || drDone == 0) return false;
  memory.fill(drDone, 0, <usize>(rChainLen + 1) << 2);
  memory.copy(allRoles, roleSids, <usize>roleCount << 2);
  allRoleCount = roleCount;
  for (let i: u32 = 0; i < roleCount; i++) allRoleCount = addParents(load<u32>(roleSids + (<usize>i << 2)), allRoles, allRoleCount);
  return true;
}

// Effect info while deciding an action (Cerbos's EffectInfo): effect, policy word, scope sid.
let aEff: u32 = 0, aPol: u32 = 0, aScope: u32 = 0;
let rEff: u32 = 0, rPol: u32 = 0, rScope: u32 = 0;
let hasAllow = false;
/** Set when strict evaluation denied the action: stop every loop (Cerbos's break policiesLoop). */
let finalised = false;

function decideAction(actionCell: usize, ai: u32, word: u32): void {
  cellStr(actionCell);
  setQueryAction(sp, sn, findSid(sp, sn));
  aEff = Effect.NO_MATCH; aPol = WellKnown.EMPTY; aScope = WellKnown.EMPTY;
  finalised = false;
  for (let pass = 0; pass < 2 && !finalised; pass++) {
    // Principal policies first, then resource policies (Cerbos's policyTypes order).
    const principal = pass == 0;
    const pt: u32 = principal ? PolicyKind.PRINCIPAL : PolicyKind.RESOURCE;
    aEff = Effect.NO_MATCH;
    for (let ri: u32 = 0; ri < roleCount && !finalised; ri++) {
      if (ri > 0 && principal) break;
      hasAllow = false;
      rEff = Effect.NO_MATCH; rPol = WellKnown.NO_MATCH; rScope = WellKnown.EMPTY;
      if (principal ? pExists : rExists) rPol = principal ? pKey : rKey;
      const role = load<u32>(roleSids + (<usize>ri << 2));
      store<u32>(qRoleBuf, role);
      setQueryRoles(qRoleBuf, addParents(role, qRoleBuf, 1));
      walkScopes(pt, ai);
      if (finalised) break;
      if (aEff == Effect.NO_MATCH) { aEff = rEff; aPol = rPol; aScope = rScope; }
      if (rEff == Effect.ALLOW) { aEff = rEff; aPol = rPol; aScope = rScope; break; }
      else if (rEff == Effect.DENY && aPol == WellKnown.NO_MATCH_FOR_SCOPE_PERMISSIONS &&
               rPol != WellKnown.NO_MATCH_FOR_SCOPE_PERMISSIONS) { aEff = rEff; aPol = rPol; aScope = rScope; }
    }
    if (aEff == Effect.ALLOW || aEff == Effect.DENY) break;
  }
  if (aEff == Effect.NO_MATCH) aEff = Effect.DENY;
  vecSet(outVec, word, aEff);
  vecSet(outVec, word + 1, aPol);
  vecSet(outVec, word + 2, aScope == WellKnown.EMPTY ? NONE : aScope);
}

function walkScopes(pt: u32, ai: u32): void {
  const principal = pt == PolicyKind.PRINCIPAL;
  const chain = principal ? pChain : rChain;
  const len = principal ? pChainLen : rChainLen;
  for (let si: u32 = 0; si < len; si++) {
    const scope = load<u32>(chain + (<usize>si << 2));
    if (!principal) derivedRolesAt(si);
    if (rEff != Effect.NO_MATCH) return;
    setQueryKind(pt, scope, principal ? pidSid : NONE);
    query(bindings);
    const n = vecLen(bindings);
    for (let i: u32 = 0; i < n; i++) {
      const b = vecAt(bindings, i);
      if (evalBinding(b >> B_SHIFT, b & B_ROW_MASK, scope, ai)) return;
      if (finalised) return;
    }
    if (hasAllow) {
      const perms = scopePermissions(scope);
      if (perms == ScopePermissions.REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS) hasAllow = false;
      else if (perms == ScopePermissions.OVERRIDE_PARENT) { rEff = Effect.ALLOW; rScope = scope; return; }
    }
  }
}

/** Evaluates one binding; true when it ends the scope walk (a DENY). */
function evalBinding(kind: u32, ri: u32, scope: u32, ai: u32): bool {
  const r = row(ri);
  const policy = load<u32>(r + RW_POLICY);
  if (kind == B_NO_MATCH) {
    // No condition, no outputs: an unconditional DENY attributed to the role policy.
    rEff = Effect.DENY; rScope = scope; rPol = policy;
    return true;
  }
  const fromRolePolicy = kind != B_ROW || (load<u8>(r + RW_FLAGS) & <u8>RowFlag.FROM_ROLE_POLICY) != 0;
  const effect = kind == B_NEGATED ? Effect.DENY : kind == B_OUTPUT ? Effect.NO_MATCH : <u32>load<u8>(r + RW_EFFECT);
  const key = load<u32>(r + RW_EVAL_KEY);
  evalParams(load<u32>(r + RW_PARAMS), MODE_PROGRAMS);

  let sat = cachedCond(key);
  if (sat < 0) {
    if (kind == B_ROW && load<u32>(r + RW_DR_CONDITION) != NONE) {
      evalParams(load<u32>(r + RW_DR_PARAMS), MODE_PROGRAMS);
      const d = evalCond(load<u32>(r + RW_DR_CONDITION));
      if (d == C_ERROR) { strictDeny(policy, scope); return true; }
      if (d != C_TRUE) { cacheCond(key, false); return false; }
    }
    let c: i32;
    if (kind == B_OUTPUT) c = C_TRUE;
    else {
      c = evalCond(load<u32>(r + RW_CONDITION));
      if (kind == B_NEGATED && c != C_ERROR) c = c == C_TRUE ? 0 : C_TRUE; // none(condition)
    }
    if (c == C_ERROR) { strictDeny(policy, scope); return true; }
    sat = c == C_TRUE ? 1 : 0;
    cacheCond(key, sat == 1);
  }

  const src = load<u32>(r + RW_OUTPUT_SRC);
  // Negated role-policy bindings swap the outputs: activated == the user's condition not met.
  const onActivated = kind == B_NEGATED ? load<u32>(r + RW_OUTPUT_NOT_MET) : load<u32>(r + RW_OUTPUT_ACTIVATED);
  const onNotMet = kind == B_NEGATED ? load<u32>(r + RW_OUTPUT_ACTIVATED) : load<u32>(r + RW_OUTPUT_NOT_MET);
  if (sat == 1) {
    if (!effectsOnly) emitOutput(onActivated, src, ai);
    if (effect == Effect.ALLOW) hasAllow = true;
    if (effect == Effect.DENY) {
      rEff = Effect.DENY; rScope = scope;
      if (fromRolePolicy) rPol = policy;
      return true;
    }
  } else if (!effectsOnly) {
    emitOutput(onNotMet, src, ai);
  }
  return false;
}

/** Strict evaluation: an erroring condition denies the action outright. */
function strictDeny(policy: u32, scope: u32): void {
  aEff = Effect.DENY; aPol = policy; aScope = scope;
  finalised = true;
}

// Silence "unused" for imports kept for readability of the record layout.
export const _ROW_SIZE = ROW_SIZE;
export const _RW_PARAMS = RW_PARAMS;
