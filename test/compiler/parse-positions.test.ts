// CelSource.positionAt must map an offset inside the expression text back to the file line:col
// for every scalar style, so CEL errors point at the right character of the policy file.
import { describe, expect, it } from "vitest";
import { parsePolicySource } from "../../compiler/parse/index.ts";
import type { CelSource, Policy } from "../../compiler/model.ts";

function policyWithExpr(exprYaml: string): string {
  return [
    "apiVersion: api.cerbos.dev/v1",
    "resourcePolicy:",
    "  resource: doc",
    "  version: default",
    "  rules:",
    "    - actions: [view]",
    "      effect: EFFECT_ALLOW",
    "      roles: [user]",
    "      condition:",
    "        match:",
    `          expr: ${exprYaml}`,
    "",
  ].join("\n");
}

function firstExpr(policies: Policy[]): CelSource {
  const body = policies[0].body;
  if (body.kind !== "resource") throw new Error("expected a resource policy");
  const m = body.rules[0].condition!.match;
  if (m.kind !== "expr") throw new Error("expected an expr match");
  return m.expr;
}

/** The source text at a span's line:col. */
function sourceAt(text: string, span: { line: number; column: number }): string {
  return text.split("\n")[span.line - 1].slice(span.column - 1);
}

/** Every listed token of the expression must map to a place in the file that starts with it. */
function expectTokensMapped(text: string, src: CelSource, tokens: string[]): void {
  for (const token of tokens) {
    const offset = src.text.indexOf(token);
    expect(offset, `token ${token} in ${JSON.stringify(src.text)}`).toBeGreaterThanOrEqual(0);
    expect(sourceAt(text, src.positionAt(offset)), `token ${token}`).toMatch(new RegExp(`^${token.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  }
}

describe("CelSource.positionAt", () => {
  it("plain scalar", () => {
    const text = policyWithExpr("R.attr.owner == P.id");
    const src = firstExpr(parsePolicySource("p.yaml", text).policies);
    expect(src.text).toBe("R.attr.owner == P.id");
    expect(src.positionAt(0)).toMatchObject({ line: 11, column: 17 });
    expect(src.positionAt(16)).toMatchObject({ line: 11, column: 33 });
    expectTokensMapped(text, src, ["R.attr", "==", "P.id"]);
  });

  it("multi-line plain scalar folds lines into spaces", () => {
    const text = policyWithExpr("R.attr.a == 1 &&\n            R.attr.b == 2");
    const src = firstExpr(parsePolicySource("p.yaml", text).policies);
    expect(src.text).toBe("R.attr.a == 1 && R.attr.b == 2");
    expect(src.positionAt(src.text.indexOf("R.attr.b"))).toMatchObject({ line: 12, column: 13 });
    expectTokensMapped(text, src, ["R.attr.a", "&&", "R.attr.b", "2"]);
  });

  it("single-quoted scalar with an escaped quote", () => {
    const text = policyWithExpr(`'P.attr.name == ''bob'' && R.id == "x"'`);
    const src = firstExpr(parsePolicySource("p.yaml", text).policies);
    expect(src.text).toBe(`P.attr.name == 'bob' && R.id == "x"`);
    expect(src.positionAt(0)).toMatchObject({ line: 11, column: 18 });
    // After the doubled quote the source runs one character ahead of the value.
    expect(src.positionAt(src.text.indexOf("&&"))).toMatchObject({ line: 11, column: 18 + src.text.indexOf("&&") + 2 });
    expectTokensMapped(text, src, ["P.attr", "bob", "&&", "R.id"]);
  });

  it("double-quoted scalar with escapes", () => {
    const text = policyWithExpr(String.raw`"R.attr.tag == \"a\tb\" && \u0050.id == R.id"`);
    const src = firstExpr(parsePolicySource("p.yaml", text).policies);
    expect(src.text).toBe('R.attr.tag == "a\tb" && P.id == R.id');
    expectTokensMapped(text, src, ["R.attr.tag", "&&", ".id ==", "R.id"]);
    // The `P` came from the escape `\u0050`: it maps to the backslash of the escape.
    expect(sourceAt(text, src.positionAt(src.text.indexOf("P.id")))).toMatch(/^\\u0050/);
  });

  it("double-quoted scalar over several lines, with an escaped line break", () => {
    const text = policyWithExpr('"R.attr.a == 1 &&\n            R.attr.b\\\n            == 2"');
    const src = firstExpr(parsePolicySource("p.yaml", text).policies);
    expect(src.text).toBe("R.attr.a == 1 && R.attr.b== 2");
    expectTokensMapped(text, src, ["R.attr.a", "&&", "R.attr.b", "== 2"]);
  });

  it.each([
    ["|", "R.attr.a == 1 &&\nR.attr.b == 2\n"],
    ["|-", "R.attr.a == 1 &&\nR.attr.b == 2"],
    // keep: the two empty lines that end the file stay in the value
    ["|+", "R.attr.a == 1 &&\nR.attr.b == 2\n\n\n"],
    [">", "R.attr.a == 1 && R.attr.b == 2\n"],
    [">-", "R.attr.a == 1 && R.attr.b == 2"],
  ])("block scalar %s", (header, value) => {
    const text = policyWithExpr(`${header}\n            R.attr.a == 1 &&\n            R.attr.b == 2\n`).replace(/\n$/, "\n\n");
    const src = firstExpr(parsePolicySource("p.yaml", text).policies);
    expect(src.text).toBe(value);
    // The first character is on the line after the header, at the block's indentation.
    expect(src.positionAt(0)).toMatchObject({ line: 12, column: 13 });
    expect(src.positionAt(src.text.indexOf("R.attr.b"))).toMatchObject({ line: 13, column: 13 });
    expectTokensMapped(text, src, ["R.attr.a", "&&", "R.attr.b", "2"]);
  });

  it("folded block keeps more-indented lines and empty lines", () => {
    const text = policyWithExpr(">-\n            R.attr.a == 1 &&\n\n              R.attr.b == 2\n            || false");
    const src = firstExpr(parsePolicySource("p.yaml", text).policies);
    expect(src.text).toBe("R.attr.a == 1 &&\n\n  R.attr.b == 2\n|| false");
    expectTokensMapped(text, src, ["R.attr.a", "&&", "R.attr.b", "|| false"]);
  });

  it("literal block with a comment-like line keeps it as text", () => {
    const text = policyWithExpr("|-\n            # YAML comment\n            request.resource.attr.status == \"PENDING\"");
    const src = firstExpr(parsePolicySource("p.yaml", text).policies);
    expect(src.text.startsWith("# YAML comment\n")).toBe(true);
    expectTokensMapped(text, src, ["# YAML", "request.resource", "PENDING"]);
  });

  it("CRLF line endings", () => {
    const text = policyWithExpr("|-\n            R.attr.a == 1 &&\n            R.attr.b == 2").replace(/\n/g, "\r\n");
    const src = firstExpr(parsePolicySource("p.yaml", text).policies);
    expect(src.text).toBe("R.attr.a == 1 &&\nR.attr.b == 2");
    expect(src.positionAt(src.text.indexOf("R.attr.b"))).toMatchObject({ line: 13, column: 13 });
    expectTokensMapped(text.replace(/\r/g, ""), src, ["R.attr.a", "&&", "R.attr.b"]);
  });

  it("block scalar with an indentation indicator keeps the extra spaces", () => {
    const text = policyWithExpr("|2-\n              R.id == 'a'\n              && P.id == 'b'");
    const src = firstExpr(parsePolicySource("p.yaml", text).policies);
    expect(src.text).toBe("  R.id == 'a'\n  && P.id == 'b'");
    expect(src.positionAt(0)).toMatchObject({ line: 12, column: 13 });
    expectTokensMapped(text, src, ["R.id", "&&", "P.id"]);
  });

  it("clamps offsets outside the text to its ends", () => {
    const text = policyWithExpr("R.id");
    const src = firstExpr(parsePolicySource("p.yaml", text).policies);
    expect(src.positionAt(-5)).toMatchObject({ line: 11, column: 17 });
    expect(src.positionAt(100)).toMatchObject({ line: 11, column: 21 });
  });

  it("JSON strings with escapes", () => {
    const text = [
      "{",
      '  "apiVersion": "api.cerbos.dev/v1",',
      '  "exportVariables": {',
      '    "name": "vars",',
      '    "definitions": { "owner": "R.attr.tag == \\"x\\" && R.attr.owner == P.id" }',
      "  }",
      "}",
    ].join("\n");
    const r = parsePolicySource("v.json", text);
    expect(r.diagnostics).toEqual([]);
    const body = r.policies[0].body;
    if (body.kind !== "exportVariables") throw new Error("expected exportVariables");
    const src = body.definitions.entries[0].value;
    expect(src.text).toBe('R.attr.tag == "x" && R.attr.owner == P.id');
    expectTokensMapped(text, src, ["R.attr.tag", "&&", "R.attr.owner", "P.id"]);
  });
});

describe("spans", () => {
  it("match.expr reports at the `expr` key and variables at their value, as Cerbos does", () => {
    const text = [
      "apiVersion: api.cerbos.dev/v1",
      "exportVariables:",
      "  name: vars",
      "  definitions:",
      "    a: |-",
      "      R.id",
    ].join("\n");
    const body = parsePolicySource("v.yaml", text).policies[0].body;
    if (body.kind !== "exportVariables") throw new Error("expected exportVariables");
    const e = body.definitions.entries[0];
    expect(e.span).toMatchObject({ line: 5, column: 5, path: "$.exportVariables.definitions.a" });
    // The value node of a block scalar starts at its `|` header (Cerbos's value position too);
    // positionAt(0) is the first character of the text.
    expect(e.value.span).toMatchObject({ line: 5, column: 8 });
    expect(e.value.positionAt(0)).toMatchObject({ line: 6, column: 7 });

    const policy = policyWithExpr("|-\n            R.id == 'x'");
    const expr = firstExpr(parsePolicySource("p.yaml", policy).policies);
    expect(expr.span).toMatchObject({ line: 11, column: 11, path: "$.resourcePolicy.rules[0].condition.match.expr" });
  });
});
