// Cerbos's HTTP CheckResources shape on top of the engine: request → one engine call (one
// principal, N resources) → response JSON with the same keys, order and omissions as Cerbos 0.55
// (empty strings and empty lists omitted, meta only with includeMeta, outputs only when non-empty).
import type { Decision } from "./audit/entry.ts";
import { newCallId } from "./call-id.ts";
import type { Engine } from "./engine.ts";
import type { AuxData, CheckOutput, CheckResourcesRequest, CheckResourcesResponse, CheckResourcesResult, EffectName } from "./types.ts";

export function checkResources(
  engine: Engine,
  req: CheckResourcesRequest,
  now: Date,
  auxData: AuxData | undefined,
  /** Told about the decision (audit log); runs after deciding, and its failures are swallowed. */
  observe?: (d: Decision) => void,
): CheckResourcesResponse {
  const outputs = engine.check({ principal: req.principal, resources: req.resources, auxData, now });
  const response: CheckResourcesResponse = req.requestId
    ? { requestId: req.requestId, results: [], cerbosCallId: "" }
    : ({ results: [], cerbosCallId: "" } as CheckResourcesResponse);
  response.results = req.resources.map((r, i) => toResult(r.resource, outputs[i]!, req.includeMeta === true));
  response.cerbosCallId = newCallId(now.getTime());
  if (observe) notify(observe, req, outputs, response.cerbosCallId, now, auxData);
  return response;
}

/** The decision as Cerbos logs it: one CheckInput per resource, the engine outputs as they are
 *  (matched policy and scope, derived roles, outputs, evaluationErrors). Never throws: logging
 *  must not fail a decision. */
function notify(observe: (d: Decision) => void, req: CheckResourcesRequest, outputs: CheckOutput[], callId: string, now: Date, auxData: AuxData | undefined): void {
  try {
    const inputs = req.resources.map((r) => {
      const input: Decision["inputs"][number] = { principal: req.principal, resource: r.resource, actions: r.actions };
      if (req.requestId) input.requestId = req.requestId;
      if (auxData && (auxData.jwt || auxData.jwts)) input.auxData = auxData;
      return input;
    });
    const rid = req.requestId;
    const outs = rid ? outputs.map((o) => (o.requestId === undefined ? { requestId: rid, ...o } : o)) : outputs;
    observe({ callId, timestamp: now, inputs, outputs: outs });
  } catch {
    /* the observer counts its own failures; a decision is never failed by logging */
  }
}

function toResult(res: CheckResourcesRequest["resources"][number]["resource"], out: CheckOutput, meta: boolean): CheckResourcesResult {
  const resource: CheckResourcesResult["resource"] = { id: res.id, kind: res.kind };
  if (res.policyVersion) resource.policyVersion = res.policyVersion;
  if (res.scope) resource.scope = res.scope;
  const actions: Record<string, EffectName> = {};
  for (const [a, d] of Object.entries(out.actions)) actions[a] = d.effect;
  const result: CheckResourcesResult = { resource, actions };
  // Cerbos's field order: resource, actions, validationErrors, meta, outputs.
  if (out.validationErrors?.length) result.validationErrors = out.validationErrors;
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
