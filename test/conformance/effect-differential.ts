// Shared set-up of the effect differentials (regex, glob): policies written into a temp dir, real
// Cerbos 0.55 and the Verdict Node host both loaded from it, and each batch of requests answered
// by both as (resource, action) → effect, so a test only generates policies and requests.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { startCerbos, type RunningServer } from "../oracle/cerbos.ts";
import { JsonClient, mapLimit } from "../oracle/http.ts";
import { describeError, loadPdpClass, type PdpLike } from "./pdp.ts";
import type { CheckResourcesRequest } from "./request-gen.ts";

/** One compared decision: request k, resource ri, action, and each side's effect. */
export interface EffectPair {
  k: number;
  ri: number;
  action: string;
  cerbos: string | undefined;
  verdict: string | undefined;
}

/** Registers beforeAll/afterAll that write the policies (`write(policyDir)`) and start both
 *  deciders; the returned function answers requests with every (resource, action) pair. */
export function effectDifferential(prefix: string, write: (policyDir: string) => void): (requests: CheckResourcesRequest[]) => Promise<EffectPair[]> {
  let dir = "";
  let cerbos: RunningServer | undefined;
  let client: JsonClient | undefined;
  let pdp: PdpLike | undefined;
  let setupError = "";
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `verdict-${prefix}-`));
    mkdirSync(join(dir, "policies"));
    write(join(dir, "policies"));
    try {
      cerbos = await startCerbos({ policyDir: join(dir, "policies") });
      client = new JsonClient(cerbos.baseUrl, { maxSockets: 4, timeoutMs: 10_000 });
      pdp = (await loadPdpClass()).fromPolicyDir(join(dir, "policies"));
    } catch (e) {
      setupError = describeError(e);
    }
  });
  afterAll(async () => {
    client?.close();
    await cerbos?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return async (requests) => {
    if (!client || !pdp) throw new Error(`setup failed: ${setupError}`);
    const answers = await mapLimit(requests, 4, async (req) => {
      const res = await (client as JsonClient).post("/api/check/resources", req);
      const body = res.body as { results?: Array<{ actions: Record<string, string> }> } | undefined;
      if (res.status !== 200 || !body?.results) throw new Error(`cerbos: HTTP ${res.status}: ${res.text.slice(0, 300)}`);
      return body.results;
    });
    const pairs: EffectPair[] = [];
    for (const [k, req] of requests.entries()) {
      const mine = ((pdp as PdpLike).checkResources(structuredClone(req)) as { results: Array<{ actions: Record<string, { effect: string } | string> }> }).results;
      for (const [ri, entry] of req.resources.entries()) {
        for (const action of entry.actions) {
          const v = mine[ri]?.actions[action];
          pairs.push({ k, ri, action, cerbos: answers[k]?.[ri]?.actions[action], verdict: typeof v === "string" ? v : v?.effect });
        }
      }
    }
    return pairs;
  };
}
