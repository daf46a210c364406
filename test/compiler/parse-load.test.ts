// discoverPolicyFiles: Cerbos's store layout rules, on a temporary directory.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { discoverPolicyFiles, isPolicyFileName } from "../../compiler/load.ts";

describe("discoverPolicyFiles", () => {
  const root = mkdtempSync(path.join(tmpdir(), "verdict-load-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const files: Record<string, string> = {
    "a.yaml": "a",
    "b.yml": "b",
    "c.json": "c",
    "nested/deep/d.yaml": "d",
    "notes.txt": "x",
    "suite_test.yaml": "x",
    "suite_test.json": "x",
    "testdata/principals.yaml": "x",
    "nested/testdata/resources.yaml": "x",
    "_schemas/principal.json": "x",
    ".hidden.yaml": "x",
    ".git/config.yaml": "x",
    "nested/.secret/e.yaml": "x",
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }

  it("returns policy files with `/`-separated relative paths, sorted, with their text", () => {
    expect(discoverPolicyFiles(root)).toEqual([
      { path: "a.yaml", text: "a" },
      { path: "b.yml", text: "b" },
      { path: "c.json", text: "c" },
      { path: "nested/deep/d.yaml", text: "d" },
    ]);
  });

  it("recognises test suites by their `_test` suffix only", () => {
    expect(isPolicyFileName("my_test.yaml")).toBe(false);
    expect(isPolicyFileName("test_policy.yaml")).toBe(true);
    expect(isPolicyFileName("POLICY.YAML")).toBe(true);
    expect(isPolicyFileName("Suite_TEST.yml")).toBe(false);
  });
});
