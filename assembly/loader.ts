// Validates a ruleset completely before anything of it is used, then relocates its constants and
// publishes its sections through ruleset.ts. Every record, index and offset is checked against
// the section it points into, so the decision procedure and the VM can read the ruleset without
// bounds checks. A bad ruleset yields a Status and leaves the previous ruleset in service.
import { halloc, hfree } from "./heap";
import {
  MAGIC, FORMAT_MAJOR, HEADER_SIZE, H_MAGIC, H_MAJOR, H_LENGTH, H_CHECKSUM, H_SECTION_COUNT,
  CHECKSUM_FROM, SECTION_ENTRY_SIZE, NONE, Section, Status, Tag, CELL_SIZE, CL_A, CL_B, CL_C,
  EXPR_SIZE, EX_CODE_OFFSET, EX_CODE_LENGTH, EX_SOURCE, VAR_SIZE, VA_NAME, VA_EXPR,
  PARAMS_SIZE, PA_VAR_START, PA_VAR_COUNT, COND_SIZE, CO_KIND, CO_A, CO_B, CondKind,
  ROW_SIZE, RW_KIND, RW_EFFECT, RW_SCOPE_PERMISSIONS, RW_VERSION, RW_RESOURCE, RW_SCOPE, RW_ROLE,
  RW_ACTION, RW_PRINCIPAL, RW_CONDITION, RW_DR_CONDITION, RW_PARAMS, RW_DR_PARAMS, RW_POLICY,
  RW_NAME, RW_OUTPUT_SRC, RW_DERIVED_ROLE, RW_OUTPUT_ACTIVATED, RW_OUTPUT_NOT_MET, RW_EVAL_KEY,
  RW_ALLOW_START, RW_ALLOW_COUNT, DROLE_SIZE, DR_RESOURCE, DR_VERSION, DR_SCOPE, DR_NAME,
  DR_PARENTS_START, DR_PARENTS_COUNT, DR_CONDITION, DR_PARAMS, SCOPE_SIZE, SC_SCOPE, SC_PERMISSIONS,
  PROLE_SIZE, PR_SCOPE, PR_ROLE, PR_PARENTS_START, PR_PARENTS_COUNT, WellKnown,
} from "../spec/format";
import { inMemory, fnv1a, buildStringHash, builtHashMask } from "./reader";
import { setSections, setStringHash, stringHash } from "./ruleset";
import { validateCode } from "./codecheck";
import { allocWork, commitWork, dropWork } from "./evaluate";

/** Largest nesting of conditions or constant values we accept (evaluation recurses on both). */
const MAX_DEPTH: i32 = 64;
/** Largest evaluation key + 1 we accept (one cache byte each). */
const MAX_EVAL_KEYS: u32 = 1 << 22;

// Section (absolute start, length) by id; 0 length = absent. Filled per load attempt.
const secStart = memory.data(16 * 4);
const secLen = memory.data(16 * 4);
function start(id: i32): usize { return <usize>load<u32>(secStart + (<usize>id << 2)); }
function slen(id: i32): u32 { return load<u32>(secLen + (<usize>id << 2)); }

// Counts and record bases found while validating (published only on success).
let nStrings: u32 = 0, strIndex: usize = 0, strBlob: usize = 0, blobLen: u32 = 0;
let nConsts: u32 = 0, constBase: usize = 0;
let codeBase: usize = 0, codeLen: u32 = 0;
let nExprs: u32 = 0, exprBase: usize = 0;
let nVars: u32 = 0, varBase: usize = 0;
let nParams: u32 = 0, paramsBase: usize = 0;
let nConds: u32 = 0, condBase: usize = 0, nChildren: u32 = 0, childBase: usize = 0;
let nRows: u32 = 0, rowBase: usize = 0;
let nDroles: u32 = 0, droleBase: usize = 0;
let nLists: u32 = 0, listBase: usize = 0;
let nScopes: u32 = 0, scopeBase: usize = 0;
let nProles: u32 = 0, proleBase: usize = 0;
let evalKeys: u32 = 0;

/** The ruleset block currently in service and whether we own (must free) it. */
let liveBase: usize = 0;
let liveOwned = false;

export function loadRuleset(p: usize, len: u32, owned: bool): i32 {
  const st = validate(p, len);
  if (st != Status.OK) return st;
  // Allocate everything before touching shared state, so running out of memory changes nothing.
  const hash = buildStringHash(nStrings, strIndex, strBlob);
  if (hash == 0) return Status.OUT_OF_MEMORY;
  const hashMask = builtHashMask;
  if (!allocWork(nVars, evalKeys, nParams, nExprs)) { hfree(hash); return Status.OUT_OF_MEMORY; }
  relocateConsts();
  const oldHash = stringHash;
  setStringHash(hash, hashMask);
  if (oldHash != 0) hfree(oldHash);
  setSections(p, len, nStrings, strIndex, strBlob, nConsts, constBase, codeBase, codeLen,
    nExprs, exprBase, nVars, varBase, nParams, paramsBase, nConds, condBase, nChildren, childBase,
    nRows, rowBase, nDroles, droleBase, nLists, listBase, nScopes, scopeBase, nProles, proleBase, evalKeys);
  commitWork();
  if (liveOwned && liveBase != 0 && liveBase != p) hfree(liveBase);
  liveBase = p;
  liveOwned = owned;
  return Status.OK;
}

/** Undoes nothing: used when validation fails after allocWork (never happens today). */
export function abandonWork(): void { dropWork(); }

function validate(p: usize, len: u32): i32 {
  if (len < HEADER_SIZE || !inMemory(p, len)) return Status.BAD_LENGTH;
  if (load<u32>(p + H_MAGIC) != MAGIC) return Status.BAD_MAGIC;
  if (<u32>load<u16>(p + H_MAJOR) != FORMAT_MAJOR) return Status.BAD_VERSION;
  if (load<u32>(p + H_LENGTH) != len) return Status.BAD_LENGTH;
  if (fnv1a(p + CHECKSUM_FROM, len - CHECKSUM_FROM) != load<u32>(p + H_CHECKSUM)) return Status.BAD_CHECKSUM;
  const st = readDirectory(p, len);
  if (st != Status.OK) return st;
  return validateSections();
}

function readDirectory(p: usize, len: u32): i32 {
  memory.fill(secStart, 0, 64);
  memory.fill(secLen, 0, 64);
  const count = load<u32>(p + H_SECTION_COUNT);
  if (count > 64) return Status.BAD_SECTION;
  const dirEnd = HEADER_SIZE + count * SECTION_ENTRY_SIZE;
  if (dirEnd > len) return Status.BAD_SECTION;
  for (let i: u32 = 0; i < count; i++) {
    const e = p + HEADER_SIZE + i * SECTION_ENTRY_SIZE;
    const id = load<u32>(e), off = load<u32>(e, 4), n = load<u32>(e, 8);
    if ((off & 3) != 0 || off < dirEnd || off > len || n > len - off) return Status.BAD_SECTION;
    if (id == 0 || id >= 16) continue; // unknown sections of a newer minor version are skipped
    if (load<u32>(secLen + (<usize>id << 2)) != 0 || load<u32>(secStart + (<usize>id << 2)) != 0) return Status.BAD_SECTION;
    store<u32>(secStart + (<usize>id << 2), <u32>(p + off));
    store<u32>(secLen + (<usize>id << 2), n);
  }
  return Status.OK;
}

/** Reads the leading count of a counted section and checks `count × size` fits after `skip`. */
function counted(id: i32, size: u32, skip: u32): i64 {
  const n = slen(id);
  if (n == 0) return 0;
  if (n < 4) return -1;
  const c = load<u32>(start(id));
  if (<u64>c * size + skip > <u64>n) return -1;
  return c;
}

// @ts-ignore: decorator
@inline function sidOk(s: u32): bool { return s < nStrings; }
// @ts-ignore: decorator
@inline function sidOrNone(s: u32): bool { return s == NONE || s < nStrings; }
// @ts-ignore: decorator
@inline function idxOrNone(i: u32, count: u32): bool { return i == NONE || i < count; }
// @ts-ignore: decorator
@inline function rangeOk(s: u32, n: u32, count: u32): bool { return s <= count && n <= count - s; }

function sidList(s: u32, n: u32): bool {
  if (!rangeOk(s, n, nLists)) return false;
  for (let i: u32 = 0; i < n; i++) if (!sidOk(load<u32>(listBase + (<usize>(s + i) << 2)))) return false;
  return true;
}

function validateSections(): i32 {
  // STRINGS
  let c = counted(Section.STRINGS, 8, 4);
  if (c < 0) return Status.BAD_SECTION;
  nStrings = <u32>c;
  strIndex = start(Section.STRINGS) + 4;
  strBlob = strIndex + (<usize>nStrings << 3);
  blobLen = slen(Section.STRINGS) - 4 - nStrings * 8;
  for (let s: u32 = 0; s < nStrings; s++) {
    const o = load<u32>(strIndex + (<usize>s << 3)), n = load<u32>(strIndex + (<usize>s << 3), 4);
    if (o > blobLen || n > blobLen - o) return Status.BAD_RECORD;
  }
  if (nStrings <= <u32>WellKnown.DEFAULT) return Status.BAD_RECORD; // well-known sids must exist

  c = counted(Section.CODE, 0, 0);
  codeBase = start(Section.CODE); codeLen = slen(Section.CODE);

  c = counted(Section.CONSTS, CELL_SIZE, 16);
  if (c < 0) return Status.BAD_SECTION;
  nConsts = <u32>c; constBase = start(Section.CONSTS) + 16;

  c = counted(Section.EXPRS, EXPR_SIZE, 4);
  if (c < 0) return Status.BAD_SECTION;
  nExprs = <u32>c; exprBase = start(Section.EXPRS) + 4;

  c = counted(Section.VARS, VAR_SIZE, 4);
  if (c < 0) return Status.BAD_SECTION;
  nVars = <u32>c; varBase = start(Section.VARS) + 4;

  c = counted(Section.PARAMS, PARAMS_SIZE, 4);
  if (c < 0) return Status.BAD_SECTION;
  nParams = <u32>c; paramsBase = start(Section.PARAMS) + 4;

  c = counted(Section.CONDS, COND_SIZE, 8);
  if (c < 0) return Status.BAD_SECTION;
  nConds = <u32>c; condBase = start(Section.CONDS) + 4;
  nChildren = 0; childBase = condBase + <usize>nConds * COND_SIZE + 4;
  if (slen(Section.CONDS) != 0) {
    nChildren = load<u32>(childBase - 4);
    if (<u64>nConds * COND_SIZE + 8 + <u64>nChildren * 4 > <u64>slen(Section.CONDS)) return Status.BAD_SECTION;
  }

  c = counted(Section.ROWS, ROW_SIZE, 4);
  if (c < 0) return Status.BAD_SECTION;
  nRows = <u32>c; rowBase = start(Section.ROWS) + 4;

  c = counted(Section.DROLES, DROLE_SIZE, 4);
  if (c < 0) return Status.BAD_SECTION;
  nDroles = <u32>c; droleBase = start(Section.DROLES) + 4;

  c = counted(Section.LISTS, 4, 4);
  if (c < 0) return Status.BAD_SECTION;
  nLists = <u32>c; listBase = start(Section.LISTS) + 4;

  c = counted(Section.SCOPES, SCOPE_SIZE, 4);
  if (c < 0) return Status.BAD_SECTION;
  nScopes = <u32>c; scopeBase = start(Section.SCOPES) + 4;

  c = counted(Section.PARENT_ROLES, PROLE_SIZE, 4);
  if (c < 0) return Status.BAD_SECTION;
  nProles = <u32>c; proleBase = start(Section.PARENT_ROLES) + 4;

  if (!attrsOk()) return Status.BAD_SECTION;
  if (!metaOk()) return Status.BAD_SECTION;

  if (!constsOk()) return Status.BAD_RECORD;
  for (let i: u32 = 0; i < nExprs; i++) {
    const r = exprBase + <usize>i * EXPR_SIZE;
    const o = load<u32>(r + EX_CODE_OFFSET), n = load<u32>(r + EX_CODE_LENGTH);
    if (o > codeLen || n > codeLen - o || n == 0) return Status.BAD_RECORD;
    if (!sidOrNone(load<u32>(r + EX_SOURCE))) return Status.BAD_RECORD;
    if (!validateCode(codeBase + o, n, nConsts, nVars, nStrings)) return Status.BAD_RECORD;
  }
  for (let i: u32 = 0; i < nVars; i++) {
    const r = varBase + <usize>i * VAR_SIZE;
    if (!sidOk(load<u32>(r + VA_NAME)) || load<u32>(r + VA_EXPR) >= nExprs) return Status.BAD_RECORD;
  }
  for (let i: u32 = 0; i < nParams; i++) {
    const r = paramsBase + <usize>i * PARAMS_SIZE;
    if (!rangeOk(load<u32>(r + PA_VAR_START), load<u32>(r + PA_VAR_COUNT), nVars)) return Status.BAD_RECORD;
  }
  if (!condsOk()) return Status.BAD_RECORD;
  if (!rowsOk()) return Status.BAD_RECORD;
  for (let i: u32 = 0; i < nDroles; i++) {
    const r = droleBase + <usize>i * DROLE_SIZE;
    if (!sidOk(load<u32>(r + DR_RESOURCE)) || !sidOk(load<u32>(r + DR_VERSION)) ||
        !sidOk(load<u32>(r + DR_SCOPE)) || !sidOk(load<u32>(r + DR_NAME)) ||
        !sidList(load<u32>(r + DR_PARENTS_START), load<u32>(r + DR_PARENTS_COUNT)) ||
        !idxOrNone(load<u32>(r + DR_CONDITION), nConds) || !idxOrNone(load<u32>(r + DR_PARAMS), nParams)) return Status.BAD_RECORD;
  }
  for (let i: u32 = 0; i < nScopes; i++) {
    const r = scopeBase + <usize>i * SCOPE_SIZE;
    if (!sidOk(load<u32>(r + SC_SCOPE)) || load<u32>(r + SC_PERMISSIONS) > 2) return Status.BAD_RECORD;
  }
  for (let i: u32 = 0; i < nProles; i++) {
    const r = proleBase + <usize>i * PROLE_SIZE;
    if (!sidOk(load<u32>(r + PR_SCOPE)) || !sidOk(load<u32>(r + PR_ROLE)) ||
        !sidList(load<u32>(r + PR_PARENTS_START), load<u32>(r + PR_PARENTS_COUNT))) return Status.BAD_RECORD;
  }
  return Status.OK;
}

function rowsOk(): bool {
  evalKeys = 0;
  for (let i: u32 = 0; i < nRows; i++) {
    const r = rowBase + <usize>i * ROW_SIZE;
    const kind = <u32>load<u8>(r + RW_KIND);
    if (kind < 1 || kind > 2 || <u32>load<u8>(r + RW_EFFECT) > 2 || <u32>load<u8>(r + RW_SCOPE_PERMISSIONS) > 2) return false;
    if (!sidOrNone(load<u32>(r + RW_VERSION)) || !sidOrNone(load<u32>(r + RW_RESOURCE)) ||
        !sidOk(load<u32>(r + RW_SCOPE)) || !sidOrNone(load<u32>(r + RW_ROLE)) ||
        !sidOrNone(load<u32>(r + RW_ACTION)) || !sidOrNone(load<u32>(r + RW_PRINCIPAL)) ||
        !sidOk(load<u32>(r + RW_POLICY)) || !sidOrNone(load<u32>(r + RW_NAME)) ||
        !sidOrNone(load<u32>(r + RW_OUTPUT_SRC)) || !sidOrNone(load<u32>(r + RW_DERIVED_ROLE))) return false;
    if (!idxOrNone(load<u32>(r + RW_CONDITION), nConds) || !idxOrNone(load<u32>(r + RW_DR_CONDITION), nConds) ||
        !idxOrNone(load<u32>(r + RW_PARAMS), nParams) || !idxOrNone(load<u32>(r + RW_DR_PARAMS), nParams) ||
        !idxOrNone(load<u32>(r + RW_OUTPUT_ACTIVATED), nExprs) || !idxOrNone(load<u32>(r + RW_OUTPUT_NOT_MET), nExprs)) return false;
    const ek = load<u32>(r + RW_EVAL_KEY);
    if (ek != NONE) {
      // Keys are dense but may outnumber rows (a key can be allotted to a rule that yields no row);
      // the cap only bounds the cache the evaluator allocates for them.
      if (ek >= MAX_EVAL_KEYS) return false;
      if (ek + 1 > evalKeys) evalKeys = ek + 1;
    }
    const as = load<u32>(r + RW_ALLOW_START), an = load<u32>(r + RW_ALLOW_COUNT);
    if (an != 0 && !sidList(as, an)) return false;
  }
  return true;
}

// ---- conditions: indexes in range, no cycles, bounded depth ---------------------------------

let condState: usize = 0; // one byte per node: 0 unseen, 1 on the current path, 2 checked

function condsOk(): bool {
  for (let i: u32 = 0; i < nChildren; i++) if (load<u32>(childBase + (<usize>i << 2)) >= nConds) return false;
  for (let i: u32 = 0; i < nConds; i++) {
    const r = condBase + <usize>i * COND_SIZE;
    const k = load<u32>(r + CO_KIND), a = load<u32>(r + CO_A), b = load<u32>(r + CO_B);
    if (k == CondKind.EXPR) { if (a >= nExprs) return false; }
    else if (k == CondKind.ALL || k == CondKind.ANY || k == CondKind.NONE) { if (!rangeOk(a, b, nChildren)) return false; }
    else return false;
  }
  if (nConds == 0) return true;
  condState = halloc(nConds);
  if (condState == 0) return false;
  memory.fill(condState, 0, nConds);
  let ok = true;
  for (let i: u32 = 0; i < nConds && ok; i++) ok = condAcyclic(i, 0);
  hfree(condState);
  return ok;
}

function condAcyclic(n: u32, depth: i32): bool {
  const s = load<u8>(condState + n);
  if (s == 2) return true;
  if (s == 1 || depth > MAX_DEPTH) return false;
  store<u8>(condState + n, 1);
  const r = condBase + <usize>n * COND_SIZE;
  if (load<u32>(r + CO_KIND) != CondKind.EXPR) {
    const a = load<u32>(r + CO_A), b = load<u32>(r + CO_B);
    for (let i: u32 = 0; i < b; i++) {
      if (!condAcyclic(load<u32>(childBase + (<usize>(a + i) << 2)), depth + 1)) return false;
    }
  }
  store<u8>(condState + n, 2);
  return true;
}

// ---- constants: tags, references in range, acyclic, then relocation --------------------------

function constsOk(): bool {
  if (nConsts == 0) return true;
  for (let i: u32 = 0; i < nConsts; i++) {
    const cl = constBase + (<usize>i << 4);
    const t = <u32>load<u8>(cl);
    const a = load<u32>(cl + CL_A), b = load<u32>(cl + CL_B);
    if (load<u8>(cl, 1) != 0 || load<u16>(cl, 2) != 0) return false;
    if (t == Tag.STRING || t == Tag.BYTES) { if (!sidOk(b)) return false; }
    else if (t == Tag.LIST) { if (!rangeOk(b, a, nConsts)) return false; }
    else if (t == Tag.MAP) { if (a > 0x7fffffff || !rangeOk(b, a * 2, nConsts)) return false; }
    else if (t == Tag.DURATION || t == Tag.TIMESTAMP) {
      if (t == Tag.TIMESTAMP && a > 999999999) return false;
    } else if (t == Tag.TYPE) { if (a > <u32>Tag.ABSENT) return false; }
    else if (t > <u32>Tag.DOUBLE) return false; // ERROR, MESSAGE, ITER, ABSENT never appear as constants
  }
  condState = halloc(nConsts);
  if (condState == 0) return false;
  memory.fill(condState, 0, nConsts);
  let ok = true;
  for (let i: u32 = 0; i < nConsts && ok; i++) ok = constAcyclic(i, 0);
  hfree(condState);
  return ok;
}

function constAcyclic(n: u32, depth: i32): bool {
  const s = load<u8>(condState + n);
  if (s == 2) return true;
  if (s == 1 || depth > MAX_DEPTH) return false;
  store<u8>(condState + n, 1);
  const cl = constBase + (<usize>n << 4);
  const t = <u32>load<u8>(cl);
  if (t == Tag.LIST || t == Tag.MAP) {
    const a = load<u32>(cl + CL_A), b = load<u32>(cl + CL_B);
    const m = t == Tag.MAP ? a * 2 : a;
    for (let i: u32 = 0; i < m; i++) if (!constAcyclic(b + i, depth + 1)) return false;
  }
  store<u8>(condState + n, 2);
  return true;
}

/** Cell indexes → absolute pointers; STRING/BYTES cells get (length, pointer, sid). */
function relocateConsts(): void {
  for (let i: u32 = 0; i < nConsts; i++) {
    const cl = constBase + (<usize>i << 4);
    const t = <u32>load<u8>(cl);
    if (t == Tag.STRING || t == Tag.BYTES) {
      const sid = load<u32>(cl + CL_B);
      store<u32>(cl + CL_A, load<u32>(strIndex + (<usize>sid << 3), 4));
      store<u32>(cl + CL_B, <u32>(strBlob + <usize>load<u32>(strIndex + (<usize>sid << 3))));
      store<u32>(cl + CL_C, t == Tag.STRING ? sid : NONE);
    } else if (t == Tag.LIST || t == Tag.MAP) {
      store<u32>(cl + CL_B, <u32>(constBase + (<usize>load<u32>(cl + CL_B) << 4)));
      store<u32>(cl + CL_C, 0);
    }
  }
}

// ---- ATTRS and META: only bounds (the host reads ATTRS; META is reserved) --------------------

function attrsOk(): bool {
  const n = slen(Section.ATTRS);
  if (n == 0) return true;
  const p = start(Section.ATTRS);
  if (n < 12) return false;
  const pc = load<u32>(p, 4);
  if (<u64>pc * 4 + 12 > <u64>n) return false;
  for (let i: u32 = 0; i < pc; i++) if (!sidOk(load<u32>(p + 8 + (<usize>i << 2)))) return false;
  const q = p + 8 + (<usize>pc << 2);
  const rc = load<u32>(q);
  if (<u64>pc * 4 + <u64>rc * 4 + 12 > <u64>n) return false;
  for (let i: u32 = 0; i < rc; i++) if (!sidOk(load<u32>(q + 4 + (<usize>i << 2)))) return false;
  return true;
}

function metaOk(): bool {
  const c = counted(Section.META, 8, 4);
  if (c < 0) return false;
  const p = start(Section.META) + 4;
  for (let i: u32 = 0; i < <u32>c; i++) {
    if (!sidOk(load<u32>(p + (<usize>i << 3))) || load<u32>(p + (<usize>i << 3), 4) >= nConsts) return false;
  }
  return true;
}
