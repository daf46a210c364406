// Requests for a principal bound once (Pdp.forPrincipal): the principal is encoded into one of
// SLOTS principal slots and stays there until SLOTS other bindings have been encoded after it, so
// a working set of up to SLOTS users costs no principal encoding at all; each call writes only the
// resource blocks and actions. No wasm allocation per binding (the evaluator tracks at most a few
// thousand blocks), so bindings cost only JS memory and may be cached per user without limit.
//
// Layout of the one block per instance: REQUEST header · SLOTS principal slots (PB block and its
// data, absolute addresses) · resource blocks and their data. Growing the block moves every slot:
// the generation changes and every binding re-encodes on its next use.
import { PB_SIZE, RQ_SIZE, RS_SIZE } from "../../spec/format.ts";
import { type KeptAttributes, keptAttributes, writePrincipalBlock, writeRequestHeader, writeResourceBlock } from "./request-blocks.ts";
import type { Abi } from "./abi.ts";
import { BufferFull, CellWriter } from "./cell-writer.ts";
import type { RulesetIndex } from "./ruleset-strings.ts";
import type { Principal, Resource } from "./types.ts";

export interface BoundCheck {
  resource: Resource;
  action: string;
}

/** Where a principal is encoded: valid while its slot is still its own in that generation. */
export interface EncodedPrincipal {
  gen: number;
  slot: number;
}

let generations = 0;
const SLOTS = 64;
const INITIAL_SLOT = 512;
const INITIAL_RESOURCES = 8 * 1024;

export class BoundEncoder {
  private base = 0;
  private slotCap = 0;
  private resCap = 0;
  /** New whenever the block moves; unique across encoders (a restarted instance gets a new
   *  encoder): encodings of another generation are stale. */
  private gen = 0;
  private readonly owners = new Array<EncodedPrincipal | undefined>(SLOTS);
  private next = 0;
  /** The slot of the request being written. */
  private principal = 0;
  private readonly w: CellWriter;
  private readonly kept: KeptAttributes;

  constructor(
    private readonly abi: Abi,
    index: RulesetIndex,
    rulesetBase: number,
  ) {
    this.w = new CellWriter(index, rulesetBase);
    this.kept = keptAttributes(index);
    this.grow(INITIAL_SLOT, INITIAL_RESOURCES);
  }

  private grow(slotCap: number, resCap: number): void {
    if (this.base) this.abi.free(this.base);
    this.base = 0;
    this.base = this.abi.alloc(RQ_SIZE + SLOTS * slotCap + resCap);
    this.slotCap = slotCap;
    this.resCap = resCap;
    this.gen = ++generations;
    this.owners.fill(undefined);
  }

  private slotAt(i: number): number {
    return this.base + RQ_SIZE + i * this.slotCap;
  }

  /** Whether `e` still holds its slot in the current block (else encodePrincipal again). */
  current(e: EncodedPrincipal | undefined): e is EncodedPrincipal {
    return e !== undefined && e.gen === this.gen && this.owners[e.slot] === e;
  }

  /** Encodes a validated principal snapshot for this block. Attributes no expression reads are
   *  left out, as in every request. */
  encodePrincipal(p: Principal): EncodedPrincipal {
    for (;;) {
      const w = this.w;
      const i = this.next;
      const slot = this.slotAt(i);
      w.begin(this.abi.u8, this.abi.dv, slot, slot + this.slotCap);
      try {
        const pb = w.reserve(PB_SIZE, 8);
        writePrincipalBlock(w, pb, p, this.kept.principal);
        const e = { gen: this.gen, slot: i };
        this.owners[i] = e;
        this.next = i + 1 === SLOTS ? 0 : i + 1;
        return e;
      } catch (err) {
        if (!(err instanceof BufferFull)) throw err;
        this.grow(Math.max(this.slotCap * 2, this.slotCap + err.needed * 2), this.resCap);
      }
    }
  }

  /** Writes a request for `p` (see `current`) with one resource block per check, one action each;
   *  returns the REQUEST block address for `decide`. Throws `Moved` when the block had to grow. */
  encode(p: EncodedPrincipal, checks: ReadonlyArray<BoundCheck>, nowMs: number): number {
    const n = checks.length;
    const rs = this.begin(p, RS_SIZE * n);
    try {
      for (let i = 0; i < n; i++) this.writeResource(rs + i * RS_SIZE, checks[i]!.resource, checks[i]!.action);
    } catch (err) {
      throw this.full(err);
    }
    return this.finish(rs, n, nowMs);
  }

  /** `encode` for one check, without the array. */
  encodeOne(p: EncodedPrincipal, resource: Resource, action: string, nowMs: number): number {
    const rs = this.begin(p, RS_SIZE);
    try {
      this.writeResource(rs, resource, action);
    } catch (err) {
      throw this.full(err);
    }
    return this.finish(rs, 1, nowMs);
  }

  private begin(p: EncodedPrincipal, blocks: number): number {
    this.principal = this.slotAt(p.slot);
    const start = this.slotAt(SLOTS);
    this.w.begin(this.abi.u8, this.abi.dv, start, start + this.resCap);
    try {
      return this.w.reserve(blocks, 8);
    } catch (err) {
      throw this.full(err);
    }
  }

  private writeResource(b: number, r: Resource, action: string): void {
    writeResourceBlock(this.w, b, r, [action], this.kept.resource);
  }


  private finish(rs: number, n: number, nowMs: number): number {
    const rq = this.base;
    writeRequestHeader(this.w.dv, rq, nowMs, n, this.principal, rs, 0);
    return rq;
  }

  /** The resource area was too small: grow it (moving the block, so the principal's absolute
   *  addresses go stale and only the caller, holding the snapshot, can re-encode) and say so. */
  private full(err: unknown): unknown {
    if (!(err instanceof BufferFull)) return err;
    this.grow(this.slotCap, Math.max(this.resCap * 2, this.resCap + err.needed * 2));
    return new Moved();
  }

  dispose(): void {
    this.abi.free(this.base);
    this.base = 0;
  }
}

/** The block moved while encoding: re-encode the principal and try again. */
export class Moved extends Error {}
