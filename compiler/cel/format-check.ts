// cel-go's compile-time validation of `"<literal>".format([<list literal>])` (ext.Strings): the
// clauses must parse, their number must match the list's, and each clause must accept its
// argument's static type. Verdict's checker runs it on the same shapes, with cel-go's messages.
import { formatType, type Type } from "./types.ts";

const NUMERIC = ["int", "uint", "double"];
/** clause → the kinds it accepts and cel-go's complaint otherwise (`%s` accepts anything) */
const CLAUSES: Record<string, { kinds: string[]; what: string } | null> = {
  s: null,
  d: { kinds: NUMERIC, what: "decimal clause can only be used on ints, uints, and doubles" },
  f: { kinds: NUMERIC, what: "fixed-point clause can only be used on ints, uints, and doubles" },
  e: { kinds: NUMERIC, what: "scientific clause can only be used on ints, uints, and doubles" },
  x: { kinds: ["int", "uint", "bytes", "string"], what: "only ints, uints, bytes, and strings can be formatted as hex" },
  X: { kinds: ["int", "uint", "bytes", "string"], what: "only ints, uints, bytes, and strings can be formatted as hex" },
  o: { kinds: ["int", "uint"], what: "octal clause can only be used on ints and uints" },
  b: { kinds: ["int", "uint", "bool"], what: "only ints, uints, and bools can be formatted as binary" },
};

/** How cel-go names a value's type in these messages (its runtime type names). */
function runtimeName(t: Type): string {
  switch (t.kind) {
    case "null":
      return "null_type";
    case "list":
    case "map":
    case "type":
      return t.kind;
    case "timestamp":
      return "google.protobuf.Timestamp";
    case "duration":
      return "google.protobuf.Duration";
    default:
      return formatType(t);
  }
}

/** Only statically known scalar and aggregate kinds are judged; dyn, type parameters and opaque values pass. */
const JUDGED = new Set(["null", "bool", "int", "uint", "double", "string", "bytes", "timestamp", "duration", "list", "map", "type"]);

/** cel-go's error for this format string and argument types, or undefined when it is fine. */
export function formatCallError(format: string, args: Type[]): string | undefined {
  let argIndex = 0;
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== "%") continue;
    i++;
    if (i >= format.length) return "unexpected end of string";
    if (format[i] === "%") continue;
    if (format[i] === ".") {
      let j = i + 1;
      while (j < format.length && format[j]! >= "0" && format[j]! <= "9") j++;
      if (j === i + 1)
        return `could not parse formatting clause: error while parsing precision: error while converting precision to integer: strconv.Atoi: parsing "": invalid syntax`;
      i = j;
      if (i >= format.length) return "unexpected end of string";
    }
    const verb = format[i]!;
    if (!Object.hasOwn(CLAUSES, verb)) return `could not parse formatting clause: unrecognized formatting clause "${verb}"`;
    if (argIndex >= args.length) return `index ${argIndex} out of range`;
    const rule = CLAUSES[verb];
    const t = args[argIndex++]!;
    if (rule && JUDGED.has(t.kind) && !rule.kinds.includes(t.kind)) return `error during formatting: ${rule.what}, was given ${runtimeName(t)}`;
  }
  if (argIndex < args.length) return `too many arguments supplied to string.format (expected ${argIndex}, got ${args.length})`;
  return undefined;
}
