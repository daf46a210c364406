// `verdict serve`: a Cerbos-compatible PDP over HTTP, configured like `cerbos server`
// (--config FILE with Cerbos's keys, repeatable --set key=value). Binds 127.0.0.1:3592 unless
// told otherwise and prints `listening on http://HOST:PORT` once ready.
import { describeReloadError, InitialLoadError, ReloadingPdp } from "../../host/node/reloading-pdp.ts";
import { openSource } from "../../host/node/sources/index.ts";
import { EXIT, type Io, list, parse, str, UsageError } from "../args.ts";
import { configFromOptions } from "../config.ts";
import { pdpOptions } from "../serve/open-pdp.ts";
import { storageFor } from "../serve/open-source.ts";
import { startServer } from "../serve/server.ts";
import { createAuditLog, reportDrops } from "../serve/decision-audit.ts";
import { testSuiteGate } from "../serve/test-gate.ts";

export const SERVE_HELP = `Usage: verdict serve [--config FILE] [--set KEY=VALUE]... [--policies DIR | --ruleset FILE]

Serves Cerbos's HTTP API (POST /api/check/resources, GET /_cerbos/health) and
GET /_verdict/status (loaded ruleset, last reload error). Policies come from disk (watched with
storage.disk.watchForChanges=true), git (polled) or a compiled bundle URL; a change that does not
compile is refused and the last good ruleset keeps serving (see docs/runtime.md).

Options:
  --config FILE      Cerbos-style YAML config
  --set KEY=VALUE    override a config key (repeatable), e.g.
                       server.httpListenAddr=127.0.0.1:0   (port 0: any free port)
                       storage.driver=disk  storage.disk.directory=policies/
                       storage.disk.watchForChanges=true
                       storage.driver=git  storage.git.protocol=file|https|ssh
                       storage.git.url=URL  storage.git.branch=main  storage.git.subDir=policies
                       storage.git.updatePollInterval=10s  storage.git.checkoutDir=DIR
                       storage.driver=bundle  storage.bundle.url=URL  storage.bundle.updatePollInterval=10s
                       verdict.reload.runTests=true   (refuse changes whose test suites fail)
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
  const cfg = configFromOptions(str(p, "config"), list(p, "set"), io.stderr);
  if (!cfg) return EXIT.USAGE;
  const storage = storageFor(cfg, { ruleset: str(p, "ruleset"), policies: str(p, "policies") });
  if (!storage) throw new UsageError("no policies: set storage.disk.directory (or storage.driver=git|bundle), or pass --policies DIR or --ruleset FILE", "serve");

  const log = (l: string): void => io.stderr(l + "\n");
  let pdp: ReloadingPdp;
  try {
    pdp = await ReloadingPdp.open(openSource(storage, log), {
      ...pdpOptions(cfg),
      log,
      gate: cfg.reload.runTests ? testSuiteGate(cfg.engine.strictEvaluation ?? false) : undefined,
    });
  } catch (e) {
    if (!(e instanceof InitialLoadError)) throw e;
    // The first ruleset failed: nothing to serve. Compile errors exit 3 like `verdict compile`.
    io.stderr(`verdict serve: error: ${describeReloadError(e.error)}\n`);
    return e.error.diagnostics.length > 0 ? EXIT.COMPILE_ERRORS : EXIT.FAILURE;
  }

  const audit = createAuditLog(cfg.audit, log);
  const stopDropReport = audit ? reportDrops(audit, log) : () => undefined;

  let running;
  try {
    running = await startServer(pdp, cfg.httpListenAddr, log, {
      // Audit counters ride along on the status endpoint, so dropped entries are visible.
      status: () => (audit ? { ...pdp.status(), audit: audit.stats() } : pdp.status()),
      audit,
      rulesetId: () => pdp.status().ruleset.revision,
    });
  } catch (e) {
    await pdp.stop();
    io.stderr(`verdict: error[VD6007]: cannot listen on ${cfg.httpListenAddr.host}:${cfg.httpListenAddr.port}: ${(e as Error).message}\n`);
    return EXIT.FAILURE;
  }
  io.stdout(`listening on ${running.url}\n`);

  const stop = (): void => {
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
    // Stop pollers and watchers first so no reload starts during shutdown.
    void pdp.stop().finally(() => running.close());
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  await running.closed;
  stopDropReport();
  await audit?.close(); // write what is queued before exiting
  return EXIT.OK;
}
