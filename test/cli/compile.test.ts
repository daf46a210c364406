// `verdict compile`: exit codes (0 ok, 2 usage, 3 policy errors), sorted diagnostics, output file.
// Runs main() in-process on the TypeScript sources (no build needed).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { captureIo } from "../host/capture-io.ts";

const tmp = mkdtempSync(join(tmpdir(), "verdict-compile-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const GOOD = `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: doc
  version: default
  rules:
    - actions: ["view"]
      effect: EFFECT_ALLOW
      roles: ["user"]
`;

function policyDir(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name);
  for (const [f, text] of Object.entries(files)) {
    const p = join(dir, f);
    rmSync(p, { force: true });
    mkdirSync(join(p, ".."), { recursive: true });
    writeFileSync(p, text);
  }
  return dir;
}

describe("verdict compile", () => {
  it("compiles a valid directory and writes a ruleset with -o", async () => {
    const dir = policyDir("good", { "doc.yaml": GOOD });
    const out = join(tmp, "good.vrdt");
    const io = captureIo();
    expect(await main(["compile", dir, "-o", out], io)).toBe(0);
    expect(io.err).toBe("");
    const bytes = readFileSync(out);
    expect(bytes.subarray(0, 4).toString("latin1")).toBe("VRDT");
    expect(io.out).toContain(`wrote ${out}`);
  });

  it("only checks without -o", async () => {
    const dir = policyDir("check-only", { "doc.yaml": GOOD });
    const io = captureIo();
    expect(await main(["compile", dir], io)).toBe(0);
    expect(io.out).toMatch(/^OK: policies compile/);
  });

  it("exits 3 with sorted file:line:col: error[CODE] diagnostics and writes nothing", async () => {
    const dir = policyDir("bad", {
      "b.yaml": GOOD.replace("EFFECT_ALLOW", "EFFECT_MAYBE"),
      "a.yaml": GOOD.replace("resource: doc", "resource: doc2").replace("version: default", "version: default\n  bogusField: 1"),
    });
    const out = join(tmp, "bad.vrdt");
    const io = captureIo();
    expect(await main(["compile", dir, "-o", out], io)).toBe(3);
    expect(existsSync(out)).toBe(false);
    const lines = io.err.trim().split("\n").filter((l) => /^\S+:\d+:\d+: /.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).toMatch(/^[ab]\.yaml:\d+:\d+: error\[VD\d{4}\]: \S/);
    const files = lines.map((l) => l.split(":")[0]);
    expect(files).toEqual([...files].sort());
    expect(io.err).toMatch(/no ruleset written/);
  });

  it("exits 2 on usage errors and 0 for --help", async () => {
    const none = captureIo();
    expect(await main(["compile"], none)).toBe(2);
    expect(none.err).toMatch(/error\[VD6001\]: missing argument/);
    const unknown = captureIo();
    expect(await main(["compile", "x", "--frobnicate"], unknown)).toBe(2);
    expect(unknown.err).toMatch(/frobnicate/);
    const help = captureIo();
    expect(await main(["compile", "--help"], help)).toBe(0);
    expect(help.out).toMatch(/^Usage: verdict compile DIR/);
  });
});

describe("verdict (top level)", () => {
  it("prints help, version, and refuses unknown commands", async () => {
    const help = captureIo();
    expect(await main(["--help"], help)).toBe(0);
    expect(help.out).toMatch(/compile DIR.*\n.*test DIR.*\n.*check.*\n.*disasm.*\n.*serve/s);
    const bare = captureIo();
    expect(await main([], bare)).toBe(2);
    const v = captureIo();
    expect(await main(["--version"], v)).toBe(0);
    expect(v.out).toMatch(/^verdict \d+\.\d+\.\d+/);
    const bad = captureIo();
    expect(await main(["frob"], bad)).toBe(2);
    expect(bad.err).toMatch(/unknown command `frob`/);
    for (const cmd of ["check", "disasm", "serve", "test"]) {
      const h = captureIo();
      expect(await main([cmd, "--help"], h)).toBe(0);
      expect(h.out).toMatch(new RegExp(`Usage: verdict ${cmd}`));
    }
  });
});

describe("verdict compile on a missing directory", () => {
  it("exits 2 with a clear message", async () => {
    const io = captureIo();
    expect(await main(["compile", join(tmp, "nope")], io)).toBe(2);
    expect(io.err).toMatch(/is not a directory/);
  });
});
