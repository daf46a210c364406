// Variables and constants of one policy "module" (a policy or a derived-roles set): imports merged
// with local definitions, duplicates, undefined references, dependency order and cycles — the
// checks of Cerbos's internal/compile/{variables,constants}.go, reported as Verdict diagnostics.
import type { CelSource, Span } from "../model.ts";
import type { DiagnosticBag } from "../diagnostics.ts";

/** What the CEL stage tells us an expression references (compiler/cel `referencedNames`). */
export type ReferencedNames = (src: CelSource) => { variables: string[]; constants: string[] };

export interface DefinedVariable {
  name: string;
  expr: CelSource;
  /** where it came from, for "multiple definitions" messages */
  source: string;
  span: Span;
}

export interface DefinedConstant {
  name: string;
  value: unknown;
  source: string;
  span: Span;
}

/** Resolved variables of a module: every definition, its direct dependencies, a stable order. */
export interface VariableSet {
  defs: Map<string, DefinedVariable>;
  deps: Map<string, Set<string>>;
  /** all acyclic variables in dependency order (layered, names sorted within a layer) */
  order: string[];
}

function placesList(places: string[]): string {
  if (places.length === 2) return places.join(" and ");
  return `${places.slice(0, -1).join(", ")}, and ${places[places.length - 1]}`;
}

function place(source: string, span: Span): string {
  return `${source} (${span.file}:${span.line}:${span.column})`;
}

/** Merges constant definitions; a name defined twice (import vs local, two imports) is an error. */
export function mergeConstants(
  defs: DefinedConstant[],
  ownerSpan: Span,
  bag: DiagnosticBag,
): Map<string, unknown> {
  const byName = new Map<string, DefinedConstant[]>();
  for (const d of defs) {
    const list = byName.get(d.name) ?? [];
    list.push(d);
    byName.set(d.name, list);
  }
  const out = new Map<string, unknown>();
  for (const [name, list] of byName) {
    if (list.length > 1) {
      const last = list[list.length - 1];
      bag.error(
        "VD2008",
        last.span.file === ownerSpan.file ? last.span : ownerSpan,
        `constant \`${name}\` has multiple definitions in ${placesList(list.map((d) => place(d.source, d.span)))}`,
      );
    }
    out.set(name, list[0].value);
  }
  return out;
}

/**
 * Merges variable definitions and resolves their references: duplicates, undefined variables or
 * constants referenced by a variable, self references and cycles are reported here.
 */
export function resolveVariables(
  defs: DefinedVariable[],
  constants: Map<string, unknown>,
  ownerSpan: Span,
  refs: ReferencedNames,
  bag: DiagnosticBag,
): VariableSet {
  const byName = new Map<string, DefinedVariable[]>();
  for (const d of defs) {
    const list = byName.get(d.name) ?? [];
    list.push(d);
    byName.set(d.name, list);
  }
  const set: VariableSet = { defs: new Map(), deps: new Map(), order: [] };
  for (const [name, list] of byName) {
    if (list.length > 1) {
      const local = list.find((d) => d.span.file === ownerSpan.file);
      bag.error(
        "VD2007",
        local ? local.expr.span : ownerSpan,
        `variable \`${name}\` has multiple definitions in ${placesList(list.map((d) => place(d.source, d.expr.span)))}`,
      );
    }
    set.defs.set(name, list[0]);
  }

  const selfRef = new Set<string>();
  for (const [name, def] of set.defs) {
    const r = refs(def.expr);
    for (const c of unique(r.constants)) {
      if (!constants.has(c)) {
        bag.error("VD2010", def.expr.span, `undefined constant \`${c}\` referenced in variable \`${name}\``);
      }
    }
    const deps = new Set<string>();
    for (const v of unique(r.variables)) {
      if (v === name) {
        bag.error("VD2011", def.expr.span, `variable \`${name}\` references itself`);
        selfRef.add(name);
      } else if (!set.defs.has(v)) {
        bag.error("VD2009", def.expr.span, `undefined variable \`${v}\` referenced in variable \`${name}\``);
      } else {
        deps.add(v);
      }
    }
    set.deps.set(name, deps);
  }

  const cyclic = reportCycles(set, bag);
  set.order = layeredOrder(set, new Set([...cyclic, ...selfRef]));
  return set;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Tarjan's SCCs; every component with more than one variable is a cycle. Returns their members. */
function reportCycles(set: VariableSet, bag: DiagnosticBag): Set<string> {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const members = new Set<string>();
  const names = [...set.defs.keys()].sort();

  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of [...(set.deps.get(v) ?? [])].sort()) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) {
        comp.sort();
        for (const c of comp) members.add(c);
        const first = set.defs.get(comp[0])!;
        const list = comp.map((n) => {
          const s = set.defs.get(n)!.expr.span;
          return `\`${n}\` (${s.file}:${s.line}:${s.column})`;
        });
        const text =
          list.length === 2 ? list.join(" and ") : `${list.slice(0, -1).join(", ")}, and ${list[list.length - 1]}`;
        bag.error("VD2011", first.expr.span, `variables ${text} form a cycle`);
      }
    }
  };
  for (const n of names) if (!idx.has(n)) strong(n);
  return members;
}

/** Kahn's algorithm in layers (names sorted within a layer) — the order Cerbos's stabilised topo sort yields. */
function layeredOrder(set: VariableSet, exclude: Set<string>): string[] {
  const remaining = new Set([...set.defs.keys()].filter((n) => !exclude.has(n)));
  const done = new Set<string>();
  const order: string[] = [];
  while (remaining.size > 0) {
    const layer = [...remaining]
      .filter((n) => [...(set.deps.get(n) ?? [])].every((d) => done.has(d)))
      .sort();
    if (layer.length === 0) break; // depends on a cyclic variable: left out (already an error)
    for (const n of layer) {
      remaining.delete(n);
      done.add(n);
      order.push(n);
    }
  }
  return order;
}

/**
 * The variables a set of expressions uses, transitively, in evaluation order. Undefined variables
 * and constants referenced directly by these expressions are reported (Cerbos: "Undefined variable").
 */
export function usedVariables(
  exprs: CelSource[],
  set: VariableSet,
  constants: Map<string, unknown>,
  refs: ReferencedNames,
  bag: DiagnosticBag,
): string[] {
  const used = new Set<string>();
  const visit = (name: string): void => {
    if (used.has(name) || !set.defs.has(name)) return;
    used.add(name);
    for (const d of set.deps.get(name) ?? []) visit(d);
  };
  for (const e of exprs) {
    const r = refs(e);
    for (const v of unique(r.variables)) {
      if (!set.defs.has(v)) bag.error("VD2009", e.span, `undefined variable \`${v}\``);
      else visit(v);
    }
    for (const c of unique(r.constants)) {
      if (!constants.has(c)) bag.error("VD2010", e.span, `undefined constant \`${c}\``);
    }
  }
  return set.order.filter((n) => used.has(n));
}
