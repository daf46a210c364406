// The blocks of a REQUEST (spec/format.ts "Request and response buffers") as both encoders write
// them: RequestEncoder (one principal × N resources per call) and BoundEncoder (a principal
// encoded once into a slot, resources per call). One writer each, so the two cannot drift.
import {
  AttrFlag, PB_ATTR, PB_ID, PB_ROLES, PB_SCOPE, PB_VERSION, RQ_AUX_DATA, RQ_NOW_NANOS, RQ_NOW_SECONDS,
  RQ_PRINCIPAL, RQ_REJECTED, RQ_RESOURCES, RQ_RESOURCE_COUNT, RS_ACTIONS, RS_ATTR, RS_ID, RS_KIND, RS_SCOPE,
  RS_VERSION,
} from "../../spec/format.ts";
import type { CellWriter } from "./cell-writer.ts";
import type { RulesetIndex } from "./ruleset-strings.ts";
import type { Principal, Resource } from "./types.ts";

/** The attribute keys worth encoding per side: attributes no expression reads cannot change a
 *  decision. Undefined when some expression reads the whole map. */
export interface KeptAttributes {
  principal?: Set<string>;
  resource?: Set<string>;
}

export function keptAttributes(index: RulesetIndex): KeptAttributes {
  return {
    principal: index.attrFlags & AttrFlag.ALL_PRINCIPAL ? undefined : index.principalAttrs,
    resource: index.attrFlags & AttrFlag.ALL_RESOURCE ? undefined : index.resourceAttrs,
  };
}

/** The REQUEST header. The clock goes as seconds in two 32-bit halves: no BigInt on the hot path.
 *  RQ_REJECTED starts clear (schema enforcement sets it for a second pass). */
export function writeRequestHeader(dv: DataView, rq: number, nowMs: number, count: number, pb: number, rs: number, aux: number): void {
  const secs = Math.floor(nowMs / 1000);
  dv.setUint32(rq + RQ_NOW_SECONDS, secs >>> 0, true);
  dv.setInt32(rq + RQ_NOW_SECONDS + 4, Math.floor(secs / 4294967296), true);
  dv.setUint32(rq + RQ_NOW_NANOS, (nowMs - secs * 1000) * 1_000_000, true);
  dv.setUint32(rq + RQ_RESOURCE_COUNT, count, true);
  dv.setUint32(rq + RQ_PRINCIPAL, pb, true);
  dv.setUint32(rq + RQ_RESOURCES, rs, true);
  dv.setUint32(rq + RQ_AUX_DATA, aux, true);
  dv.setUint32(rq + RQ_REJECTED, 0, true);
}

export function writePrincipalBlock(w: CellWriter, pb: number, p: Principal, keep: Set<string> | undefined): void {
  w.writeString(pb + PB_ID, p.id);
  w.writeString(pb + PB_VERSION, p.policyVersion ?? "");
  w.writeString(pb + PB_SCOPE, p.scope ?? "");
  w.writeStringList(pb + PB_ROLES, p.roles);
  w.writeObject(pb + PB_ATTR, p.attr, keep);
}

export function writeResourceBlock(w: CellWriter, b: number, r: Resource, actions: readonly string[], keep: Set<string> | undefined): void {
  w.writeString(b + RS_KIND, r.kind);
  w.writeString(b + RS_ID, r.id);
  w.writeString(b + RS_VERSION, r.policyVersion ?? "");
  w.writeString(b + RS_SCOPE, r.scope ?? "");
  w.writeObject(b + RS_ATTR, r.attr, keep);
  w.writeStringList(b + RS_ACTIONS, actions);
}
