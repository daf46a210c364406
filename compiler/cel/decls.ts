// The overloads Cerbos's CEL environment declares (cel-go's standard library with
// CrossTypeNumericComparisons, ext.{Strings, Encoders, Lists, Math, Network, Regex, Sets},
// OptionalTypes and Cerbos's own library), in cel-go's signature notation:
//   `name(T, ..) -> R` is a global overload, `T.name(..) -> R` a member one;
//   single capital letters are type parameters. Functions that functions.ts knows but that are
//   not declared here are checked leniently (any arguments, dyn result): a missing signature
//   must never make Verdict refuse what Cerbos accepts.
import { parseType, type Type } from "./types.ts";

export interface Overload {
  member: boolean;
  args: Type[];
  result: Type;
}

const NUM = ["int", "uint", "double"];
const NUM_BY_ID = ["double", "int", "uint"];
/** ordering overloads, same-type and CrossTypeNumericComparisons, sorted like cel-go's ids */
const ORDER_BY_ID: Array<[string, string]> = [
  ["bool", "bool"], ["bytes", "bytes"], ["double", "double"], ["double", "int"], ["double", "uint"], ["duration", "duration"],
  ["int", "int"], ["int", "double"], ["int", "uint"], ["string", "string"], ["timestamp", "timestamp"], ["uint", "uint"],
  ["uint", "double"], ["uint", "int"],
];
/** ext.Lists' comparable types, in its declaration order: with an unbound element type (`[].sort()`)
 *  the first overload that matches binds it, so the order is observable. */
const COMPARABLE = ["int", "uint", "double", "bool", "duration", "timestamp", "string", "bytes"];
const each = (types: string[], f: (t: string) => string): string[] => types.map(f);
const getters = ["getFullYear", "getMonth", "getDayOfYear", "getDayOfMonth", "getDate", "getDayOfWeek", "getHours", "getMinutes", "getSeconds", "getMilliseconds"];
const setChecks = ["hasIntersection", "has_intersection", "isSubset", "is_subset"];
const hier = "cerbos.lib.hierarchy";
const hierBool = ["ancestorOf", "descendentOf", "immediateChildOf", "immediateParentOf", "overlaps", "siblingOf"];

const SIGNATURES: string[] = [
  "!_(bool) -> bool",
  "@not_strictly_false(bool) -> bool",
  // Operators in cel-go's declaration order (by overload id): with unbound type parameters
  // (`[][0] + [][0]`) the first matching overload binds them.
  "-_(double) -> double",
  "-_(int) -> int",
  "_?_:_(bool, A, A) -> A",
  "_==_(A, A) -> bool",
  "_!=_(A, A) -> bool",
  "_+_(bytes, bytes) -> bytes",
  "_+_(double, double) -> double",
  "_+_(duration, duration) -> duration",
  "_+_(duration, timestamp) -> timestamp",
  "_+_(int, int) -> int",
  "_+_(list(A), list(A)) -> list(A)",
  "_+_(string, string) -> string",
  "_+_(timestamp, duration) -> timestamp",
  "_+_(uint, uint) -> uint",
  "_-_(double, double) -> double",
  "_-_(duration, duration) -> duration",
  "_-_(int, int) -> int",
  "_-_(timestamp, duration) -> timestamp",
  "_-_(timestamp, timestamp) -> duration",
  "_-_(uint, uint) -> uint",
  ...each(NUM_BY_ID, (t) => `_*_(${t}, ${t}) -> ${t}`),
  ...each(NUM_BY_ID, (t) => `_/_(${t}, ${t}) -> ${t}`),
  "_%_(int, int) -> int",
  "_%_(uint, uint) -> uint",
  ...["_<_", "_<=_", "_>_", "_>=_"].flatMap((op) =>
    ORDER_BY_ID.map(([a, b]) => `${op}(${a}, ${b}) -> bool`),
  ),
  "_[_](list(A), int) -> A",
  "_[_](map(A, B), A) -> B",
  // OptionalTypes indexes optionals too, so `dyn[k]` matches two overloads and is dyn
  "_[_](optional_type(list(V)), int) -> optional_type(V)",
  "_[_](optional_type(map(K, V)), K) -> optional_type(V)",
  `_[_](${hier}, int) -> string`,
  "@in(A, list(A)) -> bool",
  "@in(A, map(A, B)) -> bool",
  ...["bytes", "list(A)", "map(A, B)", "string"].flatMap((t) => [`size(${t}) -> int`, `${t}.size() -> int`]),
  `${hier}.size() -> int`,
  // conversions
  ...each(["bool", "string"], (t) => `bool(${t}) -> bool`),
  ...each(["bytes", "string"], (t) => `bytes(${t}) -> bytes`),
  ...each(["double", "int", "uint", "string"], (t) => `double(${t}) -> double`),
  ...each(["duration", "string"], (t) => `duration(${t}) -> duration`),
  "dyn(A) -> dyn",
  ...each(["int", "uint", "double", "string", "timestamp", "duration"], (t) => `int(${t}) -> int`),
  ...each(["string", "bool", "int", "uint", "double", "bytes", "timestamp", "duration", "net.IP", "net.CIDR"], (t) => `string(${t}) -> string`),
  ...each(["timestamp", "string", "int"], (t) => `timestamp(${t}) -> timestamp`),
  ...each(["uint", "int", "double", "string"], (t) => `uint(${t}) -> uint`),
  "type(A) -> type(A)",
  // strings
  "matches(string, string) -> bool",
  ...["matches", "contains", "startsWith", "endsWith"].map((f) => `string.${f}(string) -> bool`),
  ...getters.flatMap((g) => [`timestamp.${g}() -> int`, `timestamp.${g}(string) -> int`]),
  ...["getHours", "getMinutes", "getSeconds", "getMilliseconds"].map((g) => `duration.${g}() -> int`),
  "string.charAt(int) -> string",
  ...["indexOf", "lastIndexOf"].flatMap((f) => [`string.${f}(string) -> int`, `string.${f}(string, int) -> int`]),
  ...["lowerAscii", "upperAscii", "trim", "reverse"].map((f) => `string.${f}() -> string`),
  "string.replace(string, string) -> string",
  "string.replace(string, string, int) -> string",
  "string.split(string) -> list(string)",
  "string.split(string, int) -> list(string)",
  "string.substring(int) -> string",
  "string.substring(int, int) -> string",
  "list(string).join() -> string",
  "list(string).join(string) -> string",
  "string.format(list(dyn)) -> string",
  "strings.quote(string) -> string",
  // encoders
  "base64.encode(bytes) -> string",
  "base64.decode(string) -> bytes",
  "json.encode(A) -> string",
  // lists
  "list(A).distinct() -> list(A)",
  "list(list(A)).flatten() -> list(A)",
  "list(dyn).flatten(int) -> list(dyn)",
  "list(A).reverse() -> list(A)",
  "list(A).slice(int, int) -> list(A)",
  "lists.range(int) -> list(int)",
  ...each(COMPARABLE, (t) => `list(${t}).sort() -> list(${t})`),
  ...each(COMPARABLE, (t) => `list(A).@sortByAssociatedKeys(list(${t})) -> list(A)`),
  // sets
  ...["sets.contains", "sets.equivalent", "sets.intersects"].map((f) => `${f}(list(A), list(A)) -> bool`),
  // math.greatest/least are macros (typecheck.ts) over these; mixed numeric pairs give dyn
  ...["math.@max", "math.@min"].flatMap((f) => [
    ...each(NUM, (t) => `${f}(${t}) -> ${t}`),
    ...NUM.flatMap((a) => NUM.map((b) => `${f}(${a}, ${b}) -> ${a === b ? a : "dyn"}`)),
    ...each(NUM, (t) => `${f}(list(${t})) -> ${t}`),
  ]),
  ...["ceil", "floor", "round", "trunc"].map((f) => `math.${f}(double) -> double`),
  ...["abs", "sign"].flatMap((f) => each(NUM, (t) => `math.${f}(${t}) -> ${t}`)),
  ...["isInf", "isNaN", "isFinite"].map((f) => `math.${f}(double) -> bool`),
  ...each(NUM, (t) => `math.sqrt(${t}) -> double`),
  ...["bitAnd", "bitOr", "bitXor"].flatMap((f) => [`math.${f}(int, int) -> int`, `math.${f}(uint, uint) -> uint`]),
  "math.bitNot(int) -> int",
  "math.bitNot(uint) -> uint",
  ...["bitShiftLeft", "bitShiftRight"].flatMap((f) => [`math.${f}(int, int) -> int`, `math.${f}(uint, int) -> uint`]),
  // regex
  "regex.replace(string, string, string) -> string",
  "regex.replace(string, string, string, int) -> string",
  "regex.extract(string, string) -> optional_type(string)",
  "regex.extractAll(string, string) -> list(string)",
  // optional
  "optional.of(A) -> optional_type(A)",
  "optional.ofNonZeroValue(A) -> optional_type(A)",
  "optional.none() -> optional_type(A)",
  "optional_type(A).hasValue() -> bool",
  "optional_type(A).value() -> A",
  "optional_type(A).orValue(A) -> A",
  "optional_type(A).or(optional_type(A)) -> optional_type(A)",
  // network
  "ip(string) -> net.IP",
  "cidr(string) -> net.CIDR",
  "isIP(string) -> bool",
  "isCIDR(string) -> bool",
  "ip.isCanonical(string) -> bool",
  "net.IP.family() -> int",
  ...["isLoopback", "isGlobalUnicast", "isLinkLocalMulticast", "isLinkLocalUnicast", "isUnspecified"].map((f) => `net.IP.${f}() -> bool`),
  "net.CIDR.containsIP(net.IP) -> bool",
  "net.CIDR.containsIP(string) -> bool",
  "net.CIDR.containsCIDR(net.CIDR) -> bool",
  "net.CIDR.containsCIDR(string) -> bool",
  "net.CIDR.ip() -> net.IP",
  "net.CIDR.masked() -> net.CIDR",
  "net.CIDR.prefixLength() -> int",
  // Cerbos
  ...setChecks.flatMap((f) => [`${f}(list(A), list(A)) -> bool`, `list(A).${f}(list(A)) -> bool`]),
  ...["intersect", "except"].flatMap((f) => [`${f}(list(A), list(A)) -> list(A)`, `list(A).${f}(list(A)) -> list(A)`]),
  "string.inIPAddrRange(string) -> bool",
  "now() -> timestamp",
  "timeSince(timestamp) -> duration",
  "timestamp.timeSince() -> duration",
  "id(dyn) -> dyn",
  `hierarchy(string) -> ${hier}`,
  `hierarchy(string, string) -> ${hier}`,
  `hierarchy(list(string)) -> ${hier}`,
  ...hierBool.map((f) => `${hier}.${f}(${hier}) -> bool`),
  `${hier}.commonAncestors(${hier}) -> ${hier}`,
  ...["basePath", "dirPath", "extPath", "volumeName"].map((f) => `${f}(string) -> string`),
  "joinPath(list(string)) -> string",
  "pathHasPrefix(string, string) -> bool",
  "pathMatch(string, string) -> bool",
  "pathMatchAnyOf(string, list(string)) -> bool",
  "relPath(string, string) -> string",
  "spiffeID(string) -> cerbos.lib.spiffeID",
  "spiffeTrustDomain(string) -> cerbos.lib.spiffeTrustDomain",
  "cerbos.lib.spiffeID.path() -> string",
  "cerbos.lib.spiffeID.trustDomain() -> cerbos.lib.spiffeTrustDomain",
  "cerbos.lib.spiffeTrustDomain.id() -> string",
  "cerbos.lib.spiffeTrustDomain.name() -> string",
  "cerbos.lib.spiffeMatcher.matchesID(cerbos.lib.spiffeID) -> bool",
  "cerbos.lib.spiffeMatcher.matchesID(string) -> bool",
  "cerbos.lib.spiffeID.isMemberOf(cerbos.lib.spiffeTrustDomain) -> bool",
  "cerbos.lib.spiffeID.isMemberOf(string) -> bool",
  "spiffeMatchAny() -> cerbos.lib.spiffeMatcher",
  "spiffeMatchExact(cerbos.lib.spiffeID) -> cerbos.lib.spiffeMatcher",
  "spiffeMatchExact(string) -> cerbos.lib.spiffeMatcher",
  "spiffeMatchOneOf(list(cerbos.lib.spiffeID)) -> cerbos.lib.spiffeMatcher",
  "spiffeMatchOneOf(list(string)) -> cerbos.lib.spiffeMatcher",
  "spiffeMatchTrustDomain(cerbos.lib.spiffeTrustDomain) -> cerbos.lib.spiffeMatcher",
  "spiffeMatchTrustDomain(string) -> cerbos.lib.spiffeMatcher",
  // produced by macro expansion (macros.ts)
  "cel.@mapInsert(map(K, V), K, V) -> map(K, V)",
  "cel.@mapInsert(map(K, V), map(K, V)) -> map(K, V)",
];

/** Function name → its overloads. */
export const DECLS: ReadonlyMap<string, Overload[]> = build();

function build(): Map<string, Overload[]> {
  const out = new Map<string, Overload[]>();
  for (const sig of SIGNATURES) {
    const parsed = parseSig(sig);
    if (!parsed) throw new Error(`bad signature ${sig}`);
    const list = out.get(parsed.name) ?? [];
    list.push(parsed.overload);
    out.set(parsed.name, list);
  }
  return out;
}

/** Splits a signature at its top-level parentheses. */
function parseSig(sig: string): { name: string; overload: Overload } | undefined {
  const arrow = sig.lastIndexOf("->");
  const result = parseType(sig.slice(arrow + 2).trim());
  const head = sig.slice(0, arrow).trim();
  // the argument list is the last balanced (...) of head
  let depth = 0;
  let open = -1;
  for (let i = head.length - 1; i >= 0; i--) {
    if (head[i] === ")") depth++;
    else if (head[i] === "(" && --depth === 0) {
      open = i;
      break;
    }
  }
  if (open < 0) return undefined;
  const argText = head.slice(open + 1, -1);
  const args = splitTop(argText).map(parseType);
  const callee = head.slice(0, open);
  // Namespaced globals (`math.abs`, `sets.contains`, `cel.@mapInsert`, `ip.isCanonical`) keep their
  // dots; otherwise the part before the last dot is the receiver type.
  const GLOBAL_NS = /^(math|sets|lists|base64|regex|json|strings|optional|cel|ip)\.[\w@]+$/;
  const dot = callee.lastIndexOf(".");
  if (dot < 0 || GLOBAL_NS.test(callee)) return { name: callee, overload: { member: false, args, result } };
  return { name: callee.slice(dot + 1), overload: { member: true, args: [parseType(callee.slice(0, dot)), ...args], result } };
}

function splitTop(text: string): string[] {
  if (!text.trim()) return [];
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
    else if (text[i] === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}
