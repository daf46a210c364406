// Maps each character of a YAML scalar's *value* back to its offset in the source text, so a CEL
// error at offset N inside an expression can be reported at the right file line:col even when the
// expression was written as a quoted, folded or literal block scalar.
//
// We decode the scalar ourselves while recording offsets, then check that our decoding equals the
// value the `yaml` package produced. If it does not (an exotic escape or indentation indicator we
// do not model), we fall back to a straight offset from the start of the content: positions stay
// within the scalar, never wrong by a whole file.

export type ScalarStyle = "PLAIN" | "QUOTE_SINGLE" | "QUOTE_DOUBLE" | "BLOCK_LITERAL" | "BLOCK_FOLDED";

/** `offsets[i]` is the source offset of value character i; `offsets[value.length]` is the end. */
export interface ScalarOffsets {
  offsets: number[];
  exact: boolean;
}

interface Decoded {
  chars: string[];
  offsets: number[];
}

export function scalarOffsets(
  source: string,
  start: number,
  end: number,
  style: ScalarStyle,
  value: string,
  /** block scalars: indentation of the parent node (the `yaml` CST's `indent`), for `|2` headers */
  parentIndent?: number,
): ScalarOffsets {
  let decoded: Decoded | undefined;
  try {
    decoded =
      style === "BLOCK_LITERAL" || style === "BLOCK_FOLDED"
        ? decodeBlock(source, start, end, style === "BLOCK_FOLDED", parentIndent)
        : decodeFlow(source, start, end, style);
  } catch {
    decoded = undefined;
  }
  if (decoded && decoded.chars.join("") === value) {
    return { offsets: [...decoded.offsets, end], exact: true };
  }
  // Fallback: the first content character plus the value offset, clamped to the scalar.
  const contentStart = style === "QUOTE_SINGLE" || style === "QUOTE_DOUBLE" ? start + 1 : start;
  const offsets: number[] = [];
  for (let i = 0; i <= value.length; i++) offsets.push(Math.min(contentStart + i, Math.max(end - 1, start)));
  return { offsets, exact: false };
}

interface Line {
  text: string;
  at: number; // source offset of text[0]
}

function splitLines(source: string, from: number, to: number): Line[] {
  const lines: Line[] = [];
  let at = from;
  for (const raw of source.slice(from, to).split("\n")) {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    lines.push({ text, at });
    at += raw.length + 1;
  }
  return lines;
}

const isBlank = (c: string) => c === " " || c === "\t";

// Plain and quoted scalars fold line breaks: one break becomes a space, n empty lines become n
// newlines; whitespace around breaks is dropped. Double quotes add escapes, including `\` at the
// end of a line, which joins the lines without any separator.
function decodeFlow(source: string, start: number, end: number, style: ScalarStyle): Decoded {
  const quoted = style !== "PLAIN";
  const from = quoted ? start + 1 : start;
  const to = quoted ? end - 1 : end;
  const lines = splitLines(source, from, to);
  const out: Decoded = { chars: [], offsets: [] };
  let pendingEmpty = 0;
  let joinEscaped = false;
  for (let i = 0; i < lines.length; i++) {
    const { text, at } = lines[i];
    let s = 0;
    let e = text.length;
    if (i > 0) while (s < e && isBlank(text[s])) s++;
    let escapedBreak = false;
    if (i < lines.length - 1) {
      if (style === "QUOTE_DOUBLE" && endsWithEscape(text)) {
        escapedBreak = true;
        e -= 1; // drop the backslash; whitespace before it is content
      } else {
        while (e > s && isBlank(text[e - 1])) e--;
      }
    }
    if (i > 0) {
      const empty = s === e && i < lines.length - 1 && !escapedBreak;
      if (empty && !joinEscaped) {
        pendingEmpty++;
        continue;
      }
      if (!joinEscaped) {
        const breakAt = lines[i - 1 - pendingEmpty].at + lines[i - 1 - pendingEmpty].text.length;
        if (pendingEmpty === 0) push(out, " ", breakAt);
        for (let k = 0; k < pendingEmpty; k++) push(out, "\n", breakAt);
      }
      pendingEmpty = 0;
    }
    decodeSegment(out, text, at, s, e, style);
    joinEscaped = escapedBreak;
  }
  return out;
}

function endsWithEscape(text: string): boolean {
  let n = 0;
  for (let i = text.length - 1; i >= 0 && text[i] === "\\"; i--) n++;
  return n % 2 === 1;
}

function push(out: Decoded, ch: string, at: number): void {
  out.chars.push(ch);
  out.offsets.push(at);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "0": "\0", a: "\x07", b: "\b", t: "\t", "\t": "\t", n: "\n", v: "\v", f: "\f", r: "\r", e: "\x1b",
  " ": " ", '"': '"', "/": "/", "\\": "\\", N: "\u0085", _: "\u00a0", L: "\u2028", P: "\u2029",
};
const HEX_ESCAPES: Record<string, number> = { x: 2, u: 4, U: 8 };

function decodeSegment(out: Decoded, text: string, at: number, s: number, e: number, style: ScalarStyle): void {
  for (let j = s; j < e; j++) {
    const c = text[j];
    if (style === "QUOTE_SINGLE" && c === "'" && text[j + 1] === "'") {
      push(out, "'", at + j);
      j++;
    } else if (style === "QUOTE_DOUBLE" && c === "\\") {
      const k = text[j + 1];
      if (k in SIMPLE_ESCAPES) {
        push(out, SIMPLE_ESCAPES[k], at + j);
        j++;
      } else if (k in HEX_ESCAPES) {
        const n = HEX_ESCAPES[k];
        const cp = Number.parseInt(text.slice(j + 2, j + 2 + n), 16);
        // A code point above U+FFFF is two UTF-16 units; both map to the escape.
        for (const unit of String.fromCodePoint(cp)) for (let u = 0; u < unit.length; u++) push(out, unit[u], at + j);
        j += 1 + n;
      } else {
        throw new Error("unknown escape");
      }
    } else {
      push(out, c, at + j);
    }
  }
}

// Block scalars: a header (`|` or `>`, optional indentation and chomping indicators, optional
// comment), then content lines at a common indentation. Literal keeps every break; folded joins
// adjacent "normal" lines with a space but keeps breaks around more-indented lines.
function decodeBlock(source: string, start: number, end: number, folded: boolean, parentIndent?: number): Decoded {
  const headerEnd = source.indexOf("\n", start);
  if (headerEnd < 0 || headerEnd >= end) return { chars: [], offsets: [] };
  const header = source.slice(start + 1, headerEnd).replace(/\s+#.*$/, "").trim();
  const chomp = header.includes("-") ? "strip" : header.includes("+") ? "keep" : "clip";
  const explicitIndent = /[1-9]/.exec(header);
  if (explicitIndent && parentIndent === undefined) throw new Error("indentation indicator needs the parent indentation");
  const lines = splitLines(source, headerEnd + 1, end);
  if (lines.length > 0 && lines[lines.length - 1].text.trim() === "" && source[end - 1] === "\n") lines.pop();
  let indent = 0;
  if (explicitIndent) {
    // `|2`: content sits exactly that many columns deeper than the parent node.
    indent = Math.max(parentIndent!, 0) + Number(explicitIndent[0]);
  } else {
    const firstContent = lines.find((l) => l.text.trim() !== "");
    if (firstContent) while (firstContent.text[indent] === " ") indent++;
  }
  const out: Decoded = { chars: [], offsets: [] };
  // Index of the last line that has content; trailing empty lines are governed by chomping.
  let lastContent = -1;
  lines.forEach((l, i) => {
    if (l.text.length > indent || l.text.trim() !== "") lastContent = i;
  });
  let prevKind: "none" | "normal" | "more" = "none";
  let pendingEmpty: number[] = []; // break offsets of empty lines since the last content line
  let lastBreak = -1;
  for (let i = 0; i <= lastContent; i++) {
    const { text, at } = lines[i];
    const body = text.slice(Math.min(indent, text.length));
    const bodyAt = at + Math.min(indent, text.length);
    if (body === "" || (text.trim() === "" && text.length <= indent)) {
      pendingEmpty.push(at + text.length);
      continue;
    }
    const kind = isBlank(body[0]) ? "more" : "normal";
    if (prevKind !== "none") {
      if (folded && prevKind === "normal" && kind === "normal") {
        if (pendingEmpty.length === 0) push(out, " ", lastBreak);
        for (const b of pendingEmpty) push(out, "\n", b);
      } else {
        push(out, "\n", lastBreak);
        for (const b of pendingEmpty) push(out, "\n", b);
      }
    } else {
      for (const b of pendingEmpty) push(out, "\n", b);
    }
    pendingEmpty = [];
    for (let j = 0; j < body.length; j++) push(out, body[j], bodyAt + j);
    lastBreak = at + text.length;
    prevKind = kind;
  }
  if (lastContent >= 0 && chomp !== "strip") {
    push(out, "\n", lastBreak);
    if (chomp === "keep") {
      for (let i = lastContent + 1; i < lines.length; i++) push(out, "\n", lines[i].at + lines[i].text.length);
    }
  }
  return out;
}
