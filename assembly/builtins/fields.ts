// Field access on the request messages (request, principal, resource, runtime, auxData) and the
// STRINGS lookup SELECT/HAS need. Message fields resolve by proto name and JSON name as in Cerbos;
// unset fields read as their proto default ("" / empty list / empty map).
import {
  Tag, Message, CelError, NONE, ROOT_GLOBALS,
  PB_ID, PB_VERSION, PB_SCOPE, PB_ROLES, PB_ATTR, PB_SIZE,
  RS_KIND, RS_ID, RS_VERSION, RS_SCOPE, RS_ATTR, RS_SIZE,
  RQ_AUX_DATA, RQ_SIZE, CF_GLOBALS, CF_SIZE,
} from "../../spec/format";
import { stringCount, stringIndex, stringBlob } from "../ruleset";
import { requestPtr, principalPtr, resourcePtr, runtimeEdrCell, configPtr } from "../context";
import { setCell, setPtr, setErrWith, setErr, setErrCode, copyCell, tagOf, cA, cP, memOk, payloadOk, mapFind, overBudget } from "../value";
import { bytesEq, eqWord } from "../strings";

// Field names as bytes (AS string literals would be UTF-16 objects in the data segment); the
// short ones are compared as u64 words (eqWord).
const T_PRINCIPAL = memory.data<u8>([0x70, 0x72, 0x69, 0x6e, 0x63, 0x69, 0x70, 0x61, 0x6c]); // "principal"
const T_POLICY_VERSION = memory.data<u8>([0x70, 0x6f, 0x6c, 0x69, 0x63, 0x79, 0x56, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e]); // "policyVersion"
const T_POLICY_VERSION_ = memory.data<u8>([0x70, 0x6f, 0x6c, 0x69, 0x63, 0x79, 0x5f, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e]); // "policy_version"
const T_EFFECTIVE_DERIVED_ROLES = memory.data<u8>([0x65, 0x66, 0x66, 0x65, 0x63, 0x74, 0x69, 0x76, 0x65, 0x44, 0x65, 0x72, 0x69, 0x76, 0x65, 0x64, 0x52, 0x6f, 0x6c, 0x65, 0x73]); // "effectiveDerivedRoles"
const T_EFFECTIVE_DERIVED_ROLES_ = memory.data<u8>([0x65, 0x66, 0x66, 0x65, 0x63, 0x74, 0x69, 0x76, 0x65, 0x5f, 0x64, 0x65, 0x72, 0x69, 0x76, 0x65, 0x64, 0x5f, 0x72, 0x6f, 0x6c, 0x65, 0x73]); // "effective_derived_roles"

/** Writes the STRING cell of ruleset string `sid` (interned: B high = sid). False if sid is bad. */
export function sidCell(c: usize, sid: u32): bool {
  if (sid >= stringCount) return false;
  const e = stringIndex + (<usize>sid << 3);
  setCell(c, Tag.STRING, load<u32>(e, 4), (<u64>sid << 32) | <u64>(<u32>(stringBlob + <usize>load<u32>(e))));
  return true;
}

/** LOAD_ROOT: the MESSAGE cell of root m, or the globals map. False for an unknown root. */
export function loadRoot(c: usize, m: u32): bool {
  if (m == ROOT_GLOBALS) {
    if (configPtr != 0 && memOk(configPtr, CF_SIZE) && tagOf(configPtr + CF_GLOBALS) == Tag.MAP) copyCell(c, configPtr + CF_GLOBALS);
    else setPtr(c, Tag.MAP, 0, 0);
    return true;
  }
  let p: usize = 0;
  if (m == Message.REQUEST) p = requestPtr;
  else if (m == Message.PRINCIPAL) p = principalPtr;
  else if (m == Message.RESOURCE) p = resourcePtr;
  else if (m == Message.RUNTIME) p = runtimeEdrCell;
  else if (m == Message.AUX_DATA) p = auxCell();
  else return false;
  setPtr(c, Tag.MESSAGE, m, p);
  return true;
}

function auxCell(): usize {
  if (requestPtr == 0 || !memOk(requestPtr, RQ_SIZE)) return 0;
  return <usize>load<u32>(requestPtr, RQ_AUX_DATA);
}

// Field kinds, for defaults and has().
const F_STRING: i32 = 1;
const F_LIST: i32 = 2;
const F_MAP: i32 = 3;
const F_MSG: i32 = 4;

/** Copies block cell `p` (or the default of `kind` when unset, out of memory, or the wrong type). */
function fieldCell(out: usize, p: usize, kind: i32): void {
  const want = kind == F_STRING ? Tag.STRING : kind == F_LIST ? Tag.LIST : Tag.MAP;
  if (p != 0 && memOk(p, 16) && tagOf(p) == want && payloadOk(p)) copyCell(out, p);
  else if (kind == F_STRING) setPtr(out, Tag.STRING, 0, 0);
  else setPtr(out, want, 0, 0);
}

/** Resolves field `name` of message `obj` into `out`. Returns the field kind, or 0 when the
 *  message has no such field (out untouched), or -1 when reading it is an error (out set). */
function messageField(obj: usize, np: usize, nn: u32, out: usize): i32 {
  const m = cA(obj);
  const b = cP(obj);
  if (m == Message.PRINCIPAL || m == Message.RESOURCE) {
    const ok = b != 0 && memOk(b, m == Message.PRINCIPAL ? PB_SIZE : RS_SIZE);
    let off: i32 = -1, kind = F_STRING;
    if (eqWord(np, nn, 0x6469 /* "id" */)) off = m == Message.PRINCIPAL ? PB_ID : RS_ID;
    else if (eqWord(np, nn, 0x72747461 /* "attr" */)) { off = m == Message.PRINCIPAL ? PB_ATTR : RS_ATTR; kind = F_MAP; }
    else if (bytesEq(np, nn, T_POLICY_VERSION, 13) || bytesEq(np, nn, T_POLICY_VERSION_, 14)) off = m == Message.PRINCIPAL ? PB_VERSION : RS_VERSION;
    else if (eqWord(np, nn, 0x65706f6373 /* "scope" */)) off = m == Message.PRINCIPAL ? PB_SCOPE : RS_SCOPE;
    else if (m == Message.PRINCIPAL && eqWord(np, nn, 0x73656c6f72 /* "roles" */)) { off = PB_ROLES; kind = F_LIST; }
    else if (m == Message.RESOURCE && eqWord(np, nn, 0x646e696b /* "kind" */)) off = RS_KIND;
    if (off < 0) return 0;
    fieldCell(out, ok ? b + <usize>off : 0, kind);
    return kind;
  }
  if (m == Message.REQUEST) {
    if (bytesEq(np, nn, T_PRINCIPAL, 9)) { setPtr(out, Tag.MESSAGE, Message.PRINCIPAL, principalPtr); return F_MSG; }
    if (eqWord(np, nn, 0x656372756f736572 /* "resource" */)) { setPtr(out, Tag.MESSAGE, Message.RESOURCE, resourcePtr); return F_MSG; }
    if (eqWord(np, nn, 0x61746144787561 /* "auxData" */) || eqWord(np, nn, 0x617461645f787561 /* "aux_data" */)) { setPtr(out, Tag.MESSAGE, Message.AUX_DATA, auxCell()); return F_MSG; }
    return 0;
  }
  if (m == Message.AUX_DATA) {
    // The request's auxData cell is a map {jwt: claims, jwts: {name: {claims}}} holding only the
    // parts the request has; an absent part reads as the proto default, an empty map.
    if (!eqWord(np, nn, 0x74776a /* "jwt" */) && !eqWord(np, nn, 0x7374776a /* "jwts" */)) return 0;
    let v: usize = 0;
    if (b != 0 && memOk(b, 16) && tagOf(b) == Tag.MAP) {
      v = mapFind(b, keyScratch); // selectOp put the field name there
      if (v == usize.MAX_VALUE) v = 0;
    }
    fieldCell(out, v, F_MAP);
    return F_MAP;
  }
  if (m == Message.RUNTIME) {
    if (!(bytesEq(np, nn, T_EFFECTIVE_DERIVED_ROLES, 21) || bytesEq(np, nn, T_EFFECTIVE_DERIVED_ROLES_, 23))) return 0;
    if (b == 0) { setErrCode(out, CelError.DERIVED_ROLES_FAILED); return -1; }
    fieldCell(out, b, F_LIST);
    return F_LIST;
  }
  return 0;
}

const keyScratch: usize = memory.data(16);
const fieldTmp: usize = memory.data(16);

/** SELECT sid on the cell at c (in place). Returns false for a bad sid. */
export function selectOp(c: usize, sid: u32, has: bool): bool {
  if (!sidCell(keyScratch, sid)) return false;
  const t = tagOf(c);
  if (t == Tag.ERROR) return true; // has()/select of an error is that error
  if (t == Tag.MAP) {
    const v = mapFind(c, keyScratch);
    if (v == usize.MAX_VALUE) overBudget(c);
    else if (has) setCell(c, Tag.BOOL, 0, v != 0 ? 1 : 0);
    else if (v != 0) copyCell(c, v);
    else setErrWith(c, CelError.NO_SUCH_KEY, keyScratch);
    return true;
  }
  if (t == Tag.MESSAGE) {
    const np = cP(keyScratch), nn = cA(keyScratch);
    const tmp = fieldTmp;
    const k = messageField(c, np, nn, tmp);
    if (k == 0) { setErrWith(c, CelError.NO_SUCH_FIELD, keyScratch); return true; }
    if (!has || k < 0) { copyCell(c, tmp); return true; }
    // proto3 presence: a scalar or container field is "set" when it is not its default.
    let present = true;
    if (k == F_MSG) present = cP(tmp) != 0;
    else present = cA(tmp) != 0;
    setCell(c, Tag.BOOL, 0, present ? 1 : 0);
    return true;
  }
  setErrWith(c, CelError.NO_SUCH_FIELD, keyScratch);
  return true;
}
