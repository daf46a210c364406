// The evaluator's ABI (docs/format.md "ABI"): memory management for the host, ruleset loading,
// engine configuration and checks. Nothing the host passes can make it trap: every pointer and
// length is checked against linear memory, and every failure is a Status.
import { halloc, hfree } from "./heap";
import {
  ABI_MAJOR, ABI_MINOR, Status, Tag, CF_SIZE, CF_FLAGS, CF_DEFAULT_VERSION, CF_DEFAULT_SCOPE,
  CF_GLOBALS, CL_A, CL_B, RQ_SIZE, RQ_RESOURCE_COUNT, RQ_PRINCIPAL, RQ_RESOURCES, RQ_AUX_DATA, RQ_REJECTED,
  PB_SIZE, RS_SIZE, CELL_SIZE, DECIDE_NOW_READ,
} from "../spec/format";
import { inMemory } from "./reader";
import { loadRuleset } from "./loader";
import { rsBase, exprCount } from "./ruleset";
import { setConfig, setRequest, nowRead, setNowRead } from "./context";
import { arenaReset } from "./arena";
import { evalExpr } from "./vm";
import { scanRowsOnLoad } from "./query";
import { resetCaches } from "./evaluate";
import {
  setDecideConfig, responseVec, beginRequest, decideResource, outOfMemory, clearOutOfMemory, setEffectsOnly,
} from "./decide";
import { vecPtr, vecLen, vecClear, vecFailed, clearVecFailed, vecAt } from "./response";

export function abi_version(): u32 {
  return (ABI_MAJOR << 16) | ABI_MINOR;
}

// ---- host memory -------------------------------------------------------------------------
// Blocks handed out by alloc are remembered so free/load can tell them from arbitrary pointers
// (freeing a pointer the allocator never returned would corrupt the heap).

const MAX_BLOCKS: i32 = 4096;
const blocks = memory.data(MAX_BLOCKS * 4);
let blockCount: i32 = 0;
/** Largest single allocation we accept (256 MiB): beyond that the heap would trap growing. */
const MAX_ALLOC: usize = 256 << 20;

function findBlock(p: usize): i32 {
  for (let i = 0; i < blockCount; i++) if (<usize>load<u32>(blocks + (<usize>i << 2)) == p) return i;
  return -1;
}
function forgetBlock(i: i32): void {
  blockCount--;
  store<u32>(blocks + (<usize>i << 2), load<u32>(blocks + (<usize>blockCount << 2)));
}

export function alloc(n: u32): usize {
  if (<usize>n > MAX_ALLOC || blockCount >= MAX_BLOCKS) return 0;
  const p = halloc(n == 0 ? 1 : <usize>n);
  store<u32>(blocks + (<usize>(blockCount++) << 2), <u32>p);
  return p;
}

export function free(p: usize): void {
  const i = findBlock(p);
  if (i < 0 || p == rsBase) return; // unknown pointer, or the ruleset in service (owned by us)
  forgetBlock(i);
  hfree(p);
}

// ---- ruleset -----------------------------------------------------------------------------

/** Validates and takes the ruleset at [ptr, ptr+len). On OK the block belongs to the evaluator
 *  (the previous ruleset's block is freed); on failure nothing changes. */
function loadAbi(ptr: usize, len: u32): i32 {
  const i = findBlock(ptr);
  const st = loadRuleset(ptr, len, i >= 0);
  if (st != Status.OK) return st;
  if (i >= 0) forgetBlock(i); // now ours: a later free(ptr) from the host is ignored
  scanRowsOnLoad();
  return Status.OK;
}

// `load` would shadow the memory builtin inside this file, hence the alias.
export { loadAbi as load };

// ---- configuration -----------------------------------------------------------------------

/** Our copy of the configuration block; the globals cell still points into host memory, which
 *  the host keeps allocated until the next configure. */
const config = memory.data(CF_SIZE);

function stringCellOk(c: usize): bool {
  const t = <u32>load<u8>(c);
  if (t != Tag.STRING) return false;
  const n = load<u32>(c + CL_A);
  return n == 0 || inMemory(<usize>load<u32>(c + CL_B), n);
}

export function configure(ptr: usize): i32 {
  if (!inMemory(ptr, CF_SIZE)) return Status.BAD_CONFIG;
  const v = ptr + CF_DEFAULT_VERSION, s = ptr + CF_DEFAULT_SCOPE, g = ptr + CF_GLOBALS;
  if (!stringCellOk(v) || !stringCellOk(s)) return Status.BAD_CONFIG;
  const gt = <u32>load<u8>(g);
  if (gt != Tag.MAP && gt != Tag.NULL) return Status.BAD_CONFIG;
  if (gt == Tag.MAP && load<u32>(g + CL_A) != 0 && !inMemory(<usize>load<u32>(g + CL_B), <usize>load<u32>(g + CL_A) << 5)) {
    return Status.BAD_CONFIG;
  }
  memory.copy(config, ptr, CF_SIZE);
  setConfig(config);
  setDecideConfig(load<u32>(ptr + CF_FLAGS),
    <usize>load<u32>(v + CL_B), load<u32>(v + CL_A), <usize>load<u32>(s + CL_B), load<u32>(s + CL_A));
  return Status.OK;
}

// ---- checks ------------------------------------------------------------------------------

/** At most this many resources per request (Cerbos's own default limit is 50). */
const MAX_RESOURCES: u32 = 1 << 16;

/** 1 when an expression of the last `check` read the clock (now(), timeSince()). */
export function now_read(): u32 { return nowRead ? 1 : 0; }

export function check(req: usize): i32 {
  const out = responseVec();
  vecClear(out);
  if (rsBase == 0) return Status.NO_RULESET;
  if (!inMemory(req, RQ_SIZE)) return Status.BAD_REQUEST;
  const n = load<u32>(req + RQ_RESOURCE_COUNT);
  const prin = <usize>load<u32>(req + RQ_PRINCIPAL);
  const res = <usize>load<u32>(req + RQ_RESOURCES);
  const aux = <usize>load<u32>(req + RQ_AUX_DATA);
  if (n > MAX_RESOURCES || !inMemory(prin, PB_SIZE)) return Status.BAD_REQUEST;
  if (n > 0 && !inMemory(res, <usize>n * RS_SIZE)) return Status.BAD_REQUEST;
  if (aux != 0 && !inMemory(aux, CELL_SIZE)) return Status.BAD_REQUEST;
  const rej = <usize>load<u32>(req + RQ_REJECTED);
  if (rej != 0 && !inMemory(rej, n)) return Status.BAD_REQUEST;
  arenaReset(); // the previous response's values die here, not before
  setNowRead(false);
  clearVecFailed();
  clearOutOfMemory();
  lastRequest = req;
  beginRequest(req);
  for (let i: u32 = 0; i < n; i++) decideResource(res + <usize>i * RS_SIZE, rej != 0 && load<u8>(rej + i) != 0);
  if (vecFailed || outOfMemory) { vecClear(out); return Status.OUT_OF_MEMORY; }
  return Status.OK;
}

/** `check` for hosts that read effects only (isAllowed, decisions-only batches): the same decision
 *  procedure without policy keys, outputs and per-resource lists; per resource the response is the
 *  action count and the action words. Returns the first action's effect (0 when there is none)
 *  | DECIDE_NOW_READ when the clock was read, or −Status: one boundary crossing per decision. */
export function decide(req: usize): i32 {
  setEffectsOnly(true);
  const st = check(req);
  setEffectsOnly(false);
  if (st != Status.OK) return -st;
  const out = responseVec();
  return <i32>((vecLen(out) > 1 ? vecAt(out, 1) : 0) | (nowRead ? DECIDE_NOW_READ : 0));
}

export function out_ptr(): usize {
  return vecPtr(responseVec());
}

/** Response length in bytes. */
export function out_len(): u32 {
  return vecLen(responseVec()) << 2;
}

// ---- tests -------------------------------------------------------------------------------

let lastRequest: usize = 0;
/** A request with an empty principal and one empty resource, for eval_expr before any check. */
const emptyRequest = memory.data(RQ_SIZE + PB_SIZE + RS_SIZE);

/** Evaluates EXPRS[i] against the last checked request (its first resource) or an empty one;
 *  returns the result cell's address (0 without a ruleset or for a bad index). */
export function eval_expr(i: u32): usize {
  if (rsBase == 0 || i >= exprCount) return 0;
  let req = lastRequest;
  if (req == 0 || !inMemory(req, RQ_SIZE)) {
    req = emptyRequest;
    store<u32>(req + RQ_PRINCIPAL, <u32>(req + RQ_SIZE));
    store<u32>(req + RQ_RESOURCES, <u32>(req + RQ_SIZE + PB_SIZE));
    store<u32>(req + RQ_RESOURCE_COUNT, 1);
  }
  const prin = <usize>load<u32>(req + RQ_PRINCIPAL);
  const res = <usize>load<u32>(req + RQ_RESOURCES);
  arenaReset();
  resetCaches();
  setRequest(req, inMemory(prin, PB_SIZE) ? prin : 0, inMemory(res, RS_SIZE) ? res : 0);
  return evalExpr(i);
}
