// Compile-time literal validation: the values must match Go's parsers, which Cerbos uses.
import { describe, expect, it } from "vitest";
import { parseDuration, parseTimestamp, regexError } from "../../compiler/cel/literals.ts";

describe("duration literals", () => {
  it("parses Go duration syntax into seconds and same-signed nanos", () => {
    expect(parseDuration("1h30m")).toEqual({ seconds: 5400n, nanos: 0 });
    expect(parseDuration("-1.5s")).toEqual({ seconds: -1n, nanos: -500_000_000 });
    expect(parseDuration("300ms")).toEqual({ seconds: 0n, nanos: 300_000_000 });
    expect(parseDuration("0")).toEqual({ seconds: 0n, nanos: 0 });
    expect(parseDuration("1us")).toEqual({ seconds: 0n, nanos: 1000 });
  });
  it("rejects what Go rejects", () => {
    for (const bad of ["", "1", "1x", "h", "1h-1m", ".s", "9999999999h"]) expect(typeof parseDuration(bad)).toBe("string");
  });
});

describe("timestamp literals", () => {
  it("parses RFC 3339 with offsets and fractions", () => {
    expect(parseTimestamp("1970-01-01T00:00:00Z")).toEqual({ seconds: 0n, nanos: 0 });
    expect(parseTimestamp("2021-04-22T10:05:20.021-05:00")).toEqual({ seconds: 1619103920n, nanos: 21_000_000, offset: -300 });
    expect(parseTimestamp("0001-01-01T00:00:00Z")).toEqual({ seconds: -62135596800n, nanos: 0 });
  });
  it("rejects impossible dates and other formats", () => {
    for (const bad of ["2021-02-30T00:00:00Z", "2021-01-01", "2021-01-01T00:00:00", "2021-13-01T00:00:00Z", "yesterday"])
      expect(typeof parseTimestamp(bad)).toBe("string");
  });
});

describe("regex literals", () => {
  it("accepts RE2 syntax and rejects broken patterns", () => {
    expect(regexError("^[a-z]+$")).toBeUndefined();
    expect(regexError("(?i)x\\d")).toBeUndefined();
    expect(regexError("a(b")).toBeTypeOf("string");
    expect(regexError("(?<=a)b")).toBeTypeOf("string"); // lookbehind: not RE2
  });
});
