// A seeded generator of CEL condition expressions over Cerbos's request model for the
// type-checker differential test (cel-types-cerbos.test.ts). Expressions are built towards a wanted
// type, and now and then a sub-expression of a random other type is put in its place, so the output
// mixes well-typed and ill-typed conditions (mismatched operands, wrong argument types, bad
// comprehension ranges, selections on scalars, mixed branches, ...).
import { prng } from "../helpers/prng.ts";

type T = "bool" | "int" | "uint" | "double" | "string" | "bytes" | "list" | "map" | "dyn" | "ts" | "dur";
const TYPES: T[] = ["bool", "int", "uint", "double", "string", "bytes", "list", "map", "dyn", "ts", "dur"];


const LEAVES: Record<T, string[]> = {
  bool: ["true", "false", "R.attr.public", "has(R.attr.owner)", "has(P.attr.dept)", "G.flag", "V.b"],
  int: ["0", "1", "42", "-3", "size(P.roles)", "P.roles.size()", "C.k"],
  uint: ["1u", "7u"],
  double: ["2.5", "0.0", "P.attr.n", "C.k"],
  string: [`"a"`, `"alice"`, "P.id", "R.id", "R.kind", "P.scope", "request.principal.id", "R.policyVersion", "V.s"],
  bytes: [`b"ab"`],
  list: ["P.roles", "[1, 2]", `["a", "b"]`, "[]", "runtime.effectiveDerivedRoles", "[1, 2.5]", "R.attr.tags", "V.l"],
  map: [`{"a": 1}`, "{}", "R.attr", "P.attr", "request.auxData.jwt", `{"k": "v"}`],
  dyn: ["R.attr.owner", "P.attr.dept", "R.attr.n", "request.auxData.jwt.sub", "G.x", "dyn(1)", "V.s"],
  ts: [`timestamp("2024-01-01T00:00:00Z")`, "now()"],
  dur: [`duration("1h")`, `duration("30m")`],
};

export function generateConditions(seed: number, count: number): string[] {
  const rnd = prng(seed);
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(rnd() * xs.length)]!;
  let vars = 0;
  const bound: Array<{ name: string; t: T }> = [];

  const other = (): T => pick(TYPES);
  /** an expression meant to have type `t`; with some probability one of another type */
  const gen = (want: T, depth: number): string => {
    const t = rnd() < 0.12 ? other() : want;
    const inScope = bound.filter((b) => b.t === t || b.t === "dyn");
    if (inScope.length && rnd() < 0.3) return pick(inScope).name;
    if (depth <= 0 || rnd() < 0.3) return pick(LEAVES[t]);
    return pick(builders[t])(depth - 1);
  };
  const num = (): T => pick(["int", "uint", "double", "dyn"] as T[]);
  const comprehension = (depth: number, body: (v: string) => string, range?: string): string => {
    const name = `v${vars++}`;
    const r = range ?? gen(pick(["list", "list", "map", "dyn"] as T[]), depth);
    bound.push({ name, t: "dyn" });
    const b = body(name);
    bound.pop();
    return `${r}.${pick(["all", "exists", "exists_one", "filter"])}(${name}, ${b})`;
  };

  const builders: Record<T, Array<(d: number) => string>> = {
    bool: [
      (d) => { const t = pick(TYPES); return `${gen(t, d)} ${pick(["==", "!="])} ${gen(t, d)}`; },
      (d) => { const t = pick([num(), "string", "ts", "dur"] as T[]); return `${gen(t, d)} ${pick(["<", "<=", ">", ">="])} ${gen(rnd() < 0.5 ? t : num(), d)}`; },
      (d) => `${gen(pick(["string", "int", "dyn"] as T[]), d)} in ${gen(pick(["list", "map"] as T[]), d)}`,
      (d) => `(${gen("bool", d)}) ${pick(["&&", "||"])} (${gen("bool", d)})`,
      (d) => `!(${gen("bool", d)})`,
      (d) => `${gen("string", d)}.${pick(["startsWith", "endsWith", "contains"])}(${gen("string", d)})`,
      (d) => `${gen("string", d)}.matches("^a.*")`,
      (d) => comprehension(d, (v) => (rnd() < 0.5 ? `${v} == ${gen(pick(TYPES), 0)}` : gen("bool", d))),
      (d) => `${pick(["hasIntersection", "isSubset"])}(${gen("list", d)}, ${gen("list", d)})`,
      (d) => `${gen("list", d)}.${pick(["hasIntersection", "isSubset"])}(${gen("list", d)})`,
      (d) => `has(${gen(pick(["map", "dyn", "string"] as T[]), d)}.f)`,
      (d) => `${gen("string", d)}.inIPAddrRange("10.0.0.0/8")`,
      (d) => `hierarchy(${gen("string", d)}).ancestorOf(hierarchy(${gen("string", d)}))`,
      (d) => `sets.contains(${gen("list", d)}, ${gen("list", d)})`,
      (d) => `${gen("list", d)}.all(i, x, ${rnd() < 0.5 ? "i" : "x"} ${pick(["==", "<"])} ${gen(pick(TYPES), 0)})`,
    ],
    int: [
      (d) => `${gen("int", d)} ${pick(["+", "-", "*", "/", "%"])} ${gen("int", d)}`,
      (d) => `size(${gen(pick(["string", "list", "map", "bytes"] as T[]), d)})`,
      (d) => `int(${gen(pick(["string", "double", "uint", "ts"] as T[]), d)})`,
      (d) => `${gen("ts", d)}.${pick(["getHours", "getFullYear", "getDayOfWeek"])}(${rnd() < 0.3 ? `"UTC"` : ""})`,
      (d) => `${gen("string", d)}.indexOf(${gen("string", d)})`,
      (d) => `math.abs(${gen("int", d)})`,
      (d) => `${gen("list", d)}[${gen("int", d)}]`,
      (d) => `${gen("bool", d)} ? ${gen("int", d)} : ${gen("int", d)}`,
    ],
    uint: [(d) => `uint(${gen(pick(["int", "string"] as T[]), d)})`, (d) => `${gen("uint", d)} + ${gen("uint", d)}`],
    double: [
      (d) => `${gen("double", d)} ${pick(["+", "-", "*", "/"])} ${gen("double", d)}`,
      (d) => `double(${gen(pick(["int", "string"] as T[]), d)})`,
      (d) => `math.${pick(["ceil", "floor", "round"])}(${gen("double", d)})`,
      (d) => `math.greatest(${gen(num(), d)}, ${gen(num(), d)})`,
    ],
    string: [
      (d) => `${gen("string", d)} + ${gen("string", d)}`,
      (d) => `string(${gen(pick(TYPES), d)})`,
      (d) => `${gen("string", d)}.${pick(["lowerAscii", "upperAscii", "trim"])}()`,
      (d) => `${gen("string", d)}.charAt(${gen("int", d)})`,
      (d) => `${gen("string", d)}.replace(${gen("string", d)}, ${gen("string", d)})`,
      (d) => `${gen("list", d)}.join(${rnd() < 0.5 ? `","` : ""})`,
      (d) => `${gen("map", d)}[${gen("string", d)}]`,
      (d) => `base64.encode(${gen("bytes", d)})`,
      (d) => `${gen("string", d)}.substring(${gen("int", d)})`,
      (d) => `hierarchy(${gen("string", d)})[${gen("int", d)}]`,
      (d) => `${pick([`"%s"`, `"%d and %s"`, `"%x"`, `"%.2f"`, `"%b %o"`, `"100%%"`, `"%q"`])}.format([${[gen(pick(TYPES), d), gen(pick(TYPES), d)].slice(0, Math.floor(rnd() * 3)).join(", ")}])`,
    ],
    bytes: [(d) => `bytes(${gen("string", d)})`, (d) => `${gen("bytes", d)} + ${gen("bytes", d)}`],
    list: [
      (d) => `${gen("list", d)} + ${gen("list", d)}`,
      (d) => `[${gen(pick(TYPES), d)}, ${gen(pick(TYPES), d)}]`,
      (d) => `${gen("string", d)}.split(",")`,
      (d) => comprehension(d, (v) => gen("bool", d)),
      (d) => { const name = `m${vars++}`; const r = gen("list", d); bound.push({ name, t: "dyn" }); const b = gen(pick(TYPES), d); bound.pop(); return `${r}.map(${name}, ${b})`; },
      (d) => `${pick(["intersect", "except"])}(${gen("list", d)}, ${gen("list", d)})`,
      (d) => `${gen("list", d)}.${pick(["distinct", "reverse", "sort"])}()`,
      (d) => `lists.range(${gen("int", d)})`,
    ],
    map: [(d) => `{${gen("string", d)}: ${gen(pick(TYPES), d)}}`, (d) => `{${gen(pick(["int", "string"] as T[]), d)}: 1, "z": ${gen(pick(TYPES), d)}}`],
    dyn: [
      (d) => `${gen(pick(["dyn", "map", "string"] as T[]), d)}.${pick(["x", "owner", "sub"])}`,
      (d) => `${gen("dyn", d)}[${gen(pick(["string", "int"] as T[]), d)}]`,
      (d) => `dyn(${gen(pick(TYPES), d)})`,
      (d) => { const name = `b${vars++}`; const init = gen(pick(TYPES), d); bound.push({ name, t: "dyn" }); const body = gen(pick(TYPES), d); bound.pop(); return `cel.bind(${name}, ${init}, ${body})`; },
      (d) => `${gen("bool", d)} ? ${gen(pick(TYPES), d)} : ${gen(pick(TYPES), d)}`,
    ],
    ts: [(d) => `${gen("ts", d)} + ${gen("dur", d)}`, (d) => `${gen("ts", d)} - ${gen("dur", d)}`, (d) => `timestamp(${gen(pick(["string", "int"] as T[]), d)})`],
    dur: [(d) => `${gen("ts", d)} - ${gen("ts", d)}`, (d) => `timeSince(${gen("ts", d)})`, (d) => `${gen("dur", d)} + ${gen("dur", d)}`],
  };

  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(gen("bool", 1 + Math.floor(rnd() * 3)));
  return out;
}
