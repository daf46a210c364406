// Offline webview example: gating keeps working with the network off.
//  - The .wasm and the ruleset are kept in the Cache API. At start the cached copies are used at
//    once when present (no network wait); otherwise they are fetched and cached.
//  - refresh() fetches the ruleset again (bypassing the HTTP cache); if the bytes changed it is
//    cached and swapped in place (Verdict.setRuleset) and every gated element re-applies.
//    refresh() runs at start, when the browser comes back online, and every ?poll= ms.
//  - With no network, refresh() fails quietly and the loaded ruleset stays in force.
// Elements are gated by host/dom (data-verdict-* attributes). Client decisions only gate the UI.
import { compileEvaluator, Verdict } from "../../host/browser/index.ts";
import { bindGates } from "../../host/dom/index.ts";
import { menuChecks, PRINCIPALS } from "../expenses-menu/data.ts";

const CACHE = "verdict-offline-app";
const WASM_URL = new URL("./verdict.wasm", location.href).href;
const RULESET_URL = new URL("./expenses.vrdt", location.href).href;
const $ = (id: string): HTMLElement => document.getElementById(id)!;

async function cacheFirst(url: string): Promise<Response> {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(url);
  if (hit) return hit;
  const res = await fetch(url, { cache: "no-store" });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  await cache.put(url, res.clone());
  return res;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function setStatus(source: string, note: string): void {
  const s = $("status");
  s.dataset.source = source;
  s.dataset.online = String(navigator.onLine);
  s.textContent = `${navigator.onLine ? "online" : "offline"} · ruleset v${verdict.version} from ${source} (${verdict.ruleset.length} bytes)${note ? ` · ${note}` : ""}`;
}

// Build the menu: one marked button per check.
const menu = $("menu");
for (const c of menuChecks()) {
  const b = document.createElement("button");
  b.textContent = c.testId === "create" ? "New expense" : `${c.action === "read" ? "Open" : "Delete"} ${c.resource.id}`;
  b.dataset.testid = c.testId;
  b.dataset.verdictResource = c.resource.kind;
  b.dataset.verdictId = c.resource.id;
  b.dataset.verdictAction = c.action;
  b.dataset.verdictAttr = JSON.stringify(c.resource.attr ?? {});
  menu.append(b);
}
const select = $("principal") as HTMLSelectElement;
for (const [k, v] of Object.entries(PRINCIPALS)) select.add(new Option(v.label, k));
const params = new URLSearchParams(location.search);
select.value = params.get("principal") ?? "admin";

const [module, rulesetRes] = await Promise.all([compileEvaluator(cacheFirst(WASM_URL)), cacheFirst(RULESET_URL)]);
const verdict = new Verdict(module, new Uint8Array(await rulesetRes.arrayBuffer()));
const gates = bindGates(verdict, { principal: PRINCIPALS[select.value]!.principal });
select.addEventListener("change", () => gates.setPrincipal(PRINCIPALS[select.value]!.principal));
let source = "cache";
setStatus(source, "");
verdict.subscribe(() => setStatus(source, "updated"));

/** Fetches the ruleset; swaps it in when it changed. Resolves to true when it swapped. */
async function refresh(): Promise<boolean> {
  let bytes: Uint8Array;
  try {
    const res = await fetch(RULESET_URL, { cache: "no-store" });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    bytes = new Uint8Array(await res.clone().arrayBuffer());
    if (sameBytes(bytes, verdict.ruleset)) {
      source = "network";
      setStatus(source, "up to date");
      return false;
    }
    verdict.setRuleset(bytes); // throws on a bad ruleset: keep the old one and the old cache entry
    await (await caches.open(CACHE)).put(RULESET_URL, res);
    source = "network";
    setStatus(source, "updated");
    return true;
  } catch (e) {
    setStatus(source, `kept the loaded ruleset (${(e as Error).message})`);
    return false;
  }
}

addEventListener("online", () => void refresh());
addEventListener("offline", () => setStatus(source, ""));
const poll = Number(params.get("poll") ?? 30_000);
if (poll > 0) setInterval(() => void refresh(), poll);
(globalThis as Record<string, unknown>).offlineApp = { verdict, refresh, gates };
await refresh();
document.body.dataset.ready = "true";
