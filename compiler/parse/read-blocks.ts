// Readers for the blocks shared by several policy kinds: conditions, outputs, variables,
// constants and schemas. Shape errors that Cerbos reports while compiling (script conditions,
// empty outputs) are reported here too, because they are visible in a single file.
import type { Node } from "yaml";
import type { CelSource, Condition, ConstantsBlock, Match, Output, SchemaRef, Span, VariablesBlock } from "../model.ts";
import { childPath, type Entry, type Reader } from "./reader.ts";

const MATCH_OPS = ["all", "any", "none", "expr"] as const;

export function readCondition(r: Reader, entry: Entry | undefined): Condition | undefined {
  if (!entry) return undefined;
  const f = r.fields(entry.value, entry.path, ["match", "script"]);
  if (!f) return undefined;
  if (f.has("script")) {
    // Cerbos parses `script` but refuses to compile it; report at the condition like Cerbos does.
    r.diags.error("VD1024", entry.keySpan, "scripts in conditions are no longer supported", "rewrite the condition as `match: {expr: ...}`");
    return undefined;
  }
  const match = f.get("match");
  if (!match) {
    r.diags.error("VD1010", entry.keySpan, "condition needs a `match`");
    return undefined;
  }
  const m = readMatch(r, match.value, match.path, match.keySpan);
  return m ? { match: m, span: entry.keySpan } : undefined;
}

function readMatch(r: Reader, node: Node | null, path: string, span: Span): Match | undefined {
  const f = r.fields(node, path, MATCH_OPS);
  if (!f) return undefined;
  // In source order, so a conflict is reported at the second operator as written.
  const ops = MATCH_OPS.filter((op) => f.has(op)).sort((a, b) => {
    const sa = f.get(a)!.keySpan;
    const sb = f.get(b)!.keySpan;
    return sa.line - sb.line || sa.column - sb.column;
  });
  if (ops.length === 0) {
    r.diags.error("VD1010", span, "match needs one of `expr`, `all`, `any` or `none`");
    return undefined;
  }
  if (ops.length > 1) {
    const second = f.get(ops[1])!;
    r.diags.error("VD1009", second.keySpan, `match has both \`${ops[0]}\` and \`${ops[1]}\``, "nest them inside `all`, `any` or `none`");
    return undefined;
  }
  const op = f.get(ops[0])!;
  if (op.name === "expr") {
    const expr = r.cel(op.value, op.path, op.keySpan);
    return expr ? { kind: "expr", expr, span: op.keySpan } : undefined;
  }
  const list = r.fields(op.value, op.path, ["of"]);
  if (!list) {
    r.diags.items[r.diags.items.length - 1].help = `write \`${op.name}: {of: [...]}\``;
    return undefined;
  }
  const of = list.get("of");
  const items = r.seq(of);
  if (items.length === 0) {
    r.diags.error("VD1016", of?.keySpan ?? op.keySpan, `\`${op.name}.of\` needs at least one expression`);
    return undefined;
  }
  const children: Match[] = [];
  for (const item of items) {
    const child = readMatch(r, item.node, item.path, item.span);
    if (child) children.push(child);
  }
  return { kind: op.name as "all" | "any" | "none", of: children, span: op.keySpan };
}

export function readOutput(r: Reader, entry: Entry | undefined): Output | undefined {
  if (!entry) return undefined;
  const f = r.fields(entry.value, entry.path, ["expr", "when"]);
  if (!f) return undefined;
  const nonEmpty = (e: Entry | undefined): CelSource | undefined => {
    if (!e) return undefined;
    const src = r.cel(e.value, e.path, e.keySpan);
    return src && src.text !== "" ? src : undefined;
  };
  // The deprecated `expr` means `when.ruleActivated`; an explicit `when.ruleActivated` wins.
  let ruleActivated = nonEmpty(f.get("expr"));
  let conditionNotMet: CelSource | undefined;
  const when = f.get("when");
  if (when) {
    const w = r.fields(when.value, when.path, ["ruleActivated", "conditionNotMet"]);
    if (w) {
      ruleActivated = nonEmpty(w.get("ruleActivated")) ?? ruleActivated;
      conditionNotMet = nonEmpty(w.get("conditionNotMet"));
    }
  }
  if (!ruleActivated && !conditionNotMet) {
    r.diags.error("VD1023", entry.keySpan, "output must have at least one expression", "set `when.ruleActivated` or `when.conditionNotMet`");
    return undefined;
  }
  return { ruleActivated, conditionNotMet, span: entry.keySpan };
}

export function readVariables(r: Reader, entry: Entry | undefined): VariablesBlock {
  const block: VariablesBlock = { imports: [], local: { entries: [] } };
  if (!entry) return block;
  const f = r.fields(entry.value, entry.path, ["import", "local"]);
  if (!f) return block;
  block.imports = r.stringList(f.get("import")).map((i) => ({ name: i.value, span: i.span }));
  block.local.entries = readVariableDefinitions(r, f.get("local"));
  return block;
}

/** `name: <CEL>` entries (variables.local, exportVariables.definitions, top-level variables). */
export function readVariableDefinitions(r: Reader, entry: Entry | undefined): Array<{ name: string; value: CelSource; span: Span }> {
  const out: Array<{ name: string; value: CelSource; span: Span }> = [];
  for (const e of r.entries(entry)) {
    const value = r.cel(e.node, e.path, e.valueSpan);
    if (value) out.push({ name: e.key, value, span: { ...e.keySpan, path: e.path } });
  }
  return out;
}

export function readConstants(r: Reader, entry: Entry | undefined): ConstantsBlock {
  const block: ConstantsBlock = { imports: [], local: { entries: [] } };
  if (!entry) return block;
  const f = r.fields(entry.value, entry.path, ["import", "local"]);
  if (!f) return block;
  block.imports = r.stringList(f.get("import")).map((i) => ({ name: i.value, span: i.span }));
  block.local.entries = readConstantDefinitions(r, f.get("local"));
  return block;
}

export function readConstantDefinitions(r: Reader, entry: Entry | undefined): Array<{ name: string; value: unknown; span: Span }> {
  return r.entries(entry).map((e) => ({ name: e.key, value: r.plain(e.node, e.path), span: { ...e.keySpan, path: e.path } }));
}

export function readSchemas(r: Reader, entry: Entry | undefined): { principalSchema?: SchemaRef; resourceSchema?: SchemaRef } | undefined {
  if (!entry) return undefined;
  const f = r.fields(entry.value, entry.path, ["principalSchema", "resourceSchema"]);
  if (!f) return undefined;
  return { principalSchema: readSchemaRef(r, f.get("principalSchema")), resourceSchema: readSchemaRef(r, f.get("resourceSchema")) };
}

function readSchemaRef(r: Reader, entry: Entry | undefined): SchemaRef | undefined {
  if (!entry) return undefined;
  const f = r.fields(entry.value, entry.path, ["ref", "ignoreWhen"]);
  if (!f) return undefined;
  const ref = f.get("ref");
  let ignoreWhenActions: string[] = [];
  const ignoreWhen = f.get("ignoreWhen");
  if (ignoreWhen) {
    const iw = r.fields(ignoreWhen.value, ignoreWhen.path, ["actions"]);
    if (iw) ignoreWhenActions = r.stringList(iw.get("actions")).map((a) => a.value);
  }
  // `ref` is required; validate reports it missing. Point the SchemaRef at `ref` when present.
  return { ref: r.stringField(f, "ref"), ignoreWhenActions, span: ref?.keySpan ?? entry.keySpan };
}

export { childPath };
