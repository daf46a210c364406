// Cases for the evaluator's host imports (host/common/imports.ts), run in Node (test/host) and in
// workerd (test/workers): the digits Go's strconv produces, offsets from the runtime's tz database.
import { DIGITS_FIXED, DIGITS_SHORTEST } from "../../spec/format.ts";
import { hostImports } from "../../host/common/imports.ts";

export function importsUnderTest() {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const { verdict } = hostImports(() => memory);
  const text = (p: number, s: string) => { new TextEncoder().encodeInto(s, new Uint8Array(memory.buffer, p)); return s.length; };
  /** [digits, point] of one `digits` call. */
  const digits = (x: number, mode: number): [string, number] => {
    const r = verdict.digits(x, mode, 256);
    return [new TextDecoder().decode(new Uint8Array(memory.buffer, 256, r & 255)), r >> 8];
  };
  const zone = (name: string, secs: number) => verdict.zone(0, text(0, name), secs);
  const parse = (s: string) => verdict.parse(0, text(0, s));
  return { digits, zone, parse };
}

/** [x, mode, digits, point] — shortest as strconv 'g' -1, %e/%f digits as strconv 'e'/'f'. */
export const DIGIT_CASES: Array<[number, number, string, number]> = [
  [0.1, DIGITS_SHORTEST, "1", 0],
  [123456789, DIGITS_SHORTEST, "123456789", 9],
  [5e-324, DIGITS_SHORTEST, "5", -323],
  [1.7976931348623157e308, DIGITS_SHORTEST, "17976931348623157", 309],
  [2.5e-10, DIGITS_SHORTEST, "25", -9],
  [1234.5678, 2, "123", 4], // %.2e → 1.23e+03
  [9.996, 2, "100", 2], // rounding carries: 1.00e+01
  [0, 6, "0000000", 1],
  [1234.5678, DIGITS_FIXED + 2, "123457", 0], // %.2f → 1234.57 (the point is the evaluator's business)
  [0.15, DIGITS_FIXED + 1, "01", 0], // %.1f of 0.1499999999999999944… → 0.1, rounded on the exact value
  [1e20, DIGITS_FIXED, "100000000000000000000", 0],
];

/** [zone, unix seconds, offset seconds or NaN]. */
export const ZONE_CASES: Array<[string, number, number]> = [
  ["America/New_York", 1240308320, -4 * 3600], // 2009-04-21, EDT
  ["America/New_York", 1232532320, -5 * 3600], // 2009-01-21, EST
  ["Asia/Kolkata", 0, 5.5 * 3600],
  ["Australia/Lord_Howe", 1735689600, 11 * 3600], // half-hour DST: +11:00 in January
  ["Europe/London", -5000000000, -75], // 1811: local mean time −00:01:15
  ["UTC", 0, 0],
  ["Mars/Olympus_Mons", 0, NaN],
  ["america/new_york", 0, NaN], // Go's LoadLocation is case-sensitive
  ["", 1e300, NaN], // out of Date's range: still no throw
];
