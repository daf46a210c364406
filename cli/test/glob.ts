// Glob matching as Cerbos uses it for test filters (gobwas/glob with `:` as the separator):
// `*` stays within a `:`-separated segment, `**` crosses them, `?` is one non-separator
// character, `[..]`/`[!..]` classes, `{a,b}` alternatives, `\` escapes. A lone `*` means `**`.
const cache = new Map<string, RegExp | null>();

export function matchesGlob(glob: string, value: string): boolean {
  const g = glob === "*" ? "**" : glob;
  let re = cache.get(g);
  if (re === undefined) {
    re = compile(g);
    cache.set(g, re);
  }
  return re !== null && re.test(value);
}

function compile(g: string): RegExp | null {
  let out = "";
  let depth = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === "\\") {
      i++;
      if (i >= g.length) return null;
      out += escape(g[i]);
    } else if (c === "*") {
      if (g[i + 1] === "*") {
        out += ".*";
        i++;
      } else out += "[^:]*";
    } else if (c === "?") out += "[^:]";
    else if (c === "[") {
      const end = g.indexOf("]", i + 1);
      if (end < 0) return null;
      let body = g.slice(i + 1, end);
      const neg = body.startsWith("!");
      if (neg) body = body.slice(1);
      out += `[${neg ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else if (c === "{") {
      depth++;
      out += "(?:";
    } else if (c === "}" && depth > 0) {
      depth--;
      out += ")";
    } else if (c === "," && depth > 0) out += "|";
    else out += escape(c);
  }
  if (depth !== 0) return null;
  return new RegExp(`^${out}$`, "s");
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
