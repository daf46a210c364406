#!/usr/bin/env node
// Verdict against its peers, side by side in one run (npm run bench; docs/performance.md).
//   node bench/run.mjs [--quick] [--variants seed,large] [--only verdict,casl,...] [--rounds N]
//                      [--cold-runs N] [--verify-only] [--no-sizes] [--out DIR]
// Every peer's decisions are checked against the reference on all 1,000 requests, in the same
// process, before it is timed. Prints markdown; writes <out>/results.json, table.md, chart.svg
// (out: bench/results, or bench/.build/results-quick with --quick).
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { BENCH, prep } from "./lib/prep.mjs";
import { sizes as measureSizes } from "./lib/sizes.mjs";
import { chartSvg } from "./lib/chart.mjs";

const argv = process.argv.slice(2);
const flag = (n) => argv.includes(`--${n}`);
const opt = (n, d) => { const i = argv.indexOf(`--${n}`); return i >= 0 ? argv[i + 1] : d; };
const quick = flag("quick");
const variants = opt("variants", "seed,large").split(",");
const rounds = Number(opt("rounds", quick ? 1 : 3));
const coldRuns = Number(opt("cold-runs", quick ? 1 : 5));
const outDir = resolve(opt("out", quick ? join(BENCH, ".build", "results-quick") : join(BENCH, "results")));

const ADAPTERS = [
  { id: "verdict", name: "Verdict, pdp.isAllowed(req)" },
  { id: "verdict-bound", name: "Verdict, forPrincipal cached per user" },
  { id: "plain-js", name: "plain JS ifs" },
  { id: "casl", name: "CASL, ability cached per user" },
  { id: "casbin", name: "casbin (ABAC eval)" },
  { id: "cedar", name: "cedar-wasm, pre-parsed" },
  { id: "cerbos-http", name: "Cerbos server, HTTP keep-alive", async: true },
].map((a) => ({ ...a, path: join(BENCH, "adapters", `${a.id}.mjs`) }));
const only = opt("only") ? opt("only").split(",") : null;
const selected = ADAPTERS.filter((a) => !only || only.includes(a.id));
const verdict = ADAPTERS[0];
const ours = ADAPTERS.filter((a) => a.id.startsWith("verdict"));
const log = (...a) => console.error(...a);

function runWorker(mode, adapter, variant, { timeoutMs = 900000, nodeArgs = [] } = {}) {
  return new Promise((res) => {
    const args = [...nodeArgs, join(BENCH, "lib", "worker.mjs"), mode, adapter.path, variant, ...(quick ? ["--quick"] : [])];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { err += d; });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      const line = out.split("\n").reverse().find((l) => l.startsWith("RESULT "));
      if (!line) return res({ error: `worker exited ${code} without a result: ${err.slice(-600)}` });
      res(JSON.parse(line.slice(7)));
    });
  });
}
const median = (a) => { const s = a.filter((x) => Number.isFinite(x)).sort((x, y) => x - y); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const fmtOps = (x) => (!Number.isFinite(x) ? "—" : x >= 1e6 ? `${(x / 1e6).toFixed(x >= 1e7 ? 0 : 1)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(x >= 1e4 ? 0 : 1)} k` : x.toFixed(0));
const fmtNs = (ns) => (!Number.isFinite(ns) ? "—" : ns < 1000 ? `${Math.round(ns)} ns` : ns < 1e6 ? `${(ns / 1e3).toFixed(ns < 1e4 ? 1 : 0)} µs` : `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)} ms`);
const fmtMs = (ms) => (!Number.isFinite(ms) ? "—" : ms < 10 ? ms.toFixed(1) : ms.toFixed(0));
const fmtB = (b) => (b == null ? "—" : b >= 1048576 ? `${(b / 1048576).toFixed(2)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`);
const fmtRatio = (x) => (!Number.isFinite(x) ? "—" : x >= 10 ? `${Math.round(x).toLocaleString("en")}×` : x >= 1 ? `${x.toFixed(1)}×` : `${x.toPrecision(2)}×`);

const t0 = Date.now();
log(`# Verdict peer bench${quick ? " (--quick)" : ""}: node ${process.version}, ${cpus().length} cpu (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
const wlInfo = await prep(variants);
log("workloads:", JSON.stringify(wlInfo));
const results = { date: new Date().toISOString(), machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model }, quick, rounds, coldRuns, workloads: wlInfo, status: {}, cold: {}, warm: {}, verdict: {}, sizes: {} };
const mismatches = [];
const setStatus = (a, v, r) => {
  const st = ((results.status[a.id] ||= {})[v] ||= {});
  if (r.error) { st.error = r.error.split("\n")[0]; return false; }
  const ver = r.verified ?? r;
  st.checked = ver.total; st.mismatches = ver.mismatches;
  if (ver.mismatches) { mismatches.push({ adapter: a.id, variant: v, ...ver }); return false; }
  return true;
};

if (flag("verify-only")) {
  for (const a of selected) for (const v of variants) {
    log(`verify ${a.id} ${v}`);
    const r = await runWorker("verify", a, v);
    setStatus(a, v, r);
    if (r.batch?.mismatches) mismatches.push({ adapter: `${a.id} (checkResources)`, variant: v, ...r.batch });
  }
} else {
  // 1. warm (each process first checks all 1,000 decisions); rounds interleave the adapters.
  const warmRaw = {};
  for (let round = 0; round < rounds; round++) {
    for (const a of selected) for (const v of variants) {
      if (a.async && round > 0) continue; // the sidecar: one bounded pass per workload
      if (round > 0 && !results.status[a.id]?.[v]?.checked) continue;
      log(`warm r${round + 1}/${rounds} ${a.id} ${v}`);
      const r = await runWorker("warm", a, v);
      if (!setStatus(a, v, r) || r.opsPerSec === undefined) { log(`  ${r.error ?? "mismatches"}`); continue; }
      ((warmRaw[a.id] ||= {})[v] ||= []).push(r);
    }
  }
  for (const [id, byV] of Object.entries(warmRaw)) for (const [v, rs] of Object.entries(byV)) {
    (results.warm[id] ||= {})[v] = {
      opsPerSec: median(rs.flatMap((r) => r.runs)), p50ns: median(rs.map((r) => r.p50ns)), p99ns: median(rs.map((r) => r.p99ns)),
      timerFloorNs: median(rs.map((r) => r.timerFloorNs)), runs: rs.flatMap((r) => r.runs).length, c16: rs[0].c16, serverRssMB: rs[0].serverRssMB,
    };
  }
  // 2. cold start, fresh process each.
  for (const a of selected) for (const v of variants) {
    if (!results.warm[a.id]?.[v]) continue;
    log(`cold ${a.id} ${v} x${coldRuns}`);
    const rs = [];
    for (let i = 0; i < coldRuns; i++) { const r = await runWorker("cold", a, v); if (!r.error) rs.push(r); else log(`  ${r.error}`); }
    const m = (k) => median(rs.map((r) => r[k]));
    (results.cold[a.id] ||= {})[v] = { totalMs: m("totalMs"), importMs: m("importMs"), loadMs: m("loadMs"), firstCheckMs: m("firstCheckMs"), rssDeltaMB: m("rssDeltaMB"), serverRssMB: m("serverRssMB"), n: rs.length };
  }
  // 3. Verdict only: menu batch (allowedMany for the bound API, checkResources for the Pdp),
  //    memory over 10 M checks, compile time.
  // --quick: only the bound API (the isAllowed path's memory and checkResources menu are the
  // same code as before; the full run measures both).
  for (const a of ours.filter((x) => selected.includes(x) && (!quick || x.id === "verdict-bound" || !selected.some((y) => y.id === "verdict-bound")))) {
    for (const v of variants) {
      log(`menu batch ${a.id} ${v}`);
      const menu = await runWorker("menu", a, v);
      if (menu.verified?.mismatches) mismatches.push({ adapter: `${a.id} (batch)`, variant: v, ...menu.verified });
      log(`memory ${a.id} ${v}`);
      const mem = await runWorker("memory", a, v, { nodeArgs: ["--expose-gc"] });
      const x = (results.verdict[v] ||= {});
      x[a.id] = { menu, memory: mem };
      if (!x.compile) { log(`compile ${v}`); x.compile = await runWorker("compile", a, v); }
    }
  }
  // 4. sizes
  if (!flag("no-sizes")) { log("sizes"); results.sizes = await measureSizes(variants, { brotli: !quick }); }
}
results.elapsedS = (Date.now() - t0) / 1000;

// ---------------------------------------------------------------- report
const md = [];
const p = (s = "") => md.push(s);
p(`## Verdict vs peers — ${results.date.slice(0, 10)}, node ${process.version}, ${cpus().length} vCPU (${cpus()[0]?.model ?? "?"}; shared, noisy)${quick ? ", --quick" : ""}`);
p();
p(`Workloads: ${variants.map((v) => `**${v}** = ${wlInfo[v].kinds} kind${wlInfo[v].kinds > 1 ? "s" : ""}, ${wlInfo[v].rules} rules`).join("; ")}; 1,000 fixed requests each (${variants.map((v) => `${v}: ${wlInfo[v].allow} allow`).join(", ")}). ` +
  `Every peer is checked against the reference decision on all 1,000 requests in the measuring process before it is timed. Warm = median of ${rounds} fresh process(es) × ${quick ? 3 : 7} timed runs after warm-up, cycling through the requests, request shape built per call; ` +
  `p50/p99 = per-call hrtime (timer floor ≈ ${fmtNs(median(Object.values(results.warm).flatMap((o) => Object.values(o).map((x) => x.timerFloorNs))))} included). Cold = fresh process, import → load → first decision, median of ${coldRuns}. Ratios are within this run.`);
if (mismatches.length) {
  p(); p("### Decision mismatches (these peers were not timed)"); p();
  for (const m of mismatches) p(`- ${m.adapter} [${m.variant}]: ${m.mismatches}/${m.total}${m.examples ? `: ${m.examples.slice(0, 2).map((e) => `#${e.i} expected ${e.expected} got ${e.got}`).join("; ")}` : ""}`);
}
const vOps = (v) => results.warm.verdict?.[v]?.opsPerSec;
const bOps = (v) => results.warm["verdict-bound"]?.[v]?.opsPerSec;
const ratios = (v, x) => `${fmtRatio(vOps(v) / x)} / ${fmtRatio(bOps(v) / x)}`;
for (const v of variants) {
  if (flag("verify-only")) break;
  p(); p(`### ${v}`); p();
  p("| peer | decisions ✓ | warm decisions/s | Verdict is × faster (isAllowed / forPrincipal) | p50 | p99 | cold start ms (import / load / 1st) | RSS Δ MB |");
  p("|---|---|---:|---:|---:|---:|---|---:|");
  for (const a of selected) {
    const st = results.status[a.id]?.[v], w = results.warm[a.id]?.[v], c = results.cold[a.id]?.[v];
    if (!w) { p(`| ${a.name} | ${st?.error ? `error: ${st.error.slice(0, 80)}` : st?.mismatches ? `${st.mismatches}/${st.checked} wrong` : "—"} | — | — | — | — | — | — |`); continue; }
    const coldTxt = c ? `${fmtMs(c.totalMs)} (${fmtMs(c.importMs)} / ${fmtMs(c.loadMs)} / ${fmtMs(c.firstCheckMs)})` : "—";
    const rss = c ? (w.serverRssMB ? `${fmtMs(c.rssDeltaMB)} + server ${fmtMs(w.serverRssMB)}` : fmtMs(c.rssDeltaMB)) : "—";
    p(`| ${a.id === "cerbos-http" ? `${a.name}, sequential` : a.name} | ${st.checked}/${st.checked} ✓ | ${fmtOps(w.opsPerSec)} | ${a.id.startsWith("verdict") ? "—" : ratios(v, w.opsPerSec)} | ${fmtNs(w.p50ns)} | ${fmtNs(w.p99ns)} | ${coldTxt} | ${rss} |`);
    if (w.c16) p(`| ${a.name}, 16 concurrent | ″ | ${fmtOps(w.c16.opsPerSec)} | ${ratios(v, w.c16.opsPerSec)} | ${fmtNs(w.c16.p50ns)} | ${fmtNs(w.c16.p99ns)} | ″ | ″ |`);
  }
}
const vv = results.verdict;
if (Object.keys(vv).length) {
  p(); p("### Verdict: menu batch, memory, compile"); p();
  p("| workload | API | 50-entry menu, one call | same as 50 single checks | memory over N checks: RSS start → end | wasm pages start → end | compile (fresh process / warm) | ruleset |");
  p("|---|---|---:|---:|---|---|---:|---:|");
  for (const v of variants) {
    const x = vv[v]; if (!x) continue;
    const c = x.compile ?? {};
    for (const a of ours) {
      const y = x[a.id]; if (!y) continue;
      const m = y.memory, api = a === verdict ? "Pdp: checkResources / isAllowed" : "forPrincipal: allowedMany / isAllowed";
      p(`| ${v} | ${api} | ${fmtNs(y.menu.batchNs)} | ${fmtNs(y.menu.singlesNs)} | ${m.start ? `${fmtOps(m.checks)} checks: ${m.start.rssMB.toFixed(1)} → ${m.end.rssMB.toFixed(1)} MB` : m.error?.split("\n")[0] ?? "—"} | ${m.start ? `${m.start.pages} → ${m.end.pages}` : "—"} | ${c.firstMs ? `${fmtMs(c.firstMs)} / ${fmtMs(c.warmMs)} ms` : c.error?.split("\n")[0] ?? "—"} | ${c.bytes ? fmtB(c.bytes) : "—"} |`);
    }
  }
}
const S = results.sizes;
if (S && Object.keys(S).length) {
  p(); p("### What a deployment ships (raw → gzip -9)"); p();
  p(`| peer | JS, esbuild min | wasm / binary | policy: ${variants.join(" | policy: ")} | note |`);
  p(`|---|---:|---:|${variants.map(() => "---:|").join("")}---|`);
  const b2 = (x) => (x ? `${fmtB(x.raw)} → ${fmtB(x.gzip)}` : "—");
  for (const [k, s] of Object.entries(S)) {
    const js = k === "verdict" ? `${b2(s.js)} (Node runtime: ${b2(s.jsNodeRuntime)}; Node with compiler: ${b2(s.jsNode)})` : b2(s.js);
    p(`| ${k} | ${js} | ${s.wasm ? b2(s.wasm) : s.binary ? `binary ${fmtB(s.binary.raw)}` : "—"} | ${variants.map((v) => b2(s.policy?.[v])).join(" | ")} | ${s.note ?? ""} |`);
  }
}

// Targets (issue 6), from this run.
if (!flag("verify-only") && results.warm.verdict) {
  const T = [];
  const t = (what, value, ok) => T.push(`| ${what} | ${value} | ${ok === undefined ? "—" : ok ? "✅ met" : "❌ missed"} |`);
  const w = (id, v) => results.warm[id]?.[v]?.opsPerSec;
  for (const [id, api] of [["verdict", "isAllowed"], ["verdict-bound", "forPrincipal"]]) {
    if (w(id, "seed")) t(`seed ≥ 10 M decisions/s (${api})`, `${fmtOps(w(id, "seed"))}/s`, w(id, "seed") >= 1e7);
    if (w(id, "large")) t(`large ≥ 5 M decisions/s (${api})`, `${fmtOps(w(id, "large"))}/s`, w(id, "large") >= 5e6);
    if (w(id, "seed") && w(id, "large")) { const r = w(id, "seed") / w(id, "large"); t(`large ≤ 2× seed per decision (${api})`, `${r.toFixed(2)}×`, r <= 2); }
    for (const v of variants) {
      if (w("casl", v) && w(id, v)) t(`${v}: ≥ 2× CASL (cached) (${api})`, fmtRatio(w(id, v) / w("casl", v)), w(id, v) / w("casl", v) >= 2);
      if (w("cedar", v) && w(id, v)) t(`${v}: ≥ 1000× cedar-wasm (${api})`, fmtRatio(w(id, v) / w("cedar", v)), w(id, v) / w("cedar", v) >= 1000);
    }
  }
  for (const v of variants) {
    const b = vv[v]?.["verdict-bound"]?.menu?.batchNs ?? vv[v]?.verdict?.menu?.batchNs;
    if (b) t(`${v}: 50-entry menu batch ≤ 5 µs (allowedMany)`, fmtNs(b), b <= 5000);
  }
  const cold = (v) => median(ours.map((a) => results.cold[a.id]?.[v]?.totalMs)); // both import the same runtime entry
  if (cold("seed")) t("cold start ≤ 5 ms (seed)", `${fmtMs(cold("seed"))} ms`, cold("seed") <= 5);
  if (cold("large")) t("cold start ≤ 10 ms (large)", `${fmtMs(cold("large"))} ms`, cold("large") <= 10);
  if (S?.verdict?.policy?.large) t("large ruleset ≤ 8 KiB gzip", fmtB(S.verdict.policy.large.gzip), S.verdict.policy.large.gzip <= 8192);
  if (vv.large?.compile?.firstMs) t("compile of the large policy ≤ 1 s (fresh process)", `${fmtMs(vv.large.compile.firstMs)} ms`, vv.large.compile.firstMs <= 1000);
  if (S?.verdict?.wasm) t("evaluator ≤ 32 KB raw", `${S.verdict.wasm.raw.toLocaleString("en")} B`, S.verdict.wasm.raw <= 32000);
  for (const v of variants) for (const a of ours) {
    const m = vv[v]?.[a.id]?.memory;
    if (m?.start) t(`${v}: memory flat over 10 M checks (${a.id})`, `${fmtOps(m.checks)} checks: RSS ${m.end.rssMB >= m.start.rssMB ? "+" : ""}${(m.end.rssMB - m.start.rssMB).toFixed(1)} MB, pages ${m.start.pages} → ${m.end.pages}`, m.checks >= 1e7 ? m.end.pages === m.start.pages && m.end.rssMB - m.start.rssMB < 5 : undefined);
  }
  p(); p("### Targets (issue 6)"); p(); p("| target | this run | |"); p("|---|---:|---|"); T.forEach((x) => p(x));
}
p(); p(`_run took ${results.elapsedS.toFixed(0)} s${quick ? " (--quick: 1 round, fewer runs, 1 M memory checks; not for the record)" : ""}_`);

const table = md.join("\n");
console.log(table);
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "results.json"), JSON.stringify(results, null, 1));
writeFileSync(join(outDir, "table.md"), table + "\n");
if (Object.keys(results.warm).length) {
  const rows = selected.filter((a) => results.warm[a.id]).map((a) => ({ name: a.name, values: Object.fromEntries(variants.map((v) => [v, results.warm[a.id]?.[v]?.opsPerSec])) }));
  writeFileSync(join(outDir, "chart.svg"), chartSvg(rows, variants, `Warm decisions/s (log scale), ${results.date.slice(0, 10)}${quick ? ", --quick" : ""}`));
}
log(`wrote ${outDir}/{results.json,table.md,chart.svg}`);
if (mismatches.length) process.exitCode = 1;
