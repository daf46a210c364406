// Encodes one check request (one principal, N resources) as a REQUEST block in wasm memory
// (layout: spec/format.ts "Request and response buffers"). One buffer is reused across calls
// and only grown when a request does not fit.
import {
  AttrFlag,
  PB_ATTR,
  PB_ID,
  PB_ROLES,
  PB_SCOPE,
  PB_SIZE,
  PB_VERSION,
  RQ_AUX_DATA,
  RQ_NOW_NANOS,
  RQ_NOW_SECONDS,
  RQ_PRINCIPAL,
  RQ_RESOURCES,
  RQ_RESOURCE_COUNT,
  RQ_SIZE,
  RS_ACTIONS,
  RS_ATTR,
  RS_ID,
  RS_KIND,
  RS_SCOPE,
  RS_SIZE,
  RS_VERSION,
  CELL_SIZE,
} from "../../spec/format.ts";
import type { Abi } from "./abi.ts";
import { BufferFull, CellWriter } from "./cell-writer.ts";
import type { RulesetIndex } from "./ruleset-strings.ts";
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
  private readonly keepPrincipal?: Set<string>;
  private readonly keepResource?: Set<string>;
  private readonly sendAux: boolean;

  constructor(
    private readonly abi: Abi,
    index: RulesetIndex,
    rulesetBase: number,
  ) {
    this.w = new CellWriter(index, rulesetBase);
    // Attributes no expression reads cannot change a decision: don't spend time encoding them.
    this.keepPrincipal = index.attrFlags & AttrFlag.ALL_PRINCIPAL ? undefined : index.principalAttrs;
    this.keepResource = index.attrFlags & AttrFlag.ALL_RESOURCE ? undefined : index.resourceAttrs;
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

    // Seconds as two 32-bit halves: no BigInt on the hot path.
    const ms = +req.now;
    const secs = Math.floor(ms / 1000);
    dv.setUint32(rq + RQ_NOW_SECONDS, secs >>> 0, true);
    dv.setInt32(rq + RQ_NOW_SECONDS + 4, Math.floor(secs / 4294967296), true);
    dv.setUint32(rq + RQ_NOW_NANOS, (ms - secs * 1000) * 1_000_000, true);
    dv.setUint32(rq + RQ_RESOURCE_COUNT, n, true);
    dv.setUint32(rq + RQ_PRINCIPAL, pb, true);
    dv.setUint32(rq + RQ_RESOURCES, rs, true);
    dv.setUint32(rq + 28, 0, true);

    const p = req.principal;
    w.writeString(pb + PB_ID, p.id);
    w.writeString(pb + PB_VERSION, p.policyVersion ?? "");
    w.writeString(pb + PB_SCOPE, p.scope ?? "");
    w.writeStringList(pb + PB_ROLES, p.roles);
    w.writeObject(pb + PB_ATTR, p.attr, this.keepPrincipal);

    for (let i = 0; i < n; i++) {
      const b = rs + i * RS_SIZE;
      const { resource: r, actions } = req.resources[i]!;
      w.writeString(b + RS_KIND, r.kind);
      w.writeString(b + RS_ID, r.id);
      w.writeString(b + RS_VERSION, r.policyVersion ?? "");
      w.writeString(b + RS_SCOPE, r.scope ?? "");
      w.writeObject(b + RS_ATTR, r.attr, this.keepResource);
      w.writeStringList(b + RS_ACTIONS, actions);
    }

    // The aux data cell is a map holding the parts of Cerbos's AuxData the request has:
    // jwt (claims) and jwts (named tokens, each {claims}).
    let aux = 0;
    const parts = auxParts(req.auxData);
    if (this.sendAux && parts) {
      aux = w.reserve(CELL_SIZE, 8);
      w.writeObject(aux, parts);
    }
    dv.setUint32(rq + RQ_AUX_DATA, aux, true);
  }
}

function auxParts(aux: { jwt?: unknown; jwts?: unknown } | undefined): Record<string, unknown> | undefined {
  if (!aux) return undefined;
  const out: Record<string, unknown> = {};
  if (aux.jwt && typeof aux.jwt === "object") out.jwt = aux.jwt;
  if (aux.jwts && typeof aux.jwts === "object") out.jwts = aux.jwts;
  return Object.keys(out).length > 0 ? out : undefined;
}
