// The expenses example as a Worker: a tiny expenses API gated by the expense policy
// (examples/expenses/expense.yaml), plus Cerbos's own HTTP API at /api/check/resources.
//
// The evaluator and the ruleset are imported as modules: `.wasm` gives a WebAssembly.Module
// (Workers cannot compile wasm from bytes), `.bin` gives an ArrayBuffer. Both come from
// `npm run build` (build/verdict.wasm, build/expenses.bin).
//
// Who is calling comes from headers here (x-user-id, x-roles, x-region) to keep the demo short;
// a real Worker would take them from a verified session or JWT.
import wasm from "../../../build/verdict.wasm";
import ruleset from "../../../build/expenses.bin";
// Gating (WorkerPdp, withAuthorization) is `verdict/workers`; Cerbos's HTTP API is the opt-in
// `verdict/workers/api`, kept apart so a Worker that only gates stays small.
import { cerbosApi } from "../../../host/workers/cerbos-api.ts";
import { type AuthzQuery, jsonResponse, withAuthorization, WorkerPdp } from "../../../host/workers/index.ts";

interface Expense {
  id: string;
  ownerId: string;
  region: string;
  amount: number;
}

const EXPENSES: Record<string, Expense> = {
  E1: { id: "E1", ownerId: "bob", region: "EU", amount: 120 },
  E2: { id: "E2", ownerId: "carol", region: "US", amount: 4200 },
  E3: { id: "E3", ownerId: "dave", region: "EU", amount: 75 },
};

// One evaluator per isolate, created on first use and reused by every request.
let pdp: WorkerPdp | undefined;
const getPdp = (): WorkerPdp => (pdp ??= new WorkerPdp(wasm, ruleset));

const api = cerbosApi(getPdp);

/** GET /expenses/:id → read, DELETE /expenses/:id → delete, POST /expenses → create. */
function mapRequest(request: Request): AuthzQuery | Response | null {
  const url = new URL(request.url);
  if (url.pathname === "/") return null; // public
  const m = /^\/expenses(?:\/([^/]+))?$/.exec(url.pathname);
  if (!m) return jsonResponse(404, { message: "not found" });
  const userId = request.headers.get("x-user-id");
  if (!userId) return jsonResponse(401, { message: "missing x-user-id" });
  const roles = (request.headers.get("x-roles") ?? "")
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  const region = request.headers.get("x-region");
  const principal = { id: userId, roles: roles.length ? roles : ["user"], attr: region ? { region } : {} };

  const id = m[1];
  if (id === undefined) {
    if (request.method !== "POST") return jsonResponse(405, { message: "use POST to create" });
    return { principal, resource: { kind: "expense", id: "new", attr: { ownerId: userId } }, action: "create" };
  }
  const e = EXPENSES[id];
  if (!e) return jsonResponse(404, { message: `no expense ${id}` });
  const action = request.method === "GET" ? "read" : request.method === "DELETE" ? "delete" : undefined;
  if (!action) return jsonResponse(405, { message: "use GET or DELETE" });
  return { principal, resource: { kind: "expense", id: e.id, attr: { ownerId: e.ownerId, region: e.region, amount: e.amount } }, action };
}

const app = withAuthorization<unknown>({ pdp: getPdp, map: mapRequest }, (request, _env, _ctx, decision) => {
  if (!decision) return new Response("verdict expenses worker: GET/DELETE /expenses/:id, POST /expenses, POST /api/check/resources\n");
  const body: Record<string, unknown> = { action: decision.action, allowedBy: decision.policy };
  if (decision.action === "create") body.created = { ownerId: decision.principal.id };
  else if (decision.action === "read") body.expense = EXPENSES[decision.resource.id];
  else body.deleted = decision.resource.id; // a demo: nothing is really deleted
  return jsonResponse(request.method === "POST" ? 201 : 200, body);
});

export default {
  async fetch(request: Request, env: unknown, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    return (await api(request)) ?? app(request, env, ctx);
  },
};
