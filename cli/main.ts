// The `verdict` CLI entry: dispatches to a command and returns its exit code (bin/verdict.mjs
// sets process.exitCode). Never throws: unexpected failures print one line and return 1.
import { EXIT, type Io, processIo, UsageError } from "./args.ts";
import { CHECK_HELP, checkCommand } from "./commands/check.ts";
import { COMPILE_HELP, compileCommand } from "./commands/compile.ts";
import { DISASM_HELP, disasmCommand } from "./commands/disasm.ts";
import { KEYGEN_HELP, keygenCommand } from "./commands/keygen.ts";
import { SERVE_HELP, serveCommand } from "./commands/serve.ts";
import { runTestCommand } from "./test/index.ts";

const VERSION = "0.1.0";

export const HELP = `verdict ${VERSION} — a Cerbos-compatible policy decision point

Usage: verdict <command> [options]

Commands:
  compile DIR [-o FILE]    compile Cerbos policies into a ruleset (exit 3 on policy errors)
  test DIR                 run the policy test suites (*_test.yaml) like \`cerbos compile\`
  check                    answer a CheckResources request from stdin
  disasm FILE|DIR          print a ruleset as text
  serve                    serve Cerbos's HTTP API
  keygen -o NAME           make an Ed25519 key pair for \`compile --sign\`

Run \`verdict <command> --help\` for a command's options.
`;

const COMMANDS: Record<string, { run: (argv: string[], io: Io) => Promise<number>; help?: string }> = {
  compile: { run: compileCommand, help: COMPILE_HELP },
  check: { run: checkCommand, help: CHECK_HELP },
  disasm: { run: disasmCommand, help: DISASM_HELP },
  serve: { run: serveCommand, help: SERVE_HELP },
  keygen: { run: keygenCommand, help: KEYGEN_HELP },
  // The policy test runner (cli/test/) prints its own help.
  test: { run: runTestCommand },
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
    const topic = cmd === "help" ? rest[0] : undefined;
    const c = topic ? COMMANDS[topic] : undefined;
    if (c && !c.help) return c.run(["--help"], io);
    io.stdout(c?.help ?? HELP);
    return cmd === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (cmd === "--version" || cmd === "-V" || cmd === "version") {
    io.stdout(`verdict ${VERSION}\n`);
    return EXIT.OK;
  }
  const command = COMMANDS[cmd];
  if (!command) {
    io.stderr(`verdict: error[VD6001]: unknown command \`${cmd}\`\n\n${HELP}`);
    return EXIT.USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`verdict ${cmd}: error[VD6001]: ${e.message}\n(see \`verdict ${cmd} --help\`)\n`);
      return EXIT.USAGE;
    }
    io.stderr(`verdict ${cmd}: error: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.FAILURE;
  }
}
