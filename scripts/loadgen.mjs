#!/usr/bin/env node
// A small load generator for `verdict serve` (used by test/runtime/load.test.ts, runs as its own
// process so the server is loaded from outside the test's event loop). Keep-alive HTTP, fixed
// concurrency, fixed duration, loopback only. Every response is summarised by the ruleset that
// answered it (X-Verdict-Ruleset) and the decision it carried, so the caller can check each
// response against the ruleset that was current when it was answered.
//   node scripts/loadgen.mjs --url http://127.0.0.1:PORT --duration-ms 10000 --concurrency 8
//     --body '<CheckResources JSON>' --action read
// Prints one JSON line: { total, failed, failures: [first 10], byRuleset: { id: { EFFECT_ALLOW: n, EFFECT_DENY: n } }, rps }
import { Agent, request } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    "duration-ms": { type: "string", default: "10000" },
    concurrency: { type: "string", default: "8" },
    body: { type: "string" },
    action: { type: "string", default: "read" },
    "timeout-ms": { type: "string", default: "5000" },
  },
});
const url = new URL(values.url ?? "");
if (url.hostname !== "127.0.0.1") {
  console.error("loadgen: loopback (127.0.0.1) only");
  process.exit(2);
}
const body = values.body ?? "";
const durationMs = Number(values["duration-ms"]);
const timeoutMs = Number(values["timeout-ms"]);
const action = values.action;
const agent = new Agent({ keepAlive: true, maxSockets: Number(values.concurrency) });
const stats = { total: 0, failed: 0, failures: [], byRuleset: {} };
const fail = (why) => {
  stats.failed++;
  if (stats.failures.length < 10) stats.failures.push(why);
};

function once() {
  return new Promise((resolve) => {
    const req = request(
      { host: url.hostname, port: url.port, path: "/api/check/resources", method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          stats.total++;
          const id = res.headers["x-verdict-ruleset"];
          if (res.statusCode !== 200) return resolve(fail(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`));
          if (typeof id !== "string") return resolve(fail("no X-Verdict-Ruleset header"));
          let effect;
          try {
            effect = JSON.parse(Buffer.concat(chunks).toString()).results[0].actions[action];
          } catch (e) {
            return resolve(fail(`bad body: ${e.message}`));
          }
          const r = (stats.byRuleset[id] ??= {});
          r[effect] = (r[effect] ?? 0) + 1;
          resolve();
        });
        res.on("error", (e) => {
          stats.total++;
          resolve(fail(`response error: ${e.message}`));
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on("error", (e) => {
      stats.total++;
      resolve(fail(`request error: ${e.message}`));
    });
    req.end(body);
  });
}

const t0 = Date.now();
const deadline = t0 + durationMs;
async function worker() {
  while (Date.now() < deadline) await once();
}
await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
agent.destroy();
stats.rps = Math.round((stats.total / (Date.now() - t0)) * 1000);
process.stdout.write(JSON.stringify(stats) + "\n");
