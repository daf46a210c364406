// The browser tests need Debian's Chromium. Under CI=true a missing binary is a failing test with
// the reason (never a skip); elsewhere the browser suites skip and say why.
import { describe, expect, it } from "vitest";
import { CHROMIUM, chromiumMissing, isCI, launchChromium, skipBrowser } from "./harness.ts";

describe("Chromium for the browser tests", () => {
  it.skipIf(skipBrowser)(`${CHROMIUM} is present and launches headless${skipBrowser ? ` — skipped: ${chromiumMissing}` : ""}`, async () => {
    if (chromiumMissing) throw new Error(`${chromiumMissing}${isCI ? " — CI=true, so the browser tests fail instead of skipping" : ""}`);
    const run = await launchChromium();
    try {
      expect(run.browser.version()).toMatch(/^\d+\./);
      const page = await run.context.newPage();
      expect(await page.evaluate(() => typeof WebAssembly.compileStreaming)).toBe("function");
    } finally {
      await run.close();
    }
  });
});
