// `verdict check`: one Cerbos CheckResources request (JSON on stdin or --request FILE) → the
// response JSON Cerbos would return. An array of engine CheckInputs gives CheckOutputs instead.
import { readFileSync } from "node:fs";
import { CompileError, RequestValidationError } from "../../host/node/index.ts";
import { EXIT, flag, type Io, list, parse, str, UsageError } from "../args.ts";
import { configFromOptions } from "../config.ts";
import { describeOpenError, openPdp, pdpOptions } from "../serve/open-pdp.ts";

export const CHECK_HELP = `Usage: verdict check (--ruleset FILE | --policies DIR) [options] < request.json

Reads a Cerbos CheckResources request (JSON) from stdin and prints the response Cerbos would
return. A JSON array of engine CheckInputs prints the engine's CheckOutputs instead.

Options:
  --ruleset FILE        a compiled ruleset (verdict compile -o)
  --policies DIR        a policy directory (compiled first)
  --request FILE        read the request from FILE instead of stdin
  --now TIMESTAMP       the time now() sees (RFC 3339), default: the clock
  --config FILE         Cerbos-style config (engine.* keys)
  --set KEY=VALUE       override a config key, e.g. engine.lenientScopeSearch=true (repeatable)
  --compact             print the response on one line
  -h, --help            show this help

Exit codes: 0 answered, 1 failure, 2 usage error or invalid request, 3 policy errors.
`;

export async function checkCommand(argv: string[], io: Io): Promise<number> {
  const p = parse(
    "check",
    argv,
    {
      ruleset: { type: "string" },
      policies: { type: "string" },
      request: { type: "string" },
      now: { type: "string" },
      config: { type: "string" },
      set: { type: "string", multiple: true },
      compact: { type: "boolean" },
    },
    { min: 0, max: 0 },
  );
  if (p.values.help) {
    io.stdout(CHECK_HELP);
    return EXIT.OK;
  }
  const ruleset = str(p, "ruleset");
  let policies = str(p, "policies");
  if (ruleset && policies) throw new UsageError("pass either --ruleset or --policies, not both", "check");

  const cfg = configFromOptions(str(p, "config"), list(p, "set"), io.stderr);
  if (!cfg) return EXIT.USAGE;
  policies ??= ruleset ? undefined : cfg.policyDir;
  if (!ruleset && !policies) throw new UsageError("pass --ruleset FILE or --policies DIR", "check");

  let now: Date | undefined;
  const nowText = str(p, "now");
  if (nowText !== undefined) {
    now = new Date(nowText);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now: not a timestamp: \`${nowText}\``, "check");
  }

  const reqFile = str(p, "request");
  const text = reqFile ? readFileSync(reqFile, "utf8") : await io.readStdin();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    io.stderr(`verdict: error[VD6005]: request is not valid JSON: ${(e as Error).message}\n`);
    return EXIT.USAGE;
  }

  let pdp;
  try {
    pdp = openPdp({ ruleset, policyDir: policies }, pdpOptions(cfg));
  } catch (e) {
    io.stderr(e instanceof CompileError ? `${describeOpenError(e)}\n` : `verdict check: error: ${describeOpenError(e)}\n`);
    return e instanceof CompileError ? EXIT.COMPILE_ERRORS : EXIT.FAILURE;
  }

  try {
    const result = Array.isArray(body)
      ? pdp.checkInputs(body as Parameters<typeof pdp.checkInputs>[0], { now })
      : pdp.checkResources(body as Parameters<typeof pdp.checkResources>[0], { now });
    io.stdout(JSON.stringify(result, null, flag(p, "compact") ? undefined : 2) + "\n");
    return EXIT.OK;
  } catch (e) {
    if (e instanceof RequestValidationError) {
      io.stderr(`verdict: error[VD6005]: invalid request: ${e.message}\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
}
