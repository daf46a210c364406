// Cerbos's policy-test corpus (verify/cases): each case's txtar (suites + testdata) is written to
// a temp dir and run against the corpus `store/` policies, exactly as Cerbos's verify_test.go
// does (policies from store/, tests from the archive, the case's `config` for exclusions and the
// name regexp), then compared with the `.golden` TestResults.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { compileDirectory } from "../../compiler/index.ts";
import { renderDiagnostic } from "../../compiler/diagnostics.ts";
import { toJson } from "../../cli/test/json-output.ts";
import { PdpChecker } from "../../cli/test/pdp-checker.ts";
import { verify } from "../../cli/test/verify.ts";
import { corpusDir, readTxtar } from "../helpers/corpus.ts";

const casesDir = path.join(corpusDir(), "verify/cases");
const cases = readdirSync(casesDir)
  .filter((f) => /^case_\d+\.yaml$/.test(f))
  .sort();

// Cases we cannot pass yet, with the reason. Keep this list short and honest.
const KNOWN_FAILURES: Record<string, string> = {};

let checker: PdpChecker;
let work: string;

beforeAll(() => {
  const { ruleset, diagnostics } = compileDirectory(path.join(corpusDir(), "store"));
  if (!ruleset) throw new Error(`store/ failed to compile:\n${diagnostics.slice(0, 10).map(renderDiagnostic).join("\n")}`);
  checker = new PdpChecker(ruleset);
  work = mkdtempSync(path.join(tmpdir(), "verdict-verify-"));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

// Go map iteration makes the order of output failures arbitrary; everything else is ordered.
// Cerbos's own comparison also treats non-breaking spaces as spaces.
function normalise(v: unknown): unknown {
  if (typeof v === "string") return v.replaceAll("\u00a0", " ");
  if (Array.isArray(v)) return v.map(normalise);
  if (v !== null && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = normalise(x);
    if (Array.isArray(o.outputs) && (o.outputs as Array<{ src?: string; mismatched?: unknown; missing?: unknown; errored?: unknown }>).every((e) => e.mismatched || e.missing || e.errored))
      (o.outputs as Array<{ src: string }>).sort((a, b) => (a.src < b.src ? -1 : a.src > b.src ? 1 : 0));
    return o;
  }
  return v;
}

describe("verify corpus (verify/cases)", () => {
  it("has cases to run", () => {
    expect(cases.length).toBeGreaterThan(40);
  });

  for (const file of cases) {
    const name = file.replace(/\.yaml$/, "");
    const spec = (parseYaml(readFileSync(path.join(casesDir, file), "utf8")) ?? {}) as {
      description?: string;
      wantErr?: boolean;
      config?: { excludedResourcePolicyFqns?: string[]; excludedPrincipalPolicyFqns?: string[]; includedTestNamesRegexp?: string };
    };
    const run = KNOWN_FAILURES[name] ? it.fails : it;
    run(`${name}: ${spec.description ?? ""}`, () => {
      const dir = path.join(work, name);
      for (const [member, text] of readTxtar(path.join(casesDir, `${file}.input`)).files) {
        const target = path.join(dir, member);
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, text);
      }
      const results = verify(dir, checker, {
        excludedResourcePolicyFqns: spec.config?.excludedResourcePolicyFqns,
        excludedPrincipalPolicyFqns: spec.config?.excludedPrincipalPolicyFqns,
        includedTestNamesRegexp: spec.config?.includedTestNamesRegexp,
      });
      const golden = JSON.parse(readFileSync(path.join(casesDir, `${file}.golden`), "utf8"));
      expect(normalise(toJson(results))).toEqual(normalise(golden));
    });
  }
});
