// Framework-agnostic UI gating. Mark elements with what they need:
//   <button data-verdict-resource="expense" data-verdict-id="E1" data-verdict-action="delete"
//           data-verdict-attr='{"ownerId":"bob"}' data-verdict-mode="disable">Delete</button>
// `bindGates` checks every marked element under `root` in ONE evaluator call and hides them
// (mode "hide", the default: `hidden`) or disables them (mode "disable": `disabled` +
// aria-disabled). It re-applies when the ruleset is swapped and when the principal changes.
// Each element also gets data-verdict-allowed="true|false" for CSS and tests. A malformed
// data-verdict-attr denies (fail closed). Client-side gating is advisory: enforce on the server.
import type { AuxData, Principal, Resource, Verdict } from "../browser/index.ts";

export const GATE_SELECTOR = "[data-verdict-action]";

export interface GateOptions {
  principal: Principal;
  root?: ParentNode;
  auxData?: AuxData;
  /** Default for elements without data-verdict-mode. */
  mode?: "hide" | "disable";
}

export interface Gates {
  setPrincipal(principal: Principal): void;
  /** Re-scans `root` and re-applies (call after adding marked elements). */
  apply(): void;
  dispose(): void;
}

function readResource(el: HTMLElement): Resource | undefined {
  const d = el.dataset;
  const kind = d.verdictResource;
  if (!kind) return undefined;
  const r: Resource = { kind, id: d.verdictId || "_" };
  if (d.verdictAttr) {
    try {
      const attr: unknown = JSON.parse(d.verdictAttr);
      if (typeof attr !== "object" || attr === null || Array.isArray(attr)) return undefined;
      r.attr = attr as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  if (d.verdictScope) r.scope = d.verdictScope;
  if (d.verdictPolicyVersion) r.policyVersion = d.verdictPolicyVersion;
  return r;
}

function show(el: HTMLElement, allowed: boolean, mode: string): void {
  el.dataset.verdictAllowed = String(allowed);
  if (mode === "disable") {
    (el as HTMLButtonElement).disabled = !allowed;
    el.setAttribute("aria-disabled", String(!allowed));
  } else {
    el.hidden = !allowed;
  }
}

export function bindGates(verdict: Verdict, opts: GateOptions): Gates {
  let principal = opts.principal;
  const root = opts.root ?? document;
  const apply = (): void => {
    const els = Array.from(root.querySelectorAll<HTMLElement>(GATE_SELECTOR));
    const checks: Array<{ resource: Resource; actions: string[] }> = [];
    const at: number[] = [];
    for (const el of els) {
      const r = readResource(el);
      at.push(r ? checks.push({ resource: r, actions: [el.dataset.verdictAction!] }) - 1 : -1);
    }
    let d: Array<Record<string, boolean>> = [];
    try {
      d = verdict.check(principal, checks, opts.auxData);
    } catch (e) {
      console.error("verdict: gating check failed, denying", e); // fail closed
    }
    els.forEach((el, i) => {
      const j = at[i]!;
      show(el, j >= 0 && d[j]?.[el.dataset.verdictAction!] === true, el.dataset.verdictMode ?? opts.mode ?? "hide");
    });
  };
  const off = verdict.subscribe(apply);
  apply();
  return {
    setPrincipal(p) {
      principal = p;
      apply();
    },
    apply,
    dispose: off,
  };
}
