// The probe expressions of the function differential (functions-differential.test.ts): at least
// one per supported CEL function, operator family and macro, over resource attributes that
// randomAttributes() fills from small pools chosen to reach edge cases (empty, non-ASCII, negative,
// fractional, huge, malformed, missing). `bool` probes are conditions as they stand.
import { prng as rng } from "../helpers/prng.ts";

export { rng };

export interface Probe {
  expr: string;
  bool?: boolean;
}

const A = "R.attr";
const ts = `timestamp(${A}.ts)`;

export const FUNCTION_PROBES: Probe[] = [
  // strings (CEL standard + cel-go ext.Strings)
  { expr: `size(${A}.s)` },
  { expr: `${A}.s.contains(${A}.t)`, bool: true },
  { expr: `${A}.s.startsWith(${A}.t)`, bool: true },
  { expr: `${A}.s.endsWith(${A}.t)`, bool: true },
  { expr: `${A}.s.lowerAscii()` },
  { expr: `${A}.s.upperAscii()` },
  { expr: `${A}.s.replace(${A}.t, "_")` },
  { expr: `${A}.s.replace("a", "b", 1)` },
  { expr: `${A}.s.split(",")` },
  { expr: `${A}.s.split("", 2)` },
  { expr: `${A}.la.join("-")` },
  { expr: `${A}.s.trim()` },
  { expr: `${A}.s.indexOf(${A}.t)` },
  { expr: `${A}.s.lastIndexOf(${A}.t)` },
  { expr: `${A}.s.substring(1)` },
  { expr: `${A}.s.substring(0, int(${A}.n))` },
  { expr: `${A}.s.charAt(int(${A}.n))` },
  { expr: `${A}.s.reverse()` },
  { expr: `strings.quote(${A}.s)` },
  { expr: `json.encode(R.attr)` },
  { expr: `json.encode([${A}.s, ${A}.n, int(${A}.n), uint(math.abs(${A}.n)), ${A}.la])` },
  { expr: `json.encode({"z": ${A}.m, "a": ${A}.t, "\u00e9": null, "b": true})` },
  { expr: `json.encode([timestamp(${A}.ts), duration(${A}.d), bytes(${A}.s), b"\xff\x00<"])` },
  { expr: `json.encode("\b\f\u2028\u2029<>&\x01\x7f")` },
  { expr: `json.encode([9007199254740991, 9007199254740992, -9007199254740992, 18446744073709551615u, 1e-7, 1e21, 123456.75e10, -0.0])` },
  { expr: `"%s|%d".format([${A}.s, int(${A}.n)])` },
  { expr: `"%.2f|%e|%x".format([${A}.n, ${A}.m, int(${A}.n)])` },
  { expr: `"%s".format([${A}.la])` },
  { expr: `${A}.s + ${A}.t` },
  { expr: `${A}.s < ${A}.t`, bool: true },
  // conversions
  { expr: `int(${A}.n)` },
  { expr: `uint(${A}.n)` },
  { expr: `double(${A}.s)` },
  { expr: `int(${A}.s)` },
  { expr: `string(${A}.n)` },
  { expr: `string(${A}.n * 3.0 / 7.0)` },
  { expr: `string(int(${A}.n))` },
  { expr: `bytes(${A}.s)` },
  { expr: `string(bytes(${A}.s))` },
  { expr: `type(${A}.n) == double`, bool: true },
  { expr: `type(${A}.s) == string`, bool: true },
  { expr: `dyn(${A}.n) == ${A}.m`, bool: true },
  { expr: `base64.encode(bytes(${A}.s))` },
  { expr: `base64.decode(${A}.s)` },
  // timestamps and durations
  { expr: `string(${ts})` },
  { expr: ts },
  { expr: `duration(${A}.d)` },
  { expr: `${ts}.getFullYear(${A}.tz)` },
  { expr: `${ts}.getMonth(${A}.tz)` },
  { expr: `${ts}.getDate(${A}.tz)` },
  { expr: `${ts}.getDayOfWeek(${A}.tz)` },
  { expr: `${ts}.getDayOfYear()` },
  { expr: `${ts}.getHours(${A}.tz)` },
  { expr: `${ts}.getMinutes(${A}.tz)` },
  { expr: `${ts}.getHours()` },
  { expr: `${ts}.getSeconds()` },
  { expr: `${ts}.getMilliseconds()` },
  { expr: `string(${ts} + duration(${A}.d))` },
  { expr: `string(${ts} - timestamp("2020-01-01T00:00:00Z"))` },
  { expr: `${ts} < timestamp("2015-06-01T00:00:00Z")`, bool: true },
  { expr: `string(duration(${A}.d))` },
  { expr: `duration(${A}.d).getMinutes()` },
  { expr: `duration(${A}.d).getMilliseconds()` },
  { expr: `string(duration(${A}.d) + duration("90s"))` },
  { expr: `duration(${A}.d) > duration("1m")`, bool: true },
  // Cerbos functions and cel-go ext.Sets / ext.Lists
  { expr: `${A}.la.hasIntersection(${A}.lb)`, bool: true },
  { expr: `${A}.la.intersect(${A}.lb)` },
  { expr: `${A}.la.except(${A}.lb)` },
  { expr: `${A}.la.isSubset(${A}.lb)`, bool: true },
  { expr: `sets.contains(${A}.la, ${A}.lb)`, bool: true },
  { expr: `sets.equivalent(${A}.la, ${A}.lb)`, bool: true },
  { expr: `sets.intersects(${A}.la, ${A}.lb)`, bool: true },
  { expr: `${A}.ip.inIPAddrRange("10.0.0.0/8")`, bool: true },
  { expr: `${A}.ip.inIPAddrRange("2001:db8::/32")`, bool: true },
  { expr: `lists.range(int(${A}.n) % 4)` },
  { expr: `${A}.la.distinct()` },
  { expr: `[${A}.la, ${A}.lb].flatten()` },
  { expr: `${A}.la.slice(0, 1)` },
  { expr: `${A}.la.sort()` },
  { expr: `${A}.la.reverse()` },
  { expr: `${A}.la.sortBy(x, -size(x))` },
  // Cerbos hierarchy()
  ...["ancestorOf", "descendentOf", "immediateChildOf", "immediateParentOf", "siblingOf", "overlaps"].map((f) => ({
    expr: `hierarchy(${A}.hx).${f}(hierarchy(${A}.hy))`,
    bool: true,
  })),
  { expr: `hierarchy(${A}.hx).commonAncestors(hierarchy(${A}.hy)).size()` },
  { expr: `hierarchy(${A}.hx).commonAncestors(hierarchy(${A}.hy)) == hierarchy(${A}.hy)`, bool: true },
  { expr: `hierarchy(${A}.hx).size()` },
  { expr: `hierarchy(${A}.hx)[1]` },
  { expr: `hierarchy(${A}.hx) == hierarchy(${A}.la)`, bool: true },
  { expr: `hierarchy(${A}.hx, ":").size()` },
  // math (cel-go ext.Math)
  { expr: `math.greatest(${A}.n, ${A}.m)` },
  { expr: `math.least([${A}.n, ${A}.m, 0.5])` },
  { expr: `math.abs(${A}.n)` },
  { expr: `math.ceil(${A}.n)` },
  { expr: `math.floor(${A}.n)` },
  { expr: `math.round(${A}.n)` },
  { expr: `math.trunc(${A}.n)` },
  { expr: `math.sign(${A}.n)` },
  // (Cerbos cannot put a NaN in a response: an HTTP 500, so negative roots are probed as conditions)
  { expr: `math.sqrt(math.abs(${A}.n))` },
  { expr: `math.isNaN(math.sqrt(${A}.n))`, bool: true },
  { expr: `math.sqrt(math.abs(int(${A}.n)))` },
  { expr: `math.sqrt(uint(math.abs(${A}.n)))` },
  { expr: `math.isNaN(${A}.n / ${A}.m)`, bool: true },
  { expr: `math.isInf(${A}.n / ${A}.m)`, bool: true },
  { expr: `math.isFinite(${A}.n / ${A}.m)`, bool: true },
  { expr: `math.bitAnd(int(${A}.n), int(${A}.m))` },
  { expr: `math.bitOr(int(${A}.n), int(${A}.m))` },
  { expr: `math.bitXor(int(${A}.n), int(${A}.m))` },
  { expr: `math.bitNot(int(${A}.n))` },
  { expr: `math.bitShiftLeft(int(${A}.n), int(${A}.m))` },
  { expr: `math.bitShiftRight(int(${A}.n), int(${A}.m))` },
  // arithmetic, comparison, membership
  { expr: `${A}.n + ${A}.m` },
  { expr: `${A}.n - ${A}.m * 2.0` },
  { expr: `string(${A}.n / ${A}.m)` }, // a bare ±Inf output makes Cerbos fail the whole request (HTTP 500)
  { expr: `int(${A}.n) % int(${A}.m)` },
  { expr: `int(${A}.n) * 4611686018427387904` },
  { expr: `int(${A}.n) < ${A}.m`, bool: true },
  { expr: `int(${A}.n) == ${A}.m`, bool: true },
  { expr: `${A}.s in ${A}.la`, bool: true },
  { expr: `has(${A}.s)`, bool: true },
  { expr: `{"k": ${A}.s, "n": ${A}.n}` },
  // Distinct computed keys only: cel-go builds a Go map at run time (equal keys of one type
  // overwrite, no error), Verdict refuses duplicate keys (documented in docs/cel-support.md).
  { expr: `{${A}.n: ${A}.s, "seven": 7}[${A}.m]` },
  { expr: `${A}.la.transformMapEntry(i, v, {v: i})` },
  { expr: `${A}.la[int(${A}.n)]` },
  { expr: `${A}.n > 2.0 ? ${A}.s : ${A}.t` },
  // macros
  { expr: `${A}.la.all(x, size(x) == 1)`, bool: true },
  { expr: `${A}.la.exists(x, x == ${A}.s)`, bool: true },
  { expr: `${A}.la.exists_one(x, x == "a")`, bool: true },
  { expr: `${A}.la.filter(x, x != "b")` },
  { expr: `${A}.la.map(x, x + ${A}.t)` },
  { expr: `${A}.la.map(x, x != "a", size(x))` },
  { expr: `cel.bind(v, ${A}.s + "!", v + v)` },
];

const STRINGS = ["", "a", "b", "ab", "abc", "a,b,c", "Hello World", "  padded  ", "héllo wörld", "日本語", "42", "-3.5", "1e3", "aGVsbG8=", "YQ", "ABC", "x"];
const NUMBERS = [0, 1, -1, 2, 2.5, -2.5, 3, 7, 10, 64, 255, 1000, 0.1, -1e3, 1e21, 3.75];
const ITEMS = ["a", "b", "c", "ab"];
const DURATIONS = ["1h", "30m", "1h30m", "-2s", "0s", "100ms", "2h45m30.5s", "1.5h", "bad", "72h"];
const IPS = ["10.0.0.1", "10.255.255.255", "11.0.0.1", "192.168.1.20", "::1", "2001:db8::1", "2001:db9::1", "bad"];
const ZONES = ["UTC", "+05:30", "-08:00", "+00:00"];
const PATHS = ["a", "a.b", "a.b.c", "a.b.d", "a.c", "b", "a.b.c.d", "", "x.y", "a:b:c", "a..b"];


function timestamp(random: () => number): string {
  if (random() < 0.05) return "not-a-time";
  const ms = Date.UTC(1990, 0, 1) + Math.floor(random() * 50 * 365.25 * 86400) * 1000 + (random() < 0.3 ? Math.floor(random() * 1000) : 0);
  const iso = new Date(ms).toISOString();
  const form = Math.floor(random() * 3);
  if (form === 0) return iso;
  if (form === 1) return iso.replace(/\.\d{3}Z$/, "Z");
  const off = Math.floor(random() * 24 - 12);
  const local = new Date(ms + off * 3600_000).toISOString().replace("Z", "");
  return `${local}${off < 0 ? "-" : "+"}${String(Math.abs(off)).padStart(2, "0")}:00`;
}

/** One resource's attributes; each is sometimes missing, so `no such key` errors are probed too. */
export function randomAttributes(random: () => number): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const list = (): string[] => Array.from({ length: Math.floor(random() * 4) }, () => pick(ITEMS));
  const attr: Record<string, unknown> = {
    s: pick(STRINGS),
    t: pick(STRINGS),
    n: pick(NUMBERS),
    m: pick(NUMBERS),
    la: list(),
    lb: list(),
    ts: timestamp(random),
    d: pick(DURATIONS),
    ip: pick(IPS),
    tz: pick(ZONES),
    hx: pick(PATHS),
    hy: pick(PATHS),
  };
  for (const k of Object.keys(attr)) if (random() < 0.04) delete attr[k];
  return attr;
}
