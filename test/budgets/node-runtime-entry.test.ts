// `verdict/node/runtime` (host/node/runtime.ts) must not pull in the compiler or its parsers:
// they are ~90 % of the Node bundle and most of its import time (docs/performance.md, cold start).
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("Node runtime entry", () => {
  it("bundles without the compiler, yaml, the CEL parser or RE2", async () => {
    const res = await build({
      entryPoints: [join(root, "host", "node", "runtime.ts")],
      bundle: true, platform: "node", format: "esm", write: false, metafile: true, logLevel: "silent",
    });
    const inputs = Object.keys(res.metafile!.inputs);
    expect(inputs.some((p) => p.startsWith("host/node/pdp.ts"))).toBe(true);
    const heavy = inputs.filter((p) => p.startsWith("compiler/") || /node_modules\/(yaml|@bufbuild|re2)/.test(p));
    expect(heavy).toEqual([]);
  });

  it("decides with a compiled ruleset, like the full entry", async () => {
    const { Pdp: Full } = await import("../../host/node/index.ts");
    const { Pdp: Runtime } = await import("../../host/node/runtime.ts");
    const full = Full.fromPolicyDir(join(root, "examples", "expenses"));
    const bytes = (await import("../../compiler/index.ts")).compileDirectory(join(root, "examples", "expenses")).ruleset!;
    const rt = Runtime.fromRuleset(bytes);
    const q = { principal: { id: "sally", roles: ["admin"] }, resource: { kind: "expense", id: "e1", attr: { ownerId: "bob" } }, action: "delete" };
    expect(rt.isAllowed(q)).toBe(full.isAllowed(q));
    expect(Full.fromRuleset(bytes)).toBeInstanceOf(Full);
  });
});
