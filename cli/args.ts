// Command-line parsing shared by every command: node:util parseArgs in strict mode, with errors
// turned into a UsageError (exit code 2) that names the command's --help.
import { parseArgs, type ParseArgsConfig } from "node:util";

export const EXIT = {
  OK: 0,
  FAILURE: 1, // runtime failure (I/O, evaluator)
  USAGE: 2, // bad command line or bad input (e.g. invalid request JSON)
  COMPILE_ERRORS: 3, // like `cerbos compile`
  TESTS_FAILED: 4, // like `cerbos compile` with failing tests
} as const;

export class UsageError extends Error {
  readonly code = "VD6001";
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

export type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

export function parse(command: string, argv: string[], options: Options, positionals: { min: number; max: number }): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: argv, options: { help: { type: "boolean", short: "h" }, ...options }, allowPositionals: true, strict: true }) as Parsed;
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional.*$/s, ""), command);
  }
  if (parsed.values.help) return parsed;
  const n = parsed.positionals.length;
  if (n < positionals.min) throw new UsageError(`missing argument`, command);
  if (n > positionals.max) throw new UsageError(`unexpected argument \`${parsed.positionals[positionals.max]}\``, command);
  return parsed;
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === "string" ? v : undefined;
}

export function list(p: Parsed, name: string): string[] {
  const v = p.values[name];
  return Array.isArray(v) ? (v as string[]) : typeof v === "string" ? [v] : [];
}

export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

/** Where commands write; injectable so tests can run main() in-process. */
export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<string>;
}

export const processIo: Io = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
};
