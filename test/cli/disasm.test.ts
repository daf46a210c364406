// `verdict disasm`: a ruleset (or a policy directory, compiled first) as text.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { captureIo } from "../host/capture-io.ts";

const tmp = mkdtempSync(join(tmpdir(), "verdict-disasm-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const policies = join(tmp, "policies");
mkdirSync(policies);
writeFileSync(
  join(policies, "doc.yaml"),
  "apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  resource: doc\n  version: default\n  rules:\n    - actions: [view]\n      effect: EFFECT_ALLOW\n      roles: [user]\n",
);

describe("verdict disasm", () => {
  it("prints a ruleset, or a compiled directory, as text", async () => {
    const file = join(tmp, "d.vrdt");
    await main(["compile", policies, "-o", file, "-q"], captureIo());
    const a = captureIo();
    expect(await main(["disasm", file], a)).toBe(0);
    expect(a.out).toContain("resource.doc.vdefault");
    const b = captureIo();
    expect(await main(["disasm", policies], b)).toBe(0);
    expect(b.out).toBe(a.out);
  });

  it("exits 1 with a clear message for a file that is not a ruleset", async () => {
    const junk = join(tmp, "junk.bin");
    writeFileSync(junk, "not a ruleset at all");
    const io = captureIo();
    expect(await main(["disasm", junk], io)).toBe(1);
    expect(io.err).toMatch(/error\[VD6006\]/);
  });
});
