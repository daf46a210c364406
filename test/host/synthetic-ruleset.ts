// Builds a minimal ruleset with only the sections a host reads (STRINGS, ATTRS, EXPRS), so host
// code can be tested without the compiler. Not loadable by the real evaluator (no checksum/rows).
import { EXPR_SIZE, EX_SOURCE, HEADER_SIZE, MAGIC, SECTION_ENTRY_SIZE, Section } from "../../spec/format.ts";

export interface SyntheticRuleset {
  strings: string[];
  attrs?: { flags: number; principal: string[]; resource: string[] };
  exprSources?: string[];
}

export function buildSyntheticRuleset(spec: SyntheticRuleset): Uint8Array {
  const enc = new TextEncoder();
  const strings = [...spec.strings];
  const sid = (s: string): number => {
    let i = strings.indexOf(s);
    if (i < 0) i = strings.push(s) - 1;
    return i;
  };
  const attrWords = spec.attrs
    ? [spec.attrs.flags, spec.attrs.principal.length, ...spec.attrs.principal.map(sid), spec.attrs.resource.length, ...spec.attrs.resource.map(sid)]
    : undefined;
  const exprSids = (spec.exprSources ?? []).map(sid);

  const blobs = strings.map((s) => enc.encode(s));
  const blobLen = blobs.reduce((n, b) => n + b.length, 0);
  const stringsLen = align4(4 + strings.length * 8 + blobLen);
  const sections: Array<{ id: number; bytes: Uint8Array }> = [];
  {
    const b = new Uint8Array(stringsLen);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, strings.length, true);
    let off = 0;
    blobs.forEach((s, i) => {
      dv.setUint32(4 + i * 8, off, true);
      dv.setUint32(8 + i * 8, s.length, true);
      b.set(s, 4 + strings.length * 8 + off);
      off += s.length;
    });
    sections.push({ id: Section.STRINGS, bytes: b });
  }
  if (attrWords) sections.push({ id: Section.ATTRS, bytes: words(attrWords) });
  {
    const b = new Uint8Array(4 + exprSids.length * EXPR_SIZE);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, exprSids.length, true);
    exprSids.forEach((s, i) => dv.setUint32(4 + i * EXPR_SIZE + EX_SOURCE, s, true));
    sections.push({ id: Section.EXPRS, bytes: b });
  }

  const dirLen = HEADER_SIZE + sections.length * SECTION_ENTRY_SIZE;
  const total = sections.reduce((n, s) => n + s.bytes.length, dirLen);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint16(4, 1, true);
  dv.setUint32(8, total, true);
  dv.setUint32(20, sections.length, true);
  let off = dirLen;
  sections.forEach((s, i) => {
    const e = HEADER_SIZE + i * SECTION_ENTRY_SIZE;
    dv.setUint32(e, s.id, true);
    dv.setUint32(e + 4, off, true);
    dv.setUint32(e + 8, s.bytes.length, true);
    out.set(s.bytes, off);
    off += s.bytes.length;
  });
  return out;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function words(ws: number[]): Uint8Array {
  const b = new Uint8Array(ws.length * 4);
  const dv = new DataView(b.buffer);
  ws.forEach((w, i) => dv.setUint32(i * 4, w, true));
  return b;
}
