// The multi-tenant fixture (fixtures/tenants) and a deterministic request grid over it, shared by
// the slicing and integrity tests.
import { join } from "node:path";
import type { CheckInput } from "../../host/common/types.ts";

export const TENANTS_DIR = join(import.meta.dirname, "fixtures", "tenants");
export const KINDS = ["invoice", "document", "payroll_secret", "unknown_kind"];
export const SCOPES = ["", "acme", "acme.sales", "globex"];
export const ROLE_SETS = [["user"], ["admin"], ["user", "admin"], ["contractor"], ["manager"], ["auditor"], ["hr_payroll_clerk"], ["globex_director", "user"]];
export const PRINCIPALS = ["alice", "bob"];
export const ACTIONS = ["view", "edit", "delete", "approve", "share"];

/** Every combination, each with a couple of attribute variants. */
export function requestGrid(): CheckInput[] {
  const out: CheckInput[] = [];
  let n = 0;
  for (const kind of KINDS)
    for (const scope of SCOPES)
      for (const roles of ROLE_SETS)
        for (const id of PRINCIPALS)
          for (const variant of [0, 1]) {
            n++;
            out.push({
              requestId: `r${n}`,
              principal: { id, roles, attr: { teams: variant ? ["t1"] : [] } },
              resource: {
                kind,
                id: `${kind}-${n}`,
                scope,
                attr: { owner: variant ? id : "carol", team: "t1", amount: variant ? 10 : 5000, locked: variant === 1, salary_band: "ic" },
              },
              actions: ACTIONS,
            });
          }
  return out;
}
