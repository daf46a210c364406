// Cerbos glob patterns (gobwas/glob with ':' as the only separator) → RE2 patterns, compiled to
// regex programs like `matches()` patterns, so the evaluator needs no glob matcher of its own:
//   *      any run of code points except ':'         **   any run, ':' included
//   ?      one code point except ':'                 [abc] [a-z] [!a-z]  one code point (any)
//   {a,b}  alternatives (nestable, may hold wildcards)   \x  literal x
// A lone "*" means "**" (Cerbos's fixGlob). A malformed pattern (unclosed '[' or '{', a stray
// '}') matches nothing, as Cerbos drops globs that fail to compile. Inside brackets nothing is special but a leading '!' and 'lo-hi' ranges.
import { compileRegex, type RegexProgram } from "../cel/regex.ts";

/** An RE2 pattern no string matches (an empty class is not expressible). */
const NEVER = "[^\\x{0}-\\x{10FFFF}]";

/** Whether matching `s` as a glob can differ from comparing it as text. */
export const hasGlobSyntax = (s: string): boolean => /[*?[\]{}\\]/.test(s);

const lit = (cp: number): string => `\\x{${cp.toString(16)}}`;

/** The anchored RE2 pattern equivalent to glob `g`. */
export function globToRe2(g: string): string {
  if (g === "*") return "(?s)\\A.*\\z";
  const ps = /^([^*?[\]{}\\]+)\*\*([^*?[\]{}\\]+)$/.exec(g);
  if (ps) return prefixSuffix(ps[1]!, ps[2]!);
  const cps = [...g];
  let i = 0;
  let depth = 0;
  const malformed = new Error("malformed glob");

  // One alternative (or the whole pattern at depth 0), up to a top-level ',' or '}' inside braces.
  const seq = (): string => {
    let out = "";
    while (i < cps.length) {
      const c = cps[i]!;
      if (c === "*") {
        let n = 0;
        while (cps[i] === "*") { i++; n++; }
        out += n > 1 ? "(?s:.*)" : "[^:]*";
      } else if (c === "?") {
        out += "[^:]";
        i++;
      } else if (c === "[") {
        out += bracket();
      } else if (c === "{") {
        depth++;
        i++;
        const alts = [seq()];
        while (cps[i] === ",") { i++; alts.push(seq()); }
        if (cps[i] !== "}") throw malformed;
        i++;
        depth--;
        out += `(?:${alts.join("|")})`;
      } else if (c === "}" || c === ",") {
        if (depth > 0) return out;
        if (c === "}") throw malformed;
        out += lit(c.codePointAt(0)!);
        i++;
      } else {
        if (c === "\\" && i + 1 < cps.length) i++;
        out += lit(cps[i]!.codePointAt(0)!);
        i++;
      }
    }
    if (depth > 0) throw malformed;
    return out;
  };

  const bracket = (): string => {
    const close = cps.indexOf("]", i + 1);
    if (close < 0) throw malformed;
    let j = i + 1;
    const neg = cps[j] === "!" && j < close;
    if (neg) j++;
    const items: string[] = [];
    while (j < close) {
      const lo = cps[j]!.codePointAt(0)!;
      j++;
      if (cps[j] === "-" && j + 1 < close) {
        const hi = cps[j + 1]!.codePointAt(0)!;
        j += 2;
        if (lo <= hi) items.push(`${lit(lo)}-${lit(hi)}`); // lo > hi: a range nothing falls in
      } else items.push(lit(lo));
    }
    i = close + 1;
    if (items.length === 0) return neg ? "(?s:.)" : NEVER;
    return `[${neg ? "^" : ""}${items.join("")}]`;
  };

  try {
    return `\\A${seq()}\\z`;
  } catch (e) {
    if (e !== malformed) throw e;
    return NEVER;
  }
}

/** `P**S` (literal text either side): gobwas's PrefixSuffix matcher tests only HasPrefix(P) and
 *  HasSuffix(S), so P and S may overlap ("b**b" matches "b"); Cerbos decides with that, so do we:
 *  the normal form plus every shorter string that starts with P and ends with S. */
function prefixSuffix(p: string, sfx: string): string {
  const enc = new TextEncoder();
  const dec = new TextDecoder("utf-8", { fatal: true });
  const P = enc.encode(p), S = enc.encode(sfx);
  const alts = [`${text(p)}(?s:.*)${text(sfx)}`];
  for (let len = Math.max(P.length, S.length); len < P.length + S.length; len++) {
    const b = new Uint8Array(len);
    b.set(P);
    if (S.some((x, j) => len - S.length + j < P.length && b[len - S.length + j] !== x)) continue;
    b.set(S, len - S.length);
    try {
      alts.push(text(dec.decode(b)));
    } catch {
      // the overlap splits a code point: no valid string has it
    }
  }
  return `\\A(?:${alts.join("|")})\\z`;
}

const text = (s: string): string => [...s].map((c) => lit(c.codePointAt(0)!)).join("");

export function compileGlob(g: string): RegexProgram {
  return compileRegex(globToRe2(g));
}
