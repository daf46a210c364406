// Which rule rows apply to one (version, resource, scope, action, roles, policy kind, principal)
// query — Cerbos's index.Query over our ROWS — including the synthetic DENY bindings role policies
// produce (appendRolePolicyDenies), which come first. Results are binding words in a vector:
// row index | kind << 28, where the kind says how the row is used (B_* below).
import {
  NONE, ROW_SIZE, RW_KIND, RW_FLAGS, RW_VERSION, RW_RESOURCE, RW_SCOPE, RW_ROLE, RW_ACTION,
  RW_PRINCIPAL, RW_CONDITION, RW_OUTPUT_ACTIVATED, RW_OUTPUT_NOT_MET, RW_ALLOW_START, RW_ALLOW_COUNT,
  RowFlag, PolicyKind,
} from "../spec/format";
import { rowCount, rowRecords, listWords } from "./ruleset";
import { strPtr, strLen } from "./reader";
import { globMatch } from "./glob";
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

/** Called by the loader's commit: remembers whether role-policy rows exist. */
export function scanRowsOnLoad(): void {
  anyAllowRows = false;
  for (let i: u32 = 0; i < rowCount; i++) {
    if ((load<u8>(row(i) + RW_FLAGS) & <u8>RowFlag.FROM_ROLE_POLICY) != 0) { anyAllowRows = true; return; }
  }
}

// @ts-ignore: decorator
@inline export function row(i: u32): usize { return rowRecords + <usize>i * ROW_SIZE; }

function sidMatches(sid: u32, glob: bool, p: usize, n: u32, valSid: u32): bool {
  if (sid == NONE) return false;
  if (!glob) return sid == valSid && valSid != NONE;
  return globMatch(strPtr(sid), strLen(sid), p, n);
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
  let base = false;
  for (let i: u32 = 0; i < rowCount && !base; i++) base = baseOk(row(i));
  if (!base) return; // Cerbos returns before synthesis when the non-action dimensions are empty
  if (qActLen != 0 && qResLen != 0 && qKind == PolicyKind.RESOURCE && anyAllowRows) rolePolicyDenies(out);
  for (let i: u32 = 0; i < rowCount; i++) {
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
    if (globMatch(strPtr(a), strLen(a), qActPtr, qActLen)) return true; // allow actions are always globs
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
