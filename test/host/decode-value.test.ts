// CEL values → JSON as Cerbos renders outputs: cel-go converts a value to google.protobuf.Value
// the way its string() conversion prints it (verified against the binary by
// test/conformance/functions-differential.test.ts).
import { describe, expect, it } from "vitest";
import { base64, formatDuration, formatTimestamp } from "../../host/common/decode-value.ts";
import { newCallId } from "../../host/common/call-id.ts";

describe("output formatting", () => {
  it("formats timestamps as Go's RFC3339Nano in the zone they were written in", () => {
    expect(formatTimestamp(1_700_000_000n, 0)).toBe("2023-11-14T22:13:20Z");
    expect(formatTimestamp(1_700_000_000n, 120_000_000)).toBe("2023-11-14T22:13:20.12Z");
    expect(formatTimestamp(1_700_000_000n, 123_456_000)).toBe("2023-11-14T22:13:20.123456Z");
    expect(formatTimestamp(0n, 1)).toBe("1970-01-01T00:00:00.000000001Z");
    expect(formatTimestamp(1_700_000_000n, 500_000_000, 240)).toBe("2023-11-15T02:13:20.5+04:00");
    expect(formatTimestamp(1_700_000_000n, 0, -510)).toBe("2023-11-14T13:43:20-08:30");
  });

  it("formats durations as the shortest decimal seconds", () => {
    expect(formatDuration(3600n, 0)).toBe("3600s");
    expect(formatDuration(1n, 500_000_000)).toBe("1.5s");
    expect(formatDuration(-1n, -500_000_000)).toBe("-1.5s");
    expect(formatDuration(0n, -1000)).toBe("-0.000001s");
    expect(formatDuration(0n, 1)).toBe("0.000000001s");
  });

  it("encodes bytes as standard base64", () => {
    const enc = new TextEncoder();
    for (const s of ["", "a", "ab", "abc", "abcd", "hello wörld"]) {
      expect(base64(enc.encode(s))).toBe(Buffer.from(s).toString("base64"));
    }
  });
});

describe("cerbosCallId", () => {
  it("is a 26-character ULID whose time prefix sorts", () => {
    const a = newCallId(1_000);
    const b = newCallId(2_000);
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a.slice(0, 10) < b.slice(0, 10)).toBe(true);
  });
});

describe("error messages", () => {
  it("uses cel-go's wording for each error code and detail", async () => {
    const { ValueReader } = await import("../../host/common/decode-value.ts");
    const { CelError, Tag } = await import("../../spec/format.ts");
    const buf = new ArrayBuffer(256);
    const dv = new DataView(buf);
    const u8 = new Uint8Array(buf);
    // detail STRING cell at 64 pointing at "eng" (bytes at 128); INT detail cell at 96.
    u8.set(new TextEncoder().encode("eng"), 128);
    dv.setUint32(64, Tag.STRING, true);
    dv.setUint32(68, 3, true);
    dv.setUint32(72, 128, true);
    dv.setUint32(76, 0xffffffff, true);
    dv.setUint32(96, Tag.INT, true);
    dv.setBigInt64(104, 3n, true);
    const r = new ValueReader(dv, u8, []);
    const err = (code: number, detail: number) => {
      dv.setUint32(0, Tag.ERROR, true);
      dv.setUint32(4, code, true);
      dv.setUint32(8, detail, true);
      return r.errorMessage(0);
    };
    expect(err(CelError.NO_SUCH_KEY, 64)).toBe("no such key: eng");
    expect(err(CelError.NO_SUCH_FIELD, 64)).toBe("undefined field 'eng'");
    expect(err(CelError.INDEX_OUT_OF_RANGE, 96)).toBe("index out of range: 3");
    expect(err(CelError.DIVISION_BY_ZERO, 0)).toBe("division by zero");
    expect(err(CelError.NO_MATCHING_OVERLOAD, 0)).toBe("no such overload");
    expect(err(CelError.INVALID_ARGUMENT, 64)).toBe("eng");
  });
});
