// Policy keys Cerbos builds from the request (not present in STRINGS) come back as RESP_STRING_CELL
// words: the address of a STRING cell. Read at the word level, below the host decoder.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CL_A, CL_B, Effect, NONE, RESP_STRING_CELL, Status, Tag } from "../../spec/format.ts";
import { instantiateEvaluator } from "../../host/common/abi.ts";
import { configure, writeConfig } from "../../host/common/config.ts";
import { RequestEncoder } from "../../host/common/encode-request.ts";
import { readRulesetIndex } from "../../host/common/ruleset-strings.ts";
import { compile } from "./decide-helpers.ts";

const role = `apiVersion: api.cerbos.dev/v1
rolePolicy:
  role: viewer
  rules:
    - resource: "*"
      allowActions: [view]
`;

describe("decide: request-built policy keys", () => {
  it("reports resource.<kind>.v<version> for a kind only a glob role policy covers", () => {
    const rs = compile({ "role.yaml": role });
    const abi = instantiateEvaluator(new WebAssembly.Module(readFileSync(join(import.meta.dirname, "..", "..", "build", "verdict.wasm"))));
    const index = readRulesetIndex(rs);
    const base = abi.copyIn(rs);
    expect(abi.ex.load(base, rs.length)).toBe(Status.OK);
    configure(abi, writeConfig(abi, index, base, {}));
    const req = new RequestEncoder(abi, index, base).encode({
      principal: { id: "u1", roles: ["viewer"] },
      resources: [{ resource: { kind: "gadget", id: "g1" }, actions: ["view", "edit"] }],
      now: new Date(),
    } as never);
    expect(abi.ex.check(req)).toBe(Status.OK);
    const dv = new DataView(abi.ex.memory.buffer);
    const out = abi.ex.out_ptr();
    const w = (i: number) => dv.getUint32(out + 4 * i, true);
    expect(w(0)).toBe(2);
    const key = (word: number): string => {
      expect((word & RESP_STRING_CELL) >>> 0).toBe(RESP_STRING_CELL >>> 0);
      const cell = word & 0x7fffffff;
      expect(dv.getUint8(cell)).toBe(Tag.STRING);
      const bytes = new Uint8Array(abi.ex.memory.buffer, dv.getUint32(cell + CL_B, true), dv.getUint32(cell + CL_A, true));
      return new TextDecoder().decode(bytes);
    };
    // view: allowed by the role policy, but no resource policy allows it → DENY with the request-built key.
    expect(w(1)).toBe(Effect.DENY);
    expect(key(w(2))).toBe("resource.gadget.vdefault");
    expect(w(3)).toBe(NONE);
    // edit: not in allowActions → DENY attributed to the role policy (an interned key).
    expect(w(4)).toBe(Effect.DENY);
    expect(index.strings[w(5)]).toBe("role.viewer.vdefault");
  });
});
