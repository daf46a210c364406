// CEL types as cel-go's checker sees them, with its assignability and type-parameter
// substitution rules (cel-go checker/types.go), so Verdict accepts and refuses exactly the
// expressions Cerbos's compiler does. Type names print the way cel-go's errors print them.

export type Kind =
  | "dyn" | "error" | "null" | "bool" | "int" | "uint" | "double" | "string" | "bytes" | "timestamp" | "duration"
  | "list" | "map" | "type" | "opaque" | "struct" | "var";

export interface Type {
  kind: Kind;
  /** opaque/struct: the type name; var: the type parameter's name */
  name?: string;
  params: Type[];
}

const prim = (kind: Kind): Type => ({ kind, params: [] });
export const DYN = prim("dyn");
export const ERROR = prim("error");
export const NULL = prim("null");
export const BOOL = prim("bool");
export const INT = prim("int");
export const UINT = prim("uint");
export const DOUBLE = prim("double");
export const STRING = prim("string");
export const BYTES = prim("bytes");
export const TIMESTAMP = prim("timestamp");
export const DURATION = prim("duration");
export const listOf = (elem: Type): Type => ({ kind: "list", params: [elem] });
export const mapOf = (key: Type, value: Type): Type => ({ kind: "map", params: [key, value] });
export const typeOf = (t: Type): Type => ({ kind: "type", params: [t] });
export const struct = (name: string): Type => ({ kind: "struct", name, params: [] });
export const opaque = (name: string, ...params: Type[]): Type => ({ kind: "opaque", name, params });
export const typeVar = (name: string): Type => ({ kind: "var", name, params: [] });

const PRIMS: Record<string, Type> = {
  dyn: DYN, null: NULL, bool: BOOL, int: INT, uint: UINT, double: DOUBLE, string: STRING, bytes: BYTES,
  timestamp: TIMESTAMP, duration: DURATION,
};

/** Parses the signature notation of decls.ts: `list(A)`, `map(string, dyn)`, `net.IP`, `A` (a type parameter). */
export function parseType(text: string): Type {
  let i = 0;
  const s = text.replace(/\s+/g, "");
  const one = (): Type => {
    const m = /^[A-Za-z_][\w.]*/.exec(s.slice(i));
    if (!m) throw new Error(`bad type ${text}`);
    i += m[0].length;
    const params: Type[] = [];
    if (s[i] === "(") {
      i++;
      for (;;) {
        params.push(one());
        if (s[i++] === ")") break;
      }
    }
    const n = m[0];
    if (/^[A-Z]$/.test(n)) return typeVar(n);
    if (n === "list") return listOf(params[0]!);
    if (n === "map") return mapOf(params[0]!, params[1]!);
    if (n === "type") return typeOf(params[0] ?? DYN);
    if (PRIMS[n]) return PRIMS[n]!;
    return n.startsWith("cerbos.") ? struct(n) : opaque(n, ...params);
  };
  const t = one();
  if (i !== s.length) throw new Error(`bad type ${text}`);
  return t;
}

export function formatType(t: Type): string {
  switch (t.kind) {
    case "list":
    case "map":
    case "type":
      return `${t.kind}(${t.params.map(formatType).join(", ")})`;
    case "opaque":
      return t.params.length ? `${t.name}(${t.params.map(formatType).join(", ")})` : t.name!;
    case "struct":
    case "var":
      return t.name!;
    case "error":
      return "!error!";
    default:
      return t.kind;
  }
}

/** Type-parameter substitutions, shared by a whole expression as in cel-go. */
export type Mapping = Map<string, Type>;

export function substitute(m: Mapping, t: Type, varToDyn: boolean): Type {
  if (t.kind === "var") {
    const sub = m.get(t.name!);
    if (sub) return substitute(m, sub, varToDyn);
    return varToDyn ? DYN : t;
  }
  if (t.params.length === 0) return t;
  return { ...t, params: t.params.map((p) => substitute(m, p, varToDyn)) };
}

const isDynOrError = (t: Type): boolean => t.kind === "dyn" || t.kind === "error";

export function exactType(a: Type, b: Type): boolean {
  return a.kind === b.kind && a.name === b.name && a.params.length === b.params.length && a.params.every((p, i) => exactType(p, b.params[i]!));
}

/** null is assignable to message, opaque and well-known time types (cel-go's legacy nullability). */
function nullable(t: Type): boolean {
  return t.kind === "struct" || t.kind === "opaque" || t.kind === "timestamp" || t.kind === "duration";
}

function notReferencedIn(m: Mapping, v: Type, within: Type): boolean {
  if (within.kind === "var") {
    if (within.name === v.name) return false;
    const sub = m.get(within.name!);
    return sub ? notReferencedIn(m, v, sub) : true;
  }
  return within.params.every((p) => notReferencedIn(m, v, p));
}

function isEqualOrLessSpecific(a: Type, b: Type): boolean {
  if (a.kind === "dyn" || a.kind === "var") return true;
  if (b.kind === "dyn" || b.kind === "var") return false;
  if (a.kind !== b.kind) return false;
  if (a.kind === "list" || a.kind === "map" || a.kind === "type")
    return a.params.length === b.params.length && a.params.every((p, i) => isEqualOrLessSpecific(p, b.params[i]!));
  return exactType(a, b);
}

export const mostGeneral = (a: Type, b: Type): Type => (isEqualOrLessSpecific(a, b) ? a : b);

/** [valid, hadSubstitution] for binding type parameter `v` to `t`. */
function validSubstitution(m: Mapping, t: Type, v: Type): [boolean, boolean] {
  if (t.kind === "var" && t.name === v.name) return [true, true];
  const sub = m.get(v.name!);
  if (sub) {
    if (exactType(t, sub)) return [true, true];
    if (assignable(m, t, sub)) {
      const general = mostGeneral(t, sub);
      if (notReferencedIn(m, v, general)) m.set(v.name!, general);
      return [true, true];
    }
    return [false, true];
  }
  if (notReferencedIn(m, v, t)) {
    m.set(v.name!, t);
    return [true, false];
  }
  return [false, false];
}

/** cel-go's internalIsAssignable: may bind type parameters in `m`. */
function assignable(m: Mapping, t1: Type, t2: Type): boolean {
  if (t2.kind === "var") {
    const [valid, had] = validSubstitution(m, t1, t2);
    if (valid) return true;
    if (had) return false;
  }
  if (t1.kind === "var") return validSubstitution(m, t2, t1)[0];
  if (isDynOrError(t1) || isDynOrError(t2)) return true;
  if (t1.kind === "null") return nullable(t2) || t2.kind === "null";
  if (t2.kind === "null") return nullable(t1);
  if (t1.kind !== t2.kind || t1.name !== t2.name) return false;
  // Type values compare at run time: cel-go accepts `type(1) == string` and `int == type`.
  if (t1.kind === "type") return true;
  return assignableList(m, t1.params, t2.params);
}

function assignableList(m: Mapping, a: Type[], b: Type[]): boolean {
  return a.length === b.length && a.every((t, i) => assignable(m, t, b[i]!));
}

/** Whether a value of type `actual` may be used where `expected` is wanted. Commits bindings only on success. */
export function isAssignable(m: Mapping, expected: Type, actual: Type): boolean {
  const copy = new Map(m);
  if (!assignable(copy, expected, actual)) return false;
  replace(m, copy);
  return true;
}

export function isAssignableList(m: Mapping, actual: Type[], formal: Type[]): boolean {
  const copy = new Map(m);
  if (!assignableList(copy, actual, formal)) return false;
  replace(m, copy);
  return true;
}

function replace(m: Mapping, from: Mapping): void {
  m.clear();
  for (const [k, v] of from) m.set(k, v);
}
