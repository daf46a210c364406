// Acceptance 2: the expense example's menu page (examples/expenses-menu, React + host/react) shows,
// for admin, user and EMEA manager, exactly the buttons real Cerbos 0.55 allows for the same
// principal/resource/action checks (asked over HTTP from the binary the oracle helpers start).
// Screenshots: test-output/screenshots/expenses-menu-<principal>.png. Also checks that switching
// principal in the page re-renders, and that a ruleset swap (Verdict.setRuleset) re-renders.
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPENSES, menuChecks, NEW_EXPENSE, PRINCIPALS, ROW_ACTIONS } from "../../examples/expenses-menu/data.ts";
import { startCerbos, type RunningServer } from "../oracle/cerbos.ts";
import { JsonClient } from "../oracle/http.ts";
import { repoRoot } from "../oracle/paths.ts";
import { chromiumMissing, launchChromium, type RunningBrowser, skipBrowser, startStaticServer, type StaticServer } from "./harness.ts";

const siteDir = join(repoRoot, "dist", "examples", "expenses-menu");
const shotDir = join(repoRoot, "test-output", "screenshots");

/** The buttons Cerbos allows for a principal: data-testids, sorted. */
async function cerbosAllowed(client: JsonClient, key: string): Promise<string[]> {
  const res = await client.post("/api/check/resources", {
    requestId: `menu-${key}`,
    principal: PRINCIPALS[key]!.principal,
    resources: [
      { resource: NEW_EXPENSE, actions: ["create"] },
      ...EXPENSES.map((resource) => ({ resource, actions: [...ROW_ACTIONS] })),
    ],
  });
  expect(res.status, res.text).toBe(200);
  const results = (res.body as { results: Array<{ resource: { id: string }; actions: Record<string, string> }> }).results;
  const allowed = new Set<string>();
  for (const r of results) {
    for (const [a, e] of Object.entries(r.actions)) {
      if (e !== "EFFECT_ALLOW") continue;
      allowed.add(r.resource.id === NEW_EXPENSE.id ? a : `${a}-${r.resource.id}`);
    }
  }
  // Every page button maps to one of these names.
  return menuChecks().map((c) => c.testId).filter((t) => allowed.has(t)).sort();
}

describe.skipIf(skipBrowser)(`expenses menu page in headless Chromium vs real Cerbos${skipBrowser ? ` — skipped: ${chromiumMissing}` : ""}`, () => {
  let cerbos: RunningServer | undefined;
  let client: JsonClient | undefined;
  let site: StaticServer | undefined;
  let run: RunningBrowser | undefined;

  beforeAll(async () => {
    if (!existsSync(join(siteDir, "app.js"))) throw new Error(`${siteDir} not built: run \`node scripts/build.mjs\``);
    mkdirSync(shotDir, { recursive: true });
    cerbos = await startCerbos({ policyDir: join(repoRoot, "examples", "expenses") });
    client = new JsonClient(cerbos.baseUrl, { maxSockets: 2, timeoutMs: 10_000 });
    site = await startStaticServer(siteDir);
    run = await launchChromium();
  });

  afterAll(async () => {
    client?.close();
    await cerbos?.stop();
    await run?.close();
    await site?.close();
  });

  const visibleButtons = async (page: import("playwright-core").Page): Promise<string[]> =>
    (await page.locator("main button[data-testid]").evaluateAll((els) => els.map((e) => e.getAttribute("data-testid")!))).sort();

  for (const key of Object.keys(PRINCIPALS)) {
    it(`${PRINCIPALS[key]!.label}: exactly the buttons Cerbos allows (screenshot saved)`, async () => {
      const want = await cerbosAllowed(client!, key);
      const page = await run!.context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      try {
        await page.goto(`${site!.baseUrl}/?principal=${key}`);
        await page.waitForSelector("body[data-ready=true] main h2");
        expect(await page.textContent("main h2")).toContain(PRINCIPALS[key]!.principal.id);
        expect(await visibleButtons(page)).toEqual(want);
        const shot = join(shotDir, `expenses-menu-${key}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        expect(statSync(shot).size).toBeGreaterThan(1000);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }

  it("re-renders on a principal switch and on a ruleset swap, without re-instantiating the wasm", async () => {
    const page = await run!.context.newPage();
    try {
      await page.goto(`${site!.baseUrl}/?principal=admin`);
      await page.waitForSelector("body[data-ready=true] main h2");
      expect(await visibleButtons(page)).toEqual(await cerbosAllowed(client!, "admin"));
      await page.click("input[data-principal=user]");
      await page.waitForFunction(() => document.querySelector("main h2")?.textContent?.includes("bob"));
      expect(await visibleButtons(page)).toEqual(await cerbosAllowed(client!, "user"));
      // A swap (same policies, fetched again) bumps the version and re-renders through
      // useSyncExternalStore; an invalid ruleset is refused and the loaded one stays in force.
      const result = await page.evaluate(async () => {
        const v = (globalThis as any).verdict;
        const before = v.version;
        const bytes = new Uint8Array(await (await fetch("./expenses.vrdt")).arrayBuffer());
        v.setRuleset(bytes);
        let refused = "";
        try {
          v.setRuleset(new Uint8Array([1, 2, 3, 4]));
        } catch (e) {
          refused = (e as Error).name;
        }
        await new Promise((r) => setTimeout(r, 50));
        return { before, after: v.version, refused, rendered: document.querySelector("main")?.getAttribute("data-ruleset-version") };
      });
      expect(result).toEqual({ before: 0, after: 1, refused: "RulesetLoadError", rendered: "1" });
      expect(await visibleButtons(page)).toEqual(await cerbosAllowed(client!, "user"));
    } finally {
      await page.close();
    }
  });
});

// Keep the example's bundle honest: the page loads the evaluator as a separate file.
describe("expenses menu build output", () => {
  it("contains the page, the bundle, the evaluator and the ruleset", () => {
    for (const f of ["index.html", "app.js", "verdict.wasm", "expenses.vrdt"]) {
      expect(existsSync(join(siteDir, f)), f).toBe(true);
    }
    expect(readFileSync(join(siteDir, "index.html"), "utf8")).toContain('src="./app.js"');
  });
});
