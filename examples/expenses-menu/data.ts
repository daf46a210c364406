// The menu page's data, shared by the page and its test (which asks real Cerbos for the same
// checks). Policies: examples/expenses/expense.yaml.
import type { Principal, Resource } from "../../host/browser/index.ts";

export const PRINCIPALS: Record<string, { label: string; principal: Principal }> = {
  admin: { label: "Alice (admin)", principal: { id: "alice", roles: ["admin"] } },
  user: { label: "Bob (user)", principal: { id: "bob", roles: ["user"] } },
  "emea-manager": { label: "Mia (EMEA manager)", principal: { id: "mia", roles: ["manager"], attr: { region: "EMEA" } } },
};

export const EXPENSES: Resource[] = [
  { kind: "expense", id: "E1", attr: { ownerId: "bob", region: "EMEA", amount: 120 } },
  { kind: "expense", id: "E2", attr: { ownerId: "carol", region: "NA", amount: 4200 } },
  { kind: "expense", id: "E3", attr: { ownerId: "alice", region: "EMEA", amount: 35 } },
];

/** "Create" is checked against a placeholder resource, as apps do for a not-yet-existing one. */
export const NEW_EXPENSE: Resource = { kind: "expense", id: "new", attr: {} };

export const ROW_ACTIONS = ["read", "delete"] as const;

/** Every button the page can show: data-testid → the check behind it. */
export function menuChecks(): Array<{ testId: string; resource: Resource; action: string }> {
  const out = [{ testId: "create", resource: NEW_EXPENSE, action: "create" }];
  for (const e of EXPENSES) for (const a of ROW_ACTIONS) out.push({ testId: `${a}-${e.id}`, resource: e, action: a });
  return out;
}
