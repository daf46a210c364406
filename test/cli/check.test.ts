// `verdict check`: a CheckResources request on stdin → Cerbos's response JSON on stdout.
// In-process main() over the TypeScript sources and the built evaluator.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { captureIo } from "../host/capture-io.ts";

const tmp = mkdtempSync(join(tmpdir(), "verdict-check-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const policies = join(tmp, "policies");
mkdirSync(policies);
writeFileSync(
  join(policies, "doc.yaml"),
  `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: doc
  version: default
  rules:
    - actions: ["view"]
      effect: EFFECT_ALLOW
      roles: ["user"]
    - actions: ["late"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          expr: now() > timestamp("2030-01-01T00:00:00Z") && G.env == "prod"
`,
);
const REQ = { principal: { id: "a", roles: ["user"] }, resources: [{ actions: ["view", "late"], resource: { kind: "doc", id: "1" } }] };

describe("verdict check", () => {
  it("prints the CheckResources response", async () => {
    const io = captureIo(JSON.stringify(REQ));
    expect(await main(["check", "--policies", policies, "--compact"], io)).toBe(0);
    const res = JSON.parse(io.out);
    expect(res.results[0].actions).toEqual({ view: "EFFECT_ALLOW", late: "EFFECT_DENY" });
    expect(io.out.trim().split("\n")).toHaveLength(1);
  });

  it("honours --now and engine settings from --set", async () => {
    const io = captureIo(JSON.stringify(REQ));
    expect(await main(["check", "--policies", policies, "--now", "2031-01-01T00:00:00Z", "--set", "engine.globals.env=prod"], io)).toBe(0);
    expect(JSON.parse(io.out).results[0].actions).toEqual({ view: "EFFECT_ALLOW", late: "EFFECT_ALLOW" });
  });

  it("answers an array of engine inputs with CheckOutputs, from a compiled ruleset", async () => {
    const file = join(tmp, "r.vrdt");
    expect(await main(["compile", policies, "-o", file, "-q"], captureIo())).toBe(0);
    const io = captureIo(JSON.stringify([{ principal: REQ.principal, resource: { kind: "doc", id: "9" }, actions: ["view"] }]));
    expect(await main(["check", "--ruleset", file], io)).toBe(0);
    expect(JSON.parse(io.out)).toEqual([
      { resourceId: "9", actions: { view: { effect: "EFFECT_ALLOW", policy: "resource.doc.vdefault" } }, effectiveDerivedRoles: [], outputs: [] },
    ]);
  });

  it("exits 2 with a clear message on bad JSON or an invalid request", async () => {
    const bad = captureIo("{nope");
    expect(await main(["check", "--policies", policies], bad)).toBe(2);
    expect(bad.err).toMatch(/error\[VD6005\]: request is not valid JSON/);
    expect(bad.out).toBe("");
    const invalid = captureIo(JSON.stringify({ principal: { id: "a", roles: ["user"] }, resources: [] }));
    expect(await main(["check", "--policies", policies], invalid)).toBe(2);
    expect(invalid.err).toMatch(/invalid request: validation error: resources: value is required/);
  });

  it("exits 2 without a policy source and 3 when the policies do not compile", async () => {
    expect(await main(["check"], captureIo("{}"))).toBe(2);
    const broken = join(tmp, "broken");
    mkdirSync(broken);
    writeFileSync(join(broken, "x.yaml"), "apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  resource: doc\n");
    const io = captureIo(JSON.stringify(REQ));
    expect(await main(["check", "--policies", broken], io)).toBe(3);
    expect(io.err).toMatch(/x\.yaml:\d+:\d+: error\[VD\d{4}\]/);
  });
});

