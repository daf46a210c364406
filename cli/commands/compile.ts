// `verdict compile DIR [-o FILE]`: policies → ruleset. Diagnostics go to stderr, sorted, one per
// line as `file:line:col: severity[CODE]: message`; exit 3 when any error exists (as `cerbos
// compile`), and then no file is written. Every ruleset written carries its SHA-256 (INTEGRITY
// section); `--sign` adds an Ed25519 signature, and the slicing options cut a tenant's bundle.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { compileDirectory } from "../../compiler/index.ts";
import { renderDiagnostic, sortDiagnostics } from "../../compiler/diagnostics.ts";
import { signRuleset } from "../../compiler/encode/integrity.ts";
import type { SliceOptions } from "../../compiler/slice/index.ts";
import { EXIT, flag, type Io, parse, type Parsed, str, UsageError } from "../args.ts";

export const COMPILE_HELP = `Usage: verdict compile DIR [-o FILE]

Compiles the Cerbos policies under DIR into a Verdict ruleset. Without -o it only checks them.

Options:
  -o, --output FILE   write the ruleset to FILE
  -q, --quiet         print only diagnostics
      --sign KEY      sign with the Ed25519 private key in KEY (PEM; see \`verdict keygen\`)
      --resources A,B keep only these resource kinds (others are denied)
      --scopes S,T    keep only these scopes (with their ancestors and descendants)
      --roles R,S     keep only rules for these roles (and their role-policy parents)
      --strip         drop expression sources, rule and import names, descriptions
  -h, --help          show this help

Exit codes: 0 compiled, 2 usage error, 3 policy errors.
`;

function csv(p: Parsed, name: string): string[] | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  const items = v.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (items.length === 0) throw new UsageError(`--${name} needs at least one name`, "compile");
  return items;
}

export async function compileCommand(argv: string[], io: Io): Promise<number> {
  const p = parse(
    "compile",
    argv,
    {
      output: { type: "string", short: "o" },
      quiet: { type: "boolean", short: "q" },
      sign: { type: "string" },
      resources: { type: "string" },
      scopes: { type: "string" },
      roles: { type: "string" },
      strip: { type: "boolean" },
    },
    { min: 1, max: 1 },
  );
  if (p.values.help) {
    io.stdout(COMPILE_HELP);
    return EXIT.OK;
  }
  const dir = p.positionals[0]!;
  const out = str(p, "output");
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`\`${dir}\` is not a directory`, "compile");
  const keyFile = str(p, "sign");
  let key: string | undefined;
  if (keyFile !== undefined) {
    try {
      key = readFileSync(keyFile, "utf8");
    } catch (e) {
      throw new UsageError(`cannot read signing key \`${keyFile}\`: ${(e as Error).message}`, "compile");
    }
  }
  const slice: SliceOptions = { resources: csv(p, "resources"), scopes: csv(p, "scopes"), roles: csv(p, "roles"), strip: flag(p, "strip") };
  const sliced = slice.resources || slice.scopes || slice.roles || slice.strip;
  const { ruleset, diagnostics } = compileDirectory(dir, { integrity: true, slice: sliced ? slice : undefined });
  const sorted = sortDiagnostics(diagnostics);
  for (const d of sorted) io.stderr(renderDiagnostic(d) + "\n");
  const errors = sorted.filter((d) => d.severity === "error").length;
  if (errors > 0 || !ruleset) {
    io.stderr(`verdict: ${errors} error${errors === 1 ? "" : "s"}; no ruleset written\n`);
    return EXIT.COMPILE_ERRORS;
  }
  let bytes = ruleset;
  if (key !== undefined) {
    try {
      bytes = signRuleset(ruleset, key);
    } catch (e) {
      throw new UsageError(`cannot sign with \`${keyFile}\`: ${(e as Error).message}`, "compile");
    }
  }
  const signed = key !== undefined ? ", signed" : "";
  if (out) {
    writeFileSync(out, bytes);
    if (!p.values.quiet) io.stdout(`wrote ${out} (${bytes.length} bytes${signed})\n`);
  } else if (!p.values.quiet) {
    io.stdout(`OK: policies compile (${bytes.length} bytes${signed})\n`);
  }
  return EXIT.OK;
}
