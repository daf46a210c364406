// Finds the policy files of a directory. Mirrors Cerbos's store rules: policies are `.yaml`,
// `.yml` or `.json`; test suites (`*_test.*`), fixture dirs (`testdata/`), schema dirs
// (`_schemas/`) and hidden files or dirs are not policies.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const POLICY_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);
const SKIPPED_DIRS = new Set(["testdata", "_schemas"]);

export function isPolicyFileName(name: string): boolean {
  const ext = path.extname(name).toLowerCase();
  if (!POLICY_EXTENSIONS.has(ext) || name.startsWith(".")) return false;
  // Case-insensitive like Cerbos (`Suite_TEST.yaml` is a test file too).
  return !name.slice(0, -ext.length).toLowerCase().endsWith("_test");
}

/** Policy files under `dir`, recursively, sorted by path; `path` is relative to dir with `/`. */
export function discoverPolicyFiles(dir: string): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const childRel = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(childRel);
      } else if (entry.isFile() && isPolicyFileName(entry.name)) {
        out.push({ path: childRel, text: readFileSync(path.join(dir, childRel), "utf8") });
      }
    }
  };
  walk("");
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
