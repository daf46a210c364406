import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { configDefaults, defineConfig } from "vitest/config";

// Two projects in one `vitest run`:
//   node    — everything under test/ except test/workers/ (unchanged from the single-project config)
//   workers — test/workers/**, run inside workerd by @cloudflare/vitest-pool-workers, with the
//             example Worker (examples/worker) as `main` so tests can call it through SELF.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/workers/**"],
          globalSetup: ["test/setup/build.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: "forks",
        },
      },
      {
        plugins: [
          cloudflareTest({
            main: "./examples/worker/src/worker.ts",
            wrangler: { configPath: "./examples/worker/wrangler.jsonc" },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          // Runs in Node before the workerd tests: builds if needed, compiles the corpus store,
          // records Node's and real Cerbos's answers (handed over with provide/inject).
          globalSetup: ["test/workers/setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
