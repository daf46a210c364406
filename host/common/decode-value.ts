// Value cells (spec/format.ts "Value cells") back to JSON, the way Cerbos turns CEL values into
// google.protobuf.Value for outputs: numbers of any kind become JSON numbers, timestamps and
// durations their protojson strings, bytes base64, non-finite doubles "NaN"/"Infinity".
import {
  CelError, CL_A, CL_B, CL_C, CELL_SIZE, Message, NONE, PB_ATTR, PB_ID, PB_ROLES, PB_SCOPE, PB_VERSION,
  RQ_AUX_DATA, RQ_PRINCIPAL, RQ_RESOURCES, RS_ATTR, RS_ID, RS_KIND, RS_SCOPE, RS_SIZE, RS_VERSION, Tag,
} from "../../spec/format.ts";

const utf8 = new TextDecoder("utf-8", { fatal: false });
const MAX_DEPTH = 200;

export class ValueReader {
  /** Index of the resource being decoded: `request.resource` means that one. */
  resourceIndex = 0;

  constructor(
    private readonly dv: DataView,
    private readonly u8: Uint8Array,
    private readonly strings: readonly string[],
  ) {}

  string(cell: number): string {
    const sid = this.dv.getUint32(cell + CL_C, true);
    if (sid !== NONE && sid < this.strings.length) return this.strings[sid]!;
    const len = this.dv.getUint32(cell + CL_A, true);
    const p = this.dv.getUint32(cell + CL_B, true);
    return utf8.decode(this.u8.subarray(p, p + len));
  }

  json(cell: number, depth = 0): unknown {
    if (depth > MAX_DEPTH) return null;
    const dv = this.dv;
    const tag = this.u8[cell + 0]! as Tag;
    const a = dv.getUint32(cell + CL_A, true);
    switch (tag) {
      case Tag.NULL:
        return null;
      case Tag.BOOL:
        return dv.getUint32(cell + CL_B, true) !== 0;
      case Tag.INT:
        return jsonInt(dv.getBigInt64(cell + CL_B, true));
      case Tag.UINT:
        return jsonInt(dv.getBigUint64(cell + CL_B, true));
      case Tag.DOUBLE: {
        const d = dv.getFloat64(cell + CL_B, true);
        if (Number.isFinite(d)) return d;
        return Number.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
      }
      case Tag.STRING:
        return this.string(cell);
      case Tag.BYTES: {
        const p = dv.getUint32(cell + CL_B, true);
        return base64(this.u8.subarray(p, p + a));
      }
      case Tag.LIST: {
        const p = dv.getUint32(cell + CL_B, true);
        const out = new Array<unknown>(a);
        for (let i = 0; i < a; i++) out[i] = this.json(p + i * CELL_SIZE, depth + 1);
        return out;
      }
      case Tag.MAP: {
        // Keys sorted: Cerbos marshals outputs as google.protobuf.Struct, whose keys protojson sorts.
        const p = dv.getUint32(cell + CL_B, true);
        const entries: Array<[string, number]> = [];
        for (let i = 0; i < a; i++) {
          const k = p + i * 2 * CELL_SIZE;
          const key = this.u8[k] === Tag.STRING ? this.string(k) : String(this.json(k, depth + 1));
          entries.push([key, k + CELL_SIZE]);
        }
        entries.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
        const out: Record<string, unknown> = {};
        for (const [key, v] of entries) out[key] = this.json(v, depth + 1);
        return out;
      }
      case Tag.MESSAGE:
        return this.message(a as Message, dv.getUint32(cell + CL_B, true), depth);
      case Tag.TIMESTAMP:
        return formatTimestamp(dv.getBigInt64(cell + CL_B, true), a, dv.getInt16(cell + 2, true));
      case Tag.DURATION:
        return formatDuration(dv.getBigInt64(cell + CL_B, true), dv.getInt32(cell + CL_A, true));
      case Tag.TYPE:
        return typeName(a);
      case Tag.ERROR:
        return this.errorMessage(cell);
      default:
        return null;
    }
  }

  /** A request message (P, R, request, runtime, request.auxData) as protojson renders it inside
   *  a Struct: unset (empty) fields omitted, keys sorted. */
  private message(kind: Message, block: number, depth: number): unknown {
    if (block === 0) return {};
    if (kind === Message.REQUEST) {
      const out: Record<string, unknown> = {};
      const aux = this.dv.getUint32(block + RQ_AUX_DATA, true);
      if (aux !== 0) out.auxData = this.message(Message.AUX_DATA, aux, depth + 1);
      out.principal = this.message(Message.PRINCIPAL, this.dv.getUint32(block + RQ_PRINCIPAL, true), depth + 1);
      const rs = this.dv.getUint32(block + RQ_RESOURCES, true);
      out.resource = this.message(Message.RESOURCE, rs + this.resourceIndex * RS_SIZE, depth + 1);
      return out;
    }
    // The aux data cell is already a map of its set parts (jwt, jwts), rendered as a Struct.
    if (kind === Message.AUX_DATA) return this.u8[block] === Tag.MAP ? this.json(block, depth + 1) : {};
    const fields: Array<[string, number]> =
      kind === Message.PRINCIPAL
        ? [["attr", PB_ATTR], ["id", PB_ID], ["policyVersion", PB_VERSION], ["roles", PB_ROLES], ["scope", PB_SCOPE]]
        : kind === Message.RESOURCE
          ? [["attr", RS_ATTR], ["id", RS_ID], ["kind", RS_KIND], ["policyVersion", RS_VERSION], ["scope", RS_SCOPE]]
          : kind === Message.RUNTIME
              ? [["effectiveDerivedRoles", 0]]
              : [];
    const out: Record<string, unknown> = {};
    for (const [name, off] of fields) {
      const c = block + off;
      const tag = this.u8[c];
      const empty = tag === Tag.NULL || ((tag === Tag.STRING || tag === Tag.LIST || tag === Tag.MAP) && this.dv.getUint32(c + CL_A, true) === 0);
      if (!empty) out[name] = this.json(c, depth + 1);
    }
    return out;
  }

  /** cel-go's message for an ERROR cell. The evaluator puts the offending key/index (any value
   *  cell) in the detail for the "no such key"-style errors; a STRING detail on any other code is
   *  taken as the complete message. Without a detail the code's cel-go text is used. */
  errorMessage(cell: number): string {
    const code = this.dv.getUint32(cell + CL_A, true) as CelError;
    const d = this.dv.getUint32(cell + CL_B, true);
    // cel-go's wording for a missing variable/field (Cerbos reports unset variables this way).
    if (code === CelError.NO_SUCH_FIELD && d !== 0) return `undefined field '${this.detailText(d)}'`;
    const prefixed = PREFIXED[code];
    if (prefixed) return d !== 0 ? `${prefixed}: ${this.detailText(d)}` : prefixed;
    if (d !== 0 && this.u8[d] === Tag.STRING) return this.string(d);
    return DEFAULT_MESSAGE[code] ?? `evaluation error ${code}`;
  }

  private detailText(cell: number): string {
    if (this.u8[cell] === Tag.STRING) return this.string(cell);
    const v = this.json(cell);
    return typeof v === "string" ? v : JSON.stringify(v);
  }
}

const PREFIXED: Partial<Record<CelError, string>> = {
  [CelError.NO_SUCH_KEY]: "no such key",
  [CelError.NO_SUCH_FIELD]: "no such field",
  [CelError.NO_SUCH_ATTRIBUTE]: "no such attribute",
  [CelError.INDEX_OUT_OF_RANGE]: "index out of range",
  [CelError.DUPLICATE_KEY]: "duplicate key in map",
};

const DEFAULT_MESSAGE: Partial<Record<CelError, string>> = {
  [CelError.NO_MATCHING_OVERLOAD]: "no such overload",
  [CelError.DIVISION_BY_ZERO]: "division by zero",
  [CelError.MODULUS_BY_ZERO]: "modulus by zero",
  [CelError.OVERFLOW]: "integer overflow",
  [CelError.INVALID_ARGUMENT]: "invalid argument",
  [CelError.CONVERSION]: "type conversion error",
  [CelError.BUDGET_EXCEEDED]: "operation cancelled: actual cost limit exceeded",
  [CelError.UNSUPPORTED]: "unsupported operation",
  [CelError.DERIVED_ROLES_FAILED]: "failed to evaluate derived roles",
};

/** CEL type names as `type(x)` reports them (cel-go spelling). */
export const TYPE_NAMES: Partial<Record<Tag, string>> = {
  [Tag.NULL]: "null_type",
  [Tag.BOOL]: "bool",
  [Tag.INT]: "int",
  [Tag.UINT]: "uint",
  [Tag.DOUBLE]: "double",
  [Tag.STRING]: "string",
  [Tag.BYTES]: "bytes",
  [Tag.LIST]: "list",
  [Tag.MAP]: "map",
  [Tag.TIMESTAMP]: "google.protobuf.Timestamp",
  [Tag.DURATION]: "google.protobuf.Duration",
  [Tag.TYPE]: "type",
  [Tag.OPTIONAL]: "optional_type",
};
function typeName(t: number): string {
  return TYPE_NAMES[t as Tag] ?? "dyn";
}

/** cel-go renders a value as JSON the way its string() conversion does (ConvertToNative to
 *  structpb.Value); checked against Cerbos by test/conformance/functions-differential. */

/** Integers beyond ±(2^53 − 1) become decimal strings: a JSON number would lose digits. */
function jsonInt(v: bigint): number | string {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : String(v);
}

/** Go's time.RFC3339Nano: the fraction without trailing zeros; the zone the value was written
 *  in (offset in minutes, 0 → "Z"). */
export function formatTimestamp(seconds: bigint, nanos: number, offsetMinutes = 0): string {
  const d = new Date((Number(seconds) + offsetMinutes * 60) * 1000);
  const iso = d.toISOString(); // 2006-01-02T15:04:05.000Z for years 0..9999
  const frac = nanos === 0 ? "" : `.${String(nanos).padStart(9, "0").replace(/0+$/, "")}`;
  if (offsetMinutes === 0) return `${iso.slice(0, 19)}${frac}Z`;
  const a = Math.abs(offsetMinutes);
  const hm = `${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
  return `${iso.slice(0, 19)}${frac}${offsetMinutes < 0 ? "-" : "+"}${hm}`;
}

/** strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s": shortest round-trip digits of the seconds
 *  as a float64, never in exponent form. */
export function formatDuration(seconds: bigint, nanos: number): string {
  const x = Number(seconds) + nanos / 1e9;
  const s = String(x);
  const e = s.indexOf("e"); // only below 1e-6 here: durations stay far under 1e21 s
  if (e < 0) return `${s}s`;
  const digits = s.slice(0, e).replace(/[-.]/g, "");
  return `${x < 0 ? "-" : ""}0.${"0".repeat(-Number(s.slice(e + 1)) - 1)}${digits}s`;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
export function base64(b: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  if (i < b.length) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + (i + 1 < b.length ? B64[(n >> 6) & 63]! : "=") + "=";
  }
  return out;
}
