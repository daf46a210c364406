// Test-only: writes tiny but valid rulesets (header, directory, STRINGS, CONSTS, CODE, EXPRS,
// VARS; other sections empty) from hand-assembled bytecode, and runs them through the VM test
// entry (assembly/vm-test-entry.ts), so the VM can be tested before and apart from the compiler.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  MAGIC, FORMAT_MAJOR, FORMAT_MINOR, HEADER_SIZE, SECTION_ENTRY_SIZE, FNV_OFFSET, FNV_PRIME, Section, Tag, Op,
  CELL_SIZE, EXPR_SIZE, VAR_SIZE, RQ_SIZE, PB_SIZE, RS_SIZE, PB_ID, PB_VERSION, PB_SCOPE, PB_ROLES, PB_ATTR,
  RS_KIND, RS_ID, RS_VERSION, RS_SCOPE, RS_ATTR, RS_ACTIONS, RQ_NOW_SECONDS, RQ_NOW_NANOS, RQ_PRINCIPAL,
  RQ_RESOURCES, RQ_RESOURCE_COUNT, RQ_AUX_DATA, CF_SIZE, CF_GLOBALS, NONE, ITER_NO_SECOND,
} from "../../spec/format";
import type { ConstValue } from "../../compiler/encode/builder-api";
import { hostImports } from "../../host/common/imports.ts";

// ---- assembler -----------------------------------------------------------------------------

type Item = { bytes: number[] } | { label: string } | { jump: number; labels: string[]; extra?: number[]; pre?: number[] };

/** A small assembler: `a.op(Op.X, ...u32/u8 operands)` with labels for relative jumps. */
export class Asm {
  items: Item[] = [];
  private u32(v: number): number[] { return [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255]; }
  raw(...b: number[]): this { this.items.push({ bytes: b }); return this; }
  op(o: Op): this { return this.raw(o); }
  k(o: Op, v: number): this { return this.raw(o, ...this.u32(v)); }
  b(o: Op, v: number): this { return this.raw(o, v); }
  call(fn: number, argc: number): this { return this.raw(Op.CALL, fn & 255, fn >> 8, argc); }
  label(name: string): this { this.items.push({ label: name }); return this; }
  /** JUMP, JUMP_IF_FALSE, AND_SHORT, OR_SHORT, ITER_INIT to a label. */
  j(o: Op, target: string): this { this.items.push({ jump: o, labels: [target] }); return this; }
  branch(elseL: string, endL: string): this { this.items.push({ jump: Op.BRANCH, labels: [elseL, endL] }); return this; }
  iterNext(a: number, b: number, exit: string): this { this.items.push({ jump: Op.ITER_NEXT, labels: [exit], pre: [a, b] }); return this; }
  bytes(): Uint8Array {
    const size = (it: Item) => ("bytes" in it ? it.bytes.length : "label" in it ? 0 : 1 + (it.pre?.length ?? 0) + 4 * it.labels.length);
    const at = new Map<string, number>();
    let pc = 0;
    for (const it of this.items) { if ("label" in it) at.set(it.label, pc); pc += size(it); }
    const out: number[] = [];
    for (const it of this.items) {
      if ("bytes" in it) out.push(...it.bytes);
      else if ("jump" in it) {
        const end = out.length + size(it);
        out.push(it.jump, ...(it.pre ?? []));
        for (const l of it.labels) {
          const t = at.get(l);
          if (t === undefined) throw new Error(`no label ${l}`);
          out.push(...this.u32((t - end) | 0));
        }
      }
    }
    return Uint8Array.from(out);
  }
}

// ---- ruleset writer ------------------------------------------------------------------------

export interface MiniExpr { code: Uint8Array; maxStack?: number; locals?: number }

export class MiniRuleset {
  strings: Array<string | Uint8Array> = ["", "*", "NO_MATCH", "NO_MATCH_FOR_SCOPE_PERMISSIONS", "default"];
  cells: Uint8Array[] = [];
  exprs: MiniExpr[] = [];
  vars: Array<{ name: number; expr: number }> = [];

  sid(s: string): number {
    const i = this.strings.indexOf(s);
    if (i >= 0) return i;
    this.strings.push(s);
    return this.strings.length - 1;
  }
  private cell(v: ConstValue): Uint8Array {
    const c = new Uint8Array(16);
    const dv = new DataView(c.buffer);
    const set = (tag: number, a: number, b: bigint) => { c[0] = tag; dv.setUint32(4, a >>> 0, true); dv.setBigUint64(8, BigInt.asUintN(64, b), true); };
    if (v === null) set(Tag.NULL, 0, 0n);
    else if (typeof v === "boolean") set(Tag.BOOL, 0, v ? 1n : 0n);
    else if (typeof v === "number") { set(Tag.DOUBLE, 0, 0n); dv.setFloat64(8, v, true); }
    else if (typeof v === "string") set(Tag.STRING, 0, BigInt(this.sid(v)));
    else if ("int" in v) set(Tag.INT, 0, v.int);
    else if ("uint" in v) set(Tag.UINT, 0, v.uint);
    else if ("bytes" in v) set(Tag.BYTES, 0, BigInt(this.sid(Buffer.from(v.bytes).toString("latin1"))));
    else if ("list" in v) { const els = v.list.map((e) => this.cell(e)); const s = this.cells.length; this.cells.push(...els); set(Tag.LIST, els.length, BigInt(s)); }
    else if ("map" in v) {
      const els = v.map.flatMap(([k, x]) => [this.cell(k), this.cell(x)]);
      const s = this.cells.length; this.cells.push(...els); set(Tag.MAP, v.map.length, BigInt(s));
    } else if ("timestamp" in v) set(Tag.TIMESTAMP, v.timestamp.nanos, v.timestamp.seconds);
    else if ("duration" in v) set(Tag.DURATION, v.duration.nanos, v.duration.seconds);
    else if ("regex" in v) {
      this.strings.push(v.regex.program); // raw program bytes: a STRINGS entry of their own
      set(Tag.REGEX, v.regex.program.length, BigInt(this.strings.length - 1) | (BigInt(this.sid(v.regex.pattern)) << 32n));
    } else set(Tag.TYPE, v.type, 0n);
    return c;
  }
  /** CONSTS index of v. */
  constant(v: ConstValue): number { const c = this.cell(v); this.cells.push(c); return this.cells.length - 1; }
  expr(code: Uint8Array | Asm, maxStack = 16, locals = 4): number {
    this.exprs.push({ code: code instanceof Asm ? code.bytes() : code, maxStack, locals });
    return this.exprs.length - 1;
  }
  variable(name: string, expr = 0): number { this.vars.push({ name: this.sid(name), expr }); return this.vars.length - 1; }

  encode(): Uint8Array {
    const enc = new TextEncoder();
    const secs: Array<[number, Uint8Array]> = [];
    // STRINGS (strings of `bytes` constants are stored latin1 → raw bytes)
    const blobs = this.strings.map((s) => (typeof s === "string" ? enc.encode(s) : s));
    const idx = new DataView(new ArrayBuffer(4 + 8 * blobs.length));
    idx.setUint32(0, blobs.length, true);
    let off = 0;
    blobs.forEach((b, i) => { idx.setUint32(4 + 8 * i, off, true); idx.setUint32(8 + 8 * i, b.length, true); off += b.length; });
    secs.push([Section.STRINGS, concat([new Uint8Array(idx.buffer), ...blobs])]);
    const consts = new Uint8Array(16 + 16 * this.cells.length);
    new DataView(consts.buffer).setUint32(0, this.cells.length, true);
    this.cells.forEach((c, i) => consts.set(c, 16 + 16 * i));
    secs.push([Section.CONSTS, consts]);
    const code = concat(this.exprs.map((e) => e.code));
    secs.push([Section.CODE, code]);
    const ex = new DataView(new ArrayBuffer(4 + EXPR_SIZE * this.exprs.length));
    ex.setUint32(0, this.exprs.length, true);
    let co = 0;
    this.exprs.forEach((e, i) => {
      const b = 4 + EXPR_SIZE * i;
      ex.setUint32(b, co, true); ex.setUint32(b + 4, e.code.length, true); ex.setUint32(b + 8, NONE, true);
      ex.setUint16(b + 12, e.maxStack ?? 16, true); ex.setUint16(b + 14, e.locals ?? 4, true);
      co += e.code.length;
    });
    secs.push([Section.EXPRS, new Uint8Array(ex.buffer)]);
    const va = new DataView(new ArrayBuffer(4 + VAR_SIZE * this.vars.length));
    va.setUint32(0, this.vars.length, true);
    this.vars.forEach((v, i) => { va.setUint32(4 + 8 * i, v.name, true); va.setUint32(8 + 8 * i, v.expr, true); });
    secs.push([Section.VARS, new Uint8Array(va.buffer)]);
    // layout
    let pos = HEADER_SIZE + SECTION_ENTRY_SIZE * secs.length;
    pos = (pos + 3) & ~3;
    const offsets = secs.map(([, b]) => { const o = pos; pos = (pos + b.length + 3) & ~3; return o; });
    const out = new Uint8Array(pos);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, MAGIC, true); dv.setUint16(4, FORMAT_MAJOR, true); dv.setUint16(6, FORMAT_MINOR, true);
    dv.setUint32(8, pos, true); dv.setUint32(20, secs.length, true);
    secs.forEach(([id, b], i) => {
      const e = HEADER_SIZE + SECTION_ENTRY_SIZE * i;
      dv.setUint32(e, id, true); dv.setUint32(e + 4, offsets[i], true); dv.setUint32(e + 8, b.length, true);
      out.set(b, offsets[i]);
    });
    let h = FNV_OFFSET;
    for (let i = 16; i < out.length; i++) h = Math.imul(h ^ out[i], FNV_PRIME) >>> 0;
    dv.setUint32(12, h, true);
    return out;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

// ---- running through the VM test entry ------------------------------------------------------

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const wasmPath = join(root, "build", "vm-test.wasm");

/** Builds assembly/vm-test-entry.ts with the release flags (once per process). */
export function buildVmTestWasm(): Uint8Array {
  mkdirSync(join(root, "build"), { recursive: true });
  const cfg = join(root, "build", "vm-test.asconfig.json");
  writeFileSync(cfg, "{}");
  execFileSync(process.execPath, [join(root, "node_modules", "assemblyscript", "bin", "asc.js"), "assembly/vm-test-entry.ts",
    "--config", cfg, "-O3", "--shrinkLevel", "1", "--noAssert", "--runtime", "minimal", "--use", "abort=", "-o", wasmPath], { cwd: root, stdio: "pipe" });
  if (!existsSync(wasmPath)) throw new Error("vm-test.wasm not built");
  return readFileSync(wasmPath);
}

export type Val =
  | null | boolean | number | string
  | { int: bigint } | { uint: bigint } | { bytes: string } | { list: Val[] } | { map: Array<[Val, Val]> }
  | { timestamp: [bigint, number] } | { duration: [bigint, number] } | { type: number }
  | { error: number; detail?: Val } | { message: number } | { tag: number };

interface Exports {
  memory: WebAssembly.Memory;
  alloc(n: number): number;
  load_ruleset(p: number, n: number): number;
  set_request(req: number, p: number, r: number, edr: number, vars: number, config: number): void;
  reset(): void;
  eval_expr(i: number): number;
}

/** JS-side request values written into wasm memory as cells (numbers are doubles, like attrs). */
export type In = null | boolean | number | string | { int: bigint } | { uint: bigint } | In[] | { [k: string]: In } | { ts: [bigint, number] };

export class VmHarness {
  ex: Exports;
  constructor(wasm: Uint8Array) {
    this.ex = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(wasm)), hostImports(() => this.ex.memory)).exports as unknown as Exports;
  }
  private get dv(): DataView { return new DataView(this.ex.memory.buffer); }
  load(rs: MiniRuleset): void {
    const b = rs.encode();
    const p = this.ex.alloc(b.length);
    new Uint8Array(this.ex.memory.buffer).set(b, p);
    this.ex.load_ruleset(p, b.length);
    this.ex.set_request(0, 0, 0, 0, 0, 0);
  }
  /** Writes a value cell at p (allocating payloads). */
  writeCell(p: number, v: In): void {
    const ex = this.ex;
    const set = (tag: number, a: number, b: bigint) => { const d = this.dv; d.setUint32(p, tag, true); d.setUint32(p + 4, a >>> 0, true); d.setBigUint64(p + 8, BigInt.asUintN(64, b), true); };
    if (v === null) set(Tag.NULL, 0, 0n);
    else if (typeof v === "boolean") set(Tag.BOOL, 0, v ? 1n : 0n);
    else if (typeof v === "number") { set(Tag.DOUBLE, 0, 0n); this.dv.setFloat64(p + 8, v, true); }
    else if (typeof v === "string") {
      const b = new TextEncoder().encode(v);
      const q = ex.alloc(b.length + 1);
      new Uint8Array(ex.memory.buffer).set(b, q);
      set(Tag.STRING, b.length, (BigInt(NONE) << 32n) | BigInt(q));
    } else if (Array.isArray(v)) {
      const q = ex.alloc(16 * v.length + 16);
      v.forEach((e, i) => this.writeCell(q + 16 * i, e));
      set(Tag.LIST, v.length, BigInt(q));
    } else if ("int" in v && typeof v.int === "bigint") set(Tag.INT, 0, v.int);
    else if ("uint" in v && typeof v.uint === "bigint") set(Tag.UINT, 0, v.uint);
    else if ("ts" in v && Array.isArray(v.ts)) set(Tag.TIMESTAMP, v.ts[1] as number, v.ts[0] as bigint);
    else {
      const es = Object.entries(v);
      const q = ex.alloc(32 * es.length + 16);
      es.forEach(([k, x], i) => { this.writeCell(q + 32 * i, k); this.writeCell(q + 32 * i + 16, x); });
      set(Tag.MAP, es.length, BigInt(q));
    }
  }
  cellOf(v: In): number { const p = this.ex.alloc(16); this.writeCell(p, v); return p; }
  /** Sets principal/resource/now/auxData/runtime/variables/globals for the following evaluations. */
  request(r: {
    principal?: { id?: string; roles?: string[]; attr?: Record<string, In>; scope?: string; policyVersion?: string };
    resource?: { kind?: string; id?: string; attr?: Record<string, In>; scope?: string; policyVersion?: string };
    now?: [bigint, number]; aux?: Record<string, In>; edr?: string[]; vars?: Array<In | undefined>; globals?: Record<string, In>;
  }): { req: number; principal: number; resource: number } {
    const ex = this.ex;
    const req = ex.alloc(RQ_SIZE);
    const pb = ex.alloc(PB_SIZE), rb = ex.alloc(RS_SIZE);
    new Uint8Array(ex.memory.buffer).fill(0, pb, pb + PB_SIZE);
    new Uint8Array(ex.memory.buffer).fill(0, rb, rb + RS_SIZE);
    new Uint8Array(ex.memory.buffer).fill(0, req, req + RQ_SIZE);
    const P = r.principal ?? {}, R = r.resource ?? {};
    this.writeCell(pb + PB_ID, P.id ?? ""); this.writeCell(pb + PB_VERSION, P.policyVersion ?? "default");
    this.writeCell(pb + PB_SCOPE, P.scope ?? ""); this.writeCell(pb + PB_ROLES, P.roles ?? []); this.writeCell(pb + PB_ATTR, P.attr ?? {});
    this.writeCell(rb + RS_KIND, R.kind ?? ""); this.writeCell(rb + RS_ID, R.id ?? ""); this.writeCell(rb + RS_VERSION, R.policyVersion ?? "default");
    this.writeCell(rb + RS_SCOPE, R.scope ?? ""); this.writeCell(rb + RS_ATTR, R.attr ?? {}); this.writeCell(rb + RS_ACTIONS, []);
    const d = this.dv;
    d.setBigInt64(req + RQ_NOW_SECONDS, r.now?.[0] ?? 0n, true); d.setUint32(req + RQ_NOW_NANOS, r.now?.[1] ?? 0, true);
    d.setUint32(req + RQ_RESOURCE_COUNT, 1, true); d.setUint32(req + RQ_PRINCIPAL, pb, true); d.setUint32(req + RQ_RESOURCES, rb, true);
    d.setUint32(req + RQ_AUX_DATA, r.aux ? this.cellOf(r.aux) : 0, true);
    const edr = r.edr ? this.cellOf(r.edr) : 0;
    let vars = 0;
    if (r.vars) {
      vars = ex.alloc(16 * r.vars.length);
      r.vars.forEach((v, i) => { if (v === undefined) { this.dv.setUint32(vars + 16 * i, Tag.ABSENT, true); } else this.writeCell(vars + 16 * i, v); });
    }
    let cfg = 0;
    if (r.globals) { cfg = ex.alloc(CF_SIZE); new Uint8Array(ex.memory.buffer).fill(0, cfg, cfg + CF_SIZE); this.writeCell(cfg + CF_GLOBALS, r.globals); }
    ex.set_request(req, pb, rb, edr, vars, cfg);
    return { req, principal: pb, resource: rb };
  }
  eval(i: number): Val { this.ex.reset(); return this.read(this.ex.eval_expr(i), 0); }
  read(p: number, depth: number): Val {
    const d = this.dv;
    const tag = d.getUint8(p), a = d.getUint32(p + 4, true), lo = d.getUint32(p + 8, true);
    const str = (n: number) => new TextDecoder().decode(new Uint8Array(this.ex.memory.buffer, lo, n));
    switch (tag) {
      case Tag.NULL: return null;
      case Tag.BOOL: return d.getBigUint64(p + 8, true) !== 0n;
      case Tag.INT: return { int: d.getBigInt64(p + 8, true) };
      case Tag.UINT: return { uint: d.getBigUint64(p + 8, true) };
      case Tag.DOUBLE: return d.getFloat64(p + 8, true);
      case Tag.STRING: return str(a);
      case Tag.BYTES: return { bytes: Buffer.from(new Uint8Array(this.ex.memory.buffer, lo, a)).toString("latin1") };
      case Tag.LIST: return { list: Array.from({ length: a }, (_, i) => this.read(lo + 16 * i, depth + 1)) };
      case Tag.MAP: return { map: Array.from({ length: a }, (_, i) => [this.read(lo + 32 * i, depth + 1), this.read(lo + 32 * i + 16, depth + 1)] as [Val, Val]) };
      case Tag.TIMESTAMP: return { timestamp: [d.getBigInt64(p + 8, true), a] };
      case Tag.DURATION: return { duration: [d.getBigInt64(p + 8, true), a | 0] };
      case Tag.TYPE: return { type: a };
      case Tag.ERROR: return lo !== 0 && depth < 2 ? { error: a, detail: this.read(lo, depth + 1) } : { error: a };
      case Tag.MESSAGE: return { message: a };
      default: return { tag };
    }
  }
}

export { Op, Tag, ITER_NO_SECOND, CELL_SIZE };
