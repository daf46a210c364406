// Workloads of the peer benchmark (from the team reference harness, shared/bench-peers/lib/model.mjs).
// Policy model (a tiny IR) for the two workloads, a deterministic request
// generator, and the reference evaluator whose answers every peer must match.
//
// Semantics = Cerbos resource-policy semantics (docs.cerbos.dev, "Resource
// policies"), which every peer must reproduce:
//   - a rule = { kind, actions[], roles[], effect: 'allow'|'deny', cond? }
//   - per role: the role's decision is ALLOW iff some matching ALLOW rule for
//     that role applies and no matching DENY rule for that role applies
//     (deny wins within one role);
//   - across roles: ALLOW iff at least one of the principal's roles is ALLOW
//     (so an admin who also holds a restricted role is not locked out);
//   - otherwise default deny.
// Cedar forbid / CASL cannot / casbin deny are global (deny beats every
// permit), so lib/translate.mjs folds each role's DENY conditions into that
// role's ALLOW rules (`unless`) for those peers.
//
// Condition IR:
//   { op:'eq', l:Ref, r:Ref|{lit} }          attribute equality
//   { op:'in', l:Ref, list:[...] }            membership in a literal list
//   { op:'lt'|'le'|'gt'|'ge', l:Ref, r:{lit:number} }   numeric comparison
//   { op:'and', args:[cond, cond] }
//   Ref = { ref:'R'|'P', path:'ownerId'|'region'|'amount'|'status'|'id'|'department' }
//   R.* reads resource.attr.*; P.id reads principal.id; P.* reads principal.attr.*

export const REGIONS = ['eu', 'us', 'apac'];
export const DEPARTMENTS = ['finance', 'ops', 'eng', 'sales'];
export const STATUSES = ['draft', 'submitted', 'approved', 'archived'];

// Small deterministic PRNG (mulberry32).
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (n) => Math.floor(next() * n);
  next.pick = (arr) => arr[Math.floor(next() * arr.length)];
  return next;
}

const R = (path) => ({ ref: 'R', path });
const P = (path) => ({ ref: 'P', path });

// ---------------------------------------------------------------- seed
export function seedModel() {
  const kind = 'expense';
  return {
    name: 'seed',
    kinds: [kind],
    actions: { [kind]: ['create', 'read', 'delete'] },
    roles: ['admin', 'user', 'manager'],
    rules: [
      { kind, actions: ['create', 'read', 'delete'], roles: ['admin'], effect: 'allow' },
      { kind, actions: ['create'], roles: ['user'], effect: 'allow' },
      { kind, actions: ['read'], roles: ['user'], effect: 'allow', cond: { op: 'eq', l: R('ownerId'), r: P('id') } },
      { kind, actions: ['delete'], roles: ['user'], effect: 'deny' },
      { kind, actions: ['read'], roles: ['manager'], effect: 'allow', cond: { op: 'eq', l: R('region'), r: P('region') } },
      { kind, actions: ['create', 'delete'], roles: ['manager'], effect: 'deny' },
    ],
  };
}

// ---------------------------------------------------------------- synthetic
export const LARGE_ACTIONS = ['create', 'read', 'update', 'delete', 'approve', 'reject', 'submit', 'archive', 'export', 'share'];
export const LARGE_ROLES = ['admin', 'user', 'manager', 'auditor', 'finance'];

function randomCond(rand) {
  const x = rand();
  if (x < 0.2) return { op: 'eq', l: R('ownerId'), r: P('id') };
  if (x < 0.35) return { op: 'eq', l: R('region'), r: P('region') };
  if (x < 0.45) return { op: 'eq', l: R('status'), r: { lit: rand.pick(STATUSES) } };
  if (x < 0.6) {
    const a = rand.pick(STATUSES); let b = rand.pick(STATUSES); if (b === a) b = STATUSES[(STATUSES.indexOf(a) + 1) % STATUSES.length];
    return { op: 'in', l: R('status'), list: [a, b] };
  }
  if (x < 0.7) {
    const a = rand.pick(DEPARTMENTS); let b = rand.pick(DEPARTMENTS); if (b === a) b = DEPARTMENTS[(DEPARTMENTS.indexOf(a) + 1) % DEPARTMENTS.length];
    return { op: 'in', l: P('department'), list: [a, b] };
  }
  if (x < 0.85) return { op: rand.pick(['lt', 'le', 'gt', 'ge']), l: R('amount'), r: { lit: 100 * (1 + rand.int(50)) } };
  // conjunction: principal department membership AND numeric bound on the resource
  return {
    op: 'and',
    args: [
      { op: 'in', l: P('department'), list: [rand.pick(DEPARTMENTS.slice(0, 2)), rand.pick(DEPARTMENTS.slice(2))] },
      { op: rand.pick(['lt', 'ge']), l: R('amount'), r: { lit: 500 * (1 + rand.int(8)) } },
    ],
  };
}

export function largeModel({ kinds = 50, actions = LARGE_ACTIONS, roles = LARGE_ROLES, seed = 42 } = {}) {
  const rand = rng(seed);
  const kindNames = Array.from({ length: kinds }, (_, i) => `kind${String(i).padStart(2, '0')}`);
  const rules = [];
  for (const kind of kindNames) {
    for (const action of actions) {
      for (const role of roles) {
        const x = rand();
        if (x < 0.15) rules.push({ kind, actions: [action], roles: [role], effect: 'allow' });
        else if (x < 0.75) rules.push({ kind, actions: [action], roles: [role], effect: 'allow', cond: randomCond(rand) });
        // else: no allow rule for this (kind, action, role) cell
        const y = rand(); // deny overlays (only bite where the same role also has an allow)
        if (y < 0.03) rules.push({ kind, actions: [action], roles: [role], effect: 'deny' });
        else if (y < 0.10) rules.push({ kind, actions: [action], roles: [role], effect: 'deny', cond: { op: 'eq', l: R('status'), r: { lit: 'archived' } } });
        else if (y < 0.15) rules.push({ kind, actions: [action], roles: [role], effect: 'deny', cond: { op: 'gt', l: R('amount'), r: { lit: 4000 } } });
      }
    }
  }
  return {
    name: 'large',
    kinds: kindNames,
    actions: Object.fromEntries(kindNames.map((k) => [k, actions])),
    roles,
    rules,
  };
}

// ---------------------------------------------------------------- requests
export function makePrincipals(model, n, rand) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const roles = [rand.pick(model.roles)];
    if (rand() < 0.2) { const r2 = rand.pick(model.roles); if (r2 !== roles[0]) roles.push(r2); }
    out.push({ id: `u${i}`, roles, attr: { region: rand.pick(REGIONS), department: rand.pick(DEPARTMENTS) } });
  }
  return out;
}

export function makeRequests(model, n = 1000, seed = 7) {
  const rand = rng(seed);
  const principals = makePrincipals(model, 40, rand);
  const reqs = [];
  for (let i = 0; i < n; i++) {
    const principal = rand.pick(principals);
    const kind = rand.pick(model.kinds);
    // 5% of requests ask for an action no rule mentions (exercise default deny)
    const action = rand() < 0.05 ? 'frobnicate' : rand.pick(model.actions[kind]);
    const ownerId = rand() < 0.35 ? principal.id : rand.pick(principals).id;
    const resource = {
      kind,
      id: `${kind}-${i}`,
      attr: { ownerId, region: rand.pick(REGIONS), amount: rand.int(5000), status: rand.pick(STATUSES) },
    };
    reqs.push({ principal, resource, action });
  }
  return reqs;
}

// ---------------------------------------------------------------- reference
function refVal(ref, req) {
  if (ref.lit !== undefined) return ref.lit;
  if (ref.ref === 'R') return req.resource.attr[ref.path];
  if (ref.path === 'id') return req.principal.id;
  return req.principal.attr[ref.path];
}

export function evalCond(c, req) {
  switch (c.op) {
    case 'eq': return refVal(c.l, req) === refVal(c.r, req);
    case 'in': return c.list.includes(refVal(c.l, req));
    case 'lt': return refVal(c.l, req) < c.r.lit;
    case 'le': return refVal(c.l, req) <= c.r.lit;
    case 'gt': return refVal(c.l, req) > c.r.lit;
    case 'ge': return refVal(c.l, req) >= c.r.lit;
    case 'and': return c.args.every((a) => evalCond(a, req));
    default: throw new Error(`bad op ${c.op}`);
  }
}

export function referenceDecide(model, req) {
  // Cerbos semantics: per role, deny beats allow; across roles, any allow wins.
  for (const role of req.principal.roles) {
    let allow = false, deny = false;
    for (const rule of model.rules) {
      if (rule.kind !== req.resource.kind || !rule.actions.includes(req.action) || !rule.roles.includes(role)) continue;
      if (rule.cond && !evalCond(rule.cond, req)) continue;
      if (rule.effect === 'deny') { deny = true; break; }
      allow = true;
    }
    if (allow && !deny) return true;
  }
  return false;
}

export function buildWorkload(variant) {
  const model = variant === 'seed' ? seedModel() : largeModel();
  const requests = makeRequests(model, 1000, variant === 'seed' ? 7 : 11);
  const expected = requests.map((r) => referenceDecide(model, r));
  return { variant, model, requests, expected };
}
