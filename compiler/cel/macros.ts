// Expansion of the macros that @bufbuild/cel leaves as plain calls: the two-variable
// comprehensions (cel-go ext.TwoVarComprehensions), `sortBy` (ext.Lists) and `cel.bind`
// (ext.Bindings). Each expansion reproduces cel-go's, so evaluation order and error
// absorption are the same as in Cerbos.
import { ACCU, type Expr } from "./ir.ts";

export type MacroResult = Expr | { error: string } | undefined;

const SORT_INPUT = "@__sortBy_input__";

/** Returns the expansion, an error (bad macro arguments), or undefined when `fn` is no macro. */
export function expandMacro(offset: number, fn: string, target: Expr | undefined, args: Expr[]): MacroResult {
  const at = <T extends object>(n: T) => ({ offset, ...n }) as unknown as Expr;
  const ident = (name: string) => at({ k: "ident", name });
  const lit = (l: Extract<Expr, { k: "lit" }>["lit"]) => at({ k: "lit", lit: l });
  const call = (f: string, ...a: Expr[]) => at({ k: "call", fn: f, args: a });
  const name = (e: Expr | undefined): string | undefined => (e?.k === "ident" ? e.name : undefined);

  if (target?.k === "ident" && target.name === "cel" && fn === "bind" && args.length === 3) {
    const v = name(args[0]);
    if (!v) return { error: "cel.bind() variable name must be a simple identifier" };
    return at({ k: "bind", name: v, init: args[1]!, body: args[2]! });
  }
  if (!target) return undefined;

  if (fn === "sortBy" && args.length === 2) {
    const v = name(args[0]);
    if (!v) return { error: "sortBy() variable name must be a simple identifier" };
    // cel.bind(@in, target, @in.@sortByAssociatedKeys(@in.map(v, key)))
    const input = ident(SORT_INPUT);
    const keys = at({
      k: "comp", iterVar: v, range: input, accuVar: ACCU, init: at({ k: "list", elems: [] }),
      cond: lit({ kind: "bool", value: true }),
      step: call("_+_", ident(ACCU), at({ k: "list", elems: [args[1]!] })), result: ident(ACCU),
    });
    return at({ k: "bind", name: SORT_INPUT, init: target, body: call("@sortByAssociatedKeys", input, keys) });
  }

  const twoVar = ["all", "exists", "existsOne", "exists_one", "transformList", "transformMap", "transformMapEntry"];
  if (!twoVar.includes(fn)) return undefined;
  const isTransform = fn.startsWith("transform");
  if (!(args.length === 3 || (isTransform && args.length === 4))) return undefined;
  const v1 = name(args[0]);
  const v2 = name(args[1]);
  if (!v1 || !v2) return { error: `${fn}() variable names must be simple identifiers` };
  if (v1 === v2) return { error: `${fn}() variable names must be different` };
  if (v1 === ACCU || v2 === ACCU) return { error: `${fn}() variable name must not be ${ACCU}` };
  const accu = ident(ACCU);
  const comp = (init: Expr, cond: Expr, step: Expr, result: Expr = accu): Expr =>
    at({ k: "comp", iterVar: v1, iterVar2: v2, range: target, accuVar: ACCU, init, cond, step, result });
  const T = lit({ kind: "bool", value: true });
  const F = lit({ kind: "bool", value: false });
  const body = args[2]!;
  switch (fn) {
    case "all":
      return comp(T, call("@not_strictly_false", accu), call("_&&_", accu, body));
    case "exists":
      return comp(F, call("@not_strictly_false", call("!_", accu)), call("_||_", accu, body));
    case "existsOne":
    case "exists_one": {
      const zero = lit({ kind: "int", value: 0n });
      const inc = call("_+_", accu, lit({ kind: "int", value: 1n }));
      return comp(zero, T, call("_?_:_", body, inc, accu), call("_==_", accu, lit({ kind: "int", value: 1n })));
    }
  }
  // transform*: with 4 arguments the third is a filter and the fourth the transform.
  const filter = args.length === 4 ? args[2] : undefined;
  const transform = args[args.length - 1]!;
  let step: Expr;
  let init: Expr;
  if (fn === "transformList") {
    init = at({ k: "list", elems: [] });
    step = call("_+_", accu, at({ k: "list", elems: [transform] }));
  } else {
    init = at({ k: "map", entries: [] });
    step = fn === "transformMap" ? call("cel.@mapInsert", accu, ident(v1), transform) : call("cel.@mapInsert", accu, transform);
  }
  if (filter) step = call("_?_:_", filter, step, accu);
  return comp(init, T, step);
}
