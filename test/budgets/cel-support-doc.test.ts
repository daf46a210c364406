// docs/cel-support.md must list every CEL function the compiler knows (compiler/cel/functions.ts),
// and mark exactly the NOT_IMPLEMENTED ones "not yet", so the published matrix cannot drift.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { builtinName, lookupFunction, NOT_IMPLEMENTED } from "../../compiler/cel/functions.ts";
import { repoRoot } from "../oracle/paths.ts";

const doc = readFileSync(join(repoRoot, "docs", "cel-support.md"), "utf8");
const source = readFileSync(join(repoRoot, "compiler", "cel", "functions.ts"), "utf8");

/** Names declared in a table of functions.ts (internal `@` helpers excluded: users cannot call them). */
function names(table: "globals" | "members"): string[] {
  const start = source.indexOf(`const ${table}`);
  const body = source.slice(start, source.indexOf("\n};", start));
  return [...body.matchAll(/^\s+"?([A-Za-z0-9_.@]+)"?: /gm)].map((m) => m[1]!).filter((n) => !n.includes("@"));
}

/** The status column of the row that lists `name` in backticks. */
function rowStatus(name: string): string | undefined {
  const row = doc.split("\n").find((l) => l.startsWith("|") && l.includes(`\`${name}\``));
  return row?.split("|")[2]?.trim();
}

describe("docs/cel-support.md", () => {
  for (const form of ["globals", "members"] as const) {
    it(`lists every ${form === "globals" ? "global" : "member"} function with the status the compiler gives it`, () => {
      const list = names(form);
      expect(list.length).toBeGreaterThan(30);
      const wrong = list.flatMap((n) => {
        const entry = lookupFunction(form === "globals" ? "global" : "member", n, 1);
        const anyArity = entry.ok ? entry.entry : undefined;
        const builtins = [0, 1, 2, 3, 4].map((k) => lookupFunction(form === "globals" ? "global" : "member", n, k)).flatMap((r) => (r.ok ? [r.entry.builtin] : []));
        const missing = builtins.every((b) => NOT_IMPLEMENTED.has(b));
        const status = rowStatus(n);
        if (status === undefined) return [`${n}: not listed`];
        // A name shared by an implemented and a missing builtin (e.g. member ip()) is listed where
        // its missing form is; only wholly missing names must say "not yet".
        if (missing && status !== "not yet") return [`${n} (${builtins.map(builtinName)}): listed as ${status}, the compiler refuses it`];
        if (!missing && status === "not yet" && anyArity && !NOT_IMPLEMENTED.has(anyArity.builtin)) return [`${n}: listed as not yet, but it compiles`];
        return [];
      });
      expect(wrong).toEqual([]);
    });
  }
});
