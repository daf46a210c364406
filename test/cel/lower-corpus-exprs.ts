// Finds every CEL expression in Cerbos corpus policies (read in place, never copied): condition
// `expr`s, output expressions and variable definitions, with the variable/constant names each
// directory defines so V./C. references resolve as the linker would.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";

export interface CorpusExpr {
  file: string;
  text: string;
  allowRuntime: boolean;
}

export interface CorpusScan {
  exprs: CorpusExpr[];
  variables: Set<string>;
  constants: Map<string, unknown>;
}

const EXPR_KEYS = new Set(["expr", "ruleActivated", "conditionNotMet"]);

export function scanPolicies(root: string, skip: (rel: string) => boolean = () => false): CorpusScan {
  const scan: CorpusScan = { exprs: [], variables: new Set(), constants: new Map() };
  const walk = (dir: string) => {
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      const rel = path.relative(root, p);
      if (skip(rel) || ent.name.startsWith(".") || ent.name === "_schemas") continue;
      if (ent.isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/.test(ent.name) && !/_test\.(ya?ml|json)$/.test(ent.name)) scanFile(p, rel, scan);
    }
  };
  walk(root);
  return scan;
}

function scanFile(p: string, rel: string, scan: CorpusScan): void {
  let docs: unknown[];
  try {
    docs = YAML.parseAllDocuments(readFileSync(p, "utf8")).map((d) => d.toJS());
  } catch {
    return;
  }
  for (const doc of docs) {
    if (!doc || typeof doc !== "object") continue;
    const d = doc as Record<string, unknown>;
    const allowRuntime = "resourcePolicy" in d || "derivedRoles" in d;
    const body = (d.resourcePolicy ?? d.derivedRoles ?? d.principalPolicy ?? d.rolePolicy ?? d.exportVariables ?? d.exportConstants) as
      | Record<string, unknown>
      | undefined;
    if (!body) continue;
    const add = (text: unknown) => {
      if (typeof text === "string") scan.exprs.push({ file: rel, text, allowRuntime });
    };
    const defs = (v: unknown, into: (k: string, x: unknown) => void) => {
      if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) into(k, x);
    };
    if (d.exportVariables) defs(body.definitions, (k, x) => (scan.variables.add(k), add(x)));
    if (d.exportConstants) defs(body.definitions, (k, x) => scan.constants.set(k, x));
    const vars = body.variables as Record<string, unknown> | undefined;
    defs(vars?.local, (k, x) => (scan.variables.add(k), add(x)));
    const consts = body.constants as Record<string, unknown> | undefined;
    defs(consts?.local, (k, x) => scan.constants.set(k, x));
    // deprecated top-level `variables:` map of a policy document
    if (d.variables && typeof d.variables === "object") defs(d.variables, (k, x) => (scan.variables.add(k), add(x)));
    const visit = (v: unknown, key: string) => {
      if (key === "variables" || key === "constants") return;
      if (typeof v === "string" && EXPR_KEYS.has(key)) add(v);
      else if (Array.isArray(v)) v.forEach((x) => visit(x, key));
      else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) visit(x, k);
    };
    visit(body, "");
  }
}
