// One measurement in a fresh Node process (run.mjs spawns it; nothing is shared between runs).
//   node bench/lib/worker.mjs <mode> <adapterPath> <variant> [--quick]
// modes: verify | warm | cold | memory | menu | compile. Prints one line `RESULT <json>`.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [mode, adapterPath, variant] = process.argv.slice(2);
const quick = process.argv.includes("--quick");
const BUILD = new URL("../.build/", import.meta.url);
const wl = JSON.parse(readFileSync(new URL(`workload/${variant}.json`, BUILD), "utf8"));
const reqs = wl.requests;
const N = reqs.length;
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms
const policyDir = (format) => new URL(`policies/${variant}/${format}`, BUILD).pathname;

const out = (obj) => process.stdout.write(`RESULT ${JSON.stringify(obj)}\n`);
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

async function loadAdapter() {
  const mod = await import(pathToFileURL(adapterPath).href);
  return { mod, meta: { format: "cerbos", ...mod.meta } };
}
const ctx = () => ({ variant, firstRequest: reqs[0] });

/** Every request against the reference decision (all 1,000), before any timing. */
async function checkAll(a) {
  const mism = [];
  for (let i = 0; i < N; i++) {
    let got;
    try { got = await a.mod.check(reqs[i]); } catch (e) { got = `error: ${e.message}`; }
    if (got !== wl.expected[i]) mism.push({ i, expected: wl.expected[i], got, req: reqs[i] });
  }
  return { total: N, mismatches: mism.length, examples: mism.slice(0, 5) };
}
/** The batch API (one call per principal and 50-request slice) against the reference: the
 *  decisions-only `allowedMany` and/or the Cerbos-shaped `batch` (checkResources). */
function checkBatches(a) {
  let mismatches = 0, total = 0;
  for (let s = 0; s < N; s += 50) {
    for (const rs of groupBy(reqs.slice(s, s + 50)).values()) {
      const p = rs[0].req.principal;
      const many = a.mod.allowedMany?.(p, rs.map(({ req }) => ({ resource: req.resource, action: req.action })));
      const res = a.mod.batch?.(p, rs.map(({ req }) => ({ resource: req.resource, actions: [req.action] })));
      rs.forEach(({ req, i }, j) => {
        if (many) { total++; if (many[j] !== wl.expected[s + i]) mismatches++; }
        if (res) { total++; if ((res.results[j].actions[req.action] === "EFFECT_ALLOW") !== wl.expected[s + i]) mismatches++; }
      });
    }
  }
  return { total, mismatches };
}
async function verify() {
  const a = await loadAdapter();
  await a.mod.load(policyDir(a.meta.format), ctx());
  const v = await checkAll(a);
  const b = a.mod.batch || a.mod.allowedMany ? checkBatches(a) : undefined;
  await a.mod.close?.();
  out({ mode, variant, name: a.meta.name, ...v, batch: b });
}
function groupBy(group) {
  const m = new Map();
  group.forEach((req, i) => { const k = req.principal.id; if (!m.has(k)) m.set(k, []); m.get(k).push({ req, i }); });
  return m;
}

function timerFloorNs() {
  const f = (r) => r !== null;
  const s = new Float64Array(20000);
  for (let i = 0; i < s.length; i++) { const t0 = process.hrtime.bigint(); f(reqs[i % N]); s[i] = Number(process.hrtime.bigint() - t0); }
  s.sort();
  return pct(s, 0.5);
}

/** Decisions/s: ≥ 1 s warm-up, then timed runs of ≥ 400 ms cycling through the requests; then
 *  per-call hrtime latencies. */
async function warmSync(a) {
  const check = a.mod.check;
  let sink = 0;
  const probeT0 = now();
  for (let i = 0; i < 20; i++) if (check(reqs[i % N])) sink++;
  const perCallMs = (now() - probeT0) / 20;
  const chunk = perCallMs > 0.02 ? 1 : 50;
  let idx = 0;
  const runFor = (ms) => {
    let n = 0; const t0 = now(); let t;
    do {
      for (let j = 0; j < chunk; j++) { if (check(reqs[idx])) sink++; idx = idx + 1 === N ? 0 : idx + 1; }
      n += chunk; t = now();
    } while (t - t0 < ms);
    return (n / (t - t0)) * 1000;
  };
  runFor(quick ? 300 : 1000);
  const runs = [];
  for (let k = 0; k < (quick ? 3 : 7); k++) runs.push(runFor(quick ? 150 : 400));
  const maxSamples = quick ? 5000 : 20000;
  const s = new Float64Array(maxSamples);
  let m = 0; const tEnd = now() + (quick ? 500 : 2000);
  const minBatch = perCallMs > 1 ? 16 : 256;
  while (m < maxSamples && (m % minBatch !== 0 || now() < tEnd)) {
    const r = reqs[m % N];
    const t0 = process.hrtime.bigint();
    if (check(r)) sink++;
    s[m++] = Number(process.hrtime.bigint() - t0);
  }
  const lat = s.subarray(0, m).sort();
  return { opsPerSec: median(runs), runs, p50ns: pct(lat, 0.5), p99ns: pct(lat, 0.99), samples: m, timerFloorNs: timerFloorNs(), sink };
}

async function warmAsync(a) {
  const total = quick ? 2000 : 20000;
  for (let i = 0; i < (quick ? 300 : 2000); i++) await a.mod.check(reqs[i % N]);
  const lat = new Float64Array(total);
  let t0 = now();
  for (let i = 0; i < total; i++) { const s = process.hrtime.bigint(); await a.mod.check(reqs[i % N]); lat[i] = Number(process.hrtime.bigint() - s); }
  const seqMs = now() - t0;
  lat.sort();
  const seq = { opsPerSec: (total / seqMs) * 1000, p50ns: pct(lat, 0.5), p99ns: pct(lat, 0.99), requests: total };
  const conc = 16, lat2 = new Float64Array(total);
  let next = 0;
  t0 = now();
  await Promise.all(Array.from({ length: conc }, async () => {
    for (;;) {
      const i = next++; if (i >= total) return;
      const s = process.hrtime.bigint(); await a.mod.check(reqs[i % N]); lat2[i] = Number(process.hrtime.bigint() - s);
    }
  }));
  const concMs = now() - t0;
  lat2.sort();
  const c16 = { opsPerSec: (total / concMs) * 1000, p50ns: pct(lat2, 0.5), p99ns: pct(lat2, 0.99), requests: total, concurrency: conc };
  return { opsPerSec: seq.opsPerSec, runs: [seq.opsPerSec], p50ns: seq.p50ns, p99ns: seq.p99ns, seq, c16 };
}

async function warm() {
  const a = await loadAdapter();
  await a.mod.load(policyDir(a.meta.format), ctx());
  const verified = await checkAll(a);
  if (verified.mismatches) { await a.mod.close?.(); return out({ mode, variant, name: a.meta.name, verified }); }
  const r = a.meta.async ? await warmAsync(a) : await warmSync(a);
  const extra = a.mod.stats?.() || {};
  await a.mod.close?.();
  out({ mode, variant, name: a.meta.name, verified, ...r, ...extra });
}

/** Fresh process: import → load (policy parse/compile, wasm compile) → first decision. */
async function cold() {
  const rss0 = process.memoryUsage().rss;
  const t0 = now();
  const a = await loadAdapter();
  const t1 = now();
  await a.mod.load(policyDir(a.meta.format), ctx());
  const t2 = now();
  await a.mod.check(reqs[0]);
  const t3 = now();
  const rss1 = process.memoryUsage().rss;
  const extra = a.mod.stats?.() || {};
  await a.mod.close?.();
  out({ mode, variant, name: a.meta.name, importMs: t1 - t0, loadMs: t2 - t1, firstCheckMs: t3 - t2, totalMs: t3 - t0, rssDeltaMB: (rss1 - rss0) / 1048576, ...extra });
}

/** RSS and wasm pages after a warm-up and after 10 M (1 M with --quick) more checks, or as many
 *  as fit in 90 s (3 s with --quick) for a slow build; the count is reported. */
async function memory() {
  const a = await loadAdapter();
  await a.mod.load(policyDir(a.meta.format), ctx());
  const check = a.mod.check;
  let sink = 0;
  for (let i = 0; i < 20000; i++) if (check(reqs[i % N])) sink++;
  globalThis.gc?.();
  const start = { rssMB: process.memoryUsage().rss / 1048576, heapMB: process.memoryUsage().heapUsed / 1048576, pages: a.mod.wasmPages?.() };
  const total = quick ? 1_000_000 : 10_000_000;
  const samples = [];
  const t0 = now(), deadline = t0 + (quick ? 3000 : 90000);
  let done = 0;
  for (let idx = 0; done < total; done++) {
    if (check(reqs[idx])) sink++;
    idx = idx + 1 === N ? 0 : idx + 1;
    if (done % 100000 === 0) {
      if (done % (total / 10) === 0) samples.push({ at: done, rssMB: process.memoryUsage().rss / 1048576, pages: a.mod.wasmPages?.() });
      if (now() > deadline) break;
    }
  }
  const ms = now() - t0;
  globalThis.gc?.();
  const end = { rssMB: process.memoryUsage().rss / 1048576, heapMB: process.memoryUsage().heapUsed / 1048576, pages: a.mod.wasmPages?.() };
  out({ mode, variant, name: a.meta.name, checks: done, seconds: ms / 1000, start, end, samples, sink });
}

/** A UI menu: one principal, 50 (resource, action) entries in one call — the decisions-only
 *  `allowedMany` and, where the adapter has it, the Cerbos-shaped `batch` (checkResources) — vs
 *  the same 50 as single checks. */
async function menu() {
  const a = await loadAdapter();
  await a.mod.load(policyDir(a.meta.format), ctx());
  const verified = checkBatches(a);
  if (verified.mismatches) return out({ mode, variant, name: a.meta.name, verified });
  const principal = reqs[0].principal;
  const batches = [];
  for (let b = 0; b < 20; b++) {
    const entries = [];
    for (let j = 0; j < 50; j++) { const r = reqs[(b * 50 + j) % N]; entries.push({ resource: r.resource, action: r.action }); }
    batches.push(entries);
  }
  const cerbosShaped = new Map(batches.map((es) => [es, es.map((e) => ({ resource: e.resource, actions: [e.action] }))]));
  let sink = 0;
  const timed = (call) => {
    const runFor = (ms) => {
      let n = 0, k = 0; const t0 = now(); let t;
      do { sink += call(batches[k]); k = k + 1 === batches.length ? 0 : k + 1; n++; t = now(); } while (t - t0 < ms);
      return ((t - t0) * 1e6) / n; // ns per batch
    };
    runFor(quick ? 300 : 1000);
    const runs = [];
    for (let i = 0; i < (quick ? 3 : 7); i++) runs.push(runFor(quick ? 150 : 400));
    return runs;
  };
  const manyRuns = a.mod.allowedMany ? timed((es) => a.mod.allowedMany(principal, es).length) : [];
  const batchRuns = a.mod.batch ? timed((es) => a.mod.batch(principal, cerbosShaped.get(es)).results.length) : [];
  // The same 50 entries as 50 single checks, for comparison.
  const sruns = timed((es) => { let c = 0; for (const e of es) if (a.mod.check({ principal, resource: e.resource, action: e.action })) c++; return c; });
  out({ mode, variant, name: a.meta.name, verified, batchNs: median(manyRuns.length ? manyRuns : batchRuns), allowedManyNs: median(manyRuns), checkResourcesNs: median(batchRuns), runs: manyRuns, singlesNs: median(sruns), sink });
}

/** Compile of the Cerbos YAML policy directory: first compile in a fresh process, then warm. */
async function compile() {
  const { compileDirectory } = await import(new URL("verdict-tools.mjs", BUILD).href);
  const dir = policyDir("cerbos");
  const t0 = now();
  const first = compileDirectory(dir);
  const firstMs = now() - t0;
  if (!first.ruleset) throw new Error("compile failed");
  const runs = [];
  for (let i = 0; i < (quick ? 1 : 5); i++) { const t = now(); compileDirectory(dir); runs.push(now() - t); }
  out({ mode, variant, firstMs, warmMs: median(runs), bytes: first.ruleset.length });
}

try {
  await ({ verify, warm, cold, memory, menu, compile })[mode]();
  process.exit(0);
} catch (e) {
  out({ mode, variant, error: e.stack || e.message });
  process.exit(1);
}
