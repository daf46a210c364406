import { describe, expect, it } from "vitest";
import { Builtin, Op } from "../../spec/format.ts";
import { lower, scopeOf } from "./lower-helpers.ts";


describe("lowerCel basics", () => {
  it("lowers a comparison of a principal attribute with a literal", () => {
    const r = lower('P.attr.department == "marketing"');
    expect(r.diags).toEqual([]);
    expect(r.listing).toEqual([
      '0000 LOAD_ROOT PRINCIPAL',
      '0002 SELECT "attr"',
      '0007 SELECT "department"',
      '000c CONST #0 "marketing"',
      '0011 EQ',
      '0012 RET',
    ]);
    expect(r.expr!.maxStack).toBe(2);
    expect([...r.tables.attributes.principal]).toEqual(["department"]);
    expect(r.tables.attributes.resource.size).toBe(0);
  });

  it("encodes operands little-endian and ends with RET", () => {
    const r = lower("request.resource.id");
    const code = r.expr!.code;
    expect(code[0]).toBe(Op.LOAD_ROOT);
    expect(code[2]).toBe(Op.SELECT);
    const sid = code[3]! | (code[4]! << 8) | (code[5]! << 16) | (code[6]! << 24);
    expect(r.tables.strings[sid]).toBe("id");
    expect(code[code.length - 1]).toBe(Op.RET);
  });

  it("canonicalises proto field names to camelCase", () => {
    const a = lower("R.policy_version == P.policyVersion && request.aux_data.jwt.sub == 'x'");
    expect(a.diags).toEqual([]);
    expect(a.listing.filter((l) => l.includes("SELECT")).map((l) => l.split(" ").pop())).toEqual([
      '"policyVersion"', '"policyVersion"', '"jwt"', '"sub"',
    ]);
    expect(a.tables.auxData).toBe(true);
  });

  it("short-circuits && and || with the combining opcode after the right operand", () => {
    const r = lower("R.attr.a == 1 || R.attr.b == 2");
    expect(r.listing.map((l) => l.split(" ")[1])).toEqual([
      "LOAD_ROOT", "SELECT", "SELECT", "CONST", "EQ", "OR_SHORT", "LOAD_ROOT", "SELECT", "SELECT", "CONST", "EQ", "OR", "RET",
    ]);
    // OR_SHORT lands on the RET, i.e. right after OR
    const short = r.listing.find((l) => l.includes("OR_SHORT"))!;
    const ret = r.listing[r.listing.length - 1]!;
    expect(short.endsWith(`->${ret.split(" ")[0]}`)).toBe(true);
  });

  it("lowers the ternary with BRANCH whose else and end targets bracket the arms", () => {
    const r = lower('R.attr.x > 1 ? "a" : "b"');
    expect(r.diags).toEqual([]);
    const lines = r.listing;
    const br = lines.find((l) => l.includes("BRANCH"))!;
    const [, , elseT, endT] = br.split(" ");
    const at = (tgt: string) => lines.findIndex((l) => l.startsWith(tgt!.slice(2)));
    expect(lines[at(elseT!)]).toMatch(/CONST #\d+ "b"$/);
    expect(lines[at(endT!)]).toContain("RET");
    expect(r.expr!.maxStack).toBe(2);
  });

  it("folds constants, variables and literal lists", () => {
    const r = lower('V.limit > 3 && C.region in ["eu", "us"]', scopeOf(["other", "limit"], { region: "eu" }));
    expect(r.diags).toEqual([]);
    expect(r.listing).toContain("0000 LOAD_VAR 1");
    expect(r.listing.some((l) => /CONST #\d+ "eu"$/.test(l))).toBe(true); // C.region folded
    expect(r.listing.some((l) => l.includes('["eu", "us"]'))).toBe(true);
  });

  it("pre-parses duration and timestamp literals into constants", () => {
    const r = lower('timestamp("2021-01-01T00:00:00Z") + duration("90m") > now()');
    expect(r.diags).toEqual([]);
    expect(r.listing.some((l) => l.includes("timestamp(1609459200s 0ns)"))).toBe(true);
    expect(r.listing.some((l) => l.includes("duration(5400s 0ns)"))).toBe(true);
    expect(r.listing.some((l) => l.includes("CALL NOW/0"))).toBe(true);
  });

  it("maps member and global calls to builtins with the receiver first", () => {
    const r = lower('R.attr.ip.inIPAddrRange("10.0.0.0/8") && hasIntersection(P.roles, ["a"]) && "x%d".format([1]) == "x1"');
    expect(r.diags).toEqual([]);
    expect(r.listing.filter((l) => l.includes("CALL")).map((l) => l.split(" ")[2])).toEqual([
      "IN_IP_ADDR_RANGE/2", "HAS_INTERSECTION/2", "FORMAT/2",
    ]);
    const sets = lower("sets.contains([1,2], [1]) && math.greatest(1, 2, 3) == 3");
    expect(sets.diags).toEqual([]);
    expect(sets.listing.filter((l) => l.includes("CALL")).map((l) => l.split(" ")[2])).toEqual(["SETS_CONTAINS/2", "MATH_GREATEST/3"]);
    expect(Builtin.SETS_CONTAINS).toBeGreaterThan(0);
  });

  it("binds hierarchy functions; path, SPIFFE, regex.extract and optionals are VD3017 until the evaluator has them", () => {
    const h = lower('hierarchy(R.attr.h).ancestorOf(hierarchy("a.b"))');
    expect(h.diags).toEqual([]);
    expect(h.listing.filter((l) => l.includes("CALL")).map((l) => l.split(" ")[2])).toEqual(["HIERARCHY/1", "HIERARCHY/1", "HIER_ANCESTOR_OF/2"]);
    const r = lower(
      'pathMatch(R.id, "a/*") && spiffeID(P.id).isMemberOf(spiffeTrustDomain("td")) && ' +
        'hierarchy(R.attr.h).ancestorOf(hierarchy("a.b")) && regex.extract(R.id, "a(.)").orValue("") == "b"',
    );
    // type-checked first (no VD3015), then refused once per call Verdict cannot evaluate
    expect(r.diags.map((d) => d.code)).toEqual(["VD3017", "VD3017", "VD3017", "VD3017", "VD3017", "VD3017"]);
  });

  it("records attribute keys precisely and whole maps when needed", () => {
    const keyed = lower('has(R.attr.owner) && R.attr["team"] == P.attr.team');
    expect([...keyed.tables.attributes.resource].sort()).toEqual(["owner", "team"]);
    expect([...keyed.tables.attributes.principal]).toEqual(["team"]);
    const whole = lower('"x" in R.attr || P.attr[R.id] == 1');
    expect([...whole.tables.attributes.resource]).toEqual(["*"]);
    expect([...whole.tables.attributes.principal]).toEqual(["*"]);
    const req = lower("request.principal == request.principal");
    expect([...req.tables.attributes.principal]).toEqual(["*"]);
    expect(req.tables.auxData).toBe(false);
  });

  it("lowers G/globals as a runtime map", () => {
    const r = lower('G.env == "prod" && globals.x == 1');
    expect(r.diags).toEqual([]);
    expect(r.listing[0]).toBe("0000 LOAD_ROOT GLOBALS");
  });
});

describe("comprehensions", () => {
  it("lowers exists with an accumulator local, loop condition and ITER_* opcodes", () => {
    const r = lower("R.attr.tags.exists(t, t == P.id)");
    expect(r.diags).toEqual([]);
    const names = r.listing.map((l) => l.split(" ")[1]);
    expect(names).toEqual([
      "LOAD_ROOT", "SELECT", "SELECT", "ITER_INIT", "FALSE", "STORE_LOCAL",
      "ITER_NEXT", "LOAD_LOCAL", "NOT", "NOT_STRICTLY_FALSE", "JUMP_IF_FALSE",
      "LOAD_LOCAL", "OR_SHORT", "LOAD_LOCAL", "LOAD_ROOT", "SELECT", "EQ", "OR", "STORE_LOCAL", "JUMP",
      "ITER_END", "LOAD_LOCAL", "RET",
    ]);
    expect(r.expr!.locals).toBe(2);
    // the backward JUMP returns to ITER_NEXT
    const next = r.listing.find((l) => l.includes("ITER_NEXT"))!;
    expect(r.listing.find((l) => l.includes(" JUMP "))!.endsWith(`->${next.split(" ")[0]}`)).toBe(true);
  });

  it("gives nested comprehensions distinct locals and two-variable forms a second local", () => {
    const r = lower("R.attr.m.all(k, v, v.exists(x, x == k))");
    expect(r.diags).toEqual([]);
    expect(r.expr!.locals).toBe(5);
    expect(r.listing.some((l) => /ITER_NEXT 1 2 /.test(l))).toBe(true);
    expect(r.listing.some((l) => /ITER_NEXT 4 - /.test(l))).toBe(true);
  });

  it("expands transformMap, sortBy and cel.bind into the shared comprehension form", () => {
    for (const text of [
      "{'a': 1}.transformMap(k, v, v + 1)",
      "[3, 1].transformList(i, v, v > 1, v * 2)",
      "{'a': {'b': 1}}.transformMapEntry(k, v, v)",
      "[{'n': 2}, {'n': 1}].sortBy(e, e.n)",
      "cel.bind(x, [1, 2], x.map(y, y + 1))",
      "[1, 2].filter(x, x > 1).size() == 1 && [1].exists_one(x, x == 1)",
    ]) {
      const r = lower(text);
      expect(r.diags, text).toEqual([]);
      expect(r.expr!.locals, text).toBeGreaterThan(0);
    }
    expect(lower("{'a': 1}.transformMap(k, v, v + 1)").listing.some((l) => l.includes("MAP_INSERT/3"))).toBe(true);
    expect(lower("[1].sortBy(e, -e)").listing.some((l) => l.includes("SORT_BY_KEYS/2"))).toBe(true);
  });
});
