// Encodes one check request (one principal, N resources) as a REQUEST block in wasm memory
// (layout: spec/format.ts "Request and response buffers"). One buffer is reused across calls
// and only grown when a request does not fit.
import { AttrFlag, CELL_SIZE, PB_SIZE, RQ_SIZE, RS_SIZE } from "../../spec/format.ts";
import type { Abi } from "./abi.ts";
import { BufferFull, CellWriter } from "./cell-writer.ts";
import type { RulesetIndex } from "./ruleset-strings.ts";
import { type KeptAttributes, keptAttributes, writePrincipalBlock, writeRequestHeader, writeResourceBlock } from "./request-blocks.ts";
import type { AuxData, Principal, Resource } from "./types.ts";

export interface EncodableRequest {
  principal: Principal;
  resources: Array<{ resource: Resource; actions: readonly string[] }>;
  auxData?: AuxData;
  /** The request's clock: a Date, or epoch milliseconds (isAllowed's fast path avoids the Date). */
  now: Date | number;
}

const INITIAL_CAPACITY = 16 * 1024;

export class RequestEncoder {
  private ptr = 0;
  private cap = 0;
  private readonly w: CellWriter;
  private readonly kept: KeptAttributes;
  private readonly sendAux: boolean;

  constructor(
    private readonly abi: Abi,
    index: RulesetIndex,
    rulesetBase: number,
  ) {
    this.w = new CellWriter(index, rulesetBase);
    this.kept = keptAttributes(index);
    this.sendAux = (index.attrFlags & AttrFlag.AUX_DATA) !== 0;
  }

  /** Writes the request and returns the REQUEST block address for `check`. */
  encode(req: EncodableRequest): number {
    for (;;) {
      if (this.cap === 0) this.grow(INITIAL_CAPACITY);
      try {
        this.write(req);
        return this.ptr;
      } catch (e) {
        if (!(e instanceof BufferFull)) throw e;
        this.grow(Math.max(this.cap * 2, this.cap + e.needed * 2));
      }
    }
  }

  /** Releases the buffer (the evaluator instance is being discarded or reloaded). */
  dispose(): void {
    if (this.ptr) this.abi.free(this.ptr);
    this.ptr = this.cap = 0;
  }

  private grow(cap: number): void {
    if (this.ptr) this.abi.free(this.ptr);
    this.ptr = 0;
    this.cap = 0;
    this.ptr = this.abi.alloc(cap);
    this.cap = cap;
  }

  private write(req: EncodableRequest): void {
    const w = this.w;
    const base = this.ptr;
    const n = req.resources.length;
    const dv = this.abi.dv;
    w.begin(this.abi.u8, dv, base, base + this.cap);
    const rq = w.reserve(RQ_SIZE, 8);
    const pb = w.reserve(PB_SIZE, 8);
    const rs = w.reserve(RS_SIZE * n, 8);

    writePrincipalBlock(w, pb, req.principal, this.kept.principal);
    for (let i = 0; i < n; i++) {
      const { resource, actions } = req.resources[i]!;
      writeResourceBlock(w, rs + i * RS_SIZE, resource, actions, this.kept.resource);
    }

    // The aux data cell is a map holding the parts of Cerbos's AuxData the request has:
    // jwt (claims) and jwts (named tokens, each {claims}).
    let aux = 0;
    const parts = auxParts(req.auxData);
    if (this.sendAux && parts) {
      aux = w.reserve(CELL_SIZE, 8);
      w.writeObject(aux, parts);
    }
    writeRequestHeader(dv, rq, +req.now, n, pb, rs, aux);
  }
}

function auxParts(aux: { jwt?: unknown; jwts?: unknown } | undefined): Record<string, unknown> | undefined {
  if (!aux) return undefined;
  const out: Record<string, unknown> = {};
  if (aux.jwt && typeof aux.jwt === "object") out.jwt = aux.jwt;
  if (aux.jwts && typeof aux.jwts === "object") out.jwts = aux.jwts;
  return Object.keys(out).length > 0 ? out : undefined;
}
