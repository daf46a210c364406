// Builds the evaluator and the CLI bundle once before the suite, so `npx vitest run <file>` works
// on a fresh checkout. `npm test` builds first and sets VERDICT_SKIP_BUILD=1 to avoid doing it twice.
// A failed build does not stop the run: the tests that need the .wasm or the CLI fail with the
// build error in view, while pure compiler tests still report.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  if (process.env.VERDICT_SKIP_BUILD === "1") return;
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const r = spawnSync(process.execPath, [join(root, "scripts", "build.mjs"), "--quiet"], {
    cwd: root,
    encoding: "utf8",
    timeout: 180_000,
  });
  if (r.status !== 0) {
    console.error(`test setup: build failed (tests needing build/ or dist/ will fail)\n${r.stdout}${r.stderr}`);
  }
}
