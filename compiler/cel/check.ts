// Name resolution and light checking of the IR against Cerbos's CEL environment
// (internal/conditions/cel.go): request/P/R/runtime messages, V/C/G maps, the function table,
// and the literal validators. Produces the checked tree (checked.ts) plus what the expression
// reads from the request (attribute keys, auxData) — recorded, not yet written to the tables.
import { reportCel } from "./report.ts";
import { Builtin, Message, Op, ROOT_GLOBALS, Tag } from "../../spec/format.ts";
import type { ConstValue } from "../encode/builder-api.ts";
import type { CelSource } from "../model.ts";
import type { DiagnosticBag } from "../diagnostics.ts";
import type { Node } from "./checked.ts";
import { ACCU, type Expr, type Literal } from "./ir.ts";
import { lookupFunction, NAMESPACES, NOT_IMPLEMENTED } from "./functions.ts";
import { parseDuration, parseTimestamp, regexError } from "./literals.ts";
import { compileRegex } from "./regex.ts";

export interface LowerScope {
  variables: Map<string, number /* VARS slot */>;
  constants: Map<string, unknown /* plain JSON-like value */>;
  allowRuntime: boolean;
}

export interface Checked {
  node: Node;
  locals: number;
  /** attribute keys read, per root; "*" = the whole map */
  attributes: Array<["principal" | "resource", string]>;
  auxData: boolean;
  /** What Verdict cannot compile although Cerbos can (a builtin the evaluator lacks, VD3017; a
   *  computed regex pattern, VD3016): reported after type checking, so an ill-typed expression is
   *  a type error first, as in Cerbos. */
  deferred: Array<{ code: "VD3016" | "VD3017"; offset: number; message: string }>;
}

/** Highest usable local index + 1: ITER_NEXT reserves 0xff for "no second variable". */
const MAX_LOCALS = 255;

const BINARY_OPS: Record<string, Op> = {
  "_==_": Op.EQ, "_!=_": Op.NE, "_<_": Op.LT, "_<=_": Op.LE, "_>_": Op.GT, "_>=_": Op.GE,
  "@in": Op.IN, "_+_": Op.ADD, "_-_": Op.SUB, "_*_": Op.MUL, "_/_": Op.DIV, "_%_": Op.MOD, "_[_]": Op.INDEX,
};
const UNARY_OPS: Record<string, Op> = { "!_": Op.NOT, "-_": Op.NEG, "@not_strictly_false": Op.NOT_STRICTLY_FALSE };

/** CEL type identifiers usable as values (`type(x) == string`). */
const TYPE_IDENTS: Record<string, Tag> = {
  null_type: Tag.NULL, bool: Tag.BOOL, int: Tag.INT, uint: Tag.UINT, double: Tag.DOUBLE, string: Tag.STRING,
  bytes: Tag.BYTES, list: Tag.LIST, map: Tag.MAP, type: Tag.TYPE, optional_type: Tag.OPTIONAL,
};

// Message fields of cerbos.engine.v1.Request & co. Both proto and JSON names resolve (as in
// cel-go); the evaluator only ever sees the camelCase name.
type Msg = Message.REQUEST | Message.PRINCIPAL | Message.RESOURCE | Message.AUX_DATA | Message.RUNTIME;
type FieldRef = { msg: Msg } | { attr: "principal" | "resource" } | { field: string };
const FIELDS: Record<Msg, Record<string, FieldRef>> = {
  [Message.REQUEST]: {
    principal: { msg: Message.PRINCIPAL }, resource: { msg: Message.RESOURCE },
    auxData: { msg: Message.AUX_DATA }, aux_data: { msg: Message.AUX_DATA },
  },
  [Message.PRINCIPAL]: {
    id: { field: "id" }, roles: { field: "roles" }, attr: { attr: "principal" },
    policyVersion: { field: "policyVersion" }, policy_version: { field: "policyVersion" }, scope: { field: "scope" },
  },
  [Message.RESOURCE]: {
    kind: { field: "kind" }, id: { field: "id" }, attr: { attr: "resource" },
    policyVersion: { field: "policyVersion" }, policy_version: { field: "policyVersion" }, scope: { field: "scope" },
  },
  [Message.AUX_DATA]: { jwt: { field: "jwt" }, jwts: { field: "jwts" } },
  [Message.RUNTIME]: {
    effectiveDerivedRoles: { field: "effectiveDerivedRoles" },
    effective_derived_roles: { field: "effectiveDerivedRoles" },
  },
};
const MSG_NAMES: Record<Msg, string> = {
  [Message.REQUEST]: "cerbos.engine.v1.Request", [Message.PRINCIPAL]: "cerbos.engine.v1.Request.Principal",
  [Message.RESOURCE]: "cerbos.engine.v1.Request.Resource", [Message.AUX_DATA]: "cerbos.engine.v1.AuxData",
  [Message.RUNTIME]: "cerbos.engine.v1.Runtime",
};

/** What a name or select chain denotes before it is used as a value. */
type Ref =
  | { t: "msg"; m: Msg }
  | { t: "attr"; who: "principal" | "resource" }
  | { t: "vars"; offset: number }
  | { t: "consts"; offset: number }
  /** G/globals: typed cerbos.Variables like V and C, but read at run time */
  | { t: "globals" }
  | { t: "node"; node: Node };

const NULL_NODE: Node = { k: "const", value: null };

export function checkCel(expr: Expr, src: CelSource, scope: LowerScope, diags: DiagnosticBag): Checked | undefined {
  const before = diags.items.length;
  const c = new Checker(src, scope, diags);
  const node = c.check(expr);
  if (diags.items.slice(before).some((d) => d.severity === "error")) return undefined;
  return { node, locals: c.maxLocals, attributes: c.attributes, auxData: c.auxData, deferred: c.deferred };
}

class Checker {
  maxLocals = 0;
  attributes: Array<["principal" | "resource", string]> = [];
  auxData = false;
  deferred: Checked["deferred"] = [];
  private nextLocal = 0;
  private scopes: Array<Map<string, number>> = [];

  constructor(
    private readonly src: CelSource,
    private readonly scope: LowerScope,
    private readonly diags: DiagnosticBag,
  ) {}

  private error(code: string, offset: number, message: string): Node {
    reportCel(this.diags, code, this.src, offset, message);
    return NULL_NODE;
  }

  private local(name: string): number | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const l = this.scopes[i]!.get(name);
      if (l !== undefined) return l;
    }
    return undefined;
  }

  private alloc(offset: number): number {
    const i = this.nextLocal++;
    if (this.nextLocal > MAX_LOCALS) this.error("VD3013", offset, "too many nested comprehensions");
    this.maxLocals = Math.max(this.maxLocals, this.nextLocal);
    return i;
  }

  check(e: Expr): Node {
    switch (e.k) {
      case "lit":
        return this.literal(e.lit, e.offset);
      case "ident":
      case "select":
        return e.k === "select" && e.test ? this.has(e) : this.materialize(this.ref(e), e.offset);
      case "call":
        return this.call(e);
      case "list": {
        const elems = e.elems.map((x) => this.check(x));
        // A list of constants is one constant cell: no per-evaluation allocation.
        return elems.every((n) => n.k === "const")
          ? { k: "const", value: { list: elems.map((n) => (n as { value: ConstValue }).value) } }
          : { k: "list", elems };
      }
      case "map":
        return { k: "map", entries: e.entries.map(({ key, value }) => [this.check(key), this.check(value)] as [Node, Node]) };
      case "comp":
        return this.comprehension(e);
      case "bind": {
        const init = this.check(e.init);
        const saved = this.nextLocal;
        const local = this.alloc(e.offset);
        this.scopes.push(new Map([[e.name, local]]));
        const body = this.check(e.body);
        this.scopes.pop();
        this.nextLocal = saved;
        return { k: "bind", local, init, body };
      }
    }
  }

  private literal(l: Literal, offset: number): Node {
    switch (l.kind) {
      case "null":
        return { k: "const", value: null };
      case "bool":
      case "double":
      case "string":
        return { k: "const", value: l.value };
      case "int":
        if (l.value < -(1n << 63n) || l.value >= 1n << 63n) return this.error("VD3012", offset, "int literal out of range");
        return { k: "const", value: { int: l.value } };
      case "uint":
        if (l.value < 0n || l.value >= 1n << 64n) return this.error("VD3012", offset, "uint literal out of range");
        return { k: "const", value: { uint: l.value } };
      case "bytes":
        return { k: "const", value: { bytes: l.value } };
    }
  }

  /** Resolves identifiers, field selections and constant-key indexing of the Cerbos roots. */
  private ref(e: Expr): Ref {
    if (e.k === "ident") return this.identRef(e.name, e.offset);
    if (e.k === "select" && !e.test) return this.fieldRef(this.ref(e.operand), e.field, e.offset);
    if (e.k === "call" && e.fn === "_[_]" && !e.target && e.args.length === 2) {
      const [obj, key] = e.args as [Expr, Expr];
      const base = this.ref(obj);
      // V, C and G are cerbos.Variables messages to the checker: only `.name` works (as in Cerbos)
      if (base.t === "vars" || base.t === "consts" || base.t === "globals")
        return { t: "node", node: this.error("VD3005", e.offset, "found no matching overload for `_[_]` applied to `(cerbos.Variables, string)`") };
      // R.attr["x"] reads exactly what R.attr.x reads
      if (key.k === "lit" && key.lit.kind === "string" && base.t === "attr") return this.fieldRef(base, key.lit.value, key.offset);
      return { t: "node", node: { k: "op", op: Op.INDEX, args: [this.materialize(base, obj.offset), this.check(key)] } };
    }
    return { t: "node", node: this.check(e) };
  }

  private identRef(name: string, offset: number): Ref {
    const l = this.local(name);
    if (l !== undefined) return { t: "node", node: { k: "local", index: l } };
    switch (name) {
      case "request":
        return { t: "msg", m: Message.REQUEST };
      case "P":
        return { t: "msg", m: Message.PRINCIPAL };
      case "R":
        return { t: "msg", m: Message.RESOURCE };
      case "runtime":
        if (!this.scope.allowRuntime)
          return { t: "node", node: this.error("VD3010", offset, "`runtime` is only available in resource and derived role conditions") };
        return { t: "msg", m: Message.RUNTIME };
      case "V":
      case "variables":
        return { t: "vars", offset };
      case "C":
      case "constants":
        return { t: "consts", offset };
      case "G":
      case "globals":
        return { t: "globals" };
    }
    if (Object.hasOwn(TYPE_IDENTS, name)) return { t: "node", node: { k: "const", value: { type: TYPE_IDENTS[name]! } } };
    return { t: "node", node: this.error("VD3002", offset, `undeclared reference to \`${name}\``) };
  }

  private fieldRef(base: Ref, field: string, offset: number): Ref {
    switch (base.t) {
      case "msg": {
        const f = Object.hasOwn(FIELDS[base.m], field) ? FIELDS[base.m][field] : undefined;
        if (!f) return { t: "node", node: this.error("VD3009", offset, `undefined field \`${field}\` of ${MSG_NAMES[base.m]}`) };
        if ("msg" in f) {
          if (f.msg === Message.AUX_DATA) this.auxData = true;
          return { t: "msg", m: f.msg };
        }
        if ("attr" in f) return { t: "attr", who: f.attr };
        if (base.m === Message.AUX_DATA) this.auxData = true;
        return { t: "node", node: { k: "select", obj: { k: "root", root: base.m }, field: f.field } };
      }
      case "attr":
        this.attributes.push([base.who, field]);
        return { t: "node", node: { k: "select", obj: this.attrNode(base.who), field } };
      case "vars": {
        const slot = this.scope.variables.get(field);
        if (slot === undefined) return { t: "node", node: this.error("VD3003", base.offset, `undefined variable \`${field}\``) };
        return { t: "node", node: { k: "var", slot } };
      }
      case "consts": {
        if (!this.scope.constants.has(field))
          return { t: "node", node: this.error("VD3004", base.offset, `undefined constant \`${field}\``) };
        const value = toConst(this.scope.constants.get(field));
        if (value === undefined) return { t: "node", node: this.error("VD3014", base.offset, `constant \`${field}\` has an unsupported value`) };
        return { t: "node", node: { k: "const", value } };
      }
      case "globals":
        return { t: "node", node: { k: "select", obj: { k: "root", root: ROOT_GLOBALS }, field } };
      case "node":
        return { t: "node", node: { k: "select", obj: base.node, field } };
    }
  }

  private attrNode(who: "principal" | "resource"): Node {
    return { k: "select", obj: { k: "root", root: who === "principal" ? Message.PRINCIPAL : Message.RESOURCE }, field: "attr" };
  }

  /** A reference used as a whole value: record that every attribute may be read. */
  private materialize(r: Ref, offset: number): Node {
    switch (r.t) {
      case "node":
        return r.node;
      case "attr":
        this.attributes.push([r.who, "*"]);
        return this.attrNode(r.who);
      case "msg":
        if (r.m === Message.REQUEST || r.m === Message.PRINCIPAL) this.attributes.push(["principal", "*"]);
        if (r.m === Message.REQUEST || r.m === Message.RESOURCE) this.attributes.push(["resource", "*"]);
        if (r.m === Message.REQUEST || r.m === Message.AUX_DATA) this.auxData = true;
        return { k: "root", root: r.m };
      case "vars":
        return this.error("VD3011", offset, "`variables` can only be used as `V.<name>`");
      case "consts":
        return this.error("VD3011", offset, "`constants` can only be used as `C.<name>`");
      case "globals":
        return { k: "root", root: ROOT_GLOBALS };
    }
  }

  private has(e: Extract<Expr, { k: "select" }>): Node {
    const base = this.ref(e.operand);
    switch (base.t) {
      case "attr":
        this.attributes.push([base.who, e.field]);
        return { k: "has", obj: this.attrNode(base.who), field: e.field };
      case "msg": {
        const f = Object.hasOwn(FIELDS[base.m], e.field) ? FIELDS[base.m][e.field] : undefined;
        if (!f) return this.error("VD3009", e.offset, `undefined field \`${e.field}\` of ${MSG_NAMES[base.m]}`);
        const canonical = "field" in f ? f.field : "attr" in f ? "attr" : e.field === "aux_data" ? "auxData" : e.field;
        // has(P.attr) tests whether the map is non-empty: it needs every key
        if ("attr" in f) this.attributes.push([f.attr, "*"]);
        if (base.m === Message.AUX_DATA || ("msg" in f && f.msg === Message.AUX_DATA)) this.auxData = true;
        return { k: "has", obj: { k: "root", root: base.m }, field: canonical };
      }
      case "vars":
        return { k: "const", value: this.scope.variables.has(e.field) };
      case "consts":
        return { k: "const", value: this.scope.constants.has(e.field) };
      case "globals":
        return { k: "has", obj: { k: "root", root: ROOT_GLOBALS }, field: e.field };
      case "node":
        return { k: "has", obj: base.node, field: e.field };
    }
  }

  private call(e: Extract<Expr, { k: "call" }>): Node {
    const args = e.args;
    if (!e.target) {
      if (e.fn === "_&&_" || e.fn === "_||_") {
        const [a, b] = args.map((x) => this.check(x)) as [Node, Node];
        return { k: e.fn === "_&&_" ? "and" : "or", a, b };
      }
      if (e.fn === "_?_:_") {
        const [c, t, f] = args.map((x) => this.check(x)) as [Node, Node, Node];
        return { k: "cond", c, t, f };
      }
      if (e.fn === "_[_]") return this.materialize(this.ref(e), e.offset);
      if (e.fn === "@in" && args[1]?.k === "list" && args[1].elems.length === 0) {
        // cel-go's constant folding (which Cerbos enables) turns `x in []` into false before
        // evaluation, so even an erroring `x` (a missing attribute) yields false.
        this.check(args[0]!);
        return { k: "const", value: false };
      }
      const bin = BINARY_OPS[e.fn];
      if (bin !== undefined && args.length === 2) return { k: "op", op: bin, args: args.map((x) => this.check(x)) };
      const un = UNARY_OPS[e.fn];
      if (un !== undefined && args.length === 1) return { k: "op", op: un, args: [this.check(args[0]!)] };
      if ((e.fn === "duration" || e.fn === "timestamp") && args.length === 1) {
        const a = args[0]!;
        if (a.k === "lit" && a.lit.kind === "string") return this.timeLiteral(e.fn, a.lit.value, a.offset);
      }
    }
    // `sets.contains(..)`: a namespace identifier (not shadowed by a local) qualifies the name
    let name = e.fn;
    let target = e.target;
    if (target?.k === "ident" && NAMESPACES.has(target.name) && this.local(target.name) === undefined) {
      name = `${target.name}.${e.fn}`;
      target = undefined;
    }
    const all = target ? [target, ...args] : args;
    const found = lookupFunction(target ? "member" : "global", name, all.length);
    if (!found.ok) {
      const what = target ? `.${name}()` : `${name}()`;
      return this.error(
        "VD3005",
        e.offset,
        found.known
          ? `no matching overload for \`${what}\` with ${all.length - (target ? 1 : 0)} argument(s)`
          : `undeclared reference to function \`${what}\``,
      );
    }
    if (NOT_IMPLEMENTED.has(found.entry.builtin)) {
      const what = target ? `.${name}()` : `${name}()`;
      this.deferred.push({ code: "VD3017", offset: e.offset, message: `\`${what}\` is not implemented by Verdict yet (see docs/cel-support.md): the policy cannot be compiled` });
    }
    this.validateRegexArg(name, target !== undefined, all);
    const checked = all.map((x) => this.check(x));
    if (found.entry.builtin === Builtin.MATCHES) checked[1] = this.regexConstant(checked[1]!, all[1]!);
    return { k: "call", fn: found.entry.builtin, args: checked };
  }

  /** matches(): the pattern becomes a compiled program (compiler/cel/regex.ts), so it must be
   *  known now — a literal or a policy constant. Cerbos would compile a computed one at run time;
   *  the evaluator carries no RE2 compiler, so that is refused here rather than failing later. */
  private regexConstant(n: Node, e: Expr): Node {
    if (n.k !== "const" || typeof n.value !== "string") {
      this.deferred.push({ code: "VD3016", offset: e.offset, message: "the pattern of `matches()` must be a constant string (a literal or a policy constant): Verdict compiles regular expressions ahead of time" });
      return n;
    }
    const pattern = n.value;
    const bad = regexError(pattern);
    if (bad) return e.k === "lit" ? n : this.error("VD3008", e.offset, `invalid regular expression ${JSON.stringify(pattern)}: ${bad}`);
    try {
      return { k: "const", value: { regex: { pattern, program: compileRegex(pattern).bytes } } };
    } catch (err) {
      return this.error("VD3016", e.offset, err instanceof Error ? err.message : String(err));
    }
  }

  private timeLiteral(fn: "duration" | "timestamp", text: string, offset: number): Node {
    const r = fn === "duration" ? parseDuration(text) : parseTimestamp(text);
    if (typeof r === "string") return this.error(fn === "duration" ? "VD3006" : "VD3007", offset, r);
    return { k: "const", value: fn === "duration" ? { duration: r } : { timestamp: r } };
  }

  /** cel.ValidateRegexLiterals: the pattern argument of matches/regex.* must compile. */
  private validateRegexArg(name: string, member: boolean, all: Expr[]): void {
    const isRegexFn = name === "matches" || name.startsWith("regex.");
    const re = isRegexFn ? all[1] : undefined;
    if (re?.k === "lit" && re.lit.kind === "string") {
      const err = regexError(re.lit.value);
      if (err) this.error("VD3008", re.offset, `invalid regular expression ${JSON.stringify(re.lit.value)}: ${err}`);
    }
    void member;
  }

  private comprehension(e: Extract<Expr, { k: "comp" }>): Node {
    const range = this.check(e.range);
    const init = this.check(e.init);
    const saved = this.nextLocal;
    const accu = this.alloc(e.offset);
    const a = this.alloc(e.offset);
    const b = e.iterVar2 !== undefined ? this.alloc(e.offset) : undefined;
    const vars = new Map([[e.iterVar, a]]);
    if (e.iterVar2 !== undefined && b !== undefined) vars.set(e.iterVar2, b);
    this.scopes.push(new Map([[e.accuVar || ACCU, accu]]));
    this.scopes.push(vars);
    const cond = this.check(e.cond);
    const step = this.check(e.step);
    this.scopes.pop();
    const result = this.check(e.result); // sees the accumulator, not the iteration variables
    this.scopes.pop();
    this.nextLocal = saved;
    return { k: "comp", range, a, ...(b !== undefined ? { b } : {}), accu, init, cond, step, result };
  }
}

/** A constant's plain JSON-like value as a cell value. Numbers are doubles (google.protobuf.Value). */
export function toConst(v: unknown): ConstValue | undefined {
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) {
    const items = v.map(toConst);
    return items.every((x) => x !== undefined) ? { list: items as ConstValue[] } : undefined;
  }
  if (typeof v === "object") {
    const entries: Array<[ConstValue, ConstValue]> = [];
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const cv = toConst(x);
      if (cv === undefined) return undefined;
      entries.push([k, cv]);
    }
    return { map: entries };
  }
  return undefined;
}
