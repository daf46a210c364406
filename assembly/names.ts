// String helpers for the decision procedure that mirror Cerbos's namer package: request strings
// read from cells, scope normalisation, resource/principal name sanitising and policy keys.
// Results are (pointer, length) pairs left in `sp`/`sn` or written into the arena.
import { Tag, NONE, CL_A, CL_B, RESP_STRING_CELL } from "../spec/format";
import { inMemory, findSid } from "./reader";
import { arenaAlloc } from "./arena";

/** Last string read by cellStr / produced by a builder. */
export let sp: usize = 0;
export let sn: u32 = 0;

/** Reads a STRING cell into (sp, sn); anything else (or an unreadable payload) reads as "". */
export function cellStr(c: usize): void {
  sp = 0; sn = 0;
  if (c == 0 || !inMemory(c, 16) || load<u8>(c) != <u8>Tag.STRING) return;
  const n = load<u32>(c + CL_A);
  const p = <usize>load<u32>(c + CL_B);
  if (n == 0 || !inMemory(p, n)) return;
  sp = p; sn = n;
}

/** Cerbos's evaluator.Scope: empty means the configured default; a leading '.' is dropped. */
export function scopeValue(c: usize, defPtr: usize, defLen: u32): void {
  cellStr(c);
  if (sn == 0) { sp = defPtr; sn = defLen; }
  if (sn > 0 && load<u8>(sp) == 0x2e) { sp++; sn--; }
}

function isAlpha(c: u32): bool { return (c >= 65 && c <= 90) || (c >= 97 && c <= 122); }
export function isWord(c: u32): bool { return isAlpha(c) || (c >= 48 && c <= 57) || c == 95; }

/** namer's pre-0.30 name pattern: ^[alpha][word@.\-/]*(:[alpha][word@.\-/]*)*$ */
function oldNamePattern(p: usize, n: u32): bool {
  let segStart = true;
  if (n == 0) return false;
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(p + i);
    if (segStart) { if (!isAlpha(c)) return false; segStart = false; continue; }
    if (c == 58) { segStart = true; continue; }
    if (!(isWord(c) || c == 64 || c == 46 || c == 45 || c == 47)) return false;
  }
  return !segStart;
}

/** Writes sanitize(name) at dst (which has room for n bytes) and returns its length: names that
 *  match the old pattern get every run of characters outside [A-Za-z0-9_.] replaced by one '_'. */
export function sanitizeInto(dst: usize, p: usize, n: u32): u32 {
  if (!oldNamePattern(p, n)) { memory.copy(dst, p, n); return n; }
  let o: u32 = 0;
  let inRun = false;
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(p + i);
    if (isWord(c) || c == 46) { store<u8>(dst + o++, <u8>c); inRun = false; }
    else if (!inRun) { store<u8>(dst + o++, 95); inRun = true; }
  }
  return o;
}

/** Sanitised copy of (p, n) in the arena → (sp, sn); false when the arena is exhausted. */
export function sanitized(p: usize, n: u32): bool {
  const d: usize = n == 0 ? 0 : arenaAlloc(n);
  if (n != 0 && d == 0) return false;
  sn = n == 0 ? 0 : sanitizeInto(d, p, n);
  sp = d;
  return true;
}

/** Response word flag: the word is not a sid but the address of a STRING cell (see spec). */
export const STRING_CELL_FLAG: u32 = RESP_STRING_CELL;

/** Policy key "<prefix>.<sanitised name>.v<sanitised version>[/<scope>]" as a response word:
 *  its sid when STRINGS has it, else STRING_CELL_FLAG | address of an arena STRING cell.
 *  Returns NONE when the arena is exhausted. */
export function policyKeyWord(prefix: usize, prefixLen: u32, np: usize, nn: u32, vp: usize, vn: u32, scopeSid: u32, scp: usize, scn: u32): u32 {
  const total = prefixLen + 1 + nn + 2 + vn + 1 + scn;
  const d = arenaAlloc(total + 16);
  if (d == 0) return NONE;
  const cell = d;
  const b = d + 16;
  memory.copy(b, prefix, prefixLen);
  let o = prefixLen;
  store<u8>(b + o++, 0x2e);
  o += sanitizeInto(b + o, np, nn);
  store<u8>(b + o++, 0x2e);
  store<u8>(b + o++, 0x76);
  o += sanitizeInto(b + o, vp, vn);
  if (scn > 0) {
    store<u8>(b + o++, 0x2f);
    memory.copy(b + o, scp, scn);
    o += scn;
  }
  const sid = findSid(b, o);
  if (sid != NONE) return sid;
  store<u32>(cell, Tag.STRING);
  store<u32>(cell + CL_A, o);
  store<u32>(cell + CL_B, <u32>b);
  store<u32>(cell + 12, NONE);
  return STRING_CELL_FLAG | <u32>cell;
}
