// The corpus helper is shared by every stage's tests, so pin its txtar handling here.
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { corpusDir, parseTxtar, readTxtar } from "../helpers/corpus.ts";

describe("corpus helper", () => {
  it("parses txtar members in order with their contents", () => {
    const t = parseTxtar("note\n-- a.yaml --\nx: 1\n\n-- dir/b.json --\n{}\n");
    expect(t.comment).toBe("note\n");
    expect([...t.files.keys()]).toEqual(["a.yaml", "dir/b.json"]);
    expect(t.files.get("a.yaml")).toBe("x: 1\n\n");
    expect(t.files.get("dir/b.json")).toBe("{}\n");
  });

  it("finds the corpus and reads a compile case archive", () => {
    expect(existsSync(path.join(corpusDir(), "compile"))).toBe(true);
    const t = readTxtar(path.join(corpusDir(), "compile/invalid_identifiers.yaml.input"));
    expect(t.files.get("constants.yaml")).toContain("exportConstants:");
    expect(t.files.size).toBe(3);
  });
});
