// `verdict serve`: a Cerbos-compatible PDP over HTTP, configured like `cerbos server`
// (--config FILE with Cerbos's keys, repeatable --set key=value). Binds 127.0.0.1:3592 unless
// told otherwise and prints `listening on http://HOST:PORT` once ready.
import { CompileError } from "../../host/node/index.ts";
import { EXIT, type Io, list, parse, str, UsageError } from "../args.ts";
import { ConfigError, loadConfigTree, resolveConfig } from "../config.ts";
import { describeOpenError, openPdp, pdpOptions } from "../serve/open-pdp.ts";
import { startServer } from "../serve/server.ts";

export const SERVE_HELP = `Usage: verdict serve [--config FILE] [--set KEY=VALUE]... [--policies DIR | --ruleset FILE]

Serves Cerbos's HTTP API (POST /api/check/resources, GET /_cerbos/health).

Options:
  --config FILE      Cerbos-style YAML config
  --set KEY=VALUE    override a config key (repeatable), e.g.
                       server.httpListenAddr=127.0.0.1:0   (port 0: any free port)
                       storage.driver=disk  storage.disk.directory=policies/
                       engine.defaultPolicyVersion=default  engine.lenientScopeSearch=true
                       engine.strictEvaluation=true  engine.globals.env=prod
                       schema.enforcement=none|warn|reject
  --policies DIR     shorthand for storage.disk.directory
  --ruleset FILE     serve a compiled ruleset instead of a policy directory
  -h, --help         show this help

Stops gracefully on SIGTERM or SIGINT.
`;

export async function serveCommand(argv: string[], io: Io): Promise<number> {
  const p = parse(
    "serve",
    argv,
    { config: { type: "string" }, set: { type: "string", multiple: true }, policies: { type: "string" }, ruleset: { type: "string" } },
    { min: 0, max: 0 },
  );
  if (p.values.help) {
    io.stdout(SERVE_HELP);
    return EXIT.OK;
  }
  let cfg;
  try {
    cfg = resolveConfig(loadConfigTree(str(p, "config"), list(p, "set")));
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr(`verdict: error[${e.code}]: ${e.message}\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
  const ruleset = str(p, "ruleset");
  const policyDir = str(p, "policies") ?? cfg.policyDir;
  if (!ruleset && !policyDir) throw new UsageError("no policies: set storage.disk.directory, or pass --policies DIR or --ruleset FILE", "serve");
  if (cfg.schemaEnforcement !== "none") {
    io.stderr(`verdict: warning: schema.enforcement=${cfg.schemaEnforcement} is accepted but schemas are not validated yet\n`);
  }

  let pdp;
  try {
    pdp = openPdp({ ruleset, policyDir: ruleset ? undefined : policyDir }, pdpOptions(cfg));
  } catch (e) {
    io.stderr(e instanceof CompileError ? `${describeOpenError(e)}\n` : `verdict serve: error: ${describeOpenError(e)}\n`);
    return e instanceof CompileError ? EXIT.COMPILE_ERRORS : EXIT.FAILURE;
  }

  let running;
  try {
    running = await startServer(pdp, cfg.httpListenAddr, (l) => io.stderr(l + "\n"));
  } catch (e) {
    io.stderr(`verdict: error[VD6007]: cannot listen on ${cfg.httpListenAddr.host}:${cfg.httpListenAddr.port}: ${(e as Error).message}\n`);
    return EXIT.FAILURE;
  }
  io.stdout(`listening on ${running.url}\n`);

  const stop = (): void => {
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
    void running.close();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  await running.closed;
  return EXIT.OK;
}
