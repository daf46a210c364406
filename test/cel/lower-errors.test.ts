// Diagnostics point where Cerbos does (the node holding the expression, here line 10, column 14)
// and name the offending token's file position in `help`: the expression's own offset mapped
// through CelSource.positionAt.
import { describe, expect, it } from "vitest";
import { lower, scopeOf } from "./lower-helpers.ts";

const AT: [number, number] = [10, 14];
const where = (text: string, scope = scopeOf(["known"], { k: 1 })) =>
  lower(text, scope, AT).diags.map((d) => {
    expect(`${d.span.line}:${d.span.column}`).toBe(AT.join(":"));
    return `${d.code}@${/^at (\d+:\d+)$/.exec(d.help ?? "")?.[1] ?? AT.join(":")}`;
  });

describe("CEL diagnostics", () => {
  it("reports syntax errors at the offending character", () => {
    expect(where("R.attr.a &&& true")).toEqual(["VD3001@10:23"]); // the first `&` cannot continue the expression
    expect(where('R.attr.a == "x"\n  && R.attr.b ^ 1')).toEqual(["VD3001@11:15"]); // second line of a block scalar
  });

  it("reports unknown functions and wrong arities at the call", () => {
    expect(where("R.attr.x.frobnicate()")).toEqual(["VD3005@10:22"]); // a member call sits at its dot
    expect(where("1 + nosuch(1)")).toEqual(["VD3005@10:18"]); // a global call sits at its name
    const arity = lower('"a".startsWith()', scopeOf(), AT).diags;
    expect(arity.map((d) => d.code)).toEqual(["VD3005"]);
    expect(arity[0]!.message).toContain("no matching overload");
  });

  it("reports undefined variables and constants at their root identifier", () => {
    expect(where("P.id == 'x' && V.missing")).toEqual(["VD3003@10:29"]);
    expect(where("variables.known && constants.nope")).toEqual(["VD3004@10:33"]);
    expect(where("V.known && C.k == 1.0")).toEqual([]);
  });

  it("reports undeclared identifiers and unknown message fields", () => {
    expect(where("wat")).toEqual(["VD3002@10:14"]);
    expect(where("P.name == 'x'")).toEqual(["VD3009@10:15"]);
    expect(where("request.auxData.jwt.sub == 'x' && request.other")).toEqual(["VD3009@10:55"]); // a field selection sits at its dot;
  });

  it("rejects invalid duration, timestamp and regex literals at the literal", () => {
    expect(where('duration("1 hour") > duration("1h")')).toEqual(["VD3006@10:23"]);
    expect(where('now() > timestamp("2021-13-01T00:00:00Z")')).toEqual(["VD3007@10:32"]);
    expect(where('R.id.matches("a(b")')).toEqual(["VD3008@10:27"]);
  });

  it("rejects runtime outside resource policies and V/C/G indexing as Cerbos does", () => {
    expect(where("'x' in runtime.effectiveDerivedRoles", scopeOf([], {}, false))).toEqual(["VD3010@10:21"]);
    expect(where("'x' in runtime.effectiveDerivedRoles")).toEqual([]);
    expect(where('G["x"] == 1')).toEqual(["VD3005@10:15"]);
  });

  it("leaves the tables untouched when an expression fails", () => {
    const r = lower('R.attr.a == "never-interned" && nosuch()');
    expect(r.index).toBeUndefined();
    expect(r.tables.strings).toEqual([]);
    expect(r.tables.consts).toEqual([]);
    expect(r.tables.attributes.resource.size).toBe(0);
  });
});
