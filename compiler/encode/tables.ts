// The ruleset under construction: implements RulesetTables for CEL lowering (strings, constants,
// code, expressions, attribute use) and holds the record tables plan fills (VARS, PARAMS, CONDS,
// ROWS, DROLES, LISTS, SCOPES, PARENT_ROLES). Everything is interned/deduplicated so the same
// input always produces the same bytes.
import type { ConstValue, RulesetTables } from "./builder-api.ts";
import { CELL_SIZE, CondKind, NONE, Tag, WellKnown } from "../../spec/format.ts";

const utf8 = new TextEncoder();

export interface RowRecord {
  kind: number;
  effect: number;
  scopePermissions: number;
  flags: number;
  version: number;
  resource: number;
  scope: number;
  role: number;
  action: number;
  principal: number;
  condition: number;
  drCondition: number;
  params: number;
  drParams: number;
  policy: number;
  name: number;
  outputSrc: number;
  derivedRole: number;
  outputActivated: number;
  outputNotMet: number;
  evalKey: number;
  allowStart: number;
  allowCount: number;
}

export interface DroleRecord {
  resource: number;
  version: number;
  scope: number;
  name: number;
  parentsStart: number;
  parentsCount: number;
  condition: number;
  params: number;
}

export interface ScopeRecord {
  scope: number;
  flags: number;
  permissions: number;
}

export interface ProleRecord {
  scope: number;
  role: number;
  parentsStart: number;
  parentsCount: number;
}

export interface ExprRecord {
  codeOffset: number;
  codeLength: number;
  source: number;
  maxStack: number;
  locals: number;
}

function hex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

/** A canonical text key for a constant value, so equal values share one cell. */
function constKey(v: ConstValue): string {
  if (v === null) return "n";
  if (typeof v === "boolean") return v ? "t" : "f";
  if (typeof v === "number") return `d:${Object.is(v, -0) ? "-0" : String(v)}`;
  if (typeof v === "string") return `s:${JSON.stringify(v)}`;
  if ("int" in v) return `i:${v.int}`;
  if ("uint" in v) return `u:${v.uint}`;
  if ("bytes" in v) return `b:${hex(v.bytes)}`;
  if ("list" in v) return `l[${v.list.map(constKey).join(",")}]`;
  if ("map" in v) return `m{${v.map.map(([k, x]) => `${constKey(k)}=${constKey(x)}`).join(",")}}`;
  if ("timestamp" in v) return `ts:${v.timestamp.seconds}.${v.timestamp.nanos}@${v.timestamp.offset ?? 0}`;
  if ("duration" in v) return `du:${v.duration.seconds}.${v.duration.nanos}`;
  if ("regex" in v) return `re:${JSON.stringify(v.regex.pattern)}`;
  return `ty:${v.type}`;
}

export class RulesetBuilder implements RulesetTables {
  /** STRINGS entries (UTF-8 text, or raw bytes of BYTES constants) */
  readonly strings: Uint8Array[] = [];
  private stringIds = new Map<string, number>();
  /** CONSTS cells, 16 bytes each; STRING/BYTES cells carry the sid of their bytes in B low */
  readonly cells: Uint8Array[] = [];
  private constIds = new Map<string, number>();
  readonly codeChunks: Uint8Array[] = [];
  codeLength = 0;
  readonly exprs: ExprRecord[] = [];
  private exprIds = new Map<string, number>();
  readonly principalAttrs = new Set<string>();
  readonly resourceAttrs = new Set<string>();
  allPrincipalAttrs = false;
  allResourceAttrs = false;
  auxData = false;

  readonly vars: Array<{ name: number; expr: number }> = [];
  readonly params: Array<{ start: number; count: number }> = [];
  readonly condNodes: Array<{ kind: CondKind; a: number; b: number }> = [];
  readonly condChildren: number[] = [];
  readonly rows: RowRecord[] = [];
  readonly droles: DroleRecord[] = [];
  readonly lists: number[] = [];
  private listIds = new Map<string, number>();
  readonly scopes: ScopeRecord[] = [];
  readonly proles: ProleRecord[] = [];
  /** Glob pattern sid → its REGEX cell (the GLOBS section). */
  readonly globs = new Map<number, number>();

  private readonly stripSources: boolean;

  constructor(options: { stripSources?: boolean } = {}) {
    this.stripSources = options.stripSources ?? false;
    // Well-known strings live at fixed sids (spec/format.ts WellKnown) so the evaluator can use them.
    const wellKnown: Array<[WellKnown, string]> = [
      [WellKnown.EMPTY, ""],
      [WellKnown.STAR, "*"],
      [WellKnown.NO_MATCH, "NO_MATCH"],
      [WellKnown.NO_MATCH_FOR_SCOPE_PERMISSIONS, "NO_MATCH_FOR_SCOPE_PERMISSIONS"],
      [WellKnown.DEFAULT, "default"],
    ];
    for (const [sid, s] of wellKnown) {
      if (this.intern(s) !== sid) throw new Error(`well-known string ${JSON.stringify(s)} not at sid ${sid}`);
    }
  }

  intern(s: string): number {
    const key = `t${s}`;
    let id = this.stringIds.get(key);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(utf8.encode(s));
      this.stringIds.set(key, id);
    }
    return id;
  }

  /** Interns raw bytes (BYTES constants) as a STRINGS entry of their own. */
  internBytes(b: Uint8Array): number {
    const key = `b${hex(b)}`;
    let id = this.stringIds.get(key);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(b.slice());
      this.stringIds.set(key, id);
    }
    return id;
  }

  constant(v: ConstValue): number {
    const key = constKey(v);
    const known = this.constIds.get(key);
    if (known !== undefined) return known;
    const id = this.cells.length;
    this.cells.push(new Uint8Array(CELL_SIZE));
    this.fillCell(id, v);
    this.constIds.set(key, id);
    return id;
  }

  /** Writes `v` into cell `id`; containers get a fresh contiguous run of cells for their items. */
  private fillCell(id: number, v: ConstValue): void {
    const cell = this.cells[id];
    const dv = new DataView(cell.buffer, cell.byteOffset, CELL_SIZE);
    const setTag = (t: Tag) => dv.setUint8(0, t);
    if (v === null) {
      setTag(Tag.NULL);
    } else if (typeof v === "boolean") {
      setTag(Tag.BOOL);
      dv.setUint32(8, v ? 1 : 0, true);
    } else if (typeof v === "number") {
      setTag(Tag.DOUBLE);
      dv.setFloat64(8, v, true);
    } else if (typeof v === "string") {
      const sid = this.intern(v);
      setTag(Tag.STRING);
      dv.setUint32(4, this.strings[sid].length, true);
      dv.setUint32(8, sid, true);
      dv.setUint32(12, sid, true);
    } else if ("int" in v) {
      setTag(Tag.INT);
      dv.setBigInt64(8, BigInt.asIntN(64, v.int), true);
    } else if ("uint" in v) {
      setTag(Tag.UINT);
      dv.setBigUint64(8, BigInt.asUintN(64, v.uint), true);
    } else if ("bytes" in v) {
      const sid = this.internBytes(v.bytes);
      setTag(Tag.BYTES);
      dv.setUint32(4, v.bytes.length, true);
      dv.setUint32(8, sid, true);
      dv.setUint32(12, NONE, true);
    } else if ("list" in v) {
      const start = this.reserve(v.list.length);
      v.list.forEach((x, i) => this.fillCell(start + i, x));
      setTag(Tag.LIST);
      dv.setUint32(4, v.list.length, true);
      dv.setUint32(8, start, true);
    } else if ("map" in v) {
      const start = this.reserve(v.map.length * 2);
      v.map.forEach(([k, x], i) => {
        this.fillCell(start + 2 * i, k);
        this.fillCell(start + 2 * i + 1, x);
      });
      setTag(Tag.MAP);
      dv.setUint32(4, v.map.length, true);
      dv.setUint32(8, start, true);
    } else if ("timestamp" in v) {
      setTag(Tag.TIMESTAMP);
      dv.setInt16(2, v.timestamp.offset ?? 0, true);
      dv.setUint32(4, v.timestamp.nanos, true);
      dv.setBigInt64(8, BigInt.asIntN(64, v.timestamp.seconds), true);
    } else if ("duration" in v) {
      setTag(Tag.DURATION);
      dv.setInt32(4, v.duration.nanos, true);
      dv.setBigInt64(8, BigInt.asIntN(64, v.duration.seconds), true);
    } else if ("regex" in v) {
      setTag(Tag.REGEX);
      dv.setUint32(4, v.regex.program.length, true);
      dv.setUint32(8, this.internBytes(v.regex.program), true);
      dv.setUint32(12, this.intern(v.regex.pattern), true);
    } else {
      setTag(Tag.TYPE);
      dv.setUint32(4, v.type, true);
    }
  }

  private reserve(n: number): number {
    const start = this.cells.length;
    for (let i = 0; i < n; i++) this.cells.push(new Uint8Array(CELL_SIZE));
    return start;
  }

  addExpression(e: { code: Uint8Array; source: string; maxStack: number; locals: number }): number {
    const key = `${hex(e.code)}|${e.maxStack}|${e.locals}|${e.source}`;
    const known = this.exprIds.get(key);
    if (known !== undefined) return known;
    const id = this.exprs.length;
    this.exprs.push({
      codeOffset: this.codeLength,
      codeLength: e.code.length,
      source: this.intern(this.stripSources ? "" : e.source),
      maxStack: e.maxStack,
      locals: e.locals,
    });
    this.codeChunks.push(e.code.slice());
    this.codeLength += e.code.length;
    this.exprIds.set(key, id);
    return id;
  }

  useAttribute(root: "principal" | "resource", key: string): void {
    if (root === "principal") {
      if (key === "*") this.allPrincipalAttrs = true;
      else this.principalAttrs.add(key);
    } else if (key === "*") this.allResourceAttrs = true;
    else this.resourceAttrs.add(key);
  }

  useAuxData(): void {
    this.auxData = true;
  }

  /** Adds (or reuses) a LISTS run; returns its start position. Empty lists start at 0. */
  list(items: number[]): number {
    if (items.length === 0) return 0;
    const key = items.join(",");
    const known = this.listIds.get(key);
    if (known !== undefined) return known;
    const start = this.lists.length;
    this.lists.push(...items);
    this.listIds.set(key, start);
    return start;
  }

  /** Adds a CONDS node whose children are `children` (node indexes); returns the node index. */
  condGroup(kind: CondKind, children: number[]): number {
    const first = this.condChildren.length;
    this.condChildren.push(...children);
    this.condNodes.push({ kind, a: first, b: children.length });
    return this.condNodes.length - 1;
  }

  condExpr(expr: number): number {
    this.condNodes.push({ kind: CondKind.EXPR, a: expr, b: 0 });
    return this.condNodes.length - 1;
  }
}
