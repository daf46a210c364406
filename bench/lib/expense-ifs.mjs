// From the team reference harness (shared/bench-peers/handwritten/expense.mjs): the floor for the seed policy.
// Hand-written expense policy with Cerbos semantics: admin may create/read/
// delete; user may create, read own (resource.ownerId == principal.id), never
// delete; manager may read in own region, never create/delete. A role's DENY
// only cancels that role's own ALLOWs; any allowing role wins; default deny.
export function check(req) {
  const p = req.principal, r = req.resource, a = req.action;
  if (r.kind !== 'expense') return false;
  const roles = p.roles;
  for (let i = 0; i < roles.length; i++) {
    switch (roles[i]) {
      case 'admin':
        if (a === 'create' || a === 'read' || a === 'delete') return true;
        break;
      case 'user': // delete: DENY for this role
        if (a === 'create' || (a === 'read' && r.attr.ownerId === p.id)) return true;
        break;
      case 'manager': // create, delete: DENY for this role
        if (a === 'read' && r.attr.region === p.attr.region) return true;
        break;
    }
  }
  return false;
}
