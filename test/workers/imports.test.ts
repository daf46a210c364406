// The host imports inside workerd: its ICU must know the IANA zones and `longOffset`, and its
// number formatting must give the same digits as Node's (the evaluator relies on both).
import { describe, expect, it } from "vitest";
import { DIGIT_CASES, importsUnderTest, ZONE_CASES } from "../host/imports-cases.ts";

describe("host imports (workerd)", () => {
  const { digits, zone } = importsUnderTest();
  it.each(DIGIT_CASES)("digits(%d, mode %d) = %s, point %d", (x, mode, d, point) => {
    expect(digits(x, mode)).toEqual([d, point]);
  });
  it.each(ZONE_CASES)("zone(%s, %d) = %d", (name, secs, off) => {
    expect(zone(name, secs)).toBe(off);
  });
});
