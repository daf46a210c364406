import { describe, expect, it } from "vitest";
import { referencedNames } from "../../compiler/cel/index.ts";
import { source } from "./lower-helpers.ts";

describe("referencedNames", () => {
  it("lists V./variables. and C./constants. names once each, in order of appearance", () => {
    const names = referencedNames(source("V.a && variables.b && C.x > constants.y && V.a && R.attr.c"));
    expect(names).toEqual({ variables: ["a", "b"], constants: ["x", "y"] });
  });
  it("ignores comprehension and cel.bind variables that shadow V or C", () => {
    const names = referencedNames(source("R.attr.l.exists(V, V.q) && cel.bind(C, 1, C.z) && [1].all(x, V.inner)"));
    expect(names).toEqual({ variables: ["inner"], constants: [] });
  });
  it("returns empty lists when the text does not parse", () => {
    expect(referencedNames(source("V.a &&& C.b"))).toEqual({ variables: [], constants: [] });
  });
});
