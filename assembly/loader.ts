// Validates a ruleset completely before anything of it is used, then relocates its constants and
// publishes its sections through ruleset.ts. Every record, index and offset is checked against
// the section it points into, so the decision procedure and the VM can read the ruleset without
// bounds checks. A bad ruleset yields a Status and leaves the previous ruleset in service.
//
// Record checks are table-driven (FIELDS below, walked by one checker): a hand-written check per
// field cost ~3.7 KB of wasm; the table and its walker cost a fraction (docs/size.md).
import { halloc, hfree } from "./heap";
import {
  MAGIC, FORMAT_MAJOR, HEADER_SIZE, H_MAGIC, H_MAJOR, H_LENGTH, H_CHECKSUM, H_SECTION_COUNT,
  CHECKSUM_FROM, SECTION_ENTRY_SIZE, NONE, Section, Status, Tag, CL_A, CL_B, CL_C,
  EX_CODE_OFFSET, EX_SOURCE, VA_NAME, VA_EXPR, PA_VAR_START, COND_SIZE, CO_KIND, CondKind,
  RW_KIND, RW_VERSION, RW_RESOURCE, RW_SCOPE, RW_ROLE,
  RW_ACTION, RW_PRINCIPAL, RW_CONDITION, RW_DR_CONDITION, RW_PARAMS, RW_DR_PARAMS, RW_POLICY,
  RW_NAME, RW_OUTPUT_SRC, RW_DERIVED_ROLE, RW_OUTPUT_ACTIVATED, RW_OUTPUT_NOT_MET, RW_EVAL_KEY,
  RW_ALLOW_START, DR_RESOURCE, DR_VERSION, DR_SCOPE, DR_NAME,
  DR_PARENTS_START, DR_CONDITION, DR_PARAMS, SC_SCOPE, SC_PERMISSIONS,
  PR_SCOPE, PR_ROLE, PR_PARENTS_START, WellKnown,
} from "../spec/format";
import { inMemory, fnv1a, buildStringHash, builtHashMask } from "./reader";
import { setSections, setStringHash, stringHash } from "./ruleset";
import { validateCode } from "./codecheck";
import { regexOk } from "./regex";
import { allocWork, commitWork, dropWork } from "./evaluate";

/** Largest nesting of conditions or constant values we accept (evaluation recurses on both). */
const MAX_DEPTH: i32 = 64;
/** Largest evaluation key + 1 we accept (one cache byte each). */
const MAX_EVAL_KEYS: u32 = 1 << 22;

// Per section id (u32 slots, filled per load attempt): absolute start and length from the
// directory (0 length = absent), then record count and first record once sized. Slot 0 (no
// section has id 0) holds the CONDS children array, so the table can point into it.
const SEC = memory.data(64 * 4);
const secStart = SEC, secLen = SEC + 64, secCount = SEC + 128, secBase = SEC + 192;
// @ts-ignore: decorator
@inline function slot(a: usize, id: u32): usize { return a + (<usize>id << 2); }
function start(id: u32): usize { return <usize>load<u32>(slot(secStart, id)); }
function slen(id: u32): u32 { return load<u32>(slot(secLen, id)); }
function cnt(id: u32): u32 { return load<u32>(slot(secCount, id)); }
function base(id: u32): usize { return <usize>load<u32>(slot(secBase, id)); }

/** Record size per section id (0: not a counted record section, or sized by hand). Slot 0: children. */
const REC_SIZE = memory.data<u8>([4, 8, 16, 0, 16, 8, 8, 12, 80, 32, 4, 12, 16, 0, 8, 0]);

let codeBase: usize = 0, codeLen: u32 = 0;
let evalKeys: u32 = 0;

/** The ruleset block currently in service and whether we own (must free) it. */
let liveBase: usize = 0;
let liveOwned = false;

export function loadRuleset(p: usize, len: u32, owned: bool): i32 {
  const st = validate(p, len);
  if (st != Status.OK) return st;
  const nStrings = cnt(Section.STRINGS), strIndex = base(Section.STRINGS);
  const strBlob = strIndex + (<usize>nStrings << 3);
  // Allocate everything before touching shared state, so running out of memory changes nothing.
  const hash = buildStringHash(nStrings, strIndex, strBlob);
  if (hash == 0) return Status.OUT_OF_MEMORY;
  const hashMask = builtHashMask;
  if (!allocWork(cnt(Section.VARS), evalKeys, cnt(Section.PARAMS), cnt(Section.EXPRS))) { hfree(hash); return Status.OUT_OF_MEMORY; }
  relocateConsts(strIndex, strBlob);
  const oldHash = stringHash;
  setStringHash(hash, hashMask);
  if (oldHash != 0) hfree(oldHash);
  setSections(p, len, nStrings, strIndex, strBlob, cnt(Section.CONSTS), base(Section.CONSTS), codeBase, codeLen,
    cnt(Section.EXPRS), base(Section.EXPRS), cnt(Section.VARS), base(Section.VARS),
    cnt(Section.PARAMS), base(Section.PARAMS), cnt(Section.CONDS), base(Section.CONDS), cnt(0), base(0),
    cnt(Section.ROWS), base(Section.ROWS), cnt(Section.DROLES), base(Section.DROLES),
    cnt(Section.LISTS), base(Section.LISTS), cnt(Section.SCOPES), base(Section.SCOPES),
    cnt(Section.PARENT_ROLES), base(Section.PARENT_ROLES), evalKeys, cnt(Section.GLOBS), base(Section.GLOBS));
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
  if (!readDirectory(p, len)) return Status.BAD_SECTION;
  return validateSections();
}

function readDirectory(p: usize, len: u32): bool {
  memory.fill(secStart, 0, 64 * 4);
  const count = load<u32>(p + H_SECTION_COUNT);
  if (count > 64) return false;
  const dirEnd = HEADER_SIZE + count * SECTION_ENTRY_SIZE;
  if (dirEnd > len) return false;
  for (let i: u32 = 0; i < count; i++) {
    const e = p + HEADER_SIZE + i * SECTION_ENTRY_SIZE;
    const id = load<u32>(e), off = load<u32>(e, 4), n = load<u32>(e, 8);
    if ((off & 3) != 0 || off < dirEnd || off > len || n > len - off) return false;
    if (id == 0 || id >= 16) continue; // unknown sections of a newer minor version are skipped
    if (slen(id) != 0 || start(id) != 0) return false;
    store<u32>(slot(secStart, id), <u32>(p + off));
    store<u32>(slot(secLen, id), n);
  }
  return true;
}

/** Sizes a counted section: its leading count must leave room for `count × size + skip` bytes.
 *  Records start after the count (CONSTS: after 12 more zero bytes). False: BAD_SECTION. */
function sized(id: u32, skip: u32): bool {
  const n = slen(id);
  let c: u32 = 0;
  if (n != 0) {
    if (n < 4) return false;
    c = load<u32>(start(id));
    if (<u64>c * <u64>load<u8>(REC_SIZE + id) + <u64>skip > <u64>n) return false;
  }
  store<u32>(slot(secCount, id), c);
  store<u32>(slot(secBase, id), <u32>(start(id) + (id == Section.CONSTS ? 16 : 4)));
  return true;
}

// ---- the field table --------------------------------------------------------------------------
// Per record section: section id, field count, then per field (byte offset, kind << 4 | argument).
// IDX/IDX_NONE/RANGE take a section id as argument (STRINGS: a sid; 0: the CONDS children).
const IDX: u8 = 0;      // u32 < count(arg)
const IDX_NONE: u8 = 1; // NONE or u32 < count(arg)
const RANGE: u8 = 2;    // (start, count) pair inside section arg
const SIDS: u8 = 3;     // (start, count) run of LISTS, every item a sid
const SIDS_OPT: u8 = 4; // as SIDS, but a zero count needs no valid start
const MAX: u8 = 5;      // u32 <= arg
const CODE: u8 = 6;     // (offset, length > 0) inside CODE and valid bytecode
const COND: u8 = 7;     // CONDS node: EXPR → expression; ALL/ANY/NONE → children run
const ROW_HEAD: u8 = 8; // rule row kind 1..2, effect and scope permissions 0..2
const EVAL_KEY: u8 = 9; // NONE or < MAX_EVAL_KEYS; tracks the largest
const S = <u8>Section.STRINGS;
const FIELDS = memory.data<u8>([
  0, 1, 0, IDX << 4 | <u8>Section.CONDS,
  <u8>Section.CONDS, 1, <u8>CO_KIND, COND << 4 | 0,
  <u8>Section.EXPRS, 2, <u8>EX_CODE_OFFSET, CODE << 4 | 0, <u8>EX_SOURCE, IDX_NONE << 4 | S,
  <u8>Section.VARS, 2, <u8>VA_NAME, IDX << 4 | S, <u8>VA_EXPR, IDX << 4 | <u8>Section.EXPRS,
  <u8>Section.PARAMS, 1, <u8>PA_VAR_START, RANGE << 4 | <u8>Section.VARS,
  <u8>Section.ROWS, 19, <u8>RW_KIND, ROW_HEAD << 4 | 0,
  <u8>RW_VERSION, IDX_NONE << 4 | S, <u8>RW_RESOURCE, IDX_NONE << 4 | S, <u8>RW_SCOPE, IDX << 4 | S, <u8>RW_ROLE, IDX_NONE << 4 | S,
  <u8>RW_ACTION, IDX_NONE << 4 | S, <u8>RW_PRINCIPAL, IDX_NONE << 4 | S, <u8>RW_POLICY, IDX << 4 | S, <u8>RW_NAME, IDX_NONE << 4 | S,
  <u8>RW_OUTPUT_SRC, IDX_NONE << 4 | S, <u8>RW_DERIVED_ROLE, IDX_NONE << 4 | S,
  <u8>RW_CONDITION, IDX_NONE << 4 | <u8>Section.CONDS, <u8>RW_DR_CONDITION, IDX_NONE << 4 | <u8>Section.CONDS,
  <u8>RW_PARAMS, IDX_NONE << 4 | <u8>Section.PARAMS, <u8>RW_DR_PARAMS, IDX_NONE << 4 | <u8>Section.PARAMS,
  <u8>RW_OUTPUT_ACTIVATED, IDX_NONE << 4 | <u8>Section.EXPRS, <u8>RW_OUTPUT_NOT_MET, IDX_NONE << 4 | <u8>Section.EXPRS,
  <u8>RW_EVAL_KEY, EVAL_KEY << 4 | 0, <u8>RW_ALLOW_START, SIDS_OPT << 4 | 0,
  <u8>Section.DROLES, 7, <u8>DR_RESOURCE, IDX << 4 | S, <u8>DR_VERSION, IDX << 4 | S, <u8>DR_SCOPE, IDX << 4 | S, <u8>DR_NAME, IDX << 4 | S,
  <u8>DR_PARENTS_START, SIDS << 4 | 0, <u8>DR_CONDITION, IDX_NONE << 4 | <u8>Section.CONDS, <u8>DR_PARAMS, IDX_NONE << 4 | <u8>Section.PARAMS,
  <u8>Section.SCOPES, 2, <u8>SC_SCOPE, IDX << 4 | S, <u8>SC_PERMISSIONS, MAX << 4 | 2,
  <u8>Section.PARENT_ROLES, 3, <u8>PR_SCOPE, IDX << 4 | S, <u8>PR_ROLE, IDX << 4 | S, <u8>PR_PARENTS_START, SIDS << 4 | 0,
  255,
]);
/** STRINGS (offset, length) pairs lie inside the blob, whose length sits in the count slot of
 *  INTEGRITY (a section the evaluator never reads, so the slot is free). */
const STRING_FIELDS = memory.data<u8>([<u8>Section.STRINGS, 1, 0, RANGE << 4 | <u8>Section.INTEGRITY, 255]);
/** GLOBS is checked with the section sizes: a bad entry there is BAD_SECTION. (That its cell is a
 *  REGEX is checked where it is used: anything else matches nothing.) */
const GLOB_FIELDS = memory.data<u8>([<u8>Section.GLOBS, 2, 0, IDX << 4 | S, 4, IDX << 4 | <u8>Section.CONSTS, 255]);

function rangeOk(s: u32, n: u32, count: u32): bool { return s <= count && n <= count - s; }

function sidList(s: u32, n: u32): bool {
  if (!rangeOk(s, n, cnt(Section.LISTS))) return false;
  const lists = base(Section.LISTS), ns = cnt(Section.STRINGS);
  for (let i: u32 = 0; i < n; i++) if (load<u32>(lists + (<usize>(s + i) << 2)) >= ns) return false;
  return true;
}

function fieldOk(kind: u32, arg: u32, f: usize): bool {
  // Only kinds over a pair read the second word: a lone field may end the ruleset (and memory).
  const v = load<u32>(f);
  if (kind == IDX_NONE) return v == NONE || v < cnt(arg);
  if (kind == IDX) return v < cnt(arg);
  if (kind == RANGE) return rangeOk(v, load<u32>(f, 4), cnt(arg));
  if (kind == SIDS || kind == SIDS_OPT) {
    const w = load<u32>(f, 4);
    return (kind == SIDS_OPT && w == 0) || sidList(v, w);
  }
  if (kind == MAX) return v <= arg;
  if (kind == CODE) {
    const w = load<u32>(f, 4);
    return v <= codeLen && w <= codeLen - v && w != 0 &&
      validateCode(codeBase + v, w, cnt(Section.CONSTS), cnt(Section.VARS), cnt(Section.STRINGS));
  }
  if (kind == COND) {
    const a = load<u32>(f, 4);
    if (v == CondKind.EXPR) return a < cnt(Section.EXPRS);
    return v - <u32>CondKind.ALL <= <u32>(CondKind.NONE - CondKind.ALL) && rangeOk(a, load<u32>(f, 8), cnt(0));
  }
  if (kind == ROW_HEAD) return (v & 0xff) - 1 <= 1 && (v >> 8 & 0xff) <= 2 && (v >> 16 & 0xff) <= 2;
  // EVAL_KEY: keys are dense but may outnumber rows (a key can be allotted to a rule that yields
  // no row); the cap only bounds the cache the evaluator allocates for them.
  if (v == NONE) return true;
  if (v >= MAX_EVAL_KEYS) return false;
  if (v + 1 > evalKeys) evalKeys = v + 1;
  return true;
}

/** Walks FIELDS blocks from `t` up to the 255 terminator over every record of each section. */
function recordsOk(t: usize): bool {
  while (true) {
    const id = <u32>load<u8>(t);
    if (id == 255) return true;
    const nf = <usize>load<u8>(t, 1), size = <usize>load<u8>(REC_SIZE + id);
    const n = cnt(id);
    let r = base(id);
    for (let i: u32 = 0; i < n; i++, r += size) {
      for (let e = t + 2; e < t + 2 + nf * 2; e += 2) {
        const k = <u32>load<u8>(e, 1);
        if (!fieldOk(k >> 4, k & 15, r + load<u8>(e))) return false;
      }
    }
    t += 2 + nf * 2;
  }
}

function validateSections(): i32 {
  // STRINGS first: a bad string offset is BAD_RECORD even when a later section is also mis-sized.
  if (!sized(Section.STRINGS, 4)) return Status.BAD_SECTION;
  const nStrings = cnt(Section.STRINGS);
  store<u32>(slot(secCount, Section.INTEGRITY), slen(Section.STRINGS) - 4 - nStrings * 8); // blob length
  if (!recordsOk(STRING_FIELDS) || nStrings <= <u32>WellKnown.DEFAULT) return Status.BAD_RECORD; // well-known sids must exist

  codeBase = start(Section.CODE); codeLen = slen(Section.CODE);
  for (let id: u32 = Section.CONSTS; id < 16; id++) {
    if (load<u8>(REC_SIZE + id) != 0 &&
        !sized(id, id == Section.CONSTS ? 16 : id == Section.CONDS ? 8 : 4)) return Status.BAD_SECTION;
  }
  const nConds = cnt(Section.CONDS);
  let nChildren: u32 = 0;
  const childBase = base(Section.CONDS) + <usize>nConds * COND_SIZE + 4;
  if (slen(Section.CONDS) != 0) {
    nChildren = load<u32>(childBase - 4);
    if (<u64>nConds * COND_SIZE + 8 + <u64>nChildren * 4 > <u64>slen(Section.CONDS)) return Status.BAD_SECTION;
  }
  store<u32>(slot(secCount, 0), nChildren);
  store<u32>(slot(secBase, 0), <u32>childBase);

  if (!attrsOk() || !recordsOk(GLOB_FIELDS)) return Status.BAD_SECTION;

  evalKeys = 0;
  if (!constsOk() || !recordsOk(FIELDS) || !acyclic(false)) return Status.BAD_RECORD;
  return Status.OK;
}

// ---- conditions and constants: no cycles, bounded depth ----------------------------------------

let seen: usize = 0; // one byte per node: 0 unseen, 1 on the current path, 2 checked

/** Depth-first over every CONDS node (consts = false) or CONSTS cell (true); indexes are valid. */
function acyclic(consts: bool): bool {
  const n = cnt(consts ? Section.CONSTS : Section.CONDS);
  if (n == 0) return true;
  seen = halloc(n);
  if (seen == 0) return false;
  memory.fill(seen, 0, n);
  let ok = true;
  for (let i: u32 = 0; i < n && ok; i++) ok = visit(i, 0, consts);
  hfree(seen);
  return ok;
}

function visit(n: u32, depth: i32, consts: bool): bool {
  const s = load<u8>(seen + n);
  if (s == 2) return true;
  if (s == 1 || depth > MAX_DEPTH) return false;
  store<u8>(seen + n, 1);
  // Children: CONSTS LIST/MAP items are cells first..first+m; CONDS group children come from
  // the children array at a..a+b.
  let first: u32 = 0, m: u32 = 0;
  if (consts) {
    const cl = base(Section.CONSTS) + (<usize>n << 4);
    const t = <u32>load<u8>(cl);
    if (t == Tag.LIST || t == Tag.MAP) {
      first = load<u32>(cl + CL_B);
      m = load<u32>(cl + CL_A);
      if (t == Tag.MAP) m *= 2;
    }
  } else {
    const r = base(Section.CONDS) + <usize>n * COND_SIZE;
    if (load<u32>(r) != CondKind.EXPR) { first = load<u32>(r, 4); m = load<u32>(r, 8); }
  }
  for (let i: u32 = 0; i < m; i++) {
    const c = consts ? first + i : load<u32>(base(0) + (<usize>(first + i) << 2));
    if (!visit(c, depth + 1, consts)) return false;
  }
  store<u8>(seen + n, 2);
  return true;
}

// ---- constants: tags, references in range, acyclic, then relocation --------------------------

function constsOk(): bool {
  const nConsts = cnt(Section.CONSTS), cb = base(Section.CONSTS);
  for (let i: u32 = 0; i < nConsts; i++) {
    const cl = cb + (<usize>i << 4);
    const t = <u32>load<u8>(cl);
    const a = load<u32>(cl + CL_A), b = load<u32>(cl + CL_B);
    // Byte 1 is always zero; bytes 2–3 only hold a TIMESTAMP's zone offset (minutes, < 24 h).
    const off = <i32>load<i16>(cl, 2);
    if (load<u8>(cl, 1) != 0 || (off != 0 && (t != Tag.TIMESTAMP || off <= -1440 || off >= 1440))) return false;
    if (t == Tag.STRING || t == Tag.BYTES) { if (b >= cnt(Section.STRINGS)) return false; }
    else if (t == Tag.LIST) { if (!rangeOk(b, a, nConsts)) return false; }
    else if (t == Tag.MAP) { if (a > 0x7fffffff || !rangeOk(b, a * 2, nConsts)) return false; }
    else if (t == Tag.REGEX) { if (!regexAt(b)) return false; }
    else if (t == Tag.DURATION || t == Tag.TIMESTAMP) {
      if (t == Tag.TIMESTAMP && a > 999999999) return false;
    } else if (t == Tag.TYPE) { if (a > <u32>Tag.ABSENT) return false; }
    else if (t > <u32>Tag.DOUBLE) return false; // ERROR, MESSAGE, ITER, ABSENT never appear as constants
  }
  return acyclic(true);
}

/** STRINGS entry sid (already checked to lie inside the blob) holds a valid regex program. */
function regexAt(sid: u32): bool {
  const ns = cnt(Section.STRINGS), ix = base(Section.STRINGS);
  if (sid >= ns) return false;
  const e = ix + (<usize>sid << 3);
  return regexOk(ix + (<usize>ns << 3) + load<u32>(e), load<u32>(e, 4));
}

/** Cell indexes → absolute pointers; STRING/BYTES cells get (length, pointer, sid). */
function relocateConsts(strIndex: usize, strBlob: usize): void {
  const nConsts = cnt(Section.CONSTS), cb = base(Section.CONSTS);
  for (let i: u32 = 0; i < nConsts; i++) {
    const cl = cb + (<usize>i << 4);
    const t = <u32>load<u8>(cl);
    if (t == Tag.STRING || t == Tag.BYTES || t == Tag.REGEX) {
      const sid = load<u32>(cl + CL_B);
      store<u32>(cl + CL_A, load<u32>(strIndex + (<usize>sid << 3), 4));
      store<u32>(cl + CL_B, <u32>(strBlob + <usize>load<u32>(strIndex + (<usize>sid << 3))));
      store<u32>(cl + CL_C, t == Tag.STRING ? sid : NONE);
    } else if (t == Tag.LIST || t == Tag.MAP) {
      store<u32>(cl + CL_B, <u32>(cb + (<usize>load<u32>(cl + CL_B) << 4)));
      store<u32>(cl + CL_C, 0);
    }
  }
}

// ---- ATTRS: only bounds and sids (the host reads it) -------------------------------------------

function attrsOk(): bool {
  const n = slen(Section.ATTRS);
  if (n == 0) return true;
  const p = start(Section.ATTRS);
  if (n < 12) return false;
  const pc = load<u32>(p, 4);
  if (<u64>pc * 4 + 12 > <u64>n) return false;
  const q = p + 8 + (<usize>pc << 2);
  const rc = load<u32>(q);
  if (<u64>pc * 4 + <u64>rc * 4 + 12 > <u64>n) return false;
  // The two key lists are sid runs, checked like a LISTS run but in place.
  return sidsIn(p + 8, pc) && sidsIn(q + 4, rc);
}

function sidsIn(p: usize, n: u32): bool {
  const ns = cnt(Section.STRINGS);
  for (let i: u32 = 0; i < n; i++) if (load<u32>(p + (<usize>i << 2)) >= ns) return false;
  return true;
}
