// TEMPORARY test entry for the VM (test/wasm/vm*.test.ts) until assembly/index.ts exports
// `eval_expr`. It has its own minimal section reader (no validation: tests write valid
// rulesets) with the same CONSTS relocation as loader.ts, and lets tests set the request.
import { halloc, hfree } from "./heap";
import { HEADER_SIZE, H_SECTION_COUNT, SECTION_ENTRY_SIZE, Section, Tag, CL_A, CL_B, CL_C, NONE } from "../spec/format";
import { setSections } from "./ruleset";
import { setRequest, setVarValues, setRuntimeEdr, setConfig } from "./context";
import { evalExpr, arenaReset } from "./vm";

export function alloc(n: usize): usize { return halloc(n); }
export function free(p: usize): void { hfree(p); }

const secs: usize = memory.data(16 * 8);

export function load_ruleset(p: usize, len: u32): i32 {
  memory.fill(secs, 0, 16 * 8);
  const n = load<u32>(p, H_SECTION_COUNT);
  for (let i: u32 = 0; i < n; i++) {
    const e = p + HEADER_SIZE + <usize>i * SECTION_ENTRY_SIZE;
    const id = load<u32>(e);
    if (id < 16) { store<u32>(secs + (<usize>id << 3), <u32>(p + <usize>load<u32>(e, 4))); store<u32>(secs + (<usize>id << 3), load<u32>(e, 8), 4); }
  }
  const sp = sec(Section.STRINGS), cp = sec(Section.CONSTS), ep = sec(Section.EXPRS), vp = sec(Section.VARS);
  const nS = sp ? load<u32>(sp) : 0, nC = cp ? load<u32>(cp) : 0, nE = ep ? load<u32>(ep) : 0, nV = vp ? load<u32>(vp) : 0;
  const sIndex = sp + 4, sBlob = sp + 4 + (<usize>nS << 3), cells = cp + 16;
  for (let i: u32 = 0; i < nC; i++) {
    const cl = cells + (<usize>i << 4);
    const t = <u32>load<u8>(cl);
    if (t == Tag.STRING || t == Tag.BYTES || t == Tag.REGEX) {
      const sid = load<u32>(cl + CL_B);
      store<u32>(cl + CL_A, load<u32>(sIndex + (<usize>sid << 3), 4));
      store<u32>(cl + CL_B, <u32>(sBlob + <usize>load<u32>(sIndex + (<usize>sid << 3))));
      store<u32>(cl + CL_C, t == Tag.STRING ? sid : NONE);
    } else if (t == Tag.LIST || t == Tag.MAP) {
      store<u32>(cl + CL_B, <u32>(cells + (<usize>load<u32>(cl + CL_B) << 4)));
      store<u32>(cl + CL_C, 0);
    }
  }
  setSections(p, len, nS, sIndex, sBlob, nC, cells, sec(Section.CODE), secLen(Section.CODE),
    nE, ep + 4, nV, vp + 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  return 0;
}
function sec(id: i32): usize { return <usize>load<u32>(secs + (<usize>id << 3)); }
function secLen(id: i32): u32 { return load<u32>(secs + (<usize>id << 3), 4); }

/** Request context for the next evaluations (0s for an empty request). */
export function set_request(req: usize, principal: usize, resource: usize, edr: usize, vars: usize, config: usize): void {
  setRequest(req, principal, resource);
  setRuntimeEdr(edr);
  setVarValues(vars);
  setConfig(config);
}

/** Starts a new check (resets the arena and the step budget). */
export function reset(): void { arenaReset(); }

export function eval_expr(i: u32): usize { return evalExpr(i); }
