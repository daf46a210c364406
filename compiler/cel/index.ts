// Public face of the CEL stage (see docs/team-contracts.md): parse → check → lower.
import { reportCel } from "./report.ts";
import type { RulesetTables } from "../encode/builder-api.ts";
import type { DiagnosticBag } from "../diagnostics.ts";
import type { CelSource } from "../model.ts";
import { checkCel, type LowerScope } from "./check.ts";
import { lowerNode } from "./lower.ts";
import { parseCel } from "./parse.ts";
import { typecheckCel } from "./typecheck.ts";
import type { Expr } from "./ir.ts";

export type { LowerScope } from "./check.ts";
export { disassembleCode, type DisasmNames } from "./disasm.ts";

/** Compiles one CEL expression into the tables; returns its EXPRS index, or undefined after
 *  reporting diagnostics (the tables are untouched then). */
export function lowerCel(src: CelSource, scope: LowerScope, tables: RulesetTables, diags: DiagnosticBag): number | undefined {
  const parsed = parseCel(src.text);
  if (!parsed.ok) {
    reportCel(diags, "VD3001", src, parsed.error.offset, `syntax error: ${parsed.error.message}`);
    return undefined;
  }
  const checked = checkCel(parsed.expr, src, scope, diags);
  if (!checked || !typecheckCel(parsed.expr, src, diags)) return undefined;
  for (const d of checked.deferred) reportCel(diags, d.code, src, d.offset, d.message);
  if (checked.deferred.length > 0) return undefined;
  const seen = new Set<string>();
  for (const [root, key] of checked.attributes) {
    if (seen.has(`${root}\0${key}`)) continue;
    seen.add(`${root}\0${key}`);
    tables.useAttribute(root, key);
  }
  if (checked.auxData) tables.useAuxData();
  const { code, maxStack } = lowerNode(checked.node, tables);
  return tables.addExpression({ code, source: src.text, maxStack, locals: checked.locals });
}

/** V./variables. and C./constants. names the expression mentions (empty when it does not parse). */
export function referencedNames(src: CelSource): { variables: string[]; constants: string[] } {
  const parsed = parseCel(src.text);
  const variables = new Set<string>();
  const constants = new Set<string>();
  if (parsed.ok) visit(parsed.expr, new Set(), variables, constants);
  return { variables: [...variables], constants: [...constants] };
}

function visit(e: Expr, bound: Set<string>, vars: Set<string>, consts: Set<string>): void {
  const rec = (x: Expr, b = bound) => visit(x, b, vars, consts);
  const named = (base: Expr, name: string): boolean => {
    if (base.k !== "ident" || bound.has(base.name)) return false;
    if (base.name === "V" || base.name === "variables") vars.add(name);
    else if (base.name === "C" || base.name === "constants") consts.add(name);
    else return false;
    return true;
  };
  switch (e.k) {
    case "lit":
    case "ident":
      return;
    case "select":
      if (!named(e.operand, e.field)) rec(e.operand);
      return;
    case "call": {
      const [obj, key] = e.args;
      if (e.fn === "_[_]" && !e.target && obj && key?.k === "lit" && key.lit.kind === "string" && named(obj, key.lit.value)) return;
      if (e.target) rec(e.target);
      e.args.forEach((a) => rec(a));
      return;
    }
    case "list":
      e.elems.forEach((a) => rec(a));
      return;
    case "map":
      e.entries.forEach(({ key: k, value }) => (rec(k), rec(value)));
      return;
    case "comp": {
      rec(e.range);
      rec(e.init);
      const inner = new Set([...bound, e.accuVar, e.iterVar, ...(e.iterVar2 ? [e.iterVar2] : [])]);
      rec(e.cond, inner);
      rec(e.step, inner);
      rec(e.result, inner);
      return;
    }
    case "bind":
      rec(e.init);
      rec(e.body, new Set([...bound, e.name]));
      return;
  }
}
