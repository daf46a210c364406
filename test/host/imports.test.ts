// The host imports in Node: digits as Go formats them, correctly rounded parsing, tz offsets.
import { describe, expect, it } from "vitest";
import { DIGIT_CASES, importsUnderTest, ZONE_CASES } from "./imports-cases.ts";

describe("host imports (Node)", () => {
  const { digits, zone, parse } = importsUnderTest();
  it.each(DIGIT_CASES)("digits(%d, mode %d) = %s, point %d", (x, mode, d, point) => {
    expect(digits(x, mode)).toEqual([d, point]);
  });
  it.each(ZONE_CASES)("zone(%s, %d) = %d", (name, secs, off) => {
    expect(zone(name, secs)).toBe(off);
  });
  it("parses decimal text correctly rounded", () => {
    expect(parse("1.38e-23")).toBe(1.38e-23);
    expect(parse("-.5e1")).toBe(-5);
    expect(parse("1e400")).toBe(Infinity); // the evaluator turns this into Go's range error
  });
});
