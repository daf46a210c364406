// `verdict test DIR`: compile DIR's policies once, run every `*_test.{yaml,yml,json}` suite under
// DIR (or --tests DIR) and report like `cerbos compile`. Exit codes: 0 passed, 3 compile errors,
// 4 failed or errored tests, 2 usage errors.
import { writeFileSync } from "node:fs";
import { compileDirectory } from "../../compiler/index.ts";
import { renderDiagnostic, sortDiagnostics, type Diagnostic } from "../../compiler/diagnostics.ts";
import { EXIT, UsageError, flag, list, parse, processIo, str, type Io } from "../args.ts";
import { parseFilter, type FilterConfig, type RunConfig } from "./filter.ts";
import { renderJson } from "./json-output.ts";
import { buildJUnit } from "./junit.ts";
import { PdpChecker } from "./pdp-checker.ts";
import { renderTree } from "./tree-output.ts";
import { verify } from "./verify.ts";

const HELP = `Usage: verdict test [options] DIR

Compiles the policies in DIR and runs the policy test suites (*_test.yaml|yml|json) found under it.

Options:
  -o, --output FORMAT      tree (default), list or json
      --test-output FORMAT tree, list, json or junit (default: same as --output)
      --junit FILE         also write JUnit XML to FILE
      --test-filter SPEC   suite=GLOBS;test=GLOBS;principal=GLOBS;resource=GLOBS;action=GLOBS (repeatable)
      --run REGEXP         run only tests whose name matches REGEXP
      --tests DIR          read suites from DIR instead of the policy directory
      --strict-evaluation  treat rules whose conditions fail to evaluate as DENY
      --ignore-schemas     do not validate attributes against the policies' JSON Schemas
                           (by default they are enforced with schema.enforcement=reject, as Cerbos does)
      --verbose            show passing tests and outputs
  -h, --help               show this help

Exit codes: 0 all passed, 3 policies failed to compile, 4 tests failed or errored.
`;

const FORMATS = ["tree", "list", "json", "junit"];

export async function runTestCommand(args: string[], io: Io = processIo): Promise<number> {
  let p;
  try {
    p = parse("test", args, {
      output: { type: "string", short: "o" },
      "test-output": { type: "string" },
      junit: { type: "string" },
      "test-filter": { type: "string", multiple: true },
      run: { type: "string" },
      tests: { type: "string" },
      "strict-evaluation": { type: "boolean" },
      "ignore-schemas": { type: "boolean" },
      verbose: { type: "boolean" },
      "no-color": { type: "boolean" },
      color: { type: "string" },
      "skip-batching": { type: "boolean" },
    }, { min: 1, max: 1 });
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`verdict test: ${e.message}\n\n${HELP}`);
      return EXIT.USAGE;
    }
    throw e;
  }
  if (flag(p, "help")) {
    io.stdout(HELP);
    return EXIT.OK;
  }
  const output = str(p, "output") ?? "tree";
  const testOutput = str(p, "test-output") ?? output;
  if (!FORMATS.slice(0, 3).includes(output) || !FORMATS.includes(testOutput)) {
    io.stderr(`verdict test: unknown output format \`${output === testOutput || !FORMATS.includes(testOutput) ? testOutput : output}\`\n`);
    return EXIT.USAGE;
  }
  const conf: RunConfig = {};
  try {
    let fc: FilterConfig | undefined;
    for (const spec of list(p, "test-filter")) fc = parseFilter(spec, fc);
    if (fc) conf.filter = fc;
    const run = str(p, "run");
    if (run) {
      new RegExp(run);
      conf.includedTestNamesRegexp = run;
    }
  } catch (e) {
    io.stderr(`verdict test: error[VD5004]: invalid test filter: ${(e as Error).message}\n`);
    return EXIT.USAGE;
  }

  const dir = p.positionals[0];
  const { ruleset, diagnostics } = compileDirectory(dir);
  if (!ruleset) {
    reportDiagnostics(sortDiagnostics(diagnostics), output === "json", io);
    return EXIT.COMPILE_ERRORS;
  }
  // Cerbos's test runner enforces schemas (reject) unless --ignore-schemas.
  const checker = new PdpChecker(ruleset, flag(p, "strict-evaluation"), flag(p, "ignore-schemas") ? {} : { schemaEnforcement: "reject" });
  try {
    checker.ready();
  } catch (e) {
    io.stderr(`verdict test: error: ${(e as Error).message}\n`);
    return EXIT.FAILURE;
  }
  const results = verify(str(p, "tests") ?? dir, checker, conf);
  const verbose = flag(p, "verbose");

  if (testOutput === "json") io.stdout(renderJson(results) + "\n");
  else if (testOutput === "junit") io.stdout(buildJUnit(results, verbose) + "\n");
  else io.stdout(renderTree(results, verbose, testOutput === "list" ? "list" : "tree"));
  const junitFile = str(p, "junit");
  if (junitFile) writeFileSync(junitFile, buildJUnit(results, verbose) + "\n");

  const overall = results.summary.overallResult;
  if (overall === "RESULT_FAILED" || overall === "RESULT_ERRORED") {
    // stderr only, as Cerbos does, so machine-readable stdout stays clean.
    io.stderr("verdict: error: tests failed\n");
    return EXIT.TESTS_FAILED;
  }
  return EXIT.OK;
}

function reportDiagnostics(diags: Diagnostic[], json: boolean, io: Io): void {
  const errors = diags.filter((d) => d.severity === "error");
  if (json) {
    const out = {
      compileErrors: {
        errors: errors.map((d) => ({ file: d.span.file, error: d.code, description: d.message, position: { line: d.span.line, column: d.span.column } })),
      },
    };
    io.stdout(JSON.stringify(out, null, 2) + "\n");
    return;
  }
  for (const d of diags) io.stderr(renderDiagnostic(d) + "\n");
  io.stderr(`verdict: error: ${errors.length} policy compile error${errors.length === 1 ? "" : "s"}\n`);
}
