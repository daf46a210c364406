// Host encode → (fake) evaluator → host decode, over a real WebAssembly.Memory. The fake reads
// requests with its own decoder, so these tests pin the wire format of spec/format.ts, not just
// agreement of the host with itself.
import { describe, expect, it } from "vitest";
import { Engine } from "../../host/common/engine.ts";
import { EvaluatorError } from "../../host/common/errors.ts";
import { AttrFlag, ConfigFlag, NONE } from "../../spec/format.ts";
import { FakeEvaluator, type Decoded } from "./fake-evaluator.ts";
import { buildSyntheticRuleset } from "./synthetic-ruleset.ts";

const STRINGS = [
  "", "*", "NO_MATCH", "NO_MATCH_FOR_SCOPE_PERMISSIONS", "default",
  "doc", "alice", "user", "admin", "view", "edit", "fail", "acme",
  "resource.doc.vdefault", "resource.doc.vdefault#echo", "resource.doc.vdefault#fail",
  "owner", "dept", "tags", "nested", "R.attr.x / 0", "env",
];

function setup(flags = 0, config = {}) {
  const ruleset = buildSyntheticRuleset({
    strings: STRINGS,
    attrs: { flags, principal: ["dept"], resource: ["owner", "tags", "nested"] },
    exprSources: ["R.attr.x / 0"],
  });
  let fake!: FakeEvaluator;
  const engine = new Engine(() => (fake = new FakeEvaluator(STRINGS)).abi(), ruleset, config);
  return { engine, fake: () => fake };
}

const sid = (s: string) => STRINGS.indexOf(s);
const s = (str: string, id = sid(str) < 0 ? NONE : sid(str)): Decoded => ({ str, sid: id });
const NOW = new Date("2024-05-06T07:08:09.123Z");

const request = {
  principal: { id: "alice", roles: ["user", "zoë-rôle"], attr: { dept: "eng", secret: "not sent" } },
  resources: [
    {
      resource: {
        kind: "doc", id: "d-1", scope: "acme",
        attr: { owner: "alice", tags: ["a", 2, true, null], nested: { n: 1.5, deep: { k: "v" } }, unused: 1 },
      },
      actions: ["view", "edit"],
    },
  ],
  auxData: { jwt: { sub: "x" } },
  now: NOW,
};

describe("request encoding", () => {
  it("writes every field as the ABI's cells, interning known strings", () => {
    const { engine, fake } = setup();
    engine.check(request);
    const seen = fake().lastRequest!;
    expect(seen.nowSeconds).toBe(BigInt(Math.floor(NOW.getTime() / 1000)));
    expect(seen.nowNanos).toBe(123_000_000);
    expect(seen.principal.id).toEqual(s("alice"));
    expect(seen.principal.roles).toEqual([s("user"), s("zoë-rôle", NONE)]);
    expect(seen.principal.policyVersion).toEqual(s("")); // the evaluator applies defaults
    // Only attributes the ruleset's ATTRS section lists are sent.
    expect(seen.principal.attr).toEqual({ map: [[s("dept"), s("eng", NONE)]] });
    const r = seen.resources[0]!;
    expect(r.kind).toEqual(s("doc"));
    expect(r.id).toEqual(s("d-1", NONE));
    expect(r.scope).toEqual(s("acme"));
    expect(r.actions).toEqual([s("view"), s("edit")]);
    expect(r.attr).toEqual({
      map: [
        [s("owner"), s("alice")],
        [s("tags"), [s("a", NONE), 2, true, null]], // JSON numbers are doubles, as in Cerbos
        [s("nested"), { map: [[s("n", NONE), 1.5], [s("deep", NONE), { map: [[s("k", NONE), s("v", NONE)]] }]] }],
      ],
    });
    expect(seen.auxData).toBeUndefined(); // no AUX_DATA flag: nothing reads it
  });

  it("sends every attribute and aux data when the ruleset's flags say so", () => {
    const { engine, fake } = setup(AttrFlag.ALL_PRINCIPAL | AttrFlag.ALL_RESOURCE | AttrFlag.AUX_DATA);
    engine.check(request);
    const seen = fake().lastRequest!;
    expect((seen.principal.attr as { map: unknown[] }).map).toHaveLength(2);
    expect((seen.resources[0]!.attr as { map: unknown[] }).map).toHaveLength(4);
    // The aux data cell is a map of the AuxData parts the request has (here only jwt).
    expect(seen.auxData).toEqual({ map: [[s("jwt", NONE), { map: [[s("sub", NONE), s("x", NONE)]] }]] });
  });

  it("grows the request buffer (and survives memory growth) for large requests, then reuses it", () => {
    const { engine, fake } = setup(AttrFlag.ALL_RESOURCE);
    const big: Record<string, string> = {};
    for (let i = 0; i < 20_000; i++) big[`k${i}`] = `value number ${i} ✓`;
    const pagesBefore = fake().memory.buffer.byteLength;
    engine.check({ ...request, resources: [{ ...request.resources[0]!, resource: { kind: "doc", id: "big", attr: big } }] });
    expect(fake().memory.buffer.byteLength).toBeGreaterThan(pagesBefore);
    const m = (fake().lastRequest!.resources[0]!.attr as { map: Array<[Decoded, Decoded]> }).map;
    expect(m).toHaveLength(20_000);
    expect(m[19_999]).toEqual([s("k19999", NONE), s("value number 19999 ✓", NONE)]);
    const out = engine.check(request);
    expect(out[0]!.resourceId).toBe("d-1");
  });
});

describe("response decoding", () => {
  it("turns response words and cells into Cerbos's CheckOutput", () => {
    const { engine } = setup();
    const [out] = engine.check({ ...request, requestId: "r1", principal: { ...request.principal, roles: ["admin", "user"] } });
    expect(out).toEqual({
      requestId: "r1",
      resourceId: "d-1",
      actions: {
        view: { effect: "EFFECT_ALLOW", policy: "resource.doc.vdefault", scope: "acme" },
        edit: { effect: "EFFECT_ALLOW", policy: "resource.doc.vdefault", scope: "acme" },
      },
      effectiveDerivedRoles: ["admin", "user"],
      outputs: [
        {
          src: "resource.doc.vdefault#echo",
          action: "view",
          val: { owner: "alice", tags: ["a", 2, true, null], nested: { n: 1.5, deep: { k: "v" } } },
        },
      ],
      evaluationErrors: [{ celError: { expression: "R.attr.x / 0", message: "division by zero" } }],
    });
  });

  it("reports failed outputs with Cerbos's message and NO_MATCH policies as DENY", () => {
    const { engine } = setup();
    const [out] = engine.check({
      principal: { id: "bob", roles: ["user"] },
      resources: [{ resource: { kind: "other", id: "x" }, actions: ["view", "fail"] }],
      now: NOW,
    });
    expect(out!.actions).toEqual({
      view: { effect: "EFFECT_DENY", policy: "NO_MATCH" },
      fail: { effect: "EFFECT_DENY", policy: "NO_MATCH" },
    });
    expect(out!.outputs[1]).toEqual({ src: "resource.doc.vdefault#fail", action: "fail", error: "no such key: missing" });
    expect(out!.requestId).toBeUndefined();
  });
});

describe("message values", () => {
  it("renders R and request outputs as protojson Structs (empty fields omitted, keys sorted)", () => {
    const { engine } = setup(AttrFlag.ALL_RESOURCE | AttrFlag.AUX_DATA);
    const [out] = engine.check({
      principal: { id: "alice", roles: ["user"] },
      resources: [
        { resource: { kind: "doc", id: "d-0" }, actions: ["view"] },
        { resource: { kind: "doc", id: "d-1", attr: { z: 1, a: [true] } }, actions: ["msg"] },
      ],
      auxData: { jwt: { sub: "x" } },
      now: NOW,
    }).slice(1);
    const [, r, req] = out!.outputs;
    expect(r!.val).toEqual({ attr: { a: [true], z: 1 }, id: "d-1", kind: "doc" });
    expect(Object.keys((r!.val as { attr: object }).attr)).toEqual(["a", "z"]);
    expect(req!.val).toEqual({
      auxData: { jwt: { sub: "x" } },
      principal: { id: "alice", roles: ["user"] },
      resource: { attr: { a: [true], z: 1 }, id: "d-1", kind: "doc" },
    });
  });
});

describe("configuration", () => {
  it("writes the CF block with Cerbos's defaults", () => {
    const { fake } = setup();
    expect(fake().lastConfig).toEqual({ flags: 0, version: s("default"), scope: s(""), globals: { map: [] } });
  });

  it("writes flags, defaults and globals", () => {
    const { fake } = setup(0, {
      lenientScopeSearch: true, strictEvaluation: true, defaultPolicyVersion: "v2", defaultScope: ".acme", globals: { env: "prod", n: 3 },
    });
    expect(fake().lastConfig).toEqual({
      flags: ConfigFlag.LENIENT_SCOPE_SEARCH | ConfigFlag.STRICT_EVALUATION,
      version: s("v2", NONE),
      scope: s("acme"),
      globals: { map: [[s("env"), s("prod", NONE)], [s("n", NONE), 3]] },
    });
  });
});

describe("evaluator failures", () => {
  it("never turns a trap into a decision, and recovers with a fresh instance", () => {
    const { engine, fake } = setup();
    fake().behaviour = "trap";
    expect(() => engine.check(request)).toThrow(EvaluatorError);
    const [out] = engine.check(request); // new instance, ruleset loaded again
    expect(out!.actions.view!.effect).toBe("EFFECT_DENY");
    expect(fake().loads).toBe(1);
  });

  it("refuses bad statuses and truncated responses", () => {
    const a = setup();
    a.fake().behaviour = "bad-status";
    expect(() => a.engine.check(request)).toThrow(/BAD_REQUEST/);
    const b = setup();
    b.fake().behaviour = "truncated";
    expect(() => b.engine.check(request)).toThrow(/truncated/);
  });
});
