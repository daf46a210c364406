// Writes 16-byte value cells (spec/format.ts "Value cells") and the data they point to straight
// into a reusable wasm buffer with a bump pointer. When the buffer is too small the writer throws
// `BufferFull`; the caller grows the buffer and encodes again from scratch (simpler and faster
// than checking sizes up front, and it happens only a few times per process).
import { CELL_SIZE, CL_A, CL_B, CL_C, NONE, Tag } from "../../spec/format.ts";
import { textEncoder } from "./imports.ts";
import type { RulesetIndex } from "./ruleset-strings.ts";
import { RequestValidationError } from "./validate.ts";

export class BufferFull extends Error {
  constructor(readonly needed: number) {
    super("request buffer full");
  }
}

/** Thrown for attribute values that cannot be represented (cycles, absurd nesting): an invalid
 *  request, so callers see the same error type as for any other malformed request. */
export class ValueEncodeError extends RequestValidationError {}

const MAX_DEPTH = 100;

export class CellWriter {
  u8!: Uint8Array;
  dv!: DataView;
  pos = 0;
  end = 0;

  constructor(
    private readonly index: RulesetIndex,
    /** wasm address where the ruleset was loaded: interned strings point into it. */
    private readonly rulesetBase: number,
  ) {}

  begin(u8: Uint8Array, dv: DataView, start: number, end: number): void {
    this.u8 = u8;
    this.dv = dv;
    this.pos = start;
    this.end = end;
  }

  /** Reserves n bytes aligned to `align` (a power of two) and returns their address. */
  reserve(n: number, align = 8): number {
    const p = (this.pos + align - 1) & ~(align - 1);
    if (p + n > this.end) throw new BufferFull(p + n - this.end);
    this.pos = p + n;
    return p;
  }

  cells(n: number): number {
    return this.reserve(n * CELL_SIZE, 8);
  }

  private head(cell: number, tag: Tag, a: number): void {
    this.dv.setUint32(cell, tag, true); // tag byte + three zero bytes
    this.dv.setUint32(cell + CL_A, a >>> 0, true);
  }

  writeNull(cell: number): void {
    this.head(cell, Tag.NULL, 0);
    this.dv.setFloat64(cell + CL_B, 0, true);
  }

  writeBool(cell: number, b: boolean): void {
    this.head(cell, Tag.BOOL, 0);
    this.dv.setUint32(cell + CL_B, b ? 1 : 0, true);
    this.dv.setUint32(cell + CL_C, 0, true);
  }

  writeDouble(cell: number, n: number): void {
    this.head(cell, Tag.DOUBLE, 0);
    this.dv.setFloat64(cell + CL_B, n, true);
  }

  writeInt(cell: number, n: bigint): void {
    this.head(cell, Tag.INT, 0);
    this.dv.setBigInt64(cell + CL_B, BigInt.asIntN(64, n), true);
  }

  /** A STRING cell: interned strings point into the loaded ruleset and carry their sid; others
   *  get their UTF-8 bytes copied into the buffer and sid NONE. */
  writeString(cell: number, s: string): void {
    const sid = this.index.sids.get(s);
    if (sid !== undefined) {
      this.head(cell, Tag.STRING, this.index.lengths[sid]!);
      this.dv.setUint32(cell + CL_B, this.rulesetBase + this.index.offsets[sid]!, true);
      this.dv.setUint32(cell + CL_C, sid, true);
      return;
    }
    const n = s.length;
    let p = this.reserve(n, 1);
    let len = n;
    // ASCII fast path: charCodeAt is several times faster than encodeInto for short strings.
    let i = 0;
    const u8 = this.u8;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      u8[p + i] = c;
    }
    if (i < n) {
      this.pos = p + i; // keep the ASCII prefix, encode the rest (≤ 3 bytes per UTF-16 unit)
      const room = (n - i) * 3;
      if (this.pos + room > this.end) throw new BufferFull(this.pos + room - this.end);
      const r = textEncoder.encodeInto(s.slice(i), u8.subarray(this.pos, this.pos + room));
      this.pos += r.written;
      len = i + r.written;
    }
    this.head(cell, Tag.STRING, len);
    this.dv.setUint32(cell + CL_B, p, true);
    this.dv.setUint32(cell + CL_C, NONE, true);
  }

  writeStringList(cell: number, items: readonly string[]): void {
    const base = this.cells(items.length);
    for (let i = 0; i < items.length; i++) this.writeString(base + i * CELL_SIZE, items[i]!);
    this.head(cell, Tag.LIST, items.length);
    this.dv.setUint32(cell + CL_B, base, true);
    this.dv.setUint32(cell + CL_C, 0, true);
  }

  /** A MAP cell of string keys; `keep` filters the keys (attribute pruning). */
  writeObject(cell: number, obj: Record<string, unknown> | undefined, keep?: Set<string>, depth = 0): void {
    const keys: string[] = [];
    if (obj) {
      for (const k in obj) {
        if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
        if (keep && !keep.has(k)) continue;
        if (!isEncodable(obj[k])) continue; // undefined/functions vanish, as in JSON
        keys.push(k);
      }
    }
    const base = this.cells(keys.length * 2);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      this.writeString(base + i * 2 * CELL_SIZE, k);
      this.writeValue(base + (i * 2 + 1) * CELL_SIZE, obj![k], depth + 1);
    }
    this.head(cell, Tag.MAP, keys.length);
    this.dv.setUint32(cell + CL_B, base, true);
    this.dv.setUint32(cell + CL_C, 0, true);
  }

  /** Any JSON value. Numbers are DOUBLE, like Cerbos's google.protobuf.Value attributes. */
  writeValue(cell: number, v: unknown, depth = 0): void {
    if (depth > MAX_DEPTH) throw new ValueEncodeError(`value nested deeper than ${MAX_DEPTH} levels (cycle?)`);
    switch (typeof v) {
      case "string":
        return this.writeString(cell, v);
      case "number":
        return this.writeDouble(cell, v);
      case "boolean":
        return this.writeBool(cell, v);
      case "bigint":
        return this.writeInt(cell, v);
      case "object": {
        if (v === null) return this.writeNull(cell);
        if (Array.isArray(v)) {
          const items = v.map((x) => (isEncodable(x) ? x : null)); // JSON turns holes into null
          const base = this.cells(items.length);
          for (let i = 0; i < items.length; i++) this.writeValue(base + i * CELL_SIZE, items[i], depth + 1);
          this.head(cell, Tag.LIST, items.length);
          this.dv.setUint32(cell + CL_B, base, true);
          this.dv.setUint32(cell + CL_C, 0, true);
          return;
        }
        const toJSON = (v as { toJSON?: unknown }).toJSON;
        if (typeof toJSON === "function") return this.writeValue(cell, toJSON.call(v), depth + 1);
        return this.writeObject(cell, v as Record<string, unknown>, undefined, depth);
      }
      default:
        return this.writeNull(cell);
    }
  }
}

function isEncodable(v: unknown): boolean {
  const t = typeof v;
  return t !== "undefined" && t !== "function" && t !== "symbol";
}
