// Cerbos's HTTP CheckResources shape on top of the engine: request → one engine call (one
// principal, N resources) → response JSON with the same keys, order and omissions as Cerbos 0.55
// (empty strings and empty lists omitted, meta only with includeMeta, outputs only when non-empty).
import { newCallId } from "./call-id.ts";
import type { Engine } from "./engine.ts";
import type { AuxData, CheckOutput, CheckResourcesRequest, CheckResourcesResponse, CheckResourcesResult, EffectName } from "./types.ts";

export function checkResources(
  engine: Engine,
  req: CheckResourcesRequest,
  now: Date,
  auxData: AuxData | undefined,
): CheckResourcesResponse {
  const outputs = engine.check({ principal: req.principal, resources: req.resources, auxData, now });
  const response: CheckResourcesResponse = req.requestId
    ? { requestId: req.requestId, results: [], cerbosCallId: "" }
    : ({ results: [], cerbosCallId: "" } as CheckResourcesResponse);
  response.results = req.resources.map((r, i) => toResult(r.resource, outputs[i]!, req.includeMeta === true));
  response.cerbosCallId = newCallId(now.getTime());
  return response;
}

function toResult(res: CheckResourcesRequest["resources"][number]["resource"], out: CheckOutput, meta: boolean): CheckResourcesResult {
  const resource: CheckResourcesResult["resource"] = { id: res.id, kind: res.kind };
  if (res.policyVersion) resource.policyVersion = res.policyVersion;
  if (res.scope) resource.scope = res.scope;
  const actions: Record<string, EffectName> = {};
  for (const [a, d] of Object.entries(out.actions)) actions[a] = d.effect;
  const result: CheckResourcesResult = { resource, actions };
  if (meta) {
    const m: NonNullable<CheckResourcesResult["meta"]> = { actions: {} };
    for (const [a, d] of Object.entries(out.actions)) {
      m.actions[a] = d.scope ? { matchedPolicy: d.policy, matchedScope: d.scope } : { matchedPolicy: d.policy };
    }
    if (out.effectiveDerivedRoles.length) m.effectiveDerivedRoles = out.effectiveDerivedRoles;
    result.meta = m;
  }
  if (out.outputs.length) result.outputs = out.outputs;
  return result;
}
