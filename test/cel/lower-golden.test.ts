// Golden disassembly of representative expressions: the exact instruction sequence, operands,
// jump targets, constants, maxStack and locals. Each test/golden/cel/*.cel file holds the CEL
// text; the listing lives next to it as *.txt. Regenerate after an intended change with
// UPDATE_GOLDEN=1 and review the diff.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lower, scopeOf, show } from "./lower-helpers.ts";

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../golden/cel");
// Golden expressions may use V.isOwner/V.limit and C.maxAmount/C.regions.
const scope = scopeOf(["isOwner", "limit"], { maxAmount: 1000, regions: ["eu", "us"] });

function render(text: string): string {
  const r = lower(text, scope);
  expect(r.diags).toEqual([]);
  const e = r.expr!;
  return [
    `maxStack ${e.maxStack} · locals ${e.locals}`,
    ...r.listing,
    "constants:",
    ...r.tables.consts.map((c, i) => `  #${i} ${show(c)}`),
    `attributes: principal [${[...r.tables.attributes.principal].sort()}] resource [${[...r.tables.attributes.resource].sort()}] auxData ${r.tables.auxData}`,
    "",
  ].join("\n");
}

describe("golden disassembly", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".cel"));
  it("has golden expressions", () => expect(files.length).toBeGreaterThanOrEqual(6));
  it.each(files)("%s", (file) => {
    const text = readFileSync(path.join(dir, file), "utf8").trim();
    const golden = path.join(dir, file.replace(/\.cel$/, ".txt"));
    const got = render(text);
    if (process.env.UPDATE_GOLDEN || !existsSync(golden)) writeFileSync(golden, got);
    expect(got).toBe(readFileSync(golden, "utf8"));
  });
});
