// What a host needs to know about a ruleset without understanding policies: its STRINGS (to
// intern request strings to sids, and to turn response sids back into text), the ATTRS section
// (which attribute keys to send at all) and the source text of each expression (for
// evaluationErrors). Everything else is the evaluator's business.
import {
  AttrFlag,
  EXPR_SIZE,
  EX_SOURCE,
  HEADER_SIZE,
  H_MAGIC,
  H_SECTION_COUNT,
  MAGIC,
  NONE,
  SECTION_ENTRY_SIZE,
  Section,
} from "../../spec/format.ts";
import { utf8 } from "./imports.ts";

export interface RulesetIndex {
  /** string → sid, for interning request strings. */
  sids: Map<string, number>;
  /** sid → string, for decoding responses. */
  strings: string[];
  /** sid → byte offset of its UTF-8 bytes inside the ruleset (add the load address for wasm). */
  offsets: Uint32Array;
  /** sid → UTF-8 byte length. */
  lengths: Uint32Array;
  attrFlags: number;
  /** Attribute keys some expression reads; undefined when the ruleset has no ATTRS section. */
  principalAttrs?: Set<string>;
  resourceAttrs?: Set<string>;
  /** Expression index → source sid (NONE when stripped or absent). */
  exprSources: Uint32Array;
}


function sectionDirectory(bytes: Uint8Array, dv: DataView): Map<number, { offset: number; length: number }> {
  if (bytes.length < HEADER_SIZE || dv.getUint32(H_MAGIC, true) !== MAGIC) {
    throw new Error("not a Verdict ruleset (bad magic)");
  }
  const count = dv.getUint32(H_SECTION_COUNT, true);
  if (HEADER_SIZE + count * SECTION_ENTRY_SIZE > bytes.length) throw new Error("corrupt ruleset: section directory");
  const dir = new Map<number, { offset: number; length: number }>();
  for (let i = 0; i < count; i++) {
    const e = HEADER_SIZE + i * SECTION_ENTRY_SIZE;
    const id = dv.getUint32(e, true);
    const offset = dv.getUint32(e + 4, true);
    const length = dv.getUint32(e + 8, true);
    if (offset + length > bytes.length) throw new Error(`corrupt ruleset: section ${id} out of bounds`);
    dir.set(id, { offset, length });
  }
  return dir;
}

/** Reads the host-relevant sections. Throws a clear Error on a malformed ruleset; full validation
 *  (checksum, records) is the evaluator's `load`. */
export function readRulesetIndex(bytes: Uint8Array): RulesetIndex {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dir = sectionDirectory(bytes, dv);

  const st = dir.get(Section.STRINGS);
  if (!st) throw new Error("corrupt ruleset: no STRINGS section");
  const count = dv.getUint32(st.offset, true);
  const blob = st.offset + 4 + count * 8;
  if (blob > st.offset + st.length) throw new Error("corrupt ruleset: STRINGS index");
  const strings = new Array<string>(count);
  const offsets = new Uint32Array(count);
  const lengths = new Uint32Array(count);
  const sids = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const off = dv.getUint32(st.offset + 4 + i * 8, true);
    const len = dv.getUint32(st.offset + 8 + i * 8, true);
    if (blob + off + len > st.offset + st.length) throw new Error(`corrupt ruleset: string ${i} out of bounds`);
    offsets[i] = blob + off;
    lengths[i] = len;
    const s = utf8.decode(bytes.subarray(blob + off, blob + off + len));
    strings[i] = s;
    // First sid wins: the compiler interns each string once, but be deterministic anyway.
    if (!sids.has(s)) sids.set(s, i);
  }

  let attrFlags = AttrFlag.ALL_PRINCIPAL | AttrFlag.ALL_RESOURCE | AttrFlag.AUX_DATA;
  let principalAttrs: Set<string> | undefined;
  let resourceAttrs: Set<string> | undefined;
  const at = dir.get(Section.ATTRS);
  if (at) {
    let p = at.offset;
    attrFlags = dv.getUint32(p, true);
    const readKeys = (): Set<string> => {
      const n = dv.getUint32(p, true);
      p += 4;
      const keys = new Set<string>();
      for (let i = 0; i < n; i++, p += 4) {
        const sid = dv.getUint32(p, true);
        if (sid < count) keys.add(strings[sid]!);
      }
      return keys;
    };
    p += 4;
    principalAttrs = readKeys();
    resourceAttrs = readKeys();
  }

  let exprSources = new Uint32Array(0);
  const ex = dir.get(Section.EXPRS);
  if (ex) {
    const n = dv.getUint32(ex.offset, true);
    exprSources = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const rec = ex.offset + 4 + i * EXPR_SIZE;
      exprSources[i] = rec + EXPR_SIZE <= ex.offset + ex.length ? dv.getUint32(rec + EX_SOURCE, true) : NONE;
    }
  }

  return { sids, strings, offsets, lengths, attrFlags, principalAttrs, resourceAttrs, exprSources };
}
