// The full engine-shaped answer in the browser (outputs, effective derived roles, evaluation
// errors), for parity with host/node's Pdp.checkInputs. A separate entry point so UI-gating apps
// don't ship the value decoder.
import { decodeResponse } from "../common/decode-response.ts";
import type { CheckInput, CheckOutput } from "../common/types.ts";
import type { Verdict } from "./index.ts";

export type { CheckInput, CheckOutput };

/** One CheckOutput per input, in order (one crossing per input: each has its own principal). */
export function checkInputs(v: Verdict, inputs: readonly CheckInput[], now?: Date): CheckOutput[] {
  return inputs.map((input) => {
    const resources = [{ resource: input.resource, actions: input.actions }];
    return v.run(
      input.principal,
      resources,
      (dv, u8, ptr, len, index) =>
        decodeResponse(dv, u8, ptr, len, index, [{ requestId: input.requestId, resourceId: input.resource.id, actions: input.actions }])[0]!,
      input.auxData,
      now,
    );
  });
}
