// Builtins through Op.CALL: strings (code points, non-ASCII), conversions, timestamps and
// durations, now/timeSince, inIPAddrRange, set helpers, format.
import { beforeAll, describe, expect, it } from "vitest";
import { Asm, MiniRuleset, VmHarness, buildVmTestWasm, type Val } from "../helpers/mini-ruleset";
import { Op, Builtin, CelError } from "../../spec/format";
import type { ConstValue } from "../../compiler/encode/builder-api";

let vm: VmHarness;
beforeAll(() => { vm = new VmHarness(buildVmTestWasm()); });

/** fn(args...) over constants. */
function call(fn: Builtin, ...args: ConstValue[]): Val {
  const rs = new MiniRuleset();
  const a = new Asm();
  for (const x of args) a.k(Op.CONST, rs.constant(x));
  a.call(fn, args.length).op(Op.RET);
  rs.expr(a);
  vm.load(rs);
  return vm.eval(0);
}
function callWithNow(now: [bigint, number], fn: Builtin, ...args: ConstValue[]): Val {
  const rs = new MiniRuleset();
  const a = new Asm();
  for (const x of args) a.k(Op.CONST, rs.constant(x));
  a.call(fn, args.length).op(Op.RET);
  rs.expr(a);
  vm.load(rs);
  vm.request({ now });
  return vm.eval(0);
}
const int = (n: number | bigint) => ({ int: BigInt(n) });
const uint = (n: number | bigint) => ({ uint: BigInt(n) });
const err = (code: CelError) => expect.objectContaining({ error: code });
const ts = (iso: string) => { const ms = Date.parse(iso); return { timestamp: { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 } }; };
/** timestamp(s) evaluated by the VM, as [seconds, nanos]. */
function parseTs(s: string): Val { return call(Builtin.TIMESTAMP, s); }
const T = (secs: bigint | number, nanos = 0) => ({ timestamp: [BigInt(secs), nanos] });
const D = (secs: bigint | number, nanos = 0) => ({ duration: [BigInt(secs), nanos] });

describe("strings", () => {
  it("size counts code points", () => {
    expect(call(Builtin.SIZE, "héllo")).toEqual(int(5));
    expect(call(Builtin.SIZE, "日本語🙂")).toEqual(int(4));
    expect(call(Builtin.SIZE, { list: [int(1), int(2)] })).toEqual(int(2));
    expect(call(Builtin.SIZE, { map: [["a", int(1)]] })).toEqual(int(1));
    expect(call(Builtin.SIZE, int(1))).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
  });
  it("contains, startsWith, endsWith", () => {
    expect(call(Builtin.CONTAINS, "façade", "çad")).toBe(true);
    expect(call(Builtin.CONTAINS, "abc", "")).toBe(true);
    expect(call(Builtin.CONTAINS, "abc", "d")).toBe(false);
    expect(call(Builtin.STARTS_WITH, "über", "üb")).toBe(true);
    expect(call(Builtin.ENDS_WITH, "über", "ber")).toBe(true);
    expect(call(Builtin.ENDS_WITH, "a", "ab")).toBe(false);
    expect(call(Builtin.STARTS_WITH, "a", int(1))).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
  });
  it("case, trim, replace, split, join", () => {
    expect(call(Builtin.LOWER_ASCII, "HeLLo ÄÖ")).toBe("hello ÄÖ");
    expect(call(Builtin.UPPER_ASCII, "hello é")).toBe("HELLO é");
    expect(call(Builtin.TRIM, " \t x y \n\u00a0")).toBe("x y");
    expect(call(Builtin.TRIM, "   ")).toBe("");
    expect(call(Builtin.REPLACE, "a-b-c", "-", "+")).toBe("a+b+c");
    expect(call(Builtin.REPLACE, "a-b-c", "-", "", int(1))).toBe("ab-c");
    expect(call(Builtin.REPLACE, "ab", "", "_")).toBe("_a_b_");
    expect(call(Builtin.REPLACE, "ééé", "é", "e")).toBe("eee");
    expect(call(Builtin.SPLIT, "a,b,,c", ",")).toEqual({ list: ["a", "b", "", "c"] });
    expect(call(Builtin.SPLIT, "a,b,c", ",", int(2))).toEqual({ list: ["a", "b,c"] });
    expect(call(Builtin.SPLIT, "añb", "")).toEqual({ list: ["a", "ñ", "b"] });
    expect(call(Builtin.SPLIT, "abc", ",", int(0))).toEqual({ list: [] });
    expect(call(Builtin.JOIN, { list: ["a", "b", "c"] }, "/")).toBe("a/b/c");
    expect(call(Builtin.JOIN, { list: ["a", "b"] })).toBe("ab");
    expect(call(Builtin.JOIN, { list: [] }, "/")).toBe("");
    expect(call(Builtin.JOIN, { list: ["a", int(1)] }, "/")).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
  });
  it("indexOf, lastIndexOf, substring, charAt in code points", () => {
    expect(call(Builtin.INDEX_OF, "héllo héllo", "llo")).toEqual(int(2));
    expect(call(Builtin.INDEX_OF, "héllo héllo", "llo", int(3))).toEqual(int(8));
    expect(call(Builtin.INDEX_OF, "abc", "z")).toEqual(int(-1));
    expect(call(Builtin.INDEX_OF, "abc", "", int(3))).toEqual(int(3));
    expect(call(Builtin.INDEX_OF, "abc", "a", int(4))).toEqual(err(CelError.INDEX_OUT_OF_RANGE));
    expect(call(Builtin.LAST_INDEX_OF, "héllo héllo", "llo")).toEqual(int(8));
    expect(call(Builtin.LAST_INDEX_OF, "héllo héllo", "llo", int(7))).toEqual(int(2));
    expect(call(Builtin.SUBSTRING, "日本語テキスト", int(2))).toBe("語テキスト");
    expect(call(Builtin.SUBSTRING, "日本語テキスト", int(1), int(3))).toBe("本語");
    expect(call(Builtin.SUBSTRING, "abc", int(2), int(1))).toEqual(err(CelError.INDEX_OUT_OF_RANGE));
    expect(call(Builtin.SUBSTRING, "abc", int(0), int(4))).toEqual(err(CelError.INDEX_OUT_OF_RANGE));
    expect(call(Builtin.CHAR_AT, "añb", int(1))).toBe("ñ");
    expect(call(Builtin.CHAR_AT, "añb", int(3))).toBe("");
    expect(call(Builtin.CHAR_AT, "añb", int(4))).toEqual(err(CelError.INDEX_OUT_OF_RANGE));
  });
});

describe("conversions", () => {
  it("int()", () => {
    expect(call(Builtin.TO_INT, "-42")).toEqual(int(-42));
    expect(call(Builtin.TO_INT, "+7")).toEqual(int(7));
    expect(call(Builtin.TO_INT, "9223372036854775808")).toEqual(err(CelError.CONVERSION));
    expect(call(Builtin.TO_INT, "1.5")).toEqual(err(CelError.CONVERSION));
    expect(call(Builtin.TO_INT, 2.9)).toEqual(int(2));
    expect(call(Builtin.TO_INT, -2.9)).toEqual(int(-2));
    expect(call(Builtin.TO_INT, 1e19)).toEqual(err(CelError.OVERFLOW));
    expect(call(Builtin.TO_INT, NaN)).toEqual(err(CelError.OVERFLOW));
    expect(call(Builtin.TO_INT, uint(18446744073709551615n))).toEqual(err(CelError.OVERFLOW));
    expect(call(Builtin.TO_INT, ts("2021-01-01T00:00:00Z"))).toEqual(int(1609459200));
  });
  it("uint(), double(), bool()", () => {
    expect(call(Builtin.TO_UINT, int(-1))).toEqual(err(CelError.OVERFLOW));
    expect(call(Builtin.TO_UINT, "18446744073709551615")).toEqual(uint(18446744073709551615n));
    expect(call(Builtin.TO_UINT, -0.5)).toEqual(err(CelError.OVERFLOW));
    expect(call(Builtin.TO_DOUBLE, int(-3))).toBe(-3);
    expect(call(Builtin.TO_DOUBLE, "2.5e3")).toBe(2500);
    expect(call(Builtin.TO_DOUBLE, "0.1")).toBe(0.1);
    expect(call(Builtin.TO_DOUBLE, "-Inf")).toBe(-Infinity);
    expect(call(Builtin.TO_DOUBLE, "x")).toEqual(err(CelError.CONVERSION));
    expect(call(Builtin.TO_BOOL, "TRUE")).toBe(true);
    expect(call(Builtin.TO_BOOL, "f")).toBe(false);
    expect(call(Builtin.TO_BOOL, "yes")).toEqual(err(CelError.CONVERSION));
  });
  it("bool() takes exactly Go's ParseBool spellings", () => {
    for (const t of ["1", "t", "T", "TRUE", "true", "True"]) expect(call(Builtin.TO_BOOL, t)).toBe(true);
    for (const f of ["0", "f", "F", "FALSE", "false", "False"]) expect(call(Builtin.TO_BOOL, f)).toBe(false);
    for (const bad of ["tRUE", "fAlse", "", "truee", "tru", "01"]) expect(call(Builtin.TO_BOOL, bad)).toEqual(err(CelError.CONVERSION));
  });
  it("double(string): Go's ParseFloat syntax, correctly rounded, range errors", () => {
    expect(call(Builtin.TO_DOUBLE, "1.38e-23")).toBe(1.38e-23);
    expect(call(Builtin.TO_DOUBLE, "9007199254740993")).toBe(9007199254740992); // ties to even
    expect(call(Builtin.TO_DOUBLE, "+.5")).toBe(0.5);
    expect(call(Builtin.TO_DOUBLE, "5.")).toBe(5);
    expect(call(Builtin.TO_DOUBLE, "-1E+2")).toBe(-100);
    expect(call(Builtin.TO_DOUBLE, "1e-400")).toBe(0);
    for (const inf of ["inf", "+Inf", "INFINITY", "+infinity"]) expect(call(Builtin.TO_DOUBLE, inf)).toBe(Infinity);
    expect(call(Builtin.TO_DOUBLE, "-iNf")).toBe(-Infinity);
    expect(call(Builtin.TO_DOUBLE, "NaN")).toBe(NaN);
    expect(call(Builtin.TO_DOUBLE, "nan")).toBe(NaN);
    for (const bad of ["1e400", "-1e400", "+nan", "-NaN", "infin", ".", "-.", "1e", "e5", "1e+", "1_0", "0x10", " 1", "1 ", "", "+", "1.2.3"]) {
      expect(call(Builtin.TO_DOUBLE, bad), bad).toEqual(err(CelError.CONVERSION));
    }
  });
  it("string() of every scalar, doubles as Go's %g", () => {
    expect(call(Builtin.TO_STRING, int(-9223372036854775808n))).toBe("-9223372036854775808");
    expect(call(Builtin.TO_STRING, uint(18446744073709551615n))).toBe("18446744073709551615");
    expect(call(Builtin.TO_STRING, true)).toBe("true");
    expect(call(Builtin.TO_STRING, false)).toBe("false");
    expect(call(Builtin.TO_STRING, 1.5)).toBe("1.5");
    expect(call(Builtin.TO_STRING, 100.0)).toBe("100");
    expect(call(Builtin.TO_STRING, 123456.0)).toBe("123456");
    expect(call(Builtin.TO_STRING, 1234567.0)).toBe("1.234567e+06");
    expect(call(Builtin.TO_STRING, 0.0001)).toBe("0.0001");
    expect(call(Builtin.TO_STRING, 0.00001)).toBe("1e-05");
    expect(call(Builtin.TO_STRING, -2.5e-10)).toBe("-2.5e-10");
    expect(call(Builtin.TO_STRING, 1e100)).toBe("1e+100");
    expect(call(Builtin.TO_STRING, NaN)).toBe("NaN");
    expect(call(Builtin.TO_STRING, -Infinity)).toBe("-Inf");
    expect(call(Builtin.TO_STRING, 0.0)).toBe("0");
    expect(call(Builtin.TO_STRING, ts("2021-04-22T15:05:20.021Z"))).toBe("2021-04-22T15:05:20.021Z");
    expect(call(Builtin.TO_STRING, ts("1999-12-31T23:59:59Z"))).toBe("1999-12-31T23:59:59Z");
    expect(call(Builtin.TO_STRING, { duration: { seconds: 5400n, nanos: 0 } })).toBe("5400s");
    expect(call(Builtin.TO_STRING, { duration: { seconds: -1n, nanos: -500000000 } })).toBe("-1.5s");
  });
  it("type() and dyn()", () => {
    expect(call(Builtin.TYPE, 1.0)).toEqual({ type: 4 });
    expect(call(Builtin.DYN, "x")).toBe("x");
  });
});

describe("timestamps and durations", () => {
  it("parses RFC 3339 with fractions and offsets", () => {
    expect(parseTs("1970-01-01T00:00:00Z")).toEqual(T(0));
    expect(parseTs("2021-04-22T10:05:20.021-05:00")).toEqual(T(1619103920, 21000000));
    expect(parseTs("2024-02-29T23:59:59.123456789+01:30")).toEqual(T(Date.parse("2024-02-29T22:29:59Z") / 1000, 123456789));
    expect(parseTs("0001-01-01T00:00:00Z")).toEqual(T(-62135596800n));
    expect(parseTs("2023-02-29T00:00:00Z")).toEqual(err(CelError.CONVERSION));
    expect(parseTs("2021-04-22 10:05:20Z")).toEqual(err(CelError.CONVERSION));
    expect(parseTs("2021-04-22T10:05:20")).toEqual(err(CelError.CONVERSION));
  });
  it("parses Go durations", () => {
    expect(call(Builtin.DURATION, "1h30m")).toEqual(D(5400));
    expect(call(Builtin.DURATION, "24h")).toEqual(D(86400));
    expect(call(Builtin.DURATION, "-1.5s")).toEqual(D(-1, -500000000));
    expect(call(Builtin.DURATION, "1.5h")).toEqual(D(5400));
    expect(call(Builtin.DURATION, "300ms")).toEqual(D(0, 300000000));
    expect(call(Builtin.DURATION, "2us")).toEqual(D(0, 2000));
    expect(call(Builtin.DURATION, "2µs")).toEqual(D(0, 2000));
    expect(call(Builtin.DURATION, "0")).toEqual(D(0));
    expect(call(Builtin.DURATION, "1d")).toEqual(err(CelError.CONVERSION));
    expect(call(Builtin.DURATION, "")).toEqual(err(CelError.CONVERSION));
    expect(call(Builtin.DURATION, "3000000h")).toEqual(err(CelError.CONVERSION));
  });
  it("getters in UTC and fixed offsets", () => {
    const t = ts("2021-04-22T10:05:20.021Z"); // a Thursday, day 111 of the year
    expect(call(Builtin.GET_FULL_YEAR, t)).toEqual(int(2021));
    expect(call(Builtin.GET_MONTH, t)).toEqual(int(3));
    expect(call(Builtin.GET_DATE, t)).toEqual(int(22));
    expect(call(Builtin.GET_DAY_OF_MONTH, t)).toEqual(int(21));
    expect(call(Builtin.GET_DAY_OF_WEEK, t)).toEqual(int(4));
    expect(call(Builtin.GET_DAY_OF_YEAR, t)).toEqual(int(111));
    expect(call(Builtin.GET_HOURS, t)).toEqual(int(10));
    expect(call(Builtin.GET_MINUTES, t)).toEqual(int(5));
    expect(call(Builtin.GET_SECONDS, t)).toEqual(int(20));
    expect(call(Builtin.GET_MILLISECONDS, t)).toEqual(int(21));
    expect(call(Builtin.GET_HOURS, t, "-05:00")).toEqual(int(5));
    expect(call(Builtin.GET_HOURS, t, "+14:00")).toEqual(int(0));
    expect(call(Builtin.GET_DATE, t, "+14:00")).toEqual(int(23));
    expect(call(Builtin.GET_DAY_OF_WEEK, ts("1969-12-31T12:00:00Z"))).toEqual(int(3));
    expect(call(Builtin.GET_FULL_YEAR, ts("1969-12-31T23:59:59Z"))).toEqual(int(1969));
    expect(call(Builtin.GET_HOURS, t, "UTC")).toEqual(int(10));
  });
  it("getters in IANA zones come from the host's tz database; unknown names are errors", () => {
    const t = ts("2009-04-21T10:05:20.021Z");
    expect(call(Builtin.GET_HOURS, t, "America/New_York")).toEqual(int(6)); // EDT
    expect(call(Builtin.GET_HOURS, ts("2009-01-21T10:05:20Z"), "America/New_York")).toEqual(int(5)); // EST
    expect(call(Builtin.GET_MINUTES, t, "Asia/Kolkata")).toEqual(int(35)); // +05:30
    expect(call(Builtin.GET_DATE, t, "Pacific/Kiritimati")).toEqual(int(22)); // +14:00
    // Local mean time before zones were standardised: London was −00:01:15.
    expect(call(Builtin.GET_MINUTES, ts("1811-07-23T12:00:00Z"), "Europe/London")).toEqual(int(58));
    expect(call(Builtin.GET_HOURS, t, "Mars/Olympus_Mons")).toEqual(err(CelError.INVALID_ARGUMENT));
    // Go's LoadLocation is case-sensitive; ICU is not, so the host refuses a differently cased name.
    expect(call(Builtin.GET_HOURS, t, "america/new_york")).toEqual(err(CelError.INVALID_ARGUMENT));
    expect(call(Builtin.GET_HOURS, t, "Local")).toEqual(err(CelError.INVALID_ARGUMENT));
  });
  it("duration getters are totals", () => {
    const d = { duration: { seconds: 5400n, nanos: 500000000 } };
    expect(call(Builtin.GET_HOURS, d)).toEqual(int(1));
    expect(call(Builtin.GET_MINUTES, d)).toEqual(int(90));
    expect(call(Builtin.GET_SECONDS, d)).toEqual(int(5400));
    expect(call(Builtin.GET_MILLISECONDS, d)).toEqual(int(5400500));
  });
  it("arithmetic and comparisons", () => {
    const rs = new MiniRuleset();
    const e = (f: (a: Asm) => void) => { const a = new Asm(); f(a); a.op(Op.RET); return rs.expr(a); };
    const t0 = rs.constant(ts("2021-01-01T00:00:00Z")), t1 = rs.constant(ts("2021-01-02T01:00:00.5Z"));
    const d1 = rs.constant({ duration: { seconds: 90n, nanos: 0 } }), dneg = rs.constant({ duration: { seconds: -1n, nanos: -500000000 } });
    const tmax = rs.constant(ts("9999-12-31T23:59:59Z"));
    const i = [
      e((a) => a.k(Op.CONST, t0).k(Op.CONST, d1).op(Op.ADD)),
      e((a) => a.k(Op.CONST, d1).k(Op.CONST, t0).op(Op.ADD)),
      e((a) => a.k(Op.CONST, t0).k(Op.CONST, dneg).op(Op.ADD)),
      e((a) => a.k(Op.CONST, t1).k(Op.CONST, t0).op(Op.SUB)),
      e((a) => a.k(Op.CONST, t0).k(Op.CONST, t1).op(Op.SUB)),
      e((a) => a.k(Op.CONST, d1).k(Op.CONST, dneg).op(Op.SUB)),
      e((a) => a.k(Op.CONST, tmax).k(Op.CONST, d1).op(Op.ADD)),
      e((a) => a.k(Op.CONST, t0).k(Op.CONST, t1).op(Op.LT)),
      e((a) => a.k(Op.CONST, d1).op(Op.NEG)),
      e((a) => a.k(Op.CONST, t0).k(Op.CONST, t1).op(Op.ADD)),
    ];
    vm.load(rs);
    const base = 1609459200;
    expect(vm.eval(i[0])).toEqual(T(base + 90));
    expect(vm.eval(i[1])).toEqual(T(base + 90));
    expect(vm.eval(i[2])).toEqual(T(base - 2, 500000000));
    expect(vm.eval(i[3])).toEqual(D(90000, 500000000));
    expect(vm.eval(i[4])).toEqual(D(-90000, -500000000));
    expect(vm.eval(i[5])).toEqual(D(91, 500000000));
    expect(vm.eval(i[6])).toEqual(err(CelError.OVERFLOW));
    expect(vm.eval(i[7])).toBe(true);
    expect(vm.eval(i[8])).toEqual(D(-90));
    expect(vm.eval(i[9])).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
  });
  it("now() and timeSince() read the request clock", () => {
    expect(callWithNow([1619103920n, 21000000], Builtin.NOW)).toEqual(T(1619103920, 21000000));
    expect(callWithNow([1619103920n, 0], Builtin.TIME_SINCE, ts("2021-04-22T15:05:00Z"))).toEqual(D(20));
    expect(callWithNow([100n, 0], Builtin.TIME_SINCE, "x")).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
  });
});

describe("Cerbos functions", () => {
  it("inIPAddrRange for IPv4 and IPv6", () => {
    expect(call(Builtin.IN_IP_ADDR_RANGE, "10.0.0.5", "10.0.0.0/24")).toBe(true);
    expect(call(Builtin.IN_IP_ADDR_RANGE, "10.0.1.5", "10.0.0.0/24")).toBe(false);
    expect(call(Builtin.IN_IP_ADDR_RANGE, "192.168.1.1", "0.0.0.0/0")).toBe(true);
    expect(call(Builtin.IN_IP_ADDR_RANGE, "10.0.0.5", "10.0.0.5/32")).toBe(true);
    expect(call(Builtin.IN_IP_ADDR_RANGE, "2001:db8::1", "2001:db8::/32")).toBe(true);
    expect(call(Builtin.IN_IP_ADDR_RANGE, "2001:db9::1", "2001:db8::/32")).toBe(false);
    expect(call(Builtin.IN_IP_ADDR_RANGE, "::ffff:10.0.0.1", "10.0.0.0/8")).toBe(true);
    expect(call(Builtin.IN_IP_ADDR_RANGE, "2001:db8::1", "10.0.0.0/8")).toBe(false);
    expect(call(Builtin.IN_IP_ADDR_RANGE, "10.0.0.1", "::/0")).toBe(false);
    expect(call(Builtin.IN_IP_ADDR_RANGE, "fe80::1:2:3:4", "fe80::/10")).toBe(true);
    expect(call(Builtin.IN_IP_ADDR_RANGE, "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:0/112")).toBe(true);
    expect(call(Builtin.IN_IP_ADDR_RANGE, "10.0.0.01", "10.0.0.0/8")).toEqual(err(CelError.INVALID_ARGUMENT));
    expect(call(Builtin.IN_IP_ADDR_RANGE, "10.0.0.1", "10.0.0.0/33")).toEqual(err(CelError.INVALID_ARGUMENT));
    expect(call(Builtin.IN_IP_ADDR_RANGE, "nope", "10.0.0.0/8")).toEqual(err(CelError.INVALID_ARGUMENT));
    expect(call(Builtin.IN_IP_ADDR_RANGE, "1::2::3", "::/0")).toEqual(err(CelError.INVALID_ARGUMENT));
  });
  it("set helpers over lists", () => {
    const l = (...xs: ConstValue[]) => ({ list: xs });
    expect(call(Builtin.HAS_INTERSECTION, l("a", "b"), l("c", "b"))).toBe(true);
    expect(call(Builtin.HAS_INTERSECTION, l("a"), l())).toBe(false);
    expect(call(Builtin.HAS_INTERSECTION, l(int(1)), l(1.0))).toBe(true);
    expect(call(Builtin.INTERSECT, l("a", "b", "c"), l("c", "a"))).toEqual({ list: ["c", "a"] }); // walks the shorter list
    expect(call(Builtin.EXCEPT, l("a", "b", "c"), l("b"))).toEqual({ list: ["a", "c"] });
    expect(call(Builtin.IS_SUBSET, l("a"), l("a", "b"))).toBe(true);
    expect(call(Builtin.IS_SUBSET, l("a", "z"), l("a", "b"))).toBe(false);
    expect(call(Builtin.IS_SUBSET, l("a"), "a")).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
    expect(call(Builtin.SETS_EQUIVALENT, l(int(1), int(2)), l(int(2), int(1), int(1)))).toBe(true);
    expect(call(Builtin.DISTINCT, l(int(1), 1.0, int(2)))).toEqual({ list: [int(1), int(2)] });
    expect(call(Builtin.REVERSE, l(int(1), int(2)))).toEqual({ list: [int(2), int(1)] });
    expect(call(Builtin.FLATTEN, l(int(1), l(int(2), l(int(3)))))).toEqual({ list: [int(1), int(2), { list: [int(3)] }] });
  });
  it("format with %s %d %f %v %e %x", () => {
    const l = (...xs: ConstValue[]) => ({ list: xs });
    expect(call(Builtin.FORMAT, "%s is %d years, %.2f%%", l("ana", int(42), 99.5))).toBe("ana is 42 years, 99.50%");
    expect(call(Builtin.FORMAT, "%v|%s|%s", l(true, l(int(1), "x"), null))).toBe("true|[1, x]|null");
    expect(call(Builtin.FORMAT, "%f", l(1.0 / 3))).toBe("0.333333");
    expect(call(Builtin.FORMAT, "%.0f", l(2.5))).toBe("3");
    expect(call(Builtin.FORMAT, "%.3f", l(int(2)))).toBe("2.000");
    expect(call(Builtin.FORMAT, "%e", l(1234.5678))).toBe("1.234568e+03");
    // Digits come from the host, rounded on the exact binary value as Go's strconv does.
    expect(call(Builtin.FORMAT, "%.1f", l(0.15))).toBe("0.1"); // 0.1499999999999999944…
    expect(call(Builtin.FORMAT, "%.2e|%e|%.3e|%.0e", l(9.996, 0, 1e-300, 5e22))).toBe("1.00e+01|0.000000e+00|1.000e-300|5e+22");
    expect(call(Builtin.FORMAT, "%f|%e|%s", l(-0, -0, -0))).toBe("-0.000000|-0.000000e+00|-0"); // Go keeps the sign of -0
    expect(call(Builtin.FORMAT, "%f|%e|%.2f", l(NaN, -Infinity, Infinity))).toBe("NaN|-Inf|+Inf");
    expect(call(Builtin.FORMAT, "%.100f", l(0.1))).toBe("0." + "1000000000000000055511151231257827021181583404541015625".padEnd(100, "0"));
    expect(call(Builtin.FORMAT, "%x %X %o %b", l(int(255), int(255), int(8), int(5)))).toBe("ff FF 10 101");
    expect(call(Builtin.FORMAT, "%s", l(1.5))).toBe("1.5");
    expect(call(Builtin.FORMAT, "%d", l("x"))).toEqual(err(CelError.INVALID_ARGUMENT));
    expect(call(Builtin.FORMAT, "%s %s", l("x"))).toEqual(err(CelError.INDEX_OUT_OF_RANGE));
    expect(call(Builtin.FORMAT, "ünï %s", l("çödé"))).toBe("ünï çödé");
  });
  it("math extension", () => {
    expect(call(Builtin.MATH_GREATEST, int(1), 2.5, uint(2))).toBe(2.5);
    expect(call(Builtin.MATH_LEAST, { list: [int(3), int(-1)] })).toEqual(int(-1));
    expect(call(Builtin.MATH_ABS, int(-4))).toEqual(int(4));
    expect(call(Builtin.MATH_ABS, int(-9223372036854775808n))).toEqual(err(CelError.OVERFLOW));
    expect(call(Builtin.MATH_ROUND, -2.5)).toBe(-3);
    expect(call(Builtin.MATH_IS_NAN, NaN)).toBe(true);
  });
  it("errors in arguments propagate", () => {
    const rs = new MiniRuleset();
    const a = new Asm().k(Op.CONST, rs.constant("abc")).k(Op.CONST, rs.constant(int(1))).k(Op.CONST, rs.constant(int(0))).op(Op.DIV)
      .call(Builtin.CONTAINS, 2).op(Op.RET);
    rs.expr(a);
    vm.load(rs);
    expect(vm.eval(0)).toEqual(err(CelError.DIVISION_BY_ZERO));
  });
});

describe("bits, base64, quote (cel-go ext.Math, ext.Encoders, ext.Strings)", () => {
  const bytes = (s: string) => ({ bytes: Buffer.from(new TextEncoder().encode(s)).toString("latin1") });
  it("bit operations keep int/uint and refuse mixed operands", () => {
    expect(call(Builtin.MATH_BIT_AND, int(6), int(3))).toEqual(int(2));
    expect(call(Builtin.MATH_BIT_OR, uint(4), uint(1))).toEqual(uint(5));
    expect(call(Builtin.MATH_BIT_XOR, int(4), int(-2))).toEqual(int(-6));
    expect(call(Builtin.MATH_BIT_NOT, uint(0))).toEqual(uint(2n ** 64n - 1n));
    expect(call(Builtin.MATH_BIT_AND, int(1), uint(1))).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
    expect(call(Builtin.MATH_BIT_NOT, 1.5)).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
  });
  it("shifts: by an int, logical right shift for ints, 0 past 63, error when negative", () => {
    expect(call(Builtin.MATH_BIT_SHIFT_LEFT, uint(1), int(3))).toEqual(uint(8));
    expect(call(Builtin.MATH_BIT_SHIFT_RIGHT, int(-1024), int(3))).toEqual(int(2305843009213693824n));
    expect(call(Builtin.MATH_BIT_SHIFT_LEFT, int(-1), int(64))).toEqual(int(0));
    expect(call(Builtin.MATH_BIT_SHIFT_RIGHT, int(8), int(-1))).toEqual(err(CelError.INVALID_ARGUMENT));
    expect(call(Builtin.MATH_BIT_SHIFT_LEFT, int(8), uint(1))).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
  });
  it("base64 round trips every padding length and accepts unpadded input", () => {
    // ASCII only here: the test ruleset stores bytes constants as UTF-8 text (mini-ruleset.ts).
    for (const s of ["", "h", "he", "hel", "hell", "hello", "~~~?\u0000"]) {
      const b = new TextEncoder().encode(s);
      const enc = Buffer.from(b).toString("base64");
      expect(call(Builtin.BASE64_ENCODE, { bytes: b })).toBe(enc);
      expect(call(Builtin.BASE64_DECODE, enc)).toEqual(bytes(s));
      expect(call(Builtin.BASE64_DECODE, enc.replace(/=+$/, ""))).toEqual(bytes(s));
    }
    expect(call(Builtin.BASE64_DECODE, "/+8A")).toEqual({ bytes: "\u00ff\u00ef\u0000" });
    expect(call(Builtin.BASE64_DECODE, "a*==")).toEqual(err(CelError.INVALID_ARGUMENT));
    expect(call(Builtin.BASE64_DECODE, "abcde")).toEqual(err(CelError.INVALID_ARGUMENT));
    expect(call(Builtin.BASE64_ENCODE, "text")).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
  });
  it("quote escapes control characters, quotes and backslashes only", () => {
    expect(call(Builtin.QUOTE, "a\u0007\b\t\n\u000b\f\r\"\\é😀")).toBe('"a\\a\\b\\t\\n\\v\\f\\r\\"\\\\é😀"');
    expect(call(Builtin.QUOTE, "")).toBe('""');
    expect(call(Builtin.QUOTE, int(1))).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
  });
});

describe("map insert and sorting (transformMap, list.sort(), list.sortBy())", () => {
  it("@mapInsert adds an entry or a whole map to a copy, refusing duplicates", () => {
    expect(call(Builtin.MAP_INSERT, { map: [["a", int(1)]] }, "b", int(2))).toEqual({ map: [["a", int(1)], ["b", int(2)]] });
    expect(call(Builtin.MAP_INSERT, { map: [] }, { map: [["x", true], ["y", false]] })).toEqual({ map: [["x", true], ["y", false]] });
    expect(call(Builtin.MAP_INSERT, { map: [["a", int(1)]] }, "a", int(2))).toEqual(err(CelError.DUPLICATE_KEY));
    expect(call(Builtin.MAP_INSERT, { map: [[int(1), int(1)]] }, { map: [[uint(1), int(2)]] })).toEqual(err(CelError.DUPLICATE_KEY));
    expect(call(Builtin.MAP_INSERT, { map: [] }, 1.5, int(2))).toEqual({ map: [[1.5, int(2)]] });
    expect(call(Builtin.MAP_INSERT, { map: [] }, { list: [] }, int(2))).toEqual(err(CelError.NO_MATCHING_OVERLOAD));
  });
  it("sort orders one comparable type and refuses mixed or uncomparable elements", () => {
    expect(call(Builtin.SORT, { list: [int(3), int(-1), int(2)] })).toEqual({ list: [int(-1), int(2), int(3)] });
    expect(call(Builtin.SORT, { list: ["b", "a", "ab"] })).toEqual({ list: ["a", "ab", "b"] });
    const dur = (seconds: number, nanos = 0) => ({ duration: { seconds: BigInt(seconds), nanos } });
    expect(call(Builtin.SORT, { list: [dur(5), dur(-1), dur(0, 5)] })).toEqual({ list: [D(-1), D(0, 5), D(5)] });
    expect(call(Builtin.SORT, { list: [] })).toEqual({ list: [] });
    expect(call(Builtin.SORT, { list: [int(1), 2.0] })).toEqual(err(CelError.INVALID_ARGUMENT));
    expect(call(Builtin.SORT, { list: [{ list: [] }] })).toEqual(err(CelError.INVALID_ARGUMENT));
  });
  it("@sortByAssociatedKeys reorders the list by its keys, ties in input order", () => {
    const people = { list: ["carol", "al", "bo", "di"] };
    expect(call(Builtin.SORT_BY_KEYS, people, { list: [int(30), int(20), int(30), int(10)] })).toEqual({ list: ["di", "al", "carol", "bo"] });
    expect(call(Builtin.SORT_BY_KEYS, people, { list: [int(1)] })).toEqual(err(CelError.INVALID_ARGUMENT));
  });
});

describe("timestamps keep the zone they were written in (Go's time.Time)", () => {
  /** string(timestamp(text) [+ duration(d)]) evaluated by the VM. */
  function show(text: string, plus?: string): Val {
    const rs = new MiniRuleset();
    const a = new Asm();
    a.k(Op.CONST, rs.constant(text)).call(Builtin.TIMESTAMP, 1);
    if (plus) a.k(Op.CONST, rs.constant(plus)).call(Builtin.DURATION, 1).op(Op.ADD);
    a.call(Builtin.TO_STRING, 1).op(Op.RET);
    rs.expr(a);
    vm.load(rs);
    return vm.eval(0);
  }
  it("string() prints the parsed offset and the fraction without trailing zeros", () => {
    expect(show("2018-03-17T09:04:45.5+04:00")).toBe("2018-03-17T09:04:45.5+04:00");
    expect(show("1998-03-18T18:48:46.100Z")).toBe("1998-03-18T18:48:46.1Z");
    expect(show("2000-01-01T00:00:00-08:30")).toBe("2000-01-01T00:00:00-08:30");
    expect(show("2000-01-01T00:00:00+00:00")).toBe("2000-01-01T00:00:00Z");
  });
  it("adding a duration keeps the zone", () => {
    expect(show("2000-01-01T23:30:00-08:00", "1h")).toBe("2000-01-02T00:30:00-08:00");
  });
});
