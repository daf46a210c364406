// Cerbos refuses a block-mapping value that starts with a quote and has more text after the
// closing quote on the same line (`expr: "a" == P.id`), because YAML reads the quoted part as the
// whole string. We find those before parsing, so the error says what is wrong instead of a
// generic YAML syntax error. Flow collections and block scalar contents are not checked.

/** Source offsets of the opening quotes of offending values. */
export function quotedStringProblems(text: string): number[] {
  const problems: number[] = [];
  const lines = text.split("\n");
  let offset = 0;
  let blockIndent = -1; // >= 0 while inside a block scalar whose parent line had this indent
  let flowDepth = 0;
  for (const raw of lines) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const lineStart = offset;
    offset += raw.length + 1;
    const indent = line.length - line.trimStart().length;
    if (blockIndent >= 0) {
      if (line.trim() === "" || indent > blockIndent) continue;
      blockIndent = -1;
    }
    const scan = scanLine(line, flowDepth);
    flowDepth = scan.flowDepth;
    if (scan.problemAt >= 0) problems.push(lineStart + scan.problemAt);
    if (scan.blockScalar) blockIndent = indent;
  }
  return problems;
}

function scanLine(line: string, depth: number): { flowDepth: number; problemAt: number; blockScalar: boolean } {
  let problemAt = -1;
  let blockScalar = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    if (ch === "#" && (i === 0 || line[i - 1] === " " || line[i - 1] === "\t")) break;
    if (ch === '"' || ch === "'") {
      const end = closingQuote(line, i);
      if (end < 0) break; // continues on a later line
      i = end + 1;
      continue;
    }
    if (ch === "{" || ch === "[") depth++;
    else if ((ch === "}" || ch === "]") && depth > 0) depth--;
    else if (ch === ":" && depth === 0 && (i + 1 === line.length || line[i + 1] === " " || line[i + 1] === "\t")) {
      let j = i + 1;
      while (j < line.length && (line[j] === " " || line[j] === "\t")) j++;
      const v = line[j];
      if (v === "|" || v === ">") {
        blockScalar = true;
        break;
      }
      if (v === '"' || v === "'") {
        const end = closingQuote(line, j);
        if (end >= 0) {
          const rest = line.slice(end + 1).trim();
          if (rest !== "" && !rest.startsWith("#") && !rest.startsWith(",") && !rest.startsWith("}")) problemAt = j;
          i = end + 1;
          continue;
        }
        break;
      }
      i = j;
      continue;
    }
    i++;
  }
  return { flowDepth: depth, problemAt, blockScalar };
}

function closingQuote(line: string, open: number): number {
  const q = line[open];
  for (let k = open + 1; k < line.length; k++) {
    if (q === '"' && line[k] === "\\") {
      k++;
      continue;
    }
    if (line[k] === q) {
      if (q === "'" && line[k + 1] === "'") {
        k++;
        continue;
      }
      return k;
    }
  }
  return -1;
}
