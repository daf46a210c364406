// Evaluation pieces of the decision procedure: variable runs (PARAMS) into the VM's variable
// slots, condition trees (CONDS), output expressions and the evaluation-error list — with the
// per-resource caches Cerbos keeps (variables per params, conditions per evaluation key).
// The per-ruleset work buffers live here; the loader allocates them before it commits.
import { halloc, hfree } from "./heap";
import {
  Tag, NONE, CELL_SIZE, COND_SIZE, CO_KIND, CO_A, CO_B, CondKind, PARAMS_SIZE, PA_VAR_START,
  PA_VAR_COUNT, VAR_SIZE, VA_EXPR,
} from "../spec/format";
import { varCount, varRecords, paramsCount, paramsRecords, condRecords, condChildren, evalKeyCount } from "./ruleset";
import { setVarValues } from "./context";
import { evalExpr } from "./vm";
import { vecPush, vecLen, vecAt } from "./response";

// ---- work buffers (one set per loaded ruleset) -------------------------------------------

// Variable slots are kept twice, one set per evaluation mode (see MODE_*): Cerbos caches the
// variables it evaluates for effectiveDerivedRoles separately from the rows' variables, and the
// two can differ because the rows see runtime.effectiveDerivedRoles filled in.
let varBuf: usize = 0, drVarBuf: usize = 0, keyBuf: usize = 0, paramsBuf: usize = 0;
let newVar: usize = 0, newDrVar: usize = 0, newKey: usize = 0, newParams: usize = 0;

function alloc0(n: usize): usize { return halloc(n == 0 ? 16 : n); }

/** Allocates the buffers a ruleset with these counts needs; false (nothing kept) on failure. */
export function allocWork(vars: u32, keys: u32, params: u32, _exprs: u32): bool {
  newVar = alloc0(<usize>vars << 4);
  newDrVar = alloc0(<usize>vars << 4);
  newKey = alloc0(keys);
  newParams = alloc0(params);
  if (newVar == 0 || newDrVar == 0 || newKey == 0 || newParams == 0) { dropWork(); return false; }
  return true;
}
export function dropWork(): void {
  if (newVar != 0) hfree(newVar);
  if (newDrVar != 0) hfree(newDrVar);
  if (newKey != 0) hfree(newKey);
  if (newParams != 0) hfree(newParams);
  newVar = newDrVar = newKey = newParams = 0;
}
export function commitWork(): void {
  if (varBuf != 0) { hfree(varBuf); hfree(drVarBuf); hfree(keyBuf); hfree(paramsBuf); }
  varBuf = newVar; drVarBuf = newDrVar; keyBuf = newKey; paramsBuf = newParams;
  newVar = newDrVar = newKey = newParams = 0;
  setVarValues(varBuf);
  resetCaches();
}

/** Forgets every cached variable and condition result (start of each resource). */
export function resetCaches(): void {
  if (varBuf == 0) return;
  for (let i: u32 = 0; i < varCount; i++) {
    store<u32>(varBuf + (<usize>i << 4), Tag.ABSENT);
    store<u32>(drVarBuf + (<usize>i << 4), Tag.ABSENT);
  }
  setVarValues(varBuf);
  memory.fill(keyBuf, 0, evalKeyCount);
  memory.fill(paramsBuf, 0, paramsCount);
}

// ---- evaluation errors and strictness -----------------------------------------------------

/** Evaluation errors of the current resource: (expression index, error cell) word pairs. */
export let errVec: usize = 0;
export function setErrVec(v: usize): void { errVec = v; }
export let strict = false;
export function setStrict(s: bool): void { strict = s; }

/** Records an evaluation error once per (expression, error code): Cerbos dedupes identical errors. */
export function recordError(expr: u32, cell: usize): void {
  const code = load<u32>(cell, 4);
  const n = vecLen(errVec);
  for (let i: u32 = 0; i < n; i += 2) {
    if (vecAt(errVec, i) == expr && load<u32>(<usize>vecAt(errVec, i + 1), 4) == code) return;
  }
  vecPush(errVec, expr);
  vecPush(errVec, <u32>cell);
}

// ---- variables -------------------------------------------------------------------------

/** How a PARAMS run was evaluated for this resource. Cerbos evaluates rule variables with
 *  "programs" (an erroring variable stays unset) but the variables of derived roles, while it
 *  computes effectiveDerivedRoles, with "variables" (non-strict: the variable becomes null). */
export const MODE_PROGRAMS: u8 = 1;
export const MODE_VARIABLES: u8 = 2;

export function evalParams(p: u32, mode: u8): void {
  // The mode's slot set stays active for the conditions evaluated next.
  const buf = mode == MODE_VARIABLES ? drVarBuf : varBuf;
  setVarValues(buf);
  if (p == NONE || p >= paramsCount) return;
  const st = load<u8>(paramsBuf + p);
  if ((st & mode) != 0) return;
  const rec = paramsRecords + <usize>p * PARAMS_SIZE;
  const s = load<u32>(rec + PA_VAR_START), n = load<u32>(rec + PA_VAR_COUNT);
  for (let i: u32 = 0; i < n; i++) {
    const slot = buf + (<usize>(s + i) << 4);
    const e = load<u32>(varRecords + <usize>(s + i) * VAR_SIZE + VA_EXPR);
    store<u32>(slot, Tag.ABSENT); // unset while evaluating: a self-reference is an error
    const r = evalExpr(e);
    if (load<u8>(r) == <u8>Tag.ERROR) {
      recordError(e, r);
      if (mode == MODE_VARIABLES && !strict) { store<u64>(slot, 0); store<u64>(slot, 0, 8); } // NULL
      continue;
    }
    memory.copy(slot, r, CELL_SIZE);
  }
  store<u8>(paramsBuf + p, st | mode);
}

// ---- conditions ------------------------------------------------------------------------

export const C_FALSE: i32 = 0;
export const C_TRUE: i32 = 1;
/** Only in strict mode: an expression failed and the error propagates. */
export const C_ERROR: i32 = 2;

/** Evaluates a CONDS tree like Cerbos's SatisfiesCondition (NONE node index = true). A leaf is true
 *  only for BOOL true; a failing leaf is recorded and counts as false, or C_ERROR when strict. */
export function evalCond(n: u32): i32 {
  if (n == NONE) return C_TRUE;
  const r = condRecords + <usize>n * COND_SIZE;
  const k = load<u32>(r + CO_KIND), a = load<u32>(r + CO_A), b = load<u32>(r + CO_B);
  if (k == CondKind.EXPR) {
    const v = evalExpr(a);
    const t = load<u8>(v);
    if (t == <u8>Tag.ERROR) {
      recordError(a, v);
      return strict ? C_ERROR : C_FALSE;
    }
    return t == <u8>Tag.BOOL && load<u64>(v, 8) != 0 ? C_TRUE : C_FALSE;
  }
  for (let i: u32 = 0; i < b; i++) {
    const v = evalCond(load<u32>(condChildren + (<usize>(a + i) << 2)));
    if (v == C_ERROR) return C_ERROR;
    if (k == CondKind.ALL && v == C_FALSE) return C_FALSE;
    if (k == CondKind.ANY && v == C_TRUE) return C_TRUE;
    if (k == CondKind.NONE && v == C_TRUE) return C_FALSE;
  }
  return k == CondKind.ANY ? C_FALSE : C_TRUE;
}

/** Condition cache by evaluation key: 0 unknown, 1 false, 2 true. */
export function cachedCond(key: u32): i32 {
  if (key == NONE || key >= evalKeyCount) return -1;
  const v = load<u8>(keyBuf + key);
  return v == 0 ? -1 : <i32>v - 1;
}
export function cacheCond(key: u32, v: bool): void {
  if (key == NONE || key >= evalKeyCount) return;
  store<u8>(keyBuf + key, v ? 2 : 1);
}

// ---- outputs ---------------------------------------------------------------------------

/** Outputs of the current resource: (src sid, action index, value cell, error flag) words. */
export let outVec: usize = 0;
export function setOutVec(v: usize): void { outVec = v; }

export function emitOutput(expr: u32, src: u32, action: u32): void {
  if (expr == NONE) return;
  const v = evalExpr(expr);
  vecPush(outVec, src);
  vecPush(outVec, action);
  vecPush(outVec, <u32>v);
  vecPush(outVec, load<u8>(v) == <u8>Tag.ERROR ? 1 : 0);
}
