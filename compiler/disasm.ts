// Ruleset bytes → stable, human-readable text: header, every section, rows one per line with
// names resolved. Used by `verdict disasm` and by the golden tests, so output must not depend on
// anything but the bytes. Validates the container (magic, version, length, checksum, section
// bounds) and throws an Error with a clear message when the bytes are not a ruleset.
import {
  AttrFlag, CELL_SIZE, CHECKSUM_FROM, COND_SIZE, CondKind, DROLE_SIZE, Effect, EXPR_SIZE, FNV_OFFSET,
  FNV_PRIME, FORMAT_MAJOR, HEADER_SIZE, H_CHECKSUM, H_FLAGS, H_LENGTH, H_MAGIC, H_MAJOR, H_MINOR,
  H_SECTION_COUNT, MAGIC, NONE, PARAMS_SIZE, PROLE_SIZE, PolicyKind, ROW_SIZE, RowFlag, SCOPE_SIZE,
  SECTION_ENTRY_SIZE, ScopeFlag, ScopePermissions, Section, Tag, VAR_SIZE,
  RW_KIND, RW_EFFECT, RW_SCOPE_PERMISSIONS, RW_FLAGS, RW_VERSION, RW_RESOURCE, RW_SCOPE, RW_ROLE,
  RW_ACTION, RW_PRINCIPAL, RW_CONDITION, RW_DR_CONDITION, RW_PARAMS, RW_DR_PARAMS, RW_POLICY, RW_NAME,
  RW_OUTPUT_SRC, RW_DERIVED_ROLE, RW_OUTPUT_ACTIVATED, RW_OUTPUT_NOT_MET, RW_EVAL_KEY, RW_ALLOW_START,
  RW_ALLOW_COUNT,
  DR_RESOURCE, DR_VERSION, DR_SCOPE, DR_NAME, DR_PARENTS_START, DR_PARENTS_COUNT, DR_CONDITION, DR_PARAMS,
  SC_SCOPE, SC_FLAGS, SC_PERMISSIONS, PR_SCOPE, PR_ROLE, PR_PARENTS_START, PR_PARENTS_COUNT,
  EX_CODE_OFFSET, EX_CODE_LENGTH, EX_SOURCE, EX_MAX_STACK, EX_LOCALS, VA_NAME, VA_EXPR, PA_VAR_START,
  PA_VAR_COUNT, CO_KIND, CO_A, CO_B,
} from "../spec/format.ts";
import { disassembleCode } from "./cel/index.ts";
import { disassembleRegex } from "./cel/regex.ts";

const utf8 = new TextDecoder("utf-8", { fatal: false });

class Reader {
  readonly dv: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly base: number,
    readonly length: number,
    readonly name: string,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u32(off: number): number {
    if (off + 4 > this.length) throw new Error(`${this.name}: read past the end of the section (offset ${off})`);
    return this.dv.getUint32(this.base + off, true);
  }
  u16(off: number): number {
    if (off + 2 > this.length) throw new Error(`${this.name}: read past the end of the section (offset ${off})`);
    return this.dv.getUint16(this.base + off, true);
  }
  u8(off: number): number {
    if (off + 1 > this.length) throw new Error(`${this.name}: read past the end of the section (offset ${off})`);
    return this.dv.getUint8(this.base + off);
  }
  slice(off: number, len: number): Uint8Array {
    if (off + len > this.length) throw new Error(`${this.name}: read past the end of the section (offset ${off})`);
    return this.bytes.subarray(this.base + off, this.base + off + len);
  }
  /** count u32 then records of `size`: checks the count fits, returns it */
  count(size: number, at = 0, header = 4): number {
    const n = this.u32(at);
    if (at + header + n * size > this.length) throw new Error(`${this.name}: ${n} records do not fit in the section`);
    return n;
  }
}

function fnv1a(bytes: Uint8Array, from: number, to: number): number {
  let h = FNV_OFFSET;
  for (let i = from; i < to; i++) {
    h ^= bytes[i];
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h >>> 0;
}

const hex8 = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, "0")}`;
const q = (s: string) => JSON.stringify(s);

export function disassemble(bytes: Uint8Array): string {
  if (bytes.length < HEADER_SIZE) throw new Error(`not a ruleset: ${bytes.length} bytes is shorter than the header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(H_MAGIC, true) !== MAGIC) throw new Error("not a ruleset: bad magic (expected \"VRDT\")");
  const major = dv.getUint16(H_MAJOR, true);
  const minor = dv.getUint16(H_MINOR, true);
  if (major !== FORMAT_MAJOR) throw new Error(`unsupported ruleset format ${major}.${minor} (this build reads ${FORMAT_MAJOR}.x)`);
  const total = dv.getUint32(H_LENGTH, true);
  if (total !== bytes.length) throw new Error(`bad ruleset length: header says ${total}, got ${bytes.length} bytes`);
  const checksum = dv.getUint32(H_CHECKSUM, true);
  const actual = fnv1a(bytes, CHECKSUM_FROM, total);
  if (checksum !== actual) throw new Error(`bad ruleset checksum: header ${hex8(checksum)}, computed ${hex8(actual)}`);
  const flags = dv.getUint32(H_FLAGS, true);
  const sectionCount = dv.getUint32(H_SECTION_COUNT, true);
  if (HEADER_SIZE + sectionCount * SECTION_ENTRY_SIZE > total) throw new Error("bad ruleset: section directory past the end");

  const sections = new Map<number, Reader>();
  const out: string[] = [];
  out.push(`ruleset format ${major}.${minor} length ${total} checksum ${hex8(checksum)} flags ${flags}`);
  out.push(`sections ${sectionCount}`);
  for (let i = 0; i < sectionCount; i++) {
    const e = HEADER_SIZE + i * SECTION_ENTRY_SIZE;
    const id = dv.getUint32(e, true);
    const off = dv.getUint32(e + 4, true);
    const len = dv.getUint32(e + 8, true);
    const name = Section[id] ?? `#${id}`;
    if (off % 4 !== 0 || off + len > total || off < HEADER_SIZE) {
      throw new Error(`bad ruleset: section ${name} at ${off}+${len} is misaligned or out of bounds`);
    }
    out.push(`  ${name.padEnd(12)} offset ${off} length ${len}`);
    sections.set(id, new Reader(bytes, off, len, name));
  }
  const need = (id: Section): Reader => {
    const r = sections.get(id);
    if (!r) throw new Error(`bad ruleset: missing section ${Section[id]}`);
    return r;
  };

  // STRINGS
  const S = need(Section.STRINGS);
  const nStrings = S.count(8);
  const blob = 4 + nStrings * 8;
  const strings: string[] = [];
  const rawString = (sid: number) => S.slice(blob + S.u32(4 + sid * 8), S.u32(8 + sid * 8));
  for (let i = 0; i < nStrings; i++) strings.push(utf8.decode(rawString(i)));
  // Regex programs are binary STRINGS entries: shown as programs under their constant, not as text.
  const C = need(Section.CONSTS);
  const nCells = C.count(CELL_SIZE, 0, 16);
  const programs = new Set<number>();
  for (let i = 0; i < nCells; i++) if (C.u8(16 + i * CELL_SIZE) === Tag.REGEX) programs.add(C.u32(16 + i * CELL_SIZE + 8));
  const str = (sid: number): string => {
    if (sid === NONE) return "-";
    if (sid >= strings.length) throw new Error(`bad ruleset: string id ${sid} out of range`);
    return q(strings[sid]);
  };
  out.push("", `strings ${nStrings}`);
  strings.forEach((s, i) => out.push(`  s${i} ${programs.has(i) && i < nStrings ? `<regex program, ${rawString(i).length} bytes>` : q(s)}`));

  // CONSTS
  const cell = (i: number, depth = 0): string => {
    if (i >= nCells) throw new Error(`bad ruleset: constant ${i} out of range`);
    const at = 16 + i * CELL_SIZE;
    const tag = C.u8(at);
    const a = C.u32(at + 4);
    const lo = C.u32(at + 8);
    const bd = new DataView(C.slice(at + 8, 8).slice().buffer);
    if (depth > 32) return "…";
    switch (tag) {
      case Tag.NULL: return "null";
      case Tag.BOOL: return lo ? "true" : "false";
      case Tag.INT: return `${bd.getBigInt64(0, true)}`;
      case Tag.UINT: return `${bd.getBigUint64(0, true)}u`;
      case Tag.DOUBLE: {
        const d = bd.getFloat64(0, true);
        return Number.isInteger(d) ? d.toFixed(1) : String(d);
      }
      case Tag.STRING: return str(lo);
      case Tag.BYTES: return `b${q(lo < strings.length ? strings[lo] : "?")}`;
      case Tag.LIST: return `[${Array.from({ length: a }, (_, k) => cell(lo + k, depth + 1)).join(", ")}]`;
      case Tag.MAP:
        return `{${Array.from({ length: a }, (_, k) => `${cell(lo + 2 * k, depth + 1)}: ${cell(lo + 2 * k + 1, depth + 1)}`).join(", ")}}`;
      case Tag.TIMESTAMP: return `timestamp(${bd.getBigInt64(0, true)}s ${a}ns)`;
      case Tag.DURATION: return `duration(${bd.getBigInt64(0, true)}s ${a | 0}ns)`;
      case Tag.TYPE: return `type(${Tag[a] ?? a})`;
      case Tag.REGEX: return `regex(${str(C.u32(at + 12))})`;
      default: return `?tag${tag}`;
    }
  };
  out.push("", `constants ${nCells}`);
  for (let i = 0; i < nCells; i++) {
    out.push(`  k${i} ${cell(i)}`);
    const sid = C.u32(16 + i * CELL_SIZE + 8);
    if (C.u8(16 + i * CELL_SIZE) === Tag.REGEX && sid < nStrings) for (const l of disassembleRegex(rawString(sid))) out.push(`      ${l}`);
  }

  // CODE + EXPRS
  const code = need(Section.CODE);
  const E = need(Section.EXPRS);
  const nExprs = E.count(EXPR_SIZE);
  out.push("", `expressions ${nExprs}`);
  for (let i = 0; i < nExprs; i++) {
    const at = 4 + i * EXPR_SIZE;
    const off = E.u32(at + EX_CODE_OFFSET);
    const len = E.u32(at + EX_CODE_LENGTH);
    out.push(`  e${i} stack ${E.u16(at + EX_MAX_STACK)} locals ${E.u16(at + EX_LOCALS)} source ${str(E.u32(at + EX_SOURCE))}`);
    const lines = disassembleCode(code.slice(off, len), {
      string: (sid) => (sid < strings.length ? q(strings[sid]) : `s${sid}?`),
      constant: (k) => (k < nCells ? cell(k) : `k${k}?`),
    });
    for (const l of lines) out.push(`    ${l}`);
  }

  // VARS, PARAMS
  const V = need(Section.VARS);
  const nVars = V.count(VAR_SIZE);
  out.push("", `variables ${nVars}`);
  const varName: string[] = [];
  for (let i = 0; i < nVars; i++) {
    const at = 4 + i * VAR_SIZE;
    varName.push(strings[V.u32(at + VA_NAME)] ?? "?");
    out.push(`  v${i} ${str(V.u32(at + VA_NAME))} = ${ref("e", V.u32(at + VA_EXPR))}`);
  }
  const P = need(Section.PARAMS);
  const nParams = P.count(PARAMS_SIZE);
  out.push("", `params ${nParams}`);
  for (let i = 0; i < nParams; i++) {
    const at = 4 + i * PARAMS_SIZE;
    const start = P.u32(at + PA_VAR_START);
    const count = P.u32(at + PA_VAR_COUNT);
    out.push(`  p${i} v${start}..v${start + count - 1} (${varName.slice(start, start + count).join(", ")})`);
  }

  // CONDS
  const CO = need(Section.CONDS);
  const nNodes = CO.count(COND_SIZE);
  const childAt = 4 + nNodes * COND_SIZE;
  const nChildren = CO.count(4, childAt);
  out.push("", `conditions ${nNodes}`);
  for (let i = 0; i < nNodes; i++) {
    const at = 4 + i * COND_SIZE;
    const kind = CO.u32(at + CO_KIND);
    const a = CO.u32(at + CO_A);
    const b = CO.u32(at + CO_B);
    if (kind === CondKind.EXPR) {
      out.push(`  c${i} EXPR e${a}`);
    } else {
      if (a + b > nChildren) throw new Error(`bad ruleset: condition ${i} children out of range`);
      const kids = Array.from({ length: b }, (_, k) => ref("c", CO.u32(childAt + 4 + (a + k) * 4)));
      out.push(`  c${i} ${CondKind[kind] ?? `?${kind}`} [${kids.join(", ")}]`);
    }
  }

  // LISTS (read before rows: rows and derived roles point into it)
  const L = need(Section.LISTS);
  const nList = L.count(4);
  const list = (start: number, count: number): string => {
    if (count === 0) return "[]";
    if (start + count > nList) throw new Error(`bad ruleset: list ${start}+${count} out of range`);
    return `[${Array.from({ length: count }, (_, k) => str(L.u32(4 + (start + k) * 4))).join(", ")}]`;
  };

  // ROWS
  const R = need(Section.ROWS);
  const nRows = R.count(ROW_SIZE);
  out.push("", `rows ${nRows}`);
  for (let i = 0; i < nRows; i++) {
    const at = 4 + i * ROW_SIZE;
    const u = (o: number) => R.u32(at + o);
    const rowFlags = R.u8(at + RW_FLAGS);
    const parts = [
      `r${i}`,
      PolicyKind[R.u8(at + RW_KIND)] ?? "?",
      Effect[R.u8(at + RW_EFFECT)] ?? "?",
      `perm=${ScopePermissions[R.u8(at + RW_SCOPE_PERMISSIONS)] ?? "-"}`,
      `flags=${flagNames(RowFlag, rowFlags)}`,
      `version=${str(u(RW_VERSION))}`,
      `scope=${str(u(RW_SCOPE))}`,
      `resource=${str(u(RW_RESOURCE))}`,
      `role=${str(u(RW_ROLE))}`,
    ];
    if (rowFlags & RowFlag.FROM_ROLE_POLICY) parts.push(`allow=${list(u(RW_ALLOW_START), u(RW_ALLOW_COUNT))}`);
    else parts.push(`action=${str(u(RW_ACTION))}`);
    if (u(RW_PRINCIPAL) !== NONE) parts.push(`principal=${str(u(RW_PRINCIPAL))}`);
    if (u(RW_DERIVED_ROLE) !== NONE) {
      parts.push(`derived=${str(u(RW_DERIVED_ROLE))} drcond=${ref("c", u(RW_DR_CONDITION))} drparams=${ref("p", u(RW_DR_PARAMS))}`);
    }
    parts.push(
      `cond=${ref("c", u(RW_CONDITION))}`,
      `params=${ref("p", u(RW_PARAMS))}`,
      `out=${ref("e", u(RW_OUTPUT_ACTIVATED))}/${ref("e", u(RW_OUTPUT_NOT_MET))}`,
      `key=${u(RW_EVAL_KEY)}`,
      `policy=${str(u(RW_POLICY))}`,
      `name=${str(u(RW_NAME))}`,
      `src=${str(u(RW_OUTPUT_SRC))}`,
    );
    out.push(`  ${parts.join(" ")}`);
  }

  // DROLES
  const D = need(Section.DROLES);
  const nDroles = D.count(DROLE_SIZE);
  out.push("", `derived roles ${nDroles}`);
  for (let i = 0; i < nDroles; i++) {
    const at = 4 + i * DROLE_SIZE;
    const u = (o: number) => D.u32(at + o);
    out.push(
      `  d${i} resource=${str(u(DR_RESOURCE))} version=${str(u(DR_VERSION))} scope=${str(u(DR_SCOPE))} name=${str(u(DR_NAME))} parents=${list(u(DR_PARENTS_START), u(DR_PARENTS_COUNT))} cond=${ref("c", u(DR_CONDITION))} params=${ref("p", u(DR_PARAMS))}`,
    );
  }

  out.push("", `lists ${nList}`);

  // SCOPES
  const SC = need(Section.SCOPES);
  const nScopes = SC.count(SCOPE_SIZE);
  out.push("", `scopes ${nScopes}`);
  for (let i = 0; i < nScopes; i++) {
    const at = 4 + i * SCOPE_SIZE;
    out.push(
      `  ${str(SC.u32(at + SC_SCOPE))} ${flagNames(ScopeFlag, SC.u32(at + SC_FLAGS))} ${ScopePermissions[SC.u32(at + SC_PERMISSIONS)] ?? "-"}`,
    );
  }

  // PARENT_ROLES
  const PR = need(Section.PARENT_ROLES);
  const nProles = PR.count(PROLE_SIZE);
  out.push("", `parent roles ${nProles}`);
  for (let i = 0; i < nProles; i++) {
    const at = 4 + i * PROLE_SIZE;
    out.push(
      `  scope=${str(PR.u32(at + PR_SCOPE))} role=${str(PR.u32(at + PR_ROLE))} parents=${list(PR.u32(at + PR_PARENTS_START), PR.u32(at + PR_PARENTS_COUNT))}`,
    );
  }

  // ATTRS
  const A = need(Section.ATTRS);
  const aFlags = A.u32(0);
  const nP = A.u32(4);
  const pKeys = Array.from({ length: nP }, (_, k) => str(A.u32(8 + k * 4)));
  const rAt = 8 + nP * 4;
  const nR = A.u32(rAt);
  const rKeys = Array.from({ length: nR }, (_, k) => str(A.u32(rAt + 4 + k * 4)));
  out.push("", `attributes flags=${flagNames(AttrFlag, aFlags)}`, `  principal [${pKeys.join(", ")}]`, `  resource [${rKeys.join(", ")}]`);

  // GLOBS (absent in rulesets without glob patterns)
  const G = sections.get(Section.GLOBS);
  if (G) {
    const nGlobs = G.count(8);
    out.push("", `globs ${nGlobs}`);
    for (let i = 0; i < nGlobs; i++) out.push(`  ${str(G.u32(4 + i * 8))} → c${G.u32(8 + i * 8)}`);
  }

  return out.join("\n") + "\n";
}

function ref(prefix: string, i: number): string {
  return i === NONE ? "-" : `${prefix}${i}`;
}

function flagNames(e: Record<string, string | number>, v: number): string {
  if (v === 0) return "-";
  const names: string[] = [];
  for (const [k, bit] of Object.entries(e)) {
    if (typeof bit === "number" && bit !== 0 && (v & bit) === bit) names.push(k);
  }
  return names.join("|");
}
