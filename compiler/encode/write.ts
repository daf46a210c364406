// Serialises a RulesetBuilder: header, section directory, then every section 4-byte aligned,
// in Section id order, followed by the FNV-1a checksum of everything after the checksum field.
import {
  AttrFlag,
  CHECKSUM_FROM,
  COND_SIZE,
  CELL_SIZE,
  DROLE_SIZE,
  EXPR_SIZE,
  FNV_OFFSET,
  FNV_PRIME,
  FORMAT_MAJOR,
  FORMAT_MINOR,
  HEADER_SIZE,
  H_CHECKSUM,
  H_FLAGS,
  H_LENGTH,
  H_MAGIC,
  H_MAJOR,
  H_MINOR,
  H_SECTION_COUNT,
  MAGIC,
  PARAMS_SIZE,
  PROLE_SIZE,
  ROW_SIZE,
  SCOPE_SIZE,
  SECTION_ENTRY_SIZE,
  Section,
  VAR_SIZE,
  INTEGRITY_SIZE,
  RW_KIND, RW_EFFECT, RW_SCOPE_PERMISSIONS, RW_FLAGS, RW_VERSION, RW_RESOURCE, RW_SCOPE, RW_ROLE,
  RW_ACTION, RW_PRINCIPAL, RW_CONDITION, RW_DR_CONDITION, RW_PARAMS, RW_DR_PARAMS, RW_POLICY, RW_NAME,
  RW_OUTPUT_SRC, RW_DERIVED_ROLE, RW_OUTPUT_ACTIVATED, RW_OUTPUT_NOT_MET, RW_EVAL_KEY, RW_ALLOW_START,
  RW_ALLOW_COUNT,
  DR_RESOURCE, DR_VERSION, DR_SCOPE, DR_NAME, DR_PARENTS_START, DR_PARENTS_COUNT, DR_CONDITION, DR_PARAMS,
  SC_SCOPE, SC_FLAGS, SC_PERMISSIONS, PR_SCOPE, PR_ROLE, PR_PARENTS_START, PR_PARENTS_COUNT,
  EX_CODE_OFFSET, EX_CODE_LENGTH, EX_SOURCE, EX_MAX_STACK, EX_LOCALS, VA_NAME, VA_EXPR,
  PA_VAR_START, PA_VAR_COUNT, CO_KIND, CO_A, CO_B,
} from "../../spec/format.ts";
import type { RulesetBuilder } from "./tables.ts";

/** A little-endian byte sink that grows as needed. */
class Sink {
  buf = new Uint8Array(1024);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  u32(v: number): void {
    this.ensure(4);
    new DataView(this.buf.buffer).setUint32(this.len, v >>> 0, true);
    this.len += 4;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
  }
  align4(): void {
    this.zeros((4 - (this.len % 4)) % 4);
  }
  /** A fixed-size record: `fields` are [offset, value, width] triples. */
  record(size: number, fields: Array<[number, number, 1 | 2 | 4]>): void {
    this.ensure(size);
    const dv = new DataView(this.buf.buffer);
    this.buf.fill(0, this.len, this.len + size);
    for (const [off, v, w] of fields) {
      if (w === 1) dv.setUint8(this.len + off, v);
      else if (w === 2) dv.setUint16(this.len + off, v, true);
      else dv.setUint32(this.len + off, v >>> 0, true);
    }
    this.len += size;
  }
  out(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function fnv1a(bytes: Uint8Array, from: number): number {
  let h = FNV_OFFSET;
  for (let i = from; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h >>> 0;
}

export function fnv1aChecksum(bytes: Uint8Array): number {
  return fnv1a(bytes, CHECKSUM_FROM);
}

function sectionBody(id: Section, b: RulesetBuilder): Uint8Array {
  const s = new Sink();
  switch (id) {
    case Section.STRINGS: {
      s.u32(b.strings.length);
      let off = 0;
      for (const str of b.strings) {
        s.u32(off);
        s.u32(str.length);
        off += str.length;
      }
      for (const str of b.strings) s.bytes(str);
      break;
    }
    case Section.CONSTS:
      s.u32(b.cells.length);
      s.zeros(12);
      for (const c of b.cells) s.bytes(c);
      break;
    case Section.CODE:
      for (const c of b.codeChunks) s.bytes(c);
      break;
    case Section.EXPRS:
      s.u32(b.exprs.length);
      for (const e of b.exprs) {
        s.record(EXPR_SIZE, [
          [EX_CODE_OFFSET, e.codeOffset, 4],
          [EX_CODE_LENGTH, e.codeLength, 4],
          [EX_SOURCE, e.source, 4],
          [EX_MAX_STACK, e.maxStack, 2],
          [EX_LOCALS, e.locals, 2],
        ]);
      }
      break;
    case Section.VARS:
      s.u32(b.vars.length);
      for (const v of b.vars) s.record(VAR_SIZE, [[VA_NAME, v.name, 4], [VA_EXPR, v.expr, 4]]);
      break;
    case Section.PARAMS:
      s.u32(b.params.length);
      for (const p of b.params) s.record(PARAMS_SIZE, [[PA_VAR_START, p.start, 4], [PA_VAR_COUNT, p.count, 4]]);
      break;
    case Section.CONDS:
      s.u32(b.condNodes.length);
      for (const n of b.condNodes) s.record(COND_SIZE, [[CO_KIND, n.kind, 4], [CO_A, n.a, 4], [CO_B, n.b, 4]]);
      s.u32(b.condChildren.length);
      for (const c of b.condChildren) s.u32(c);
      break;
    case Section.ROWS:
      s.u32(b.rows.length);
      for (const r of b.rows) {
        s.record(ROW_SIZE, [
          [RW_KIND, r.kind, 1], [RW_EFFECT, r.effect, 1], [RW_SCOPE_PERMISSIONS, r.scopePermissions, 1],
          [RW_FLAGS, r.flags, 1], [RW_VERSION, r.version, 4], [RW_RESOURCE, r.resource, 4],
          [RW_SCOPE, r.scope, 4], [RW_ROLE, r.role, 4], [RW_ACTION, r.action, 4],
          [RW_PRINCIPAL, r.principal, 4], [RW_CONDITION, r.condition, 4], [RW_DR_CONDITION, r.drCondition, 4],
          [RW_PARAMS, r.params, 4], [RW_DR_PARAMS, r.drParams, 4], [RW_POLICY, r.policy, 4],
          [RW_NAME, r.name, 4], [RW_OUTPUT_SRC, r.outputSrc, 4], [RW_DERIVED_ROLE, r.derivedRole, 4],
          [RW_OUTPUT_ACTIVATED, r.outputActivated, 4], [RW_OUTPUT_NOT_MET, r.outputNotMet, 4],
          [RW_EVAL_KEY, r.evalKey, 4], [RW_ALLOW_START, r.allowStart, 4], [RW_ALLOW_COUNT, r.allowCount, 4],
        ]);
      }
      break;
    case Section.DROLES:
      s.u32(b.droles.length);
      for (const d of b.droles) {
        s.record(DROLE_SIZE, [
          [DR_RESOURCE, d.resource, 4], [DR_VERSION, d.version, 4], [DR_SCOPE, d.scope, 4], [DR_NAME, d.name, 4],
          [DR_PARENTS_START, d.parentsStart, 4], [DR_PARENTS_COUNT, d.parentsCount, 4],
          [DR_CONDITION, d.condition, 4], [DR_PARAMS, d.params, 4],
        ]);
      }
      break;
    case Section.LISTS:
      s.u32(b.lists.length);
      for (const x of b.lists) s.u32(x);
      break;
    case Section.SCOPES:
      s.u32(b.scopes.length);
      for (const x of b.scopes) {
        s.record(SCOPE_SIZE, [[SC_SCOPE, x.scope, 4], [SC_FLAGS, x.flags, 4], [SC_PERMISSIONS, x.permissions, 4]]);
      }
      break;
    case Section.PARENT_ROLES:
      s.u32(b.proles.length);
      for (const x of b.proles) {
        s.record(PROLE_SIZE, [
          [PR_SCOPE, x.scope, 4], [PR_ROLE, x.role, 4], [PR_PARENTS_START, x.parentsStart, 4],
          [PR_PARENTS_COUNT, x.parentsCount, 4],
        ]);
      }
      break;
    case Section.ATTRS: {
      const flags =
        (b.allPrincipalAttrs ? AttrFlag.ALL_PRINCIPAL : 0) |
        (b.allResourceAttrs ? AttrFlag.ALL_RESOURCE : 0) |
        (b.auxData ? AttrFlag.AUX_DATA : 0);
      s.u32(flags);
      const p = [...b.principalAttrs].sort().map((k) => b.intern(k));
      const r = [...b.resourceAttrs].sort().map((k) => b.intern(k));
      s.u32(p.length);
      p.forEach((x) => s.u32(x));
      s.u32(r.length);
      r.forEach((x) => s.u32(x));
      break;
    }
    case Section.GLOBS: {
      const globs = [...b.globs].sort((x, y) => x[0] - y[0]);
      s.u32(globs.length);
      for (const [sid, cell] of globs) {
        s.u32(sid);
        s.u32(cell);
      }
      break;
    }
  }
  s.align4();
  return s.out();
}

/** A host-only JSON section: byte length u32, UTF-8 JSON, zero padding to 4 bytes. */
function jsonSection(value: unknown): Uint8Array {
  const s = new Sink();
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  s.u32(bytes.length);
  s.bytes(bytes);
  s.align4();
  return s.out();
}

/** All sections, in id order. ATTRS interns its keys, so it is built before STRINGS is written. */
const BASE_ORDER: Section[] = [
  Section.STRINGS, Section.CONSTS, Section.CODE, Section.EXPRS, Section.VARS, Section.PARAMS,
  Section.CONDS, Section.ROWS, Section.DROLES, Section.LISTS, Section.SCOPES, Section.PARENT_ROLES,
  Section.ATTRS, Section.GLOBS,
];

/** `schemas`: the SCHEMAS section's JSON (compiler/schemas.ts), when any schema applies.
 *  `integrity`: append the trailing INTEGRITY section (zeroed here; compiler/encode/integrity.ts
 *  fills the digest and the checksum). */
export function writeRuleset(b: RulesetBuilder, flags = 0, integrity = false, schemas?: unknown): Uint8Array {
  // ATTRS interns keys: serialise it first so STRINGS is complete when written.
  const attrs = sectionBody(Section.ATTRS, b);
  const ORDER: Section[] = [...BASE_ORDER];
  if (schemas !== undefined) ORDER.push(Section.SCHEMAS);
  if (integrity) ORDER.push(Section.INTEGRITY);
  const bodies = ORDER.map((id) =>
    id === Section.ATTRS ? attrs
    : id === Section.INTEGRITY ? new Uint8Array(INTEGRITY_SIZE)
    : id === Section.SCHEMAS ? jsonSection(schemas)
    : sectionBody(id, b),
  );
  void CELL_SIZE;

  const dirEnd = HEADER_SIZE + ORDER.length * SECTION_ENTRY_SIZE;
  let offset = dirEnd + ((4 - (dirEnd % 4)) % 4);
  const offsets: number[] = [];
  for (const body of bodies) {
    offsets.push(offset);
    offset += body.length;
  }
  const total = offset;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(H_MAGIC, MAGIC, true);
  dv.setUint16(H_MAJOR, FORMAT_MAJOR, true);
  dv.setUint16(H_MINOR, FORMAT_MINOR, true);
  dv.setUint32(H_LENGTH, total, true);
  dv.setUint32(H_FLAGS, flags, true);
  dv.setUint32(H_SECTION_COUNT, ORDER.length, true);
  ORDER.forEach((id, i) => {
    const e = HEADER_SIZE + i * SECTION_ENTRY_SIZE;
    dv.setUint32(e, id, true);
    dv.setUint32(e + 4, offsets[i], true);
    dv.setUint32(e + 8, bodies[i].length, true);
    out.set(bodies[i], offsets[i]);
  });
  dv.setUint32(H_CHECKSUM, fnv1aChecksum(out), true);
  return out;
}
