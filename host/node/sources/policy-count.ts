// The number of policies a ruleset decides with, for logs and the status endpoint: distinct policy
// keys among the rule rows (what Cerbos's rule table holds; derived-role files and exported
// variables have no rows of their own). A ruleset with no ROWS section counts 0.
import { HEADER_SIZE, H_SECTION_COUNT, ROW_SIZE, RW_POLICY, SECTION_ENTRY_SIZE, Section } from "../../../spec/format.ts";

export function countPolicies(bytes: Uint8Array): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < HEADER_SIZE) return 0;
  const sections = dv.getUint32(H_SECTION_COUNT, true);
  for (let i = 0; i < sections; i++) {
    const e = HEADER_SIZE + i * SECTION_ENTRY_SIZE;
    if (e + 12 > bytes.length) return 0;
    if (dv.getUint32(e, true) !== Section.ROWS) continue;
    const off = dv.getUint32(e + 4, true);
    const len = dv.getUint32(e + 8, true);
    if (off + len > bytes.length || len < 4) return 0;
    const n = dv.getUint32(off, true);
    if (4 + n * ROW_SIZE > len) return 0;
    const keys = new Set<number>();
    for (let r = 0; r < n; r++) keys.add(dv.getUint32(off + 4 + r * ROW_SIZE + RW_POLICY, true));
    return keys.size;
  }
  return 0;
}
