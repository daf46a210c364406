// gobwas/glob semantics with ':' as the separator, as Cerbos's util.MatchesGlob uses them:
// `*` matches within one segment, `**` across segments, `?` one non-separator char, `{a,b}`
// alternatives, `[...]`/`[!...]` classes. A lone "*" is treated as "**" (Cerbos's fixGlob).

const cache = new Map<string, RegExp | null>();

function compile(pattern: string): RegExp | null {
  let re = "";
  let i = 0;
  let braceDepth = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        re += ".*";
        i += 2;
      } else {
        re += "[^:]*";
        i++;
      }
    } else if (c === "?") {
      re += "[^:]";
      i++;
    } else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) return null;
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      re += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, (m) => `\\${m}`)}]`;
      i = end + 1;
    } else if (c === "{") {
      braceDepth++;
      re += "(?:";
      i++;
    } else if (c === "}" && braceDepth > 0) {
      braceDepth--;
      re += ")";
      i++;
    } else if (c === "," && braceDepth > 0) {
      re += "|";
      i++;
    } else if (c === "\\" && i + 1 < pattern.length) {
      re += pattern[i + 1].replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      i += 2;
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      i++;
    }
  }
  if (braceDepth !== 0) return null;
  return new RegExp(`^${re}$`, "s");
}

export function matchesGlob(pattern: string, value: string): boolean {
  const p = pattern === "*" ? "**" : pattern;
  let re = cache.get(p);
  if (re === undefined) {
    re = compile(p);
    cache.set(p, re);
  }
  return re ? re.test(value) : false;
}

/** The anchored RegExp source (flag "s") of a glob, for hosts that match without this module;
 *  "(?!)" (matches nothing) for a malformed glob, as matchesGlob answers false. */
export function globRegExpSource(pattern: string): string {
  return compile(pattern === "*" ? "**" : pattern)?.source ?? "(?!)";
}
