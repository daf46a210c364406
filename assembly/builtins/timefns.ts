// Timestamp/duration getters, now() and timeSince(). now comes from the REQUEST block so every
// expression of one check sees the same instant (Cerbos fixes it per request).
import { Tag, Builtin, CelError, RQ_NOW_SECONDS, RQ_NOW_NANOS, RQ_SIZE } from "../../spec/format";
import { tagOf, cA, cI, cP, setErr, setErrCode, payloadOk, memOk, noOverload } from "../value";
import { requestPtr, setNowRead } from "../context";
import { hostZone } from "../host";
import { tsGet, durGet, parseOffset, setTs, tsDiff } from "./time";

let nowS: i64 = 0;
let nowN: i64 = 0;
function readNow(): void {
  setNowRead(true);
  if (requestPtr != 0 && memOk(requestPtr, RQ_SIZE)) {
    nowS = load<i64>(requestPtr, RQ_NOW_SECONDS);
    nowN = <i64>load<u32>(requestPtr, RQ_NOW_NANOS);
  } else { nowS = 0; nowN = 0; }
}

export function callTime(fn: u32, a: usize, argc: u32): bool {
  if (fn == Builtin.NOW) {
    if (argc != 0) return false;
    readNow();
    setTs(a, nowS, nowN);
    return true;
  }
  if (fn == Builtin.TIME_SINCE) {
    if (argc != 1) return false;
    if (tagOf(a) != Tag.TIMESTAMP) { noOverload(a); return true; }
    readNow();
    tsDiff(a, nowS, nowN, cI(a), <i64>cA(a));
    return true;
  }
  if (fn < <u32>Builtin.GET_FULL_YEAR || fn > <u32>Builtin.GET_MILLISECONDS) return false;
  const g = <i32>(fn - Builtin.GET_FULL_YEAR);
  const t = tagOf(a);
  if (t == Tag.DURATION && argc == 1) {
    if (!durGet(a, a, g)) noOverload(a);
    return true;
  }
  if (t != Tag.TIMESTAMP || argc > 2) { noOverload(a); return true; }
  let off: i64 = 0;
  if (argc == 2) {
    const z = a + 16;
    if (tagOf(z) != Tag.STRING || !payloadOk(z)) { noOverload(a); return true; }
    off = parseOffset(cP(z), cA(z));
    if (off == i64.MIN_VALUE) { // an IANA zone name: the host's tz database (Go's LoadLocation)
      const o = hostZone(cP(z), cA(z), <f64>cI(a));
      if (isNaN(o)) { setErrCode(a, CelError.INVALID_ARGUMENT); return true; }
      off = <i64>o;
    }
  }
  tsGet(a, cI(a), <i32>cA(a), off, g);
  return true;
}
