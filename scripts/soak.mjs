#!/usr/bin/env node
// `npm run soak [-- --n 10000000]`: N checks in one process through the built Node host
// (dist/node.mjs), printing wasm memory pages and RSS as it goes. Memory must stay flat: the
// evaluator resets a per-check arena and the host reuses its request buffer. Exit 1 when the wasm
// memory grew after the warm-up or RSS ended more than 64 MiB above its post-warm-up figure.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { n: { type: "string", default: "10000000" } } });
const n = Number(values.n);
const { Pdp } = await import(join(root, "dist", "node.mjs"));

const pdp = Pdp.fromPolicyDir(join(root, "test", "hardening", "fixtures", "tenants"));
// The evaluator's memory, for its page count (the Pdp keeps its engine private).
const memory = () => pdp.engine.inst.abi.ex.memory.buffer.byteLength / 65536;
const mb = (b) => (b / 1048576).toFixed(1);
const kinds = ["invoice", "document", "payroll_secret"];
const roleSets = [["user"], ["admin"], ["auditor"], ["contractor"], ["manager", "user"]];

let allowed = 0;
const t0 = performance.now();
const every = Math.max(1, Math.floor(n / 20));
let warm;
const rows = [];
for (let i = 1; i <= n; i++) {
  // Vary everything a check touches so no cache hides growth: ids, attrs, kinds, roles, scopes.
  const out = pdp.checkInputs([
    {
      principal: { id: i % 3 ? "alice" : "bob", roles: roleSets[i % 5], attr: { teams: [`t${i % 4}`] } },
      resource: { kind: kinds[i % 3], id: `r${i}`, scope: i % 7 ? "" : "acme", attr: { owner: i % 2 ? "alice" : `u${i}`, team: "t1", amount: i % 2000, locked: i % 11 === 0 } },
      actions: ["view", "edit", "delete", "approve"],
    },
  ]);
  if (out[0].actions.view.effect === "EFFECT_ALLOW") allowed++;
  if (i === Math.min(100_000, every)) warm = { pages: memory(), rss: process.memoryUsage().rss };
  if (i % every === 0 || i === 1) {
    const row = { checks: i, pages: memory(), rssMiB: Number(mb(process.memoryUsage().rss)), heapMiB: Number(mb(process.memoryUsage().heapUsed)), seconds: Number(((performance.now() - t0) / 1000).toFixed(1)) };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
}
const first = rows[0], last = rows[rows.length - 1];
const grewPages = last.pages > warm.pages;
const grewRss = process.memoryUsage().rss - warm.rss > 64 * 1048576;
console.log(`soak: ${n} checks, ${allowed} allowed views; first ${first.pages} pages / ${first.rssMiB} MiB RSS, after warm-up ${warm.pages} pages / ${mb(warm.rss)} MiB, last ${last.pages} pages / ${last.rssMiB} MiB RSS`);
console.log(grewPages || grewRss ? "soak: MEMORY GREW" : "soak: memory flat");
process.exitCode = grewPages || grewRss ? 1 : 0;
