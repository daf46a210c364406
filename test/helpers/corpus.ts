// Access to Cerbos's conformance corpus for tests. The corpus is read in place at run time (never
// copied into the repo): VERDICT_CONFORMANCE_DIR overrides the default sibling checkout.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The corpus's `internal/test/testdata` directory. */
export function corpusDir(): string {
  const base = process.env.VERDICT_CONFORMANCE_DIR ?? path.resolve(repoRoot, "../shared/conformance");
  return path.join(base, "cerbos/internal/test/testdata");
}

export interface Txtar {
  /** text before the first file marker (Cerbos leaves it empty or uses it as a note) */
  comment: string;
  /** archive member name → contents, in archive order */
  files: Map<string, string>;
}

// A txtar member starts at a line of the exact form `-- name --`; everything up to the next marker
// (or the end) is its content, newline-terminated as Go's txtar package does.
const MARKER = /^-- (.+?) --$/;

/** Parses txtar text (the format of the corpus's `*.input` files). */
export function parseTxtar(text: string): Txtar {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const files = new Map<string, string>();
  const comment: string[] = [];
  let current: { name: string; lines: string[] } | undefined;
  const flush = () => {
    if (current) files.set(current.name, current.lines.map((l) => l + "\n").join(""));
  };
  for (const line of lines) {
    const m = MARKER.exec(line.replace(/\r$/, ""));
    if (m) {
      flush();
      current = { name: m[1].trim(), lines: [] };
    } else if (current) {
      current.lines.push(line);
    } else {
      comment.push(line);
    }
  }
  flush();
  return { comment: comment.map((l) => l + "\n").join(""), files };
}

/** Reads and parses a txtar archive from disk. */
export function readTxtar(file: string): Txtar {
  return parseTxtar(readFileSync(file, "utf8"));
}
