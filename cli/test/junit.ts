// JUnit XML of TestResults in the layout Cerbos produces (Go encoding/xml, two-space indent):
// suites with error/skip markers, one <testcase> per action, outputs as CDATA.
import type { TestResults } from "./types.ts";
import { sortKeys } from "./values.ts";

interface El {
  name: string;
  attrs: Array<[string, string]>;
  children: El[];
  text?: string;
  cdata?: string;
}

const el = (name: string, attrs: Array<[string, string]> = [], children: El[] = [], text?: string): El => ({ name, attrs, children, text });

// Go's xml escaping (also applied to attribute values): quotes and control whitespace become
// numeric references.
function esc(s: string): string {
  return s.replace(/[&<>"'\t\n\r]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;", "\t": "&#x9;", "\n": "&#xA;", "\r": "&#xD;" })[c]!);
}

function render(e: El, depth: number, out: string[]): void {
  const pad = "  ".repeat(depth);
  const attrs = e.attrs.map(([k, v]) => ` ${k}="${esc(v)}"`).join("");
  if (e.children.length === 0) {
    const body = e.cdata !== undefined ? (e.cdata === "" ? "" : `<![CDATA[${e.cdata.replaceAll("]]>", "]]]]><![CDATA[>")}]]>`) : esc(e.text ?? "");
    out.push(`${pad}<${e.name}${attrs}>${body}</${e.name}>`);
    return;
  }
  out.push(`${pad}<${e.name}${attrs}>`);
  for (const c of e.children) render(c, depth + 1, out);
  out.push(`${pad}</${e.name}>`);
}

const value = (v: unknown) => JSON.stringify(sortKeys(v ?? null));
const OUTPUT_ERROR = "Failed to evaluate output expression: ";

function output(src: string, expected: string | undefined, actual: string | undefined): El {
  const ex = el("expected");
  ex.cdata = expected ?? "";
  const ac = el("actual");
  ac.cdata = actual ?? "";
  return el("output", [["src", src]], [ex, ac]);
}

export function buildJUnit(results: TestResults, verbose: boolean): string {
  let errors = 0;
  let skipped = 0;
  let failures = 0;
  const suites: El[] = [];
  for (const s of results.suites) {
    const sum = { errors: 0, failures: 0, skipped: 0 };
    const children: El[] = [];
    const cases: El[] = [];
    if (s.summary.overallResult === "RESULT_ERRORED") {
      children.push(el("error", [["type", "RESULT_ERRORED"]], [], s.error ?? ""));
      sum.errors++;
      errors++;
    } else if (s.summary.overallResult === "RESULT_SKIPPED") {
      if (verbose) children.push(el("skipped", [["message", "This test suite was skipped"]]));
      sum.skipped++;
      skipped++;
    } else {
      for (const tc of s.testCases)
        for (const p of tc.principals)
          for (const r of p.resources)
            for (const a of r.actions) {
              const kids: El[] = [];
              const d = a.details;
              if (d.result === "RESULT_ERRORED") {
                kids.push(el("error", [["type", d.result]], [], d.error ?? ""));
                sum.errors++;
              } else if (d.result === "RESULT_FAILED") {
                if (d.failure) {
                  const fk: El[] = [];
                  let message = "Effect expectation unsatisfied";
                  if (d.failure.outputs?.length) {
                    message = "Output expectation unsatisfied";
                    fk.push(
                      el(
                        "outputs",
                        [],
                        d.failure.outputs.map((o) =>
                          o.errored
                            ? output(o.src, value(o.errored.expected), OUTPUT_ERROR + o.errored.error)
                            : o.mismatched
                              ? output(o.src, value(o.mismatched.expected), value(o.mismatched.actual))
                              : o.missing
                                ? output(o.src, value(o.missing.expected), undefined)
                                : output(o.src, undefined, undefined),
                        ),
                      ),
                    );
                  }
                  fk.push(el("actual", [], [], d.failure.actual), el("expected", [], [], d.failure.expected));
                  kids.push(el("failure", [["type", d.result], ["message", message]], fk));
                }
                sum.failures++;
              } else if (d.result === "RESULT_PASSED") {
                if (d.success) {
                  const sk: El[] = [];
                  if (d.success.outputs?.length)
                    sk.push(el("outputs", [], d.success.outputs.map((o) => output(o.src, value(o.val), o.error ? OUTPUT_ERROR + o.error : value(o.val)))));
                  sk.push(el("actual", [], [], d.success.effect), el("expected", [], [], d.success.effect));
                  kids.push(el("success", [["type", d.result]], sk));
                }
              } else {
                sum.skipped++;
                kids.push(el("skipped", [["message", "This test was skipped"]]));
              }
              const props = el("properties", [], [el("property", [["name", "principal"]], [], p.name), el("property", [["name", "resource"]], [], r.name), el("property", [["name", "action"]], [], a.name)]);
              kids.push(props);
              cases.push(el("testcase", [["file", s.file], ["classname", `${p.name}.${r.name}.${a.name}`], ["name", tc.name]], kids));
            }
    }
    const attrs: Array<[string, string]> = [];
    if (s.description) attrs.push(["description", s.description]);
    attrs.push(["name", s.name], ["file", s.file], ["errors", String(sum.errors)], ["failures", String(sum.failures)], ["skipped", String(sum.skipped)], ["tests", String(s.summary.testsCount)]);
    suites.push(el("testsuite", attrs, [...children, el("properties"), ...cases]));
  }
  for (const t of results.summary.resultCounts) {
    if (t.result === "RESULT_ERRORED") errors += t.count;
    else if (t.result === "RESULT_FAILED") failures = t.count;
    else if (t.result === "RESULT_SKIPPED") skipped += t.count;
  }
  const root = el(
    "testsuites",
    [["errors", String(errors)], ["failures", String(failures)], ["skipped", String(skipped)], ["tests", String(results.summary.testsCount)]],
    suites,
  );
  const out: string[] = [];
  render(root, 0, out);
  return out.join("\n");
}
