// Ruleset fuzzing at the ABI: mutate a compiled ruleset, hand it to the evaluator's `load`, and
// when it is accepted, decide a fixed set of requests with it. Properties checked per case:
//  1. nothing traps (WebAssembly.RuntimeError) and the host never throws anything but its own
//     clear errors (RulesetLoadError-style refusals of the strings table);
//  2. a refusal is a Status code (the "clear error");
//  3. mutations confined to non-decision bytes (expression source text, the INTEGRITY body) decide
//     exactly as the unmutated ruleset — a differing ALLOW there is a false allow;
//  4. signed mode: every mutation of a signed ruleset is refused by the verifier (no mutated bytes
//     ever reach the evaluator when a key is configured).
// Other mutations that still load may legitimately decide differently: they are counted, not failed.
import { CHECKSUM_FROM, EXPR_SIZE, EX_SOURCE, HEADER_SIZE, H_CHECKSUM, H_LENGTH, H_MAJOR, H_MINOR, H_SECTION_COUNT, SECTION_ENTRY_SIZE, Section, Status } from "../../../spec/format.ts";
import { Abi, instantiateEvaluator } from "../../../host/common/abi.ts";
import { configure, writeConfig } from "../../../host/common/config.ts";
import { decodeResponse } from "../../../host/common/decode-response.ts";
import { RequestEncoder } from "../../../host/common/encode-request.ts";
import { readRulesetIndex } from "../../../host/common/ruleset-strings.ts";
import { verifyRulesetWith, type SyncCrypto } from "../../../host/common/integrity/verify.ts";
import { readIntegrity } from "../../../host/common/integrity/layout.ts";
import type { CheckInput } from "../../../host/common/types.ts";
import { type Finding, Rng } from "./rng.ts";

const fnv = (b: Uint8Array): number => {
  let h = 0x811c9dc5;
  for (let i = CHECKSUM_FROM; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193) >>> 0;
  return h;
};
const fix = (b: Uint8Array, length = true): Uint8Array => {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (length && b.length >= 16) dv.setUint32(H_LENGTH, b.length, true);
  if (b.length >= 16) dv.setUint32(H_CHECKSUM, fnv(b), true);
  return b;
};

export interface RulesetFuzzStats {
  cases: number;
  refused: Record<string, number>;
  hostRefused: number;
  loaded: number;
  checks: number;
  nonDecisionCases: number;
  differingDecisions: number;
  signedCases: number;
  findings: Finding[];
}

interface Layout {
  sections: Array<{ id: number; off: number; len: number; entry: number }>;
  /** Byte ranges whose content no decision depends on. */
  inert: Array<[number, number]>;
}

function layout(b: Uint8Array): Layout {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = dv.getUint32(H_SECTION_COUNT, true);
  const sections: Layout["sections"] = [];
  for (let i = 0; i < n; i++) {
    const e = HEADER_SIZE + i * SECTION_ENTRY_SIZE;
    sections.push({ id: dv.getUint32(e, true), off: dv.getUint32(e + 4, true), len: dv.getUint32(e + 8, true), entry: e });
  }
  const sec = (id: number) => sections.find((s) => s.id === id)!;
  const S = sec(Section.STRINGS), E = sec(Section.EXPRS);
  const nStrings = dv.getUint32(S.off, true);
  const blob = S.off + 4 + nStrings * 8;
  const inert: Array<[number, number]> = [];
  const nExprs = dv.getUint32(E.off, true);
  for (let i = 0; i < nExprs; i++) {
    const sid = dv.getUint32(E.off + 4 + i * EXPR_SIZE + EX_SOURCE, true);
    if (sid >= nStrings) continue;
    const o = dv.getUint32(S.off + 4 + sid * 8, true), l = dv.getUint32(S.off + 8 + sid * 8, true);
    if (l > 0) inert.push([blob + o, blob + o + l]);
  }
  const I = sections.find((s) => s.id === Section.INTEGRITY);
  if (I) inert.push([I.off, I.off + I.len]);
  return { sections, inert };
}

type Decisions = string[];

export class RulesetFuzzer {
  private abi!: Abi;
  private cfgPtr = 0;
  private encoder: RequestEncoder | undefined;
  private readonly lay: Layout;
  private baseline: Decisions = [];

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly base: Uint8Array,
    private readonly requests: CheckInput[],
    private readonly signed?: { bytes: Uint8Array; publicKey: Uint8Array; crypto: SyncCrypto },
  ) {
    this.lay = layout(base);
    this.fresh();
    const b = this.decideWith(base.slice());
    if (typeof b === "string") throw new Error(`base ruleset does not load: ${b}`);
    this.baseline = b;
  }

  private fresh(): void {
    this.abi = instantiateEvaluator(this.module);
    this.cfgPtr = 0;
    this.encoder = undefined;
  }

  /** Loads `bytes` and decides every request; a string is the refusal. Throws what escaped. */
  private decideWith(bytes: Uint8Array): Decisions | string {
    const abi = this.abi;
    const p = abi.copyIn(bytes);
    const st = abi.ex.load(p, bytes.length);
    if (st !== Status.OK) {
      abi.free(p);
      return Status[st] ?? `status ${st}`;
    }
    this.encoder?.dispose();
    this.encoder = undefined;
    let index;
    try {
      index = readRulesetIndex(bytes);
    } catch {
      return "HOST_REFUSED";
    }
    const cfg = writeConfig(abi, index, p, {});
    configure(abi, cfg);
    if (this.cfgPtr) abi.free(this.cfgPtr);
    this.cfgPtr = cfg;
    const enc = (this.encoder = new RequestEncoder(abi, index, p));
    const out: Decisions = [];
    const now = new Date(1_700_000_000_000);
    for (const r of this.requests) {
      const req = enc.encode({ principal: r.principal, resources: [{ resource: r.resource, actions: r.actions }], now });
      const cst = abi.ex.check(req);
      if (cst !== Status.OK) {
        out.push(`status:${Status[cst]}`);
        continue;
      }
      const res = decodeResponse(abi.dv, abi.u8, abi.ex.out_ptr() >>> 0, abi.ex.out_len() >>> 0, index, [{ resourceId: r.resource.id, actions: r.actions }]);
      out.push(r.actions.map((a) => res[0]!.actions[a]!.effect).join(","));
    }
    return out;
  }

  private mutate(rng: Rng): { bytes: Uint8Array; inert: boolean; cls: string } {
    const b = this.base;
    const cls = rng.int(9);
    const copy = b.slice();
    const dv = new DataView(copy.buffer);
    const sec = rng.pick(this.lay.sections);
    switch (cls) {
      case 0: {
        const r = new Uint8Array(rng.int(b.length * 2));
        for (let i = 0; i < r.length; i++) r[i] = rng.int(256);
        if (r.length >= HEADER_SIZE && rng.chance(0.5)) (r.set(b.subarray(0, 8)), fix(r)); // reaches the directory
        return { bytes: r, inert: false, cls: "random" };
      }
      case 1:
        return { bytes: rng.chance(0.7) ? fix(b.slice(0, rng.int(b.length))) : b.slice(0, rng.int(b.length)), inert: false, cls: "truncate" };
      case 2:
        for (let k = 1 + rng.int(8); k > 0; k--) copy[rng.int(copy.length)]! ^= 1 << rng.int(8);
        return { bytes: rng.chance(0.8) ? fix(copy) : copy, inert: false, cls: "bitflip" };
      case 3:
        dv.setUint16(H_MAJOR, rng.chance(0.5) ? 1 + 1 + rng.int(0xfffe) : 0, true);
        dv.setUint16(H_MINOR, rng.int(0x10000), true);
        return { bytes: fix(copy), inert: false, cls: "version" };
      case 4: {
        const big = rng.pick([0xffffffff, 0x7fffffff, 0x10000000, dv.getUint32(sec.off, true) + 1, rng.u32()]);
        if (sec.len >= 4) dv.setUint32(sec.off, big, true);
        return { bytes: fix(copy), inert: false, cls: "count" };
      }
      case 5: {
        const field = sec.entry + rng.pick([0, 4, 8]);
        dv.setUint32(field, rng.pick([0xffffffff, rng.u32(), rng.int(copy.length + 64), dv.getUint32(field, true) + 4]), true);
        if (rng.chance(0.3)) dv.setUint32(H_SECTION_COUNT, rng.pick([0, 65, 0xffffffff, rng.int(70)]), true);
        return { bytes: fix(copy), inert: false, cls: "directory" };
      }
      case 6:
      case 7: {
        // Overwrite aligned words inside records: sids, indexes, code offsets, cell tags.
        for (let k = 1 + rng.int(3); k > 0; k--) {
          if (sec.len < 4) break;
          const at = sec.off + 4 * rng.int(sec.len >>> 2);
          dv.setUint32(at, rng.pick([0xffffffff, 0, 1, rng.u32(), rng.int(256), dv.getUint32(at, true) + 1]), true);
        }
        return { bytes: fix(copy), inert: false, cls: "record" };
      }
      default: {
        const [lo, hi] = rng.pick(this.lay.inert);
        for (let k = 1 + rng.int(4); k > 0; k--) copy[lo + rng.int(hi - lo)] = rng.int(256);
        return { bytes: fix(copy), inert: true, cls: "inert" };
      }
    }
  }

  run(n: number, seed: number, stats: RulesetFuzzStats = emptyStats()): RulesetFuzzStats {
    const rng = new Rng(seed);
    for (let i = 0; i < n; i++) {
      stats.cases++;
      const m = this.mutate(rng);
      if (this.signed && i % 16 === 0) this.signedCase(rng, seed, i, stats);
      let d: Decisions | string;
      try {
        d = this.decideWith(m.bytes);
      } catch (e) {
        stats.findings.push({ kind: e instanceof WebAssembly.RuntimeError ? "trap" : "exception", seed, caseNo: i, detail: `${m.cls}: ${(e as Error).stack ?? e}` });
        this.fresh();
        continue;
      }
      if (typeof d === "string") {
        if (d === "HOST_REFUSED") stats.hostRefused++;
        else stats.refused[d] = (stats.refused[d] ?? 0) + 1;
        if (m.inert) stats.findings.push({ kind: "inert-mutation-refused", seed, caseNo: i, detail: d });
        continue;
      }
      stats.loaded++;
      stats.checks += d.length;
      if (m.inert) stats.nonDecisionCases++;
      const same = d.every((x, j) => x === this.baseline[j]);
      if (same) continue;
      stats.differingDecisions++;
      if (m.inert) {
        const allow = d.findIndex((x, j) => x !== this.baseline[j] && x.includes("ALLOW"));
        stats.findings.push({ kind: allow >= 0 ? "false-allow" : "inert-mutation-changed-decision", seed, caseNo: i, detail: `request ${allow}: ${d[allow]} vs ${this.baseline[allow]}` });
      }
    }
    return stats;
  }

  /** Signed deployments: a mutated signed ruleset must never pass verification. */
  private signedCase(rng: Rng, seed: number, i: number, stats: RulesetFuzzStats): void {
    const s = this.signed!;
    const t = s.bytes.slice();
    for (let k = 1 + rng.int(4); k > 0; k--) t[rng.int(t.length)]! ^= 1 << rng.int(8);
    fix(t);
    if (t.every((x, j) => x === s.bytes[j])) return;
    stats.signedCases++;
    try {
      readIntegrity(t);
      verifyRulesetWith(s.crypto, t, s.publicKey);
      stats.findings.push({ kind: "false-allow", seed, caseNo: i, detail: "a mutated signed ruleset passed verification" });
    } catch {
      // refused: the expected outcome
    }
  }
}

export function emptyStats(): RulesetFuzzStats {
  return { cases: 0, refused: {}, hostRefused: 0, loaded: 0, checks: 0, nonDecisionCases: 0, differingDecisions: 0, signedCases: 0, findings: [] };
}
