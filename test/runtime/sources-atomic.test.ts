// Swaps are atomic: while a bundle source swaps rulesets as fast as it can, every check (and
// every multi-action request) is answered wholly by one ruleset. Version A allows view and edit,
// version B denies both, so a mixed answer would show as view ≠ edit.
import { describe, expect, it } from "vitest";
import { compilePolicies } from "../../compiler/index.ts";
import { ReloadingPdp } from "../../host/node/reloading-pdp.ts";
import { BundleSource } from "../../host/node/sources/bundle.ts";
import { docPolicy } from "./sources-helpers.ts";

function compile(role: string): Uint8Array {
  const text = docPolicy(role).replace('actions: ["view"]', 'actions: ["view", "edit"]');
  const { ruleset } = compilePolicies([{ path: "doc.yaml", text }]);
  if (!ruleset) throw new Error("does not compile");
  return ruleset;
}

describe("atomic swaps", () => {
  it("no check sees a mix of two rulesets across 20+ swaps", async () => {
    const versions = [compile("user"), compile("nobody")];
    let n = 0;
    // Every request returns the other version with a new ETag: a swap per poll.
    const fetch = async (): Promise<Response> => {
      n++;
      return new Response(versions[n % 2]!.slice(), { status: 200, headers: { etag: `"${n}"` } });
    };
    const pdp = await ReloadingPdp.open(new BundleSource({ url: "http://bundle.invalid/r", updatePollIntervalMs: 1, fetch }));
    const seen = { allow: 0, deny: 0, checks: 0 };
    try {
      const deadline = Date.now() + 10_000;
      while (pdp.status().reloads < 20 && Date.now() < deadline) {
        const res = pdp.checkResources({
          principal: { id: "p", roles: ["user"] },
          resources: [{ resource: { kind: "doc", id: "d" }, actions: ["view", "edit"] }],
        });
        const a = res.results[0]!.actions;
        expect(a.view).toBe(a.edit);
        if (a.view === "EFFECT_ALLOW") seen.allow++;
        else seen.deny++;
        seen.checks++;
        await new Promise((r) => setImmediate(r)); // let the poller run between checks
      }
      expect(pdp.status().reloads).toBeGreaterThanOrEqual(20);
      expect(seen.allow).toBeGreaterThan(0);
      expect(seen.deny).toBeGreaterThan(0);
    } finally {
      await pdp.stop();
    }
  });
});
