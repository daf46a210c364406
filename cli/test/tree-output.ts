// Human-readable output: Cerbos's result tree (same nodes, labels and box drawing as
// `cerbos compile`), the summary line, then one plain sentence per failure so a reader does not
// have to decode the tree.
import { SKIP, isFilterSkipReason } from "./filter.ts";
import type { ActionResult, Result, SuiteResult, Tally, TestResults } from "./types.ts";
import { sortKeys } from "./values.ts";

const LABEL: Record<string, string> = { RESULT_PASSED: "OK", RESULT_SKIPPED: "SKIPPED", RESULT_FAILED: "FAILED", RESULT_ERRORED: "ERROR" };
const tally = (t: Tally) => `[${t.count} ${LABEL[t.result]}]`;
const label = (r: Result) => `[${LABEL[r]}]`;
// Cerbos prints values with Go protojson's single-line form, which puts a space after commas.
const oneLine = (v: unknown) => JSON.stringify(sortKeys(v ?? null)).replace(/,(?=["{[\d-tfn])/g, ", ");

interface Item {
  level: number;
  text: string;
}

function shown(a: ActionResult, verbose: boolean): boolean {
  if (a.details.result === "RESULT_PASSED") return verbose;
  if (a.details.result === "RESULT_SKIPPED") return a.details.skipReason !== SKIP.name && !isFilterSkipReason(a.details.skipReason);
  return true;
}

function suiteItems(s: SuiteResult, verbose: boolean, items: Item[]): void {
  const head = `${s.name} (${s.file})`;
  if (s.error) {
    items.push({ level: 0, text: `${head} ${label("RESULT_ERRORED")}` }, { level: 1, text: s.error });
    return;
  }
  if (s.summary.overallResult === "RESULT_SKIPPED") {
    const onlyFiltered = s.testCases.every((tc) =>
      tc.principals.every((p) => p.resources.every((r) => r.actions.every((a) => a.details.result !== "RESULT_SKIPPED" || a.details.skipReason === SKIP.name || isFilterSkipReason(a.details.skipReason)))),
    );
    if (!onlyFiltered) items.push({ level: 0, text: `${head} ${label("RESULT_SKIPPED")}` });
    return;
  }
  items.push({ level: 0, text: [head, ...s.summary.resultCounts.map(tally)].join(" ") });
  for (const tc of s.testCases) {
    if (!tc.principals.some((p) => p.resources.some((r) => r.actions.some((a) => shown(a, verbose))))) continue;
    items.push({ level: 1, text: tc.name });
    for (const p of tc.principals) {
      if (!p.resources.some((r) => r.actions.some((a) => shown(a, verbose)))) continue;
      items.push({ level: 2, text: p.name });
      for (const r of p.resources) {
        if (!r.actions.some((a) => shown(a, verbose))) continue;
        items.push({ level: 3, text: r.name });
        for (const a of r.actions) if (shown(a, verbose)) actionItems(a, verbose, items);
      }
    }
  }
}

function actionItems(a: ActionResult, verbose: boolean, items: Item[]): void {
  const d = a.details;
  items.push({ level: 4, text: `${a.name} ${label(d.result)}` });
  if (d.result === "RESULT_FAILED" && d.failure) {
    if (d.failure.outputs?.length) {
      items.push({ level: 5, text: "OUTCOME: output expectation unsatisfied" });
      for (const o of d.failure.outputs) {
        items.push({ level: 6, text: o.src });
        if (o.errored) items.push({ level: 7, text: `EXPECTED: ${oneLine(o.errored.expected)}` }, { level: 7, text: `ACTUAL: ERROR: ${o.errored.error}` });
        else if (o.mismatched) items.push({ level: 7, text: `EXPECTED: ${oneLine(o.mismatched.expected)}` }, { level: 7, text: `ACTUAL: ${oneLine(o.mismatched.actual)}` });
        else if (o.missing) items.push({ level: 7, text: `EXPECTED: ${oneLine(o.missing.expected)}` }, { level: 7, text: "ACTUAL: MISSING" });
      }
    } else items.push({ level: 5, text: `OUTCOME: expected: ${d.failure.expected}, actual: ${d.failure.actual}` });
  } else if (d.result === "RESULT_ERRORED") items.push({ level: 5, text: `ERROR: ${d.error ?? ""}` });
  else if (verbose && d.success) {
    items.push({ level: 5, text: `RESULT: ${d.success.effect}` });
    const outputs = [...(d.success.outputs ?? [])].sort((x, y) => (x.src < y.src ? -1 : x.src > y.src ? 1 : 0));
    if (outputs.length > 0) {
      items.push({ level: 5, text: "OUTPUTS:" });
      for (const o of outputs) items.push({ level: 6, text: o.src }, { level: 7, text: o.error ? `ERROR: ${o.error}` : oneLine(o.val) });
    }
  }
}

// Box-drawing layout of a levelled list (each item is a child of the nearest preceding item with
// a lower level), as pterm draws it.
function drawTree(items: Item[]): string[] {
  const lines: string[] = [];
  const draw = (start: number, end: number, prefix: string) => {
    const level = items[start]?.level;
    const siblings: number[] = [];
    for (let i = start; i < end; i++) if (items[i].level === level) siblings.push(i);
    siblings.forEach((idx, n) => {
      const last = n === siblings.length - 1;
      const next = n + 1 < siblings.length ? siblings[n + 1] : end;
      const hasChildren = next > idx + 1;
      lines.push(`${prefix}${last ? "└" : "├"}─${hasChildren ? "┬" : "─"}${items[idx].text}`);
      if (hasChildren) draw(idx + 1, next, prefix + (last ? "  " : "│ "));
    });
  };
  if (items.length > 0) draw(0, items.length, "");
  return lines;
}

function gerund(action: string): string | undefined {
  if (!/^[a-z]+$/.test(action)) return undefined;
  if (action.endsWith("e") && !action.endsWith("ee")) return `${action.slice(0, -1)}ing`;
  return `${action}ing`;
}

// Which VD5xxx code a suite-level error belongs to (the text itself stays Cerbos's).
function suiteErrorCode(error: string): string {
  if (error.startsWith("failed to load test suite")) return "VD5001";
  if (error.startsWith("failed to load test fixtures")) return "VD5002";
  return "VD5003";
}

/** One sentence per failed or errored action, e.g. `bob reading doc1: expected DENY, got ALLOW`. */
export function failureLines(results: TestResults): string[] {
  const lines: string[] = [];
  const short = (e: string) => e.replace(/^EFFECT_/, "");
  for (const s of results.suites) {
    if (s.error) {
      lines.push(`${s.file}: error[${suiteErrorCode(s.error)}]: ${s.error.split("\n").join("; ")}`);
      continue;
    }
    for (const tc of s.testCases)
      for (const p of tc.principals)
        for (const r of p.resources)
          for (const a of r.actions) {
            const d = a.details;
            const g = gerund(a.name);
            const who = g ? `${p.name} ${g} ${r.name}` : `${p.name} doing "${a.name}" on ${r.name}`;
            const where = `[${s.name} › ${tc.name}]`;
            if (d.result === "RESULT_FAILED" && d.failure) {
              if (d.failure.outputs?.length)
                for (const o of d.failure.outputs) {
                  const why = o.missing ? "missing" : o.errored ? `error: ${o.errored.error}` : `got ${oneLine(o.mismatched?.actual)}`;
                  const exp = o.missing?.expected ?? o.errored?.expected ?? o.mismatched?.expected;
                  lines.push(`${who}: output ${o.src} expected ${oneLine(exp)}, ${why} ${where}`);
                }
              else lines.push(`${who}: expected ${short(d.failure.expected)}, got ${short(d.failure.actual)} ${where}`);
            } else if (d.result === "RESULT_ERRORED") lines.push(`${who}: error: ${d.error ?? ""} ${where}`);
          }
  }
  return lines;
}

/** `tree` draws box lines like `cerbos compile`; `list` (Cerbos's `-o list`) only indents. */
export function renderTree(results: TestResults, verbose: boolean, style: "tree" | "list" = "tree"): string {
  const items: Item[] = [];
  for (const s of results.suites) suiteItems(s, verbose, items);
  const body = style === "tree" ? drawTree(items) : items.map((i) => `${"  ".repeat(i.level)}${i.text}`);
  const out = ["Test results", ...body, ""];
  out.push([`${results.summary.testsCount} tests executed`, ...results.summary.resultCounts.map(tally)].join(" "));
  const failures = failureLines(results);
  if (failures.length > 0) out.push("", "Failures:", ...failures.map((l) => `  ${l}`));
  return out.join("\n") + "\n";
}
