// Principal bindings (forPrincipal) follow a ReloadingPdp's swaps: after a reload the binding's
// snapshot is encoded again for the new ruleset — including attributes the old ruleset never read
// (and so never encoded) — and decisions are the new ruleset's.
import { describe, expect, it } from "vitest";
import { compilePolicies } from "../../compiler/index.ts";
import { ReloadingPdp } from "../../host/node/reloading-pdp.ts";
import { BundleSource } from "../../host/node/sources/bundle.ts";
import { docPolicy } from "./sources-helpers.ts";

function compile(text: string): Uint8Array {
  const { ruleset } = compilePolicies([{ path: "doc.yaml", text }]);
  if (!ruleset) throw new Error("does not compile");
  return ruleset;
}

// A: view for users, attributes unread. B: view only for level silver, edit for level gold.
const A = compile(docPolicy("user"));
const B = compile(docPolicy("nobody", `    - actions: ["view"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          expr: P.attr.level == "silver"
    - actions: ["edit"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          expr: P.attr.level == "gold"
`));

async function waitUntil(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("bindings across reloads", () => {
  it("decide with the ruleset in service, re-encoding the snapshot after each swap", async () => {
    let serve = A, n = 0;
    const fetch = async (): Promise<Response> => new Response(serve.slice(), { status: 200, headers: { etag: `"${serve === A ? "a" : "b"}"` } });
    const pdp = await ReloadingPdp.open(new BundleSource({ url: "http://bundle.invalid/r", updatePollIntervalMs: 1, fetch }));
    try {
      const user = { id: "u1", roles: ["user"], attr: { level: "gold" } };
      const can = pdp.forPrincipal(user);
      const doc = { kind: "doc", id: "d1" };
      expect([can.isAllowed(doc, "view"), can.isAllowed(doc, "edit")]).toEqual([true, false]);
      expect(can.allowedMany([{ resource: doc, action: "view" }, { resource: doc, action: "edit" }])).toEqual([true, false]);
      user.attr.level = "silver"; // the binding keeps its snapshot (gold)
      serve = B;
      await waitUntil(() => pdp.status().reloads >= 1, 10_000, "swap to B");
      expect([can.isAllowed(doc, "view"), can.isAllowed(doc, "edit")]).toEqual([false, true]);
      expect(can.allowedMany([{ resource: doc, action: "view" }, { resource: doc, action: "edit" }])).toEqual([false, true]);
      // A new binding sees the caller's current object; the PDP's own checks agree.
      const again = pdp.forPrincipal(user);
      expect([again.isAllowed(doc, "view"), again.isAllowed(doc, "edit")]).toEqual([true, false]);
      expect(pdp.isAllowed({ principal: user, resource: doc, action: "view" })).toBe(true);
      serve = A;
      n = pdp.status().reloads;
      await waitUntil(() => pdp.status().reloads > n, 10_000, "swap back to A");
      expect([can.isAllowed(doc, "view"), can.isAllowed(doc, "edit")]).toEqual([true, false]);
    } finally {
      await pdp.stop();
    }
  });
});
