// Which rule rows apply to one (version, resource, scope, action, roles, policy kind, principal)
// query — Cerbos's index.Query over our ROWS — including the synthetic DENY bindings role policies
// produce (appendRolePolicyDenies), which come first. Results are binding words in a vector:
// row index | kind << 28, where the kind says how the row is used (B_* below).
import {
  NONE, ROW_SIZE, RW_KIND, RW_FLAGS, RW_VERSION, RW_RESOURCE, RW_SCOPE, RW_ROLE, RW_ACTION,
  RW_PRINCIPAL, RW_CONDITION, RW_OUTPUT_ACTIVATED, RW_OUTPUT_NOT_MET, RW_ALLOW_START, RW_ALLOW_COUNT,
  RowFlag, PolicyKind,
} from "../spec/format";
import { rowCount, rowRecords, listWords, stringCount } from "./ruleset";
import { halloc, hfree } from "./heap";
import { globMatch } from "./regex";
import { vecClear, vecPush } from "./response";

/** The row itself. */
export const B_ROW: u32 = 0;
/** Role policy has no allow action for this resource/action: DENY attributed to the role policy. */
export const B_NO_MATCH: u32 = 1;
/** Allowed with a condition: DENY when none(condition), outputs swapped. */
export const B_NEGATED: u32 = 2;
/** Allowed without a condition: no effect, only its ruleActivated output. */
export const B_OUTPUT: u32 = 3;
export const B_SHIFT: u32 = 28;
export const B_ROW_MASK: u32 = (1 << 28) - 1;

// The query, set by the caller before query().
export let qKind: u32 = 0;
export let qScope: u32 = 0;
/** Version filter: NONE sid with qVerAny = false means "matches nothing". */
export let qVer: u32 = NONE;
export let qVerAny = false;
export let qResPtr: usize = 0;
export let qResLen: u32 = 0;
export let qResSid: u32 = NONE;
export let qActPtr: usize = 0;
export let qActLen: u32 = 0;
export let qActSid: u32 = NONE;
/** Query roles: u32 sids (NONE for roles STRINGS lacks, which only '*' rows match). */
export let qRoles: usize = 0;
export let qRoleCount: u32 = 0;
export let qPid: u32 = NONE;
/** Whether any row carries allow actions (Cerbos skips synthesis otherwise). */
export let anyAllowRows = false;

export function setQueryCommon(ver: u32, verAny: bool, resPtr: usize, resLen: u32, resSid: u32): void {
  qVer = ver; qVerAny = verAny; qResPtr = resPtr; qResLen = resLen; qResSid = resSid;
}
export function setQueryAction(p: usize, n: u32, sid: u32): void { qActPtr = p; qActLen = n; qActSid = sid; }
export function setQueryRoles(roles: usize, count: u32): void { qRoles = roles; qRoleCount = count; }
export function setQueryKind(kind: u32, scope: u32, pid: u32): void { qKind = kind; qScope = scope; qPid = pid; }

/** Called by the loader's commit: remembers whether role-policy rows exist and builds the row
 *  index (docs/performance.md): rows bucketed by resource sid (a counting sort, so each bucket
 *  stays in evaluation order), plus the resource-glob rows and the principal-policy rows. A query
 *  merges its kind's bucket with the glob rows instead of scanning every row. Without memory for
 *  it, every query scans all rows as before. */
export function scanRowsOnLoad(): void {
  anyAllowRows = false;
  for (let i: u32 = 0; i < rowCount; i++) {
    if ((load<u8>(row(i) + RW_FLAGS) & <u8>RowFlag.FROM_ROLE_POLICY) != 0) { anyAllowRows = true; break; }
  }
  hfree(ixStart); hfree(ixRows); hfree(ixGlob); hfree(ixPrin);
  ixStart = halloc((<usize>stringCount + 1) << 2);
  ixRows = halloc((<usize>rowCount + 1) << 2);
  ixGlob = halloc((<usize>rowCount + 1) << 2);
  ixPrin = halloc((<usize>rowCount + 1) << 2);
  if (ixStart == 0 || ixRows == 0 || ixGlob == 0 || ixPrin == 0) {
    hfree(ixStart); hfree(ixRows); hfree(ixGlob); hfree(ixPrin);
    ixStart = ixRows = ixGlob = ixPrin = 0;
    return;
  }
  memory.fill(ixStart, 0, (<usize>stringCount + 1) << 2);
  nGlob = nPrin = 0;
  // Count per resource sid (into ixStart[sid + 1]), collect glob and principal rows.
  for (let i: u32 = 0; i < rowCount; i++) {
    const r = row(i);
    if (<u32>load<u8>(r + RW_KIND) == PolicyKind.PRINCIPAL) store<u32>(ixPrin + (<usize>(nPrin++) << 2), i);
    const res = load<u32>(r + RW_RESOURCE);
    if ((load<u8>(r + RW_FLAGS) & <u8>RowFlag.RESOURCE_GLOB) != 0) store<u32>(ixGlob + (<usize>(nGlob++) << 2), i);
    else if (res < stringCount) { const c = ixStart + (<usize>(res + 1) << 2); store<u32>(c, load<u32>(c) + 1); }
  }
  for (let k: u32 = 1; k <= stringCount; k++) {
    const c = ixStart + (<usize>k << 2);
    store<u32>(c, load<u32>(c) + load<u32>(c - 4));
  }
  // Place rows; ixStart[sid] advances to the bucket's end, then is shifted back.
  for (let i: u32 = 0; i < rowCount; i++) {
    const r = row(i);
    const res = load<u32>(r + RW_RESOURCE);
    if ((load<u8>(r + RW_FLAGS) & <u8>RowFlag.RESOURCE_GLOB) != 0 || res >= stringCount) continue;
    const c = ixStart + (<usize>res << 2);
    const at = load<u32>(c);
    store<u32>(ixRows + (<usize>at << 2), i);
    store<u32>(c, at + 1);
  }
  for (let k = <i32>stringCount; k > 0; k--) store<u32>(ixStart + (<usize>k << 2), load<u32>(ixStart + (<usize>(k - 1) << 2)));
  store<u32>(ixStart, 0);
}

// The row index (scanRowsOnLoad): ixStart[sid]..ixStart[sid + 1] in ixRows are the rows whose
// (literal) resource is sid; ixGlob the rows with a resource glob; ixPrin principal-policy rows.
let ixStart: usize = 0, ixRows: usize = 0, ixGlob: usize = 0, ixPrin: usize = 0;
let nGlob: u32 = 0, nPrin: u32 = 0;

// Candidate cursor: the merge of two ascending row lists, or every row (no index, or no resource).
let cA: usize = 0, nA: u32 = 0, iA: u32 = 0, cB: usize = 0, nB: u32 = 0, iB: u32 = 0, cAll = false;

/** Starts iterating the rows that can match the current resource (any row when there is no
 *  resource filter or no index). */
export function candidates(): void {
  iA = iB = 0;
  cAll = ixStart == 0 || qResLen == 0;
  if (cAll) { nA = rowCount; return; }
  if (qResSid < stringCount) {
    const s = load<u32>(ixStart + (<usize>qResSid << 2));
    cA = ixRows + (<usize>s << 2);
    nA = load<u32>(ixStart + (<usize>(qResSid + 1) << 2)) - s;
  } else nA = 0;
  cB = ixGlob; nB = nGlob;
}
/** Starts iterating the principal-policy rows (every row without an index). */
export function principalCandidates(): void {
  iA = iB = 0;
  cAll = ixStart == 0;
  if (cAll) { nA = rowCount; return; }
  cA = ixPrin; nA = nPrin; nB = 0;
}
/** The next candidate row index in ascending order, NONE at the end. */
export function nextCandidate(): u32 {
  if (cAll) return iA < nA ? iA++ : NONE;
  const a = iA < nA ? load<u32>(cA + (<usize>iA << 2)) : NONE;
  const b = iB < nB ? load<u32>(cB + (<usize>iB << 2)) : NONE;
  if (a < b) { iA++; return a; }
  if (b != NONE) iB++;
  return b;
}

// @ts-ignore: decorator
@inline export function row(i: u32): usize { return rowRecords + <usize>i * ROW_SIZE; }

function sidMatches(sid: u32, glob: bool, p: usize, n: u32, valSid: u32): bool {
  if (sid == NONE) return false;
  if (!glob) return sid == valSid && valSid != NONE;
  return globMatch(sid, p, n);
}

export function versionOk(r: usize): bool {
  return qVerAny || (qVer != NONE && load<u32>(r + RW_VERSION) == qVer);
}
/** Resource dimension; an empty resource means no filter. */
export function resourceOk(r: usize): bool {
  if (qResLen == 0) return true;
  const f = <u32>load<u8>(r + RW_FLAGS);
  return sidMatches(load<u32>(r + RW_RESOURCE), (f & RowFlag.RESOURCE_GLOB) != 0, qResPtr, qResLen, qResSid);
}
/** Role dimension: some query role equals the row's role, or the row's role is '*'. */
function roleOk(r: usize): bool {
  const f = <u32>load<u8>(r + RW_FLAGS);
  if ((f & RowFlag.NOOP) != 0) return false; // no-op rows are in no role or action dimension
  const role = load<u32>(r + RW_ROLE);
  if (role == NONE) return false;
  if ((f & RowFlag.ROLE_ANY) != 0) return qRoleCount > 0;
  for (let i: u32 = 0; i < qRoleCount; i++) if (load<u32>(qRoles + (<usize>i << 2)) == role) return true;
  return false;
}
function actionOk(r: usize): bool {
  if (qActLen == 0) return true;
  const f = <u32>load<u8>(r + RW_FLAGS);
  if ((f & (RowFlag.FROM_ROLE_POLICY | RowFlag.NOOP)) != 0) return false;
  return sidMatches(load<u32>(r + RW_ACTION), (f & RowFlag.ACTION_GLOB) != 0, qActPtr, qActLen, qActSid);
}

/** Fills `out` with the bindings for the current query, synthetic role-policy DENYs first. */
export function query(out: usize): void {
  vecClear(out);
  // Rows whose resource cannot match fail baseOk, so only the index's candidates are visited.
  let first: u32 = NONE;
  candidates();
  for (let i = nextCandidate(); i != NONE; i = nextCandidate()) if (baseOk(row(i))) { first = i; break; }
  if (first == NONE) return; // Cerbos returns before synthesis when the non-action dimensions are empty
  if (qActLen != 0 && qResLen != 0 && qKind == PolicyKind.RESOURCE && anyAllowRows) rolePolicyDenies(out);
  if (actionOk(row(first))) vecPush(out, first);
  for (let i = nextCandidate(); i != NONE; i = nextCandidate()) {
    const r = row(i);
    if (baseOk(r) && actionOk(r)) vecPush(out, i);
  }
}

function baseOk(r: usize): bool {
  if (<u32>load<u8>(r + RW_KIND) != qKind || load<u32>(r + RW_SCOPE) != qScope) return false;
  if (!versionOk(r) || !resourceOk(r) || !roleOk(r)) return false;
  if (qKind == PolicyKind.PRINCIPAL && (qPid == NONE || load<u32>(r + RW_PRINCIPAL) != qPid)) return false;
  return true;
}

/** Role-policy rows of this version and scope whose role is `role` (literal; never '*'). */
function candidate(r: usize, role: u32): bool {
  if ((load<u8>(r + RW_FLAGS) & <u8>RowFlag.FROM_ROLE_POLICY) == 0) return false;
  return load<u32>(r + RW_SCOPE) == qScope && versionOk(r) && load<u32>(r + RW_ROLE) == role;
}

function allowsAction(r: usize): bool {
  const s = load<u32>(r + RW_ALLOW_START), n = load<u32>(r + RW_ALLOW_COUNT);
  for (let j: u32 = 0; j < n; j++) {
    const a = load<u32>(listWords + (<usize>(s + j) << 2));
    if (a == qActSid && qActSid != NONE) return true;
    if (globMatch(a, qActPtr, qActLen)) return true; // globs have a GLOBS program, plain text none
  }
  return false;
}

function rolePolicyDenies(out: usize): void {
  for (let k: u32 = 0; k < qRoleCount; k++) {
    const role = load<u32>(qRoles + (<usize>k << 2));
    if (role == NONE) continue;
    // The role's representative binding (its first row here) proves a role policy exists.
    let rep: u32 = NONE;
    let firstForResource: u32 = NONE;
    for (let i: u32 = 0; i < rowCount; i++) {
      const r = row(i);
      if (!candidate(r, role)) continue;
      if (rep == NONE) rep = i;
      if (resourceOk(r)) { firstForResource = i; break; }
    }
    if (rep == NONE) continue;
    if (firstForResource == NONE) { vecPush(out, rep | (B_NO_MATCH << B_SHIFT)); continue; }
    let matched = false;
    for (let i = firstForResource; i < rowCount; i++) {
      const r = row(i);
      if (!candidate(r, role) || !resourceOk(r) || !allowsAction(r)) continue;
      matched = true;
      if (load<u32>(r + RW_CONDITION) != NONE) vecPush(out, i | (B_NEGATED << B_SHIFT));
      else if (load<u32>(r + RW_OUTPUT_ACTIVATED) != NONE || load<u32>(r + RW_OUTPUT_NOT_MET) != NONE) {
        vecPush(out, i | (B_OUTPUT << B_SHIFT));
      }
    }
    if (!matched) vecPush(out, firstForResource | (B_NO_MATCH << B_SHIFT));
  }
}
