// Compile-time parsing of the literals Cerbos validates (cel.ValidateDurationLiterals,
// ValidateTimestampLiterals, ValidateRegexLiterals): a bad literal is a compile error, a good
// one becomes a pre-parsed constant cell so the evaluator never re-parses it.
import { RE2JS } from "@bufbuild/re2";

export interface SecondsNanos {
  seconds: bigint;
  nanos: number;
  /** timestamps only: the UTC offset in minutes the text was written with */
  offset?: number;
}

const NANOS_PER: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  "µs": 1000n, // U+00B5 micro sign
  "μs": 1000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_GO_DURATION = (1n << 63n) - 1n; // time.Duration is int64 nanoseconds

/** Go's time.ParseDuration (what cel-go's duration(string) uses), or an error message. */
export function parseDuration(s: string): SecondsNanos | string {
  let rest = s;
  let neg = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    neg = rest[0] === "-";
    rest = rest.slice(1);
  }
  if (rest === "0") return { seconds: 0n, nanos: 0 };
  if (rest === "") return `invalid duration ${JSON.stringify(s)}`;
  let total = 0n;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (rest.length > 0) {
    const m = part.exec(rest);
    if (!m || (m[1] === "" && (m[2] ?? "") === "")) return `invalid duration ${JSON.stringify(s)}`;
    const unit = NANOS_PER[m[3]!]!;
    const frac = m[2] ?? "";
    // whole part exactly, fraction scaled by the unit (truncated like Go)
    total += BigInt(m[1] || "0") * unit + (frac ? (BigInt(frac) * unit) / 10n ** BigInt(frac.length) : 0n);
    if (total > MAX_GO_DURATION + (neg ? 1n : 0n)) return `invalid duration ${JSON.stringify(s)}: overflow`;
    rest = rest.slice(m[0].length);
  }
  if (neg) total = -total;
  return { seconds: total / 1_000_000_000n, nanos: Number(total % 1_000_000_000n) };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** RFC 3339 as Go's time.Parse(time.RFC3339) accepts it, within CEL's year range 1..9999. */
export function parseTimestamp(s: string): SecondsNanos | string {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(s);
  const bad = `invalid timestamp ${JSON.stringify(s)}`;
  if (!m) return bad;
  const [year, month, day, hour, min, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const dim = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (month < 1 || month > 12 || day < 1 || day > (dim ?? 0) || hour > 23 || min > 59 || sec > 59) return bad;
  let offset = 0;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return bad;
    offset = (m[9] === "-" ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, min, sec, 0);
  const seconds = BigInt(Math.floor(d.getTime() / 1000)) - BigInt(offset);
  // CEL timestamps span 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z
  if (seconds < -62135596800n || seconds > 253402300799n) return `${bad}: out of range`;
  const nanos = m[7] ? Number(m[7].padEnd(9, "0")) : 0;
  // Go keeps the zone a timestamp was written in and string() prints it ("…+04:00").
  return offset ? { seconds, nanos, offset: offset / 60 } : { seconds, nanos };
}

/** undefined when `re` is a valid RE2 pattern, else the error message. */
export function regexError(re: string): string | undefined {
  try {
    RE2JS.compile(re);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
