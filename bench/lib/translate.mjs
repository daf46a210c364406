// Translate the policy IR (lib/model.mjs) into each peer's native policy
// language. The generated sources are written under bench/.build/policies/<variant>/<format>/
// and are what each adapter's load(policyDir) reads, so cold start includes
// each peer's own parse/compile of its native format.

import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// Cerbos semantics (per role: deny beats allow; across roles: any allow wins)
// expressed with global-deny engines: fold each (kind, action, role)'s DENY
// conditions into that role's ALLOW rules as `unless` clauses. An
// unconditional DENY removes the role's ALLOW rows for that action.
export function foldRows(model) {
  const denies = new Map();
  for (const rule of model.rules) {
    if (rule.effect !== 'deny') continue;
    for (const a of rule.actions) for (const r of rule.roles) {
      const k = `${rule.kind}|${a}|${r}`;
      if (!denies.has(k)) denies.set(k, []);
      denies.get(k).push(rule.cond || null);
    }
  }
  const rows = [];
  for (const rule of model.rules) {
    if (rule.effect !== 'allow') continue;
    for (const action of rule.actions) for (const role of rule.roles) {
      const ds = denies.get(`${rule.kind}|${action}|${role}`) || [];
      if (ds.includes(null)) continue;
      rows.push({ kind: rule.kind, action, role, cond: rule.cond, unless: ds });
    }
  }
  return rows;
}

// ---------------------------------------------------------------- Cerbos YAML (what Verdict compiles and the Cerbos server loads)
function celRef(x) {
  if (x.lit !== undefined) return JSON.stringify(x.lit);
  if (x.ref === 'R') return `request.resource.attr.${x.path}`;
  if (x.path === 'id') return 'request.principal.id';
  return `request.principal.attr.${x.path}`;
}
const CEL_OPS = { eq: '==', lt: '<', le: '<=', gt: '>', ge: '>=' };
function celExpr(c) {
  if (c.op === 'in') return `${celRef(c.l)} in ${JSON.stringify(c.list)}`;
  if (c.op === 'and') return c.args.map((a) => `(${celExpr(a)})`).join(' && ');
  return `${celRef(c.l)} ${CEL_OPS[c.op]} ${celRef(c.r)}`;
}
function yamlCond(c, indent) {
  const pad = ' '.repeat(indent);
  if (c.op === 'and') {
    return `${pad}condition:\n${pad}  match:\n${pad}    all:\n${pad}      of:\n` +
      c.args.map((a) => `${pad}        - expr: ${JSON.stringify(celExpr(a))}\n`).join('');
  }
  return `${pad}condition:\n${pad}  match:\n${pad}    expr: ${JSON.stringify(celExpr(c))}\n`;
}
export function toCerbos(model) {
  const files = {};
  for (const kind of model.kinds) {
    let y = `# generated from the ${model.name} policy model\napiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  version: "default"\n  resource: ${JSON.stringify(kind)}\n  rules:\n`;
    for (const rule of model.rules.filter((r) => r.kind === kind)) {
      y += `    - actions: ${JSON.stringify(rule.actions)}\n      effect: ${rule.effect === 'allow' ? 'EFFECT_ALLOW' : 'EFFECT_DENY'}\n      roles: ${JSON.stringify(rule.roles)}\n`;
      if (rule.cond) y += yamlCond(rule.cond, 6);
    }
    files[`${kind}.yaml`] = y;
  }
  return files;
}

// ---------------------------------------------------------------- Cedar
function cedarRef(x) {
  if (x.lit !== undefined) return JSON.stringify(x.lit);
  return x.ref === 'R' ? `resource.${x.path}` : `principal.${x.path}`;
}
function cedarExpr(c) {
  if (c.op === 'in') return `${JSON.stringify(c.list)}.contains(${cedarRef(c.l)})`;
  if (c.op === 'and') return c.args.map((a) => `(${cedarExpr(a)})`).join(' && ');
  return `${cedarRef(c.l)} ${CEL_OPS[c.op]} ${cedarRef(c.r)}`;
}
export function toCedar(model) {
  let out = `// generated from the ${model.name} policy model (Cerbos per-role deny folded into unless)\n`;
  for (const row of foldRows(model)) {
    out += `permit (principal in Role::${JSON.stringify(row.role)}, action == Action::${JSON.stringify(row.action)}, resource is ${row.kind})`;
    if (row.cond) out += ` when { ${cedarExpr(row.cond)} }`;
    for (const d of row.unless) out += ` unless { ${cedarExpr(d)} }`;
    out += ';\n';
  }
  return { 'policies.cedar': out };
}

// ---------------------------------------------------------------- casbin (ABAC via eval())
function casbinRef(x) {
  if (x.lit !== undefined) return typeof x.lit === 'string' ? `'${x.lit}'` : String(x.lit);
  if (x.ref === 'R') return `r.obj.attr.${x.path}`;
  if (x.path === 'id') return 'r.sub.id';
  return `r.sub.attr.${x.path}`;
}
function casbinExpr(c) {
  // casbin's `in (...)` rewriting breaks inside nested parentheses, so spell membership as ||
  if (c.op === 'in') return `(${c.list.map((v) => `${casbinRef(c.l)} == '${v}'`).join(' || ')})`;
  if (c.op === 'and') return c.args.map((a) => `(${casbinExpr(a)})`).join(' && ');
  return `${casbinRef(c.l)} ${CEL_OPS[c.op]} ${casbinRef(c.r)}`;
}
export const CASBIN_MODEL = `[request_definition]
r = sub, obj, act

[policy_definition]
p = role, kind, act, cond, eft

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.obj.kind == p.kind && r.act == p.act && (p.role in r.sub.roles) && eval(p.cond)
`;
export function toCasbin(model) {
  const lines = foldRows(model).map((row) => {
    const parts = [...(row.cond ? [`(${casbinExpr(row.cond)})`] : []), ...row.unless.map((d) => `!(${casbinExpr(d)})`)];
    return `p, ${row.role}, ${row.kind}, ${row.action}, "${parts.length ? parts.join(' && ') : 'true'}", allow`;
  });
  return { 'model.conf': CASBIN_MODEL, 'policy.csv': lines.join('\n') + '\n' };
}

// ---------------------------------------------------------------- CASL raw-rule templates
// CASL has no notion of principal attributes in rules: apps write
// defineAbilityFor(user). The portable form is JSON rules with placeholders
// (the CASL docs' "rules in a database" recipe); principal-only conditions
// become a `when` guard that the app evaluates while building the ability.
function caslCond(c, out) {
  if (c.op === 'and') { for (const a of c.args) caslCond(a, out); return; }
  if (c.l.ref === 'P') {
    // principal-only condition (P.department in [...])
    out.when = { ...(out.when || {}), [c.l.path]: c.list };
    return;
  }
  const field = `attr.${c.l.path}`;
  let v;
  if (c.op === 'eq') v = c.r.lit !== undefined ? c.r.lit : `\${user.${c.r.path === 'id' ? 'id' : `attr.${c.r.path}`}}`;
  else if (c.op === 'in') v = { $in: c.list };
  else v = { [`$${c.op === 'lt' ? 'lt' : c.op === 'le' ? 'lte' : c.op === 'gt' ? 'gt' : 'gte'}`]: c.r.lit };
  out.conditions = { ...(out.conditions || {}), [field]: v };
}
export function toCasl(model) {
  // `unless` entries become a $nor over the deny conditions (or drop the rule
  // while building when the deny only tests principal attributes and holds).
  const rules = foldRows(model).map((row) => {
    const r = { role: row.role, action: row.action, subject: row.kind };
    if (row.cond) caslCond(row.cond, r);
    if (row.unless.length) r.unless = row.unless.map((d) => { const u = {}; caslCond(d, u); return u; });
    return r;
  });
  return { 'rules.json': JSON.stringify(rules) };
}

// ---------------------------------------------------------------- plain JS (generated ifs)
function jsRef(x) {
  if (x.lit !== undefined) return JSON.stringify(x.lit);
  if (x.ref === 'R') return `r.${x.path}`;
  if (x.path === 'id') return 'p.id';
  return `pa.${x.path}`;
}
function jsExpr(c) {
  if (c.op === 'in') return `(${c.list.map((v) => `${jsRef(c.l)} === ${JSON.stringify(v)}`).join(' || ')})`;
  if (c.op === 'and') return c.args.map(jsExpr).join(' && ');
  const op = c.op === 'eq' ? '===' : CEL_OPS[c.op];
  return `${jsRef(c.l)} ${op} ${jsRef(c.r)}`;
}
export function toJs(model) {
  // Shaped like a careful hand-written check: switch on action, then on each
  // of the principal's roles; a role's DENY conditions are negated into its
  // ALLOW tests (Cerbos semantics), first allowing role returns true.
  const rows = foldRows(model);
  let out = `// generated from the ${model.name} policy model: plain ifs, no interpretation\n`;
  out += 'const K = {\n';
  for (const kind of model.kinds) {
    out += `  ${JSON.stringify(kind)}(p, r, action) {\n    const roles = p.roles, pa = p.attr;\n    switch (action) {\n`;
    const kr = rows.filter((x) => x.kind === kind);
    for (const action of [...new Set(kr.map((x) => x.action))]) {
      out += `      case ${JSON.stringify(action)}:\n        for (let i = 0; i < roles.length; i++) {\n          switch (roles[i]) {\n`;
      const ar = kr.filter((x) => x.action === action);
      for (const role of [...new Set(ar.map((x) => x.role))]) {
        const tests = ar.filter((x) => x.role === role).map((x) => {
          const parts = [...(x.cond ? [jsExpr(x.cond)] : []), ...x.unless.map((d) => `!(${jsExpr(d)})`)];
          return parts.length ? parts.join(' && ') : 'true';
        });
        out += tests.includes('true')
          ? `            case ${JSON.stringify(role)}: return true;\n`
          : `            case ${JSON.stringify(role)}: if (${tests.map((t) => `(${t})`).join(' || ')}) return true; break;\n`;
      }
      out += '          }\n        }\n        return false;\n';
    }
    out += '      default: return false;\n    }\n  },\n';
  }
  out += '};\n';
  out += 'export function check(req) {\n  const f = K[req.resource.kind];\n  return f !== undefined && f(req.principal, req.resource.attr, req.action);\n}\n';
  return { 'policy.mjs': out };
}

export const TRANSLATORS = { cerbos: toCerbos, cedar: toCedar, casbin: toCasbin, casl: toCasl, js: toJs };

export function writePolicies(model, outDir) {
  const dirs = {};
  for (const [format, fn] of Object.entries(TRANSLATORS)) {
    const dir = join(outDir, format);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(fn(model))) writeFileSync(join(dir, name), text);
    dirs[format] = dir;
  }
  return dirs;
}
