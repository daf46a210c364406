// `verdict keygen -o NAME`: an Ed25519 key pair for `verdict compile --sign` (NAME.key, PKCS#8 PEM,
// mode 0600) and for hosts' `publicKey` option (NAME.pub, SPKI PEM). Refuses to overwrite.
import { generateKeyPairSync } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { EXIT, type Io, parse, str, UsageError } from "../args.ts";

export const KEYGEN_HELP = `Usage: verdict keygen -o NAME

Writes an Ed25519 key pair: NAME.key (private, PEM, mode 0600) for \`verdict compile --sign\`
and NAME.pub (public, PEM) for hosts' \`publicKey\` option. Existing files are not overwritten.

Options:
  -o, --output NAME   file name prefix (required)
  -h, --help          show this help
`;

export async function keygenCommand(argv: string[], io: Io): Promise<number> {
  const p = parse("keygen", argv, { output: { type: "string", short: "o" } }, { min: 0, max: 0 });
  if (p.values.help) {
    io.stdout(KEYGEN_HELP);
    return EXIT.OK;
  }
  const name = str(p, "output");
  if (!name) throw new UsageError("missing -o NAME", "keygen");
  const priv = `${name}.key`;
  const pub = `${name}.pub`;
  for (const f of [priv, pub]) if (existsSync(f)) throw new UsageError(`\`${f}\` exists; not overwriting a key`, "keygen");
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  writeFileSync(priv, privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600 });
  writeFileSync(pub, publicKey.export({ format: "pem", type: "spki" }));
  io.stdout(`wrote ${priv} (keep it secret) and ${pub}\n`);
  return EXIT.OK;
}
