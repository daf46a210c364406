// The expense menu page (React): one evaluator call per render decides the whole menu
// (useChecks), buttons not allowed are not rendered. Switching principal re-renders at once.
// Query: ?principal=admin|user|emea-manager. Assets next to the page: verdict.wasm, expenses.vrdt.
import { createElement as h, useState } from "react";
import { createRoot } from "react-dom/client";
import { Verdict } from "../../host/browser/index.ts";
import { Can, useChecks, useVerdict, VerdictProvider } from "../../host/react/index.ts";
import { EXPENSES, NEW_EXPENSE, PRINCIPALS, ROW_ACTIONS } from "./data.ts";

function Menu() {
  const { principal, version } = useVerdict();
  const rows = useChecks(EXPENSES.map((resource) => ({ resource, actions: ROW_ACTIONS })));
  return h(
    "main",
    { "data-ruleset-version": version },
    h("h2", null, `Expenses for ${principal.id}`),
    h(Can, { resource: NEW_EXPENSE, action: "create" }, h("button", { "data-testid": "create" }, "New expense")),
    h(
      "table",
      null,
      h("tbody", null,
        EXPENSES.map((e, i) =>
          h(
            "tr",
            { key: e.id },
            h("td", null, `${e.id} · ${String(e.attr?.ownerId)} · ${String(e.attr?.region)} · ${String(e.attr?.amount)} €`),
            h("td", null,
              ROW_ACTIONS.filter((a) => rows[i]![a]).map((a) =>
                h("button", { key: a, "data-testid": `${a}-${e.id}`, className: a }, a === "read" ? "Open" : "Delete"),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

function App({ verdict, initial }: { verdict: Verdict; initial: string }) {
  const [who, setWho] = useState(initial);
  const p = PRINCIPALS[who] ?? PRINCIPALS.admin!;
  return h(
    "div",
    null,
    h("nav", null,
      Object.entries(PRINCIPALS).map(([k, v]) =>
        h("label", { key: k }, h("input", { type: "radio", name: "who", value: k, checked: k === who, onChange: () => setWho(k), "data-principal": k }), v.label),
      ),
    ),
    h(VerdictProvider, { verdict, principal: p.principal }, h(Menu)),
  );
}

const params = new URLSearchParams(location.search);
const verdict = await Verdict.load("./verdict.wasm", "./expenses.vrdt");
(globalThis as { verdict?: Verdict }).verdict = verdict;
createRoot(document.getElementById("root")!).render(h(App, { verdict, initial: params.get("principal") ?? "admin" }));
document.body.dataset.ready = "true";
