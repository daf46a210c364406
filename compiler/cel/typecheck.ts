// Static type inference over the IR, as cel-go's checker does it for Cerbos's declarations:
// typed request fields, `attr` as map(string, dyn), V/C/G whose fields are dyn, the overloads of
// decls.ts, type parameters shared across the expression. check.ts has already resolved names, so
// this pass only adds the type errors Cerbos's compiler reports ("found no matching overload ...").
// Whatever cannot be decided is dyn, which matches anything: never stricter than cel-go.
import { reportCel } from "./report.ts";
import type { CelSource } from "../model.ts";
import type { DiagnosticBag } from "../diagnostics.ts";
import type { Expr, Literal } from "./ir.ts";
import { DECLS, type Overload } from "./decls.ts";
import { formatCallError } from "./format-check.ts";
import { NAMESPACES } from "./functions.ts";
import {
  BOOL, BYTES, DOUBLE, DYN, ERROR, INT, NULL, STRING, UINT, exactType, formatType, isAssignable, isAssignableList, listOf, mapOf,
  mostGeneral, parseType, struct, substitute, typeOf, typeVar, type Mapping, type Type,
} from "./types.ts";

const CODE = "VD3015";

const PRINCIPAL = "cerbos.engine.v1.Request.Principal";
const RESOURCE = "cerbos.engine.v1.Request.Resource";
const AUX = "cerbos.engine.v1.AuxData";
const VARIABLES = "cerbos.Variables";
const ATTR = mapOf(STRING, DYN);

/** Message fields by proto and JSON name. `null` = any field, typed dyn (cerbos.Variables). */
const MESSAGES: Record<string, Record<string, Type> | null> = {
  "cerbos.engine.v1.Request": { principal: struct(PRINCIPAL), resource: struct(RESOURCE), auxData: struct(AUX), aux_data: struct(AUX) },
  [PRINCIPAL]: { id: STRING, roles: listOf(STRING), attr: ATTR, policyVersion: STRING, policy_version: STRING, scope: STRING },
  [RESOURCE]: { kind: STRING, id: STRING, attr: ATTR, policyVersion: STRING, policy_version: STRING, scope: STRING },
  [AUX]: { jwt: ATTR, jwts: mapOf(STRING, struct(`${AUX}.JWT`)) },
  [`${AUX}.JWT`]: { claims: ATTR },
  "cerbos.engine.v1.Runtime": { effectiveDerivedRoles: listOf(STRING), effective_derived_roles: listOf(STRING) },
  [VARIABLES]: null,
};

const ROOTS: Record<string, Type> = {
  request: struct("cerbos.engine.v1.Request"), P: struct(PRINCIPAL), R: struct(RESOURCE), runtime: struct("cerbos.engine.v1.Runtime"),
  V: struct(VARIABLES), variables: struct(VARIABLES), C: struct(VARIABLES), constants: struct(VARIABLES),
  G: struct(VARIABLES), globals: struct(VARIABLES),
};

const TYPE_IDENTS: Record<string, Type> = {
  null_type: typeOf(NULL), bool: typeOf(BOOL), int: typeOf(INT), uint: typeOf(UINT), double: typeOf(DOUBLE),
  string: typeOf(STRING), bytes: typeOf(BYTES), list: typeOf(listOf(DYN)), map: typeOf(mapOf(DYN, DYN)),
  type: typeOf(typeOf(DYN)), optional_type: typeOf(parseType("optional_type(dyn)")),
};

const NUMERIC = new Set(["int", "uint", "double"]);

/** Reports cel-go's type errors for `expr`; returns whether there were none. */
export function typecheckCel(expr: Expr, src: CelSource, diags: DiagnosticBag): boolean {
  const t = new TypeChecker(src, diags);
  t.check(expr);
  return t.ok;
}

class TypeChecker {
  ok = true;
  private readonly m: Mapping = new Map();
  private fresh = 0;
  private readonly scopes: Array<Map<string, Type>> = [];
  /** the type found for each node (format validation reads list elements') */
  private readonly types = new Map<Expr, Type>();

  constructor(
    private readonly src: CelSource,
    private readonly diags: DiagnosticBag,
  ) {}

  private error(offset: number, message: string): Type {
    this.ok = false;
    reportCel(this.diags, CODE, this.src, offset, message);
    return ERROR;
  }

  private newVar(): Type {
    return typeVar(`_var${this.fresh++}`);
  }

  private fmt(t: Type): string {
    return formatType(substitute(this.m, t, true));
  }

  private local(name: string): Type | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const t = this.scopes[i]!.get(name);
      if (t) return t;
    }
    return undefined;
  }

  check(e: Expr): Type {
    const t = this.checkNode(e);
    this.types.set(e, t);
    return t;
  }

  private checkNode(e: Expr): Type {
    switch (e.k) {
      case "lit":
        return literalType(e.lit);
      case "ident":
        return this.local(e.name) ?? own(ROOTS, e.name) ?? own(TYPE_IDENTS, e.name) ?? DYN;
      case "select":
        return this.select(e);
      case "call":
        return this.call(e);
      case "list": {
        let elem: Type | undefined;
        for (const x of e.elems) elem = this.join(elem, this.check(x));
        return listOf(elem ?? this.newVar());
      }
      case "map": {
        let key: Type | undefined;
        let value: Type | undefined;
        for (const en of e.entries) {
          key = this.join(key, this.check(en.key));
          value = this.join(value, this.check(en.value));
        }
        return mapOf(key ?? this.newVar(), value ?? this.newVar());
      }
      case "comp":
        return this.comprehension(e);
      case "bind": {
        const init = this.check(e.init);
        this.scopes.push(new Map([[e.name, init]]));
        const body = this.check(e.body);
        this.scopes.pop();
        return body;
      }
    }
  }

  /** Element type of a list/map literal: mixed elements make it dyn (cel-go's default). */
  private join(prev: Type | undefined, cur: Type): Type {
    if (!prev) return cur;
    return isAssignable(this.m, prev, cur) ? mostGeneral(prev, cur) : DYN;
  }

  private select(e: Extract<Expr, { k: "select" }>): Type {
    let operand = substitute(this.m, this.check(e.operand), false);
    // Selecting on an optional selects inside it and stays optional (cel-go's OptionalTypes).
    const optional = operand.kind === "opaque" && operand.name === "optional_type";
    if (optional) operand = operand.params[0]!;
    let result: Type = DYN;
    switch (operand.kind) {
      case "struct": {
        const fields = Object.hasOwn(MESSAGES, operand.name!) ? MESSAGES[operand.name!] : undefined;
        if (fields) {
          const f = Object.hasOwn(fields, e.field) ? fields[e.field] : undefined;
          // Unknown fields of the request messages were reported by check.ts already; those of
          // AuxData.JWT (only `claims` is known) stay dyn: better lenient than refuse a real field.
          if (f) result = f;
        } else if (fields === undefined) {
          return this.error(e.offset, `undefined field '${e.field}'`);
        }
        break;
      }
      case "map":
        result = operand.params[1]!;
        break;
      case "var":
        isAssignable(this.m, DYN, operand);
        break;
      case "dyn":
      case "error":
        break;
      default:
        this.error(e.offset, `type '${this.fmt(operand)}' does not support field selection`);
    }
    if (e.test) return BOOL;
    return optional ? { kind: "opaque", name: "optional_type", params: [result] } : result;
  }

  private call(e: Extract<Expr, { k: "call" }>): Type {
    let name = e.fn;
    let target = e.target;
    let args = e.args;
    if (target?.k === "ident" && NAMESPACES.has(target.name) && this.local(target.name) === undefined) {
      name = `${target.name}.${e.fn}`;
      target = undefined;
    }
    // macros.ts spells sortBy's key sort as a global call; cel-go declares it as a member.
    if (name === "@sortByAssociatedKeys" && !target && args.length === 2) [target, args] = [args[0], args.slice(1)];
    if (!target && (name === "_&&_" || name === "_||_")) {
      for (const a of args) this.assertType(a, BOOL, this.check(a));
      return BOOL;
    }
    if (!target && (name === "math.greatest" || name === "math.least")) return this.mathMacro(e, name, args);
    const argTypes = [...(target ? [this.check(target)] : []), ...args.map((a) => this.check(a))];
    const overloads = DECLS.get(name);
    if (!overloads) return DYN; // not declared here: lenient (see decls.ts)
    const result = this.resolve(e.offset, name, target !== undefined, overloads, argTypes);
    const list = args[0];
    if (name === "format" && target?.k === "lit" && target.lit.kind === "string" && args.length === 1 && list?.k === "list") {
      const err = formatCallError(target.lit.value, list.elems.map((x) => substitute(this.m, this.types.get(x) ?? DYN, false)));
      if (err) return this.error(e.offset, err);
    }
    return result;
  }

  /** cel-go's resolveOverload: every matching overload binds type parameters; differing results give dyn. */
  private resolve(offset: number, name: string, member: boolean, overloads: Overload[], argTypes: Type[]): Type {
    let result: Type | undefined;
    for (const o of overloads) {
      if (o.member !== member) continue;
      const inst = new Map<string, Type>();
      const instantiate = (t: Type): Type => {
        if (t.kind === "var") {
          let v = inst.get(t.name!);
          if (!v) inst.set(t.name!, (v = this.newVar()));
          return v;
        }
        return t.params.length ? { ...t, params: t.params.map(instantiate) } : t;
      };
      const formal = o.args.map(instantiate);
      const ret = instantiate(o.result);
      if (!isAssignableList(this.m, argTypes, formal)) continue;
      const r = substitute(this.m, ret, false);
      if (!result) result = r;
      else if (result.kind !== "dyn" && !exactType(r, result)) result = DYN;
    }
    if (result) return result;
    const shown = argTypes.map((t) => this.fmt(t));
    const applied = member ? `${shown[0]}.(${shown.slice(1).join(", ")})` : `(${shown.join(", ")})`;
    return this.error(offset, `found no matching overload for '${name}' applied to '${applied}'`);
  }

  private assertType(e: Expr, expected: Type, actual: Type): void {
    if (!isAssignable(this.m, expected, actual))
      this.error(e.offset, `expected type '${this.fmt(expected)}' but found '${this.fmt(actual)}'`);
  }

  /** cel-go's math.greatest/least macros: literal arguments must be numeric, then the call is
   *  math.@max/@min of the arguments (more than two are passed as one list literal). */
  private mathMacro(e: Expr, name: string, args: Expr[]): Type {
    // cel-go's isValidArgType: numeric literals and non-literal expressions, not list/map literals
    const valid = (a: Expr) => (a.k === "lit" ? NUMERIC.has(a.lit.kind) : a.k !== "list" && a.k !== "map");
    const a0 = args[0]!;
    if (args.length === 1 && !(valid(a0) || (a0.k === "list" && a0.elems.length > 0 && a0.elems.every(valid))))
      return this.error(e.offset, `${name}() invalid single argument value`);
    if (args.length > 1 && !args.every(valid)) return this.error(e.offset, `${name}() simple literal arguments must be numeric`);
    const fn = name === "math.greatest" ? "math.@max" : "math.@min";
    const types = args.length > 2 ? [this.check({ offset: e.offset, k: "list", elems: args })] : args.map((a) => this.check(a));
    return this.resolve(e.offset, fn, false, DECLS.get(fn)!, types);
  }

  private comprehension(e: Extract<Expr, { k: "comp" }>): Type {
    const range = substitute(this.m, this.check(e.range), false);
    const accu = this.check(e.init);
    let v1: Type;
    let v2: Type | undefined;
    switch (range.kind) {
      case "list":
        [v1, v2] = e.iterVar2 !== undefined ? [INT, range.params[0]!] : [range.params[0]!, undefined];
        break;
      case "map":
        [v1, v2] = [range.params[0]!, e.iterVar2 !== undefined ? range.params[1]! : undefined];
        break;
      case "dyn":
      case "error":
      case "var":
        isAssignable(this.m, DYN, range);
        [v1, v2] = [DYN, e.iterVar2 !== undefined ? DYN : undefined];
        break;
      default:
        this.error(e.range.offset, `expression of type '${this.fmt(range)}' cannot be range of a comprehension (must be list, map, or dynamic)`);
        [v1, v2] = [ERROR, e.iterVar2 !== undefined ? ERROR : undefined];
    }
    this.scopes.push(new Map([[e.accuVar, accu]]));
    const vars = new Map([[e.iterVar, v1]]);
    if (e.iterVar2 !== undefined && v2) vars.set(e.iterVar2, v2);
    this.scopes.push(vars);
    this.assertType(e.cond, BOOL, this.check(e.cond));
    this.assertType(e.step, accu, this.check(e.step));
    this.scopes.pop();
    const result = this.check(e.result);
    this.scopes.pop();
    return substitute(this.m, result, false);
  }
}

const own = <V>(table: Record<string, V>, key: string): V | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);

function literalType(l: Literal): Type {
  switch (l.kind) {
    case "null":
      return NULL;
    case "bool":
      return BOOL;
    case "int":
      return INT;
    case "uint":
      return UINT;
    case "double":
      return DOUBLE;
    case "string":
      return STRING;
    case "bytes":
      return BYTES;
  }
}
