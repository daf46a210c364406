// Shape validation of one parsed policy, mirroring Cerbos's protovalidate rules (policy.proto) and
// its per-file checks (internal/policy/validate.go, plus the single-file checks of
// internal/compile: rules without roles, variable/constant names). Errors point at the offending
// field's key or list item, as Cerbos's field positions do; a missing field points at its parent.
import type { DiagnosticBag } from "../diagnostics.ts";
import type { ConstantsBlock, Span, VariablesBlock } from "../model.ts";
import type { ReadPolicy } from "../parse/read-policy.ts";
import { API_VERSION, PATTERNS, identifierProblem } from "./rules.ts";

type Item = { value: string; span: Span };

class Checker {
  constructor(
    readonly read: ReadPolicy,
    readonly diags: DiagnosticBag,
  ) {}

  at(path: string, fallback: Span): Span {
    return this.read.positions.fields.get(path) ?? { ...fallback, path };
  }

  has(path: string): boolean {
    return this.read.present.has(path);
  }

  /** A required string: present and non-empty (proto3 `required` on a string). */
  required(path: string, value: string, parent: Span, what: string): boolean {
    if (value !== "") return true;
    const span = this.has(path) ? this.at(path, parent) : { ...parent, path };
    this.diags.error("VD1010", span, `${what} is required`);
    return false;
  }

  pattern(path: string, value: string, parent: Span, re: RegExp, code: string, what: string, help?: string): void {
    if (re.test(value)) return;
    this.diags.error(code, this.at(path, parent), `invalid ${what} \`${value}\``, help ?? `must match \`${re.source}\``);
  }

  /** `repeated string` rules: required/min_items, unique, per-item min_len or pattern. */
  list(
    path: string,
    items: Item[],
    parent: Span,
    what: string,
    opts: { required?: boolean; pattern?: { re: RegExp; code: string; what: string } },
  ): void {
    if (opts.required && items.length === 0) {
      if (this.has(path)) this.diags.error("VD1016", this.at(path, parent), `${what} must not be empty`);
      else this.diags.error("VD1010", { ...parent, path }, `${what} is required`);
    }
    const seen = new Map<string, Span>();
    for (const item of items) {
      if (opts.pattern) {
        if (!opts.pattern.re.test(item.value)) {
          this.diags.error(opts.pattern.code, item.span, `invalid ${opts.pattern.what} \`${item.value}\``, `must match \`${opts.pattern.re.source}\``);
        }
      } else if (item.value === "") {
        this.diags.error("VD1018", item.span, `${what} must not contain an empty string`);
      }
      const prev = seen.get(item.value);
      if (prev) {
        this.diags.error("VD1017", item.span, `duplicate \`${item.value}\` in ${what}: previous at ${prev.line}:${prev.column}`);
      } else {
        seen.set(item.value, item.span);
      }
    }
  }

  ruleName(path: string, name: string | undefined, parent: Span): void {
    if (name !== undefined && name !== "") this.pattern(path, name, parent, PATTERNS.ruleName, "VD1014", "rule name");
  }

  scope(path: string, scope: string, parent: Span): void {
    this.pattern(path, scope, parent, PATTERNS.scope, "VD1013", "scope", "use dot-separated names such as `acme.hr`");
  }

  /** Names unique within a list; `kind` words the message ("rule", "derived role definition"). */
  uniqueNames(entries: Array<{ name?: string; span: Span }>, code: string, kind: string, context = ""): void {
    const seen = new Map<string, number>();
    entries.forEach((e, i) => {
      if (!e.name) return;
      const prev = seen.get(e.name);
      if (prev === undefined) {
        seen.set(e.name, i);
        return;
      }
      const p = entries[prev].span;
      this.diags.error(code, e.span, `duplicate ${kind} name \`${e.name}\`${context}: #${i + 1} has the same name as #${prev + 1} at ${p.line}:${p.column}`);
    });
  }

  imports(path: string, imports: Array<{ name: string; span: Span }>, parent: Span, what: string): void {
    this.list(path, imports.map((i) => ({ value: i.name, span: i.span })), parent, what, {
      pattern: { re: PATTERNS.importName, code: "VD1015", what: "import name" },
    });
  }

  definitions(entries: Array<{ name: string; span: Span }>, what: "variable" | "constant"): void {
    for (const e of entries) {
      const problem = identifierProblem(e.name);
      if (problem) this.diags.error("VD1025", e.span, `invalid ${what} name: ${problem}`);
    }
  }

  blocks(base: string, constants: ConstantsBlock, variables: VariablesBlock, parent: Span): void {
    this.imports(`${base}.constants.import`, constants.imports, parent, "constants imports");
    this.imports(`${base}.variables.import`, variables.imports, parent, "variables imports");
    this.definitions(constants.local.entries, "constant");
    // Top-level variables were merged into local; they are checked below with their own spans.
    const top = new Set(this.read.topLevelVariables.map((v) => v.span));
    this.definitions(variables.local.entries.filter((e) => !top.has(e.span)), "variable");
  }
}

export function validatePolicy(read: ReadPolicy, diags: DiagnosticBag): void {
  const c = new Checker(read, diags);
  const { policy } = read;
  const body = policy.body;
  const kindSpan = policy.span;
  const docSpan: Span = { ...kindSpan, path: "$" };

  if (policy.apiVersion !== API_VERSION) {
    if (!c.has("$.apiVersion")) diags.error("VD1010", docSpan, "`apiVersion` is required", `add \`apiVersion: ${API_VERSION}\``);
    else diags.error("VD1007", c.at("$.apiVersion", docSpan), `unsupported apiVersion \`${policy.apiVersion}\``, `use \`${API_VERSION}\``);
  }

  // The deprecated top-level `variables` field.
  c.definitions(read.topLevelVariables, "variable");
  if (body.kind === "exportVariables" || body.kind === "exportConstants") {
    if (read.topLevelVariables.length > 0) {
      diags.error("VD1027", c.at("$.variables", docSpan), `${body.kind} policies do not support the deprecated top-level \`variables\` field`);
    }
  } else {
    const local = new Map(body.variables.local.entries.map((e) => [e.name, e.span]));
    for (const v of read.topLevelVariables) {
      const l = local.get(v.name);
      if (l && l !== v.span) {
        diags.error("VD1026", v.span, `variable \`${v.name}\` is defined in both \`variables.local\` (at ${l.line}:${l.column}) and the deprecated top-level \`variables\``);
      }
    }
  }

  switch (body.kind) {
    case "resource": {
      const base = "$.resourcePolicy";
      if (c.required(`${base}.resource`, body.resource, kindSpan, "`resource`")) {
        c.pattern(`${base}.resource`, body.resource, kindSpan, PATTERNS.name, "VD1011", "resource name", "glob characters `!*?[]{}` are not allowed");
      }
      if (c.required(`${base}.version`, body.version, kindSpan, "`version`")) {
        c.pattern(`${base}.version`, body.version, kindSpan, PATTERNS.version, "VD1012", "version", "use letters, digits and `_` only");
      }
      c.scope(`${base}.scope`, body.scope, kindSpan);
      c.imports(`${base}.importDerivedRoles`, body.importDerivedRoles, kindSpan, "`importDerivedRoles`");
      c.blocks(base, body.constants, body.variables, kindSpan);
      for (const rule of body.rules) {
        const p = `${base}.rules[${rule.index}]`;
        c.list(`${p}.actions`, rule.actions, rule.span, "`actions`", { required: true });
        c.list(`${p}.roles`, rule.roles, rule.span, "`roles`", {});
        c.list(`${p}.derivedRoles`, rule.derivedRoles, rule.span, "`derivedRoles`", {
          pattern: { re: PATTERNS.importName, code: "VD1015", what: "derived role name" },
        });
        if (!c.has(`${p}.effect`)) diags.error("VD1010", { ...rule.span, path: p }, "`effect` is required", "use `EFFECT_ALLOW` or `EFFECT_DENY`");
        c.ruleName(`${p}.name`, rule.name, rule.span);
        if (rule.roles.length === 0 && rule.derivedRoles.length === 0) {
          const label = rule.name ? `\`${rule.name}\`` : `#${rule.index + 1}`;
          diags.error("VD1022", { ...rule.span, path: p }, `rule ${label} does not specify any roles or derived roles to match`, "add `roles` or `derivedRoles`");
        }
      }
      c.uniqueNames(body.rules.map((r) => ({ name: r.name, span: r.span })), "VD1019", "rule");
      for (const [key, ref] of Object.entries(body.schemas ?? {})) {
        if (!ref) continue;
        const p = `${base}.schemas.${key}`;
        c.required(`${p}.ref`, ref.ref, c.at(p, kindSpan), "`ref`");
        if (c.has(`${p}.ignoreWhen`)) {
          c.list(`${p}.ignoreWhen.actions`, ref.ignoreWhenActions.map((value) => ({ value, span: c.at(`${p}.ignoreWhen`, kindSpan) })), c.at(`${p}.ignoreWhen`, kindSpan), "`ignoreWhen.actions`", { required: true });
        }
      }
      break;
    }
    case "principal": {
      const base = "$.principalPolicy";
      if (c.required(`${base}.principal`, body.principal, kindSpan, "`principal`")) {
        c.pattern(`${base}.principal`, body.principal, kindSpan, PATTERNS.name, "VD1011", "principal name", "glob characters `!*?[]{}` are not allowed");
      }
      if (c.required(`${base}.version`, body.version, kindSpan, "`version`")) {
        c.pattern(`${base}.version`, body.version, kindSpan, PATTERNS.version, "VD1012", "version", "use letters, digits and `_` only");
      }
      c.scope(`${base}.scope`, body.scope, kindSpan);
      c.blocks(base, body.constants, body.variables, kindSpan);
      const resources = new Map<string, number>();
      body.rules.forEach((rule, i) => {
        const p = `${base}.rules[${i}]`;
        c.required(`${p}.resource`, rule.resource, rule.span, "`resource`");
        if (rule.actions.length === 0) {
          if (c.has(`${p}.actions`)) diags.error("VD1016", c.at(`${p}.actions`, rule.span), "`actions` must not be empty");
          else diags.error("VD1010", { ...rule.span, path: p }, "`actions` is required");
        }
        for (const a of rule.actions) {
          const ap = `${p}.actions[${a.index}]`;
          c.required(`${ap}.action`, a.action, a.span, "`action`");
          if (!c.has(`${ap}.effect`)) diags.error("VD1010", { ...a.span, path: ap }, "`effect` is required", "use `EFFECT_ALLOW` or `EFFECT_DENY`");
          c.ruleName(`${ap}.name`, a.name, a.span);
        }
        c.uniqueNames(rule.actions.map((a) => ({ name: a.name, span: a.span })), "VD1019", "action rule", ` for resource \`${rule.resource}\``);
        const prev = resources.get(rule.resource);
        if (prev !== undefined && rule.resource !== "") {
          const ps = body.rules[prev].span;
          diags.error("VD1021", { ...rule.span, path: p }, `duplicate resource \`${rule.resource}\` at rule #${i + 1}: previous definition in rule #${prev + 1} at ${ps.line}:${ps.column}`);
        } else if (prev === undefined) {
          resources.set(rule.resource, i);
        }
      });
      break;
    }
    case "role": {
      const base = "$.rolePolicy";
      if (c.required(`${base}.role`, body.role, kindSpan, "`role`")) {
        c.pattern(`${base}.role`, body.role, kindSpan, PATTERNS.name, "VD1011", "role name", "glob characters `!*?[]{}` are not allowed");
      }
      c.pattern(`${base}.version`, body.version, kindSpan, PATTERNS.rolePolicyVersion, "VD1012", "version", "use letters, digits and `_` only");
      c.scope(`${base}.scope`, body.scope, kindSpan);
      c.list(`${base}.parentRoles`, body.parentRoles, kindSpan, "`parentRoles`", {});
      c.blocks(base, body.constants, body.variables, kindSpan);
      const sp = read.roleScopePermissions;
      if (sp && sp.value === "SCOPE_PERMISSIONS_OVERRIDE_PARENT") {
        diags.error("VD1030", sp.span, "role policies cannot use `SCOPE_PERMISSIONS_OVERRIDE_PARENT`", "remove `scopePermissions`: it has no effect in role policies");
      }
      body.rules.forEach((rule, i) => {
        const p = `${base}.rules[${i}]`;
        c.required(`${p}.resource`, rule.resource, rule.span, "`resource`");
        c.list(`${p}.allowActions`, rule.allowActions, rule.span, "`allowActions`", { required: true });
        c.ruleName(`${p}.name`, rule.name, rule.span);
      });
      break;
    }
    case "derivedRoles": {
      const base = "$.derivedRoles";
      if (c.required(`${base}.name`, body.name, kindSpan, "`name`")) {
        c.pattern(`${base}.name`, body.name, kindSpan, PATTERNS.importName, "VD1015", "derived roles name");
      }
      c.blocks(base, body.constants, body.variables, kindSpan);
      if (body.definitions.length === 0) {
        if (c.has(`${base}.definitions`)) diags.error("VD1016", c.at(`${base}.definitions`, kindSpan), "`definitions` must not be empty");
        else diags.error("VD1010", kindSpan, "`definitions` is required");
      }
      body.definitions.forEach((d, i) => {
        const p = `${base}.definitions[${i}]`;
        if (c.required(`${p}.name`, d.name, d.span, "`name`")) {
          c.pattern(`${p}.name`, d.name, d.span, PATTERNS.importName, "VD1015", "derived role name");
        }
        c.list(`${p}.parentRoles`, d.parentRoles, d.span, "`parentRoles`", { required: true });
      });
      c.uniqueNames(body.definitions.map((d) => ({ name: d.name, span: d.span })), "VD1020", "derived role definition");
      break;
    }
    case "exportVariables":
    case "exportConstants": {
      const base = `$.${body.kind}`;
      if (c.required(`${base}.name`, body.name, kindSpan, "`name`")) {
        c.pattern(`${base}.name`, body.name, kindSpan, PATTERNS.importName, "VD1015", `${body.kind} name`);
      }
      c.definitions(body.definitions.entries, body.kind === "exportVariables" ? "variable" : "constant");
      break;
    }
  }
}
