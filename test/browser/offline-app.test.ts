// Acceptance 3: examples/offline-app in headless Chromium. After the first load the network is
// cut (context.setOffline); the page keeps gating correctly for every principal, a refresh fails
// quietly, and when the network returns the newer ruleset the server now has is picked up and the
// UI re-gated. A second start with the ruleset and .wasm requests failing runs from the Cache API.
// Expected decisions come from host/node (Pdp) on the same ruleset bytes.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compilePolicies } from "../../compiler/index.ts";
import { menuChecks, PRINCIPALS } from "../../examples/expenses-menu/data.ts";
import { Pdp } from "../../host/node/index.ts";
import { repoRoot } from "../oracle/paths.ts";
import { chromiumMissing, launchChromium, type RunningBrowser, skipBrowser, startStaticServer, type StaticServer } from "./harness.ts";

const siteDir = join(repoRoot, "dist", "examples", "offline-app");
const policyPath = join(repoRoot, "examples", "expenses", "expense.yaml");

/** v2 of the policy: managers may also delete expenses of their own region. */
function compileV2(): Uint8Array {
  const text = readFileSync(policyPath, "utf8").replace(
    "    - name: manager-read-own-region\n      actions: [\"read\"]",
    "    - name: manager-read-own-region\n      actions: [\"read\", \"delete\"]",
  );
  if (!text.includes('actions: ["read", "delete"]')) throw new Error("expense.yaml changed: update the v2 edit in this test");
  const { ruleset, diagnostics } = compilePolicies([{ path: "expense.yaml", text }]);
  if (!ruleset) throw new Error(`v2 did not compile: ${JSON.stringify(diagnostics)}`);
  return ruleset;
}

function expected(ruleset: Uint8Array, key: string): string[] {
  const pdp = Pdp.fromRuleset(ruleset);
  const principal = PRINCIPALS[key]!.principal;
  return menuChecks()
    .filter((c) => pdp.isAllowed({ principal, resource: c.resource, action: c.action }))
    .map((c) => c.testId)
    .sort();
}

async function shown(page: Page): Promise<string[]> {
  return (
    await page
      .locator("#menu button")
      .evaluateAll((els) => (els as HTMLButtonElement[]).filter((e) => !e.hidden && e.dataset.verdictAllowed === "true").map((e) => e.dataset.testid!))
  ).sort();
}

describe.skipIf(skipBrowser)(`offline app in headless Chromium${skipBrowser ? ` — skipped: ${chromiumMissing}` : ""}`, () => {
  let site: StaticServer | undefined;
  let run: RunningBrowser | undefined;
  let v1: Uint8Array;
  let v2: Uint8Array;

  beforeAll(async () => {
    if (!existsSync(join(siteDir, "app.js"))) throw new Error(`${siteDir} not built: run \`node scripts/build.mjs\``);
    v1 = new Uint8Array(readFileSync(join(siteDir, "expenses.vrdt")));
    v2 = compileV2();
    site = await startStaticServer(siteDir);
    run = await launchChromium();
  });

  afterAll(async () => {
    await run?.close();
    await site?.close();
  });

  it("gates correctly offline after the first load, and picks up a newer ruleset when back online", async () => {
    // The v2 edit must change what someone sees, or the update step would prove nothing.
    expect(expected(v2, "emea-manager")).not.toEqual(expected(v1, "emea-manager"));
    const { context } = run!;
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    try {
      await page.goto(`${site!.baseUrl}/?principal=admin&poll=200`);
      await page.waitForSelector("body[data-ready=true]");
      expect(await shown(page)).toEqual(expected(v1, "admin"));

      await context.setOffline(true);
      await page.waitForFunction(() => !navigator.onLine);
      for (const key of ["user", "emea-manager", "admin", "emea-manager"]) {
        await page.selectOption("#principal", key);
        expect(await shown(page), `offline, ${key}`).toEqual(expected(v1, key));
      }
      const refreshed = await page.evaluate(() => (globalThis as any).offlineApp.refresh());
      expect(refreshed).toBe(false);
      expect(await page.textContent("#status")).toMatch(/offline .*kept the loaded ruleset/);

      // The server now has v2, but the page cannot reach it.
      site!.set("/expenses.vrdt", v2);
      const hitsBefore = site!.hits("/expenses.vrdt");
      await page.waitForTimeout(600);
      expect(site!.hits("/expenses.vrdt")).toBe(hitsBefore);
      expect(await page.evaluate(() => (globalThis as any).offlineApp.verdict.version)).toBe(0);
      expect(await shown(page)).toEqual(expected(v1, "emea-manager"));

      await context.setOffline(false);
      await page.waitForFunction(() => (globalThis as any).offlineApp.verdict.version === 1, undefined, { timeout: 10_000 });
      expect(await shown(page)).toEqual(expected(v2, "emea-manager"));
      await page.selectOption("#principal", "user");
      expect(await shown(page)).toEqual(expected(v2, "user"));

      // The DOM binding's other mode and its fail-closed rule, on elements added later.
      const added = await page.evaluate(() => {
        const mk = (action: string, attr: string): HTMLButtonElement => {
          const b = document.createElement("button");
          Object.assign(b.dataset, { verdictResource: "expense", verdictId: "E1", verdictAction: action, verdictAttr: attr, verdictMode: "disable" });
          document.body.append(b);
          return b;
        };
        const read = mk("read", '{"ownerId":"bob"}');
        const del = mk("delete", '{"ownerId":"bob"}');
        const broken = mk("read", "{not json");
        (globalThis as any).offlineApp.gates.apply();
        return [read, del, broken].map((b) => ({ disabled: b.disabled, hidden: b.hidden, aria: b.getAttribute("aria-disabled") }));
      });
      expect(added).toEqual([
        { disabled: false, hidden: false, aria: "false" }, // bob reads his own expense
        { disabled: true, hidden: false, aria: "true" }, // users never delete
        { disabled: true, hidden: false, aria: "true" }, // malformed data-verdict-attr: denied
      ]);
      expect(errors).toEqual([]);
    } finally {
      await context.setOffline(false);
      await page.close();
    }
  });

  it("starts from the Cache API when the ruleset and the .wasm cannot be fetched", async () => {
    const page = await run!.context.newPage();
    try {
      // The previous test cached v2; now the server answers with something else entirely, and
      // fetching the evaluator or the ruleset fails at the network level.
      await page.route("**/expenses.vrdt", (r) => r.abort("internetdisconnected"));
      await page.route("**/verdict.wasm", (r) => r.abort("internetdisconnected"));
      await page.goto(`${site!.baseUrl}/?principal=emea-manager&poll=0`);
      await page.waitForSelector("body[data-ready=true]");
      expect(await page.getAttribute("#status", "data-source")).toBe("cache");
      expect(await shown(page)).toEqual(expected(v2, "emea-manager"));
    } finally {
      await page.close();
    }
  });
});
