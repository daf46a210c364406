// The authorization-relevant subset of the CEL conformance suite (@bufbuild/cel-spec 0.6.1 =
// cel-spec v0.25.1; /work/shared/docs/cel.md §3, §5c), run through the real compiler and the real
// evaluator (test/helpers/cel-harness.ts). Expected errors match only "is an error" (messages
// differ between implementations; a compile-time refusal counts as an error, as Cerbos checks
// every expression before it runs). Unchecked tests (disableCheck) that expect a value but that
// Verdict's type checker refuses pass only when the real Cerbos compiler refuses them as well. Every failure must be in cel-spec-skips.ts with a reason;
// skip entries that now pass are printed so the list gets pruned.
import { tests } from "@bufbuild/cel-spec/testdata/conformance.js";
import { describe, expect, it } from "vitest";
import { CelHarness, sameValue, showValue, type CelValue, type EvalOutcome } from "../helpers/cel-harness.ts";
import { cerbosCompileConditions } from "../oracle/cerbos-compile.ts";
import { CEL_SPEC_SKIPS } from "./cel-spec-skips.ts";

/** Files of the conformance suite that matter for authorization (cel.md §3). */
const FILES = [
  "basic", "comparisons", "conversions", "fields", "fp_math", "integer_math", "lists", "logic", "macros", "macros2",
  "math_ext", "parse", "plumbing", "string", "string_ext", "timestamps", "optionals", "encoders_ext", "bindings_ext",
];

/** Pass rate: 1394/1563 = 89.19 % when this runner was first run against the real pipeline;
 *  +19 once unchecked tests that Cerbos's type checker refuses count as agreeing; +56 with the
 *  bit, base64, quote, map-insert and sort builtins; +9 with RE2 matches(); +9 with the host's
 *  number digits, correctly rounded parsing and IANA zones: 1486/1563 = 95.1 %. It may only go up. */
const PASS_RATE_FLOOR = 95.0;

// ---- the raw proto-JSON shape of cel.expr.conformance.test.SimpleTest -----------------------

interface PJValue {
  nullValue?: null;
  boolValue?: boolean;
  int64Value?: string;
  uint64Value?: string;
  doubleValue?: number | string;
  stringValue?: string;
  bytesValue?: string;
  listValue?: { values?: PJValue[] };
  mapValue?: { entries?: Array<{ key: PJValue; value: PJValue }> };
  typeValue?: string;
  objectValue?: unknown;
}
interface RawTest {
  name: string;
  expr: string;
  value?: PJValue;
  evalError?: unknown;
  anyEvalErrors?: unknown;
  bindings?: Record<string, { value?: PJValue }>;
  typeEnv?: unknown;
  container?: string;
  disableCheck?: boolean;
  checkOnly?: boolean;
  typedResult?: unknown;
}
interface RawSuite {
  name: string;
  suites?: RawSuite[];
  tests?: Array<{ original: unknown }>;
}

export interface SelectedTest {
  id: string; // file/section/name
  file: string;
  test: RawTest;
}

/** The selection of cel.md §3: drop proto (TestAllTypes, google.protobuf types, containers,
 *  object values), check-only and backtick-field tests. */
export function selectTests(): SelectedTest[] {
  const out: SelectedTest[] = [];
  const root = tests as unknown as RawSuite;
  const seen = new Map<string, number>();
  for (const file of root.suites ?? []) {
    if (!FILES.includes(file.name)) continue;
    for (const section of file.suites ?? []) {
      for (const t of section.tests ?? []) {
        const o = t.original as RawTest;
        const json = JSON.stringify(o);
        if (o.container || o.checkOnly || o.typedResult) continue;
        if (json.includes("TestAllTypes") || /google\.protobuf\.\w+\s*\{/.test(o.expr)) continue;
        if (json.includes("objectValue") && !/google\.protobuf\.(Duration|Timestamp)"/.test(json)) continue;
        if (o.expr.includes("`")) continue;
        // a few sections repeat a test name: later ones get "#2", "#3"…
        const base = `${file.name}/${section.name}/${o.name}`;
        const n = (seen.get(base) ?? 0) + 1;
        seen.set(base, n);
        out.push({ id: n === 1 ? base : `${base}#${n}`, file: file.name, test: o });
      }
    }
  }
  return out;
}

function fromProtoJson(v: PJValue): CelValue {
  if ("nullValue" in v) return { type: "null", value: null };
  if (v.boolValue !== undefined) return { type: "bool", value: v.boolValue };
  if (v.int64Value !== undefined) return { type: "int", value: BigInt(v.int64Value) };
  if (v.uint64Value !== undefined) return { type: "uint", value: BigInt(v.uint64Value) };
  if (v.doubleValue !== undefined) return { type: "double", value: Number(v.doubleValue) };
  if (v.stringValue !== undefined) return { type: "string", value: v.stringValue };
  if (v.bytesValue !== undefined) return { type: "bytes", value: Uint8Array.from(Buffer.from(v.bytesValue, "base64")) };
  if (v.listValue) return { type: "list", value: (v.listValue.values ?? []).map(fromProtoJson) };
  if (v.mapValue) {
    return { type: "map", value: (v.mapValue.entries ?? []).map((e) => [fromProtoJson(e.key), fromProtoJson(e.value)] as [CelValue, CelValue]) };
  }
  if (v.typeValue !== undefined) return { type: "type", value: v.typeValue };
  const obj = v.objectValue as { "@type"?: string; value?: string } | undefined;
  if (obj?.["@type"]?.endsWith("google.protobuf.Duration") && typeof obj.value === "string") {
    const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(obj.value);
    if (m) {
      const sign = m[1] ? -1 : 1;
      return { type: "duration", value: { seconds: BigInt(sign) * BigInt(m[2]!), nanos: sign * Number((m[3] ?? "").padEnd(9, "0")) } };
    }
  }
  if (obj?.["@type"]?.endsWith("google.protobuf.Timestamp") && typeof obj.value === "string") {
    const ms = Date.parse(obj.value);
    const nanos = Number((/\.(\d{1,9})/.exec(obj.value)?.[1] ?? "").padEnd(9, "0"));
    return { type: "timestamp", value: { seconds: BigInt(Math.floor(ms / 1000)), nanos } };
  }
  // proto-JSON omits default scalars: {} is never produced by the selection, so this is a bug
  throw new Error(`unsupported expected value ${JSON.stringify(v)}`);
}

// ---- host decode projection (what Cerbos would put in an output: google.protobuf.Value) ----

/** The JSON the host should produce for `v`, or undefined where Cerbos has no JSON form
 *  (non-string map keys, non-finite doubles, types, optionals). */
function expectedJson(v: CelValue): unknown {
  switch (v.type) {
    case "null":
    case "bool":
    case "string":
      return v.value;
    case "int":
    case "uint": // cel-go: JSON numbers only within ±(2^53 − 1), decimal strings beyond
      return BigInt(v.value) <= 9007199254740991n && BigInt(v.value) >= -9007199254740991n ? Number(v.value) : String(v.value);
    case "double":
      return Number.isFinite(v.value) ? v.value : undefined;
    case "bytes":
      return Buffer.from(v.value).toString("base64");
    case "list": {
      const items = v.value.map(expectedJson);
      return items.includes(undefined) ? undefined : items;
    }
    case "map": {
      const out: Record<string, unknown> = {};
      for (const [k, x] of v.value) {
        const j = expectedJson(x);
        if (k.type !== "string" || j === undefined) return undefined;
        out[k.value] = j;
      }
      return out;
    }
    // As cel-go's string(): RFC3339Nano (fraction without trailing zeros) and the seconds as
    // Go's FormatFloat(d.Seconds(), 'f', -1) — what Cerbos 0.55 returned in the function
    // differential (test/conformance/functions-differential.test.ts).
    case "timestamp": {
      const iso = new Date(Number(v.value.seconds) * 1000).toISOString().slice(0, 19);
      return `${iso}${frac(v.value.nanos).replace(/\.?0+$/, "")}Z`;
    }
    case "duration": {
      const x = Number(v.value.seconds) + v.value.nanos / 1e9;
      return String(x).includes("e") ? undefined : `${x}s`;
    }
    default:
      return undefined;
  }
}
/** JSON text with object keys sorted (map order is not significant). */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "undefined";
}
function frac(n: number): string {
  if (n === 0) return "";
  const s = String(n).padStart(9, "0");
  return "." + (n % 1e6 === 0 ? s.slice(0, 3) : n % 1e3 === 0 ? s.slice(0, 6) : s);
}

// ---- running ---------------------------------------------------------------------------------

export interface Result {
  id: string;
  file: string;
  expr: string;
  pass: boolean;
  expected: string;
  got: string;
  /** compile | abi | value | error-expected */
  stage: "compile" | "abi" | "eval";
  outcome?: EvalOutcome;
  decodeMismatch?: string;
  /** an unchecked test (disableCheck) that Verdict refuses at compile time: it passes only if the
   *  real Cerbos compiler refuses the expression too (Cerbos type-checks every expression) */
  refusedUnchecked?: boolean;
}

export function runTest(h: CelHarness, s: SelectedTest): Result {
  const t = s.test;
  const expectError = t.evalError !== undefined || t.anyEvalErrors !== undefined;
  const want: CelValue | undefined = expectError ? undefined : t.value ? fromProtoJson(t.value) : { type: "bool", value: true };
  const expected = want ? showValue(want) : "an error";
  const bindings: Record<string, CelValue> = {};
  for (const [k, b] of Object.entries(t.bindings ?? {})) if (b.value) bindings[k] = fromProtoJson(b.value);
  let outcome: EvalOutcome;
  try {
    outcome = h.evaluate(t.expr, bindings);
  } catch (e) {
    outcome = { kind: "abi-error", message: `harness threw: ${e instanceof Error ? e.message : String(e)}`, rewritten: t.expr };
  }
  const base = { id: s.id, file: s.file, expr: t.expr, expected, outcome };
  if (outcome.kind === "compile-error") {
    const refusedUnchecked = !expectError && t.disableCheck === true && !t.bindings;
    return { ...base, stage: "compile", pass: expectError, got: `compile error: ${outcome.message}`, ...(refusedUnchecked ? { refusedUnchecked } : {}) };
  }
  if (outcome.kind === "abi-error") return { ...base, stage: "abi", pass: false, got: outcome.message };
  const got = showValue(outcome.value);
  if (!want) return { ...base, stage: "eval", pass: outcome.value.type === "error", got };
  const pass = sameValue(outcome.value, want);
  let decodeMismatch: string | undefined;
  if (pass) {
    const ej = expectedJson(want);
    if (ej !== undefined && canonicalJson(ej) !== canonicalJson(outcome.hostJson)) {
      decodeMismatch = `host decoded ${JSON.stringify(outcome.hostJson)}, expected ${JSON.stringify(ej)}`;
    }
  }
  return { ...base, stage: "eval", pass, got, decodeMismatch };
}

describe("cel-spec conformance (authorization subset)", () => {
  const selected = selectTests();
  let results: Result[] = [];

  it("selects the authorization-relevant tests", () => {
    expect(selected.length).toBeGreaterThan(1500);
    expect(new Set(selected.map((s) => s.id)).size).toBe(selected.length);
  });

  it("runs every selected test through compiler + wasm", () => {
    const h = CelHarness.create();
    results = selected.map((s) => runTest(h, s));
    // One `cerbos compile` run answers for every unchecked test Verdict refuses at compile time.
    const refused = results.filter((r) => r.refusedUnchecked);
    const verdicts = cerbosCompileConditions(refused.map((r) => r.expr));
    refused.forEach((r, i) => {
      r.pass = verdicts[i] !== undefined;
      r.got += verdicts[i] !== undefined ? ` (Cerbos refuses it too: ${verdicts[i]})` : " (but real Cerbos accepts it)";
    });
    expect(refused.filter((r) => r.pass).length).toBeGreaterThan(0);
    const perFile = new Map<string, { pass: number; fail: number; skipped: number }>();
    for (const r of results) {
      const c = perFile.get(r.file) ?? { pass: 0, fail: 0, skipped: 0 };
      if (r.pass) c.pass++;
      else if (Object.hasOwn(CEL_SPEC_SKIPS, r.id)) c.skipped++;
      else c.fail++;
      perFile.set(r.file, c);
    }
    const passed = results.filter((r) => r.pass).length;
    const rate = (100 * passed) / results.length;
    const lines = [...perFile].map(([f, c]) => `  ${f.padEnd(14)} pass ${String(c.pass).padStart(4)}  fail ${String(c.skipped + c.fail).padStart(4)}` +
      (c.fail ? `  (${c.fail} not in skip list)` : ""));
    console.log(`cel-spec: ${passed}/${results.length} passed (${rate.toFixed(1)} %)\n${lines.join("\n")}`);

    const unlisted = results.filter((r) => !r.pass && !Object.hasOwn(CEL_SPEC_SKIPS, r.id));
    const prunable = results.filter((r) => r.pass && Object.hasOwn(CEL_SPEC_SKIPS, r.id));
    if (prunable.length) console.warn(`cel-spec: ${prunable.length} skip-listed tests now pass — prune them from cel-spec-skips.ts:\n` +
      prunable.map((r) => `  ${JSON.stringify(r.id)}`).join("\n"));
    if (process.env.CEL_SPEC_DUMP) {
      // one JSON line per failure, for tooling that (re)builds the skip list
      for (const r of results.filter((x) => !x.pass)) console.log(`FAILJSON ${JSON.stringify({ id: r.id, expr: r.expr, want: r.expected, got: r.got })}`);
    }
    expect(unlisted.map((r) => `${r.id}: ${r.expr} — want ${r.expected}, got ${r.got}`)).toEqual([]);
    expect(rate).toBeGreaterThanOrEqual(PASS_RATE_FLOOR);
  });

  it("every skip entry names a selected test and gives a reason", () => {
    const ids = new Set(selected.map((s) => s.id));
    const decodeIds = new Set(selected.map((s) => `decode:${s.id}`));
    // "cel_eval/…" entries belong to cel-eval.test.ts, which checks them against its corpus
    const stale = Object.keys(CEL_SPEC_SKIPS).filter((k) => !ids.has(k) && !decodeIds.has(k) && !k.startsWith("cel_eval/"));
    expect(stale).toEqual([]);
    const noReason = Object.entries(CEL_SPEC_SKIPS).filter(([, why]) => why.trim().length < 10 || why.includes("\n"));
    expect(noReason).toEqual([]);
  });

  it("the host decoder (host/common) renders passing values as Cerbos outputs would", () => {
    expect(results.length).toBe(selected.length);
    const bad = results.filter((r) => r.decodeMismatch && !Object.hasOwn(CEL_SPEC_SKIPS, `decode:${r.id}`));
    const prunable = results.filter((r) => !r.decodeMismatch && r.pass && Object.hasOwn(CEL_SPEC_SKIPS, `decode:${r.id}`));
    if (prunable.length) console.warn(`cel-spec: ${prunable.length} decode skips now pass:\n${prunable.map((r) => `  decode:${r.id}`).join("\n")}`);
    expect(bad.map((r) => `${r.id}: ${r.expr} — ${r.decodeMismatch}`)).toEqual([]);
  });
});
