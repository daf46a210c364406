// CEL function name × call form × argument count → evaluator Builtin (spec/format.ts).
// Member calls pass the receiver as the first argument, so `argc` below counts it.
// Namespaced globals (`sets.contains`, `math.abs`, ...) appear with their qualified name.
import { Builtin as B } from "../../spec/format.ts";

type Form = "global" | "member";
interface Entry {
  builtin: number;
  argc: number[]; // accepted argument counts, receiver included
  /** never constant-folded: reads the request clock */
  impure?: boolean;
}

const globals: Record<string, Entry> = {
  size: { builtin: B.SIZE, argc: [1] },
  int: { builtin: B.TO_INT, argc: [1] },
  uint: { builtin: B.TO_UINT, argc: [1] },
  double: { builtin: B.TO_DOUBLE, argc: [1] },
  string: { builtin: B.TO_STRING, argc: [1] },
  bool: { builtin: B.TO_BOOL, argc: [1] },
  bytes: { builtin: B.TO_BYTES, argc: [1] },
  timestamp: { builtin: B.TIMESTAMP, argc: [1] },
  duration: { builtin: B.DURATION, argc: [1] },
  dyn: { builtin: B.DYN, argc: [1] },
  type: { builtin: B.TYPE, argc: [1] },
  matches: { builtin: B.MATCHES, argc: [2] },
  now: { builtin: B.NOW, argc: [0], impure: true },
  timeSince: { builtin: B.TIME_SINCE, argc: [1], impure: true },
  hasIntersection: { builtin: B.HAS_INTERSECTION, argc: [2] },
  has_intersection: { builtin: B.HAS_INTERSECTION, argc: [2] },
  intersect: { builtin: B.INTERSECT, argc: [2] },
  except: { builtin: B.EXCEPT, argc: [2] },
  isSubset: { builtin: B.IS_SUBSET, argc: [2] },
  is_subset: { builtin: B.IS_SUBSET, argc: [2] },
  hierarchy: { builtin: B.HIERARCHY, argc: [1, 2] },
  "sets.contains": { builtin: B.SETS_CONTAINS, argc: [2] },
  "sets.equivalent": { builtin: B.SETS_EQUIVALENT, argc: [2] },
  "sets.intersects": { builtin: B.SETS_INTERSECTS, argc: [2] },
  "base64.encode": { builtin: B.BASE64_ENCODE, argc: [1] },
  "base64.decode": { builtin: B.BASE64_DECODE, argc: [1] },
  "lists.range": { builtin: B.LISTS_RANGE, argc: [1] },
  "strings.quote": { builtin: B.QUOTE, argc: [1] },
  "regex.replace": { builtin: B.REGEX_REPLACE, argc: [3, 4] },
  "regex.extractAll": { builtin: B.REGEX_EXTRACT_ALL, argc: [2] },
  "regex.extract": { builtin: B.REGEX_EXTRACT, argc: [2] },
  "optional.of": { builtin: B.OPTIONAL_OF, argc: [1] },
  "optional.none": { builtin: B.OPTIONAL_NONE, argc: [0] },
  "optional.ofNonZeroValue": { builtin: B.OPTIONAL_OF_NON_ZERO, argc: [1] },
  "json.encode": { builtin: B.JSON_ENCODE, argc: [1] },
  // math.greatest/least are variadic macros in cel-go; one list argument or 1..n numbers
  "math.greatest": { builtin: B.MATH_GREATEST, argc: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] },
  "math.least": { builtin: B.MATH_LEAST, argc: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] },
  "math.abs": { builtin: B.MATH_ABS, argc: [1] },
  "math.ceil": { builtin: B.MATH_CEIL, argc: [1] },
  "math.floor": { builtin: B.MATH_FLOOR, argc: [1] },
  "math.round": { builtin: B.MATH_ROUND, argc: [1] },
  "math.trunc": { builtin: B.MATH_TRUNC, argc: [1] },
  "math.sign": { builtin: B.MATH_SIGN, argc: [1] },
  "math.isNaN": { builtin: B.MATH_IS_NAN, argc: [1] },
  "math.isInf": { builtin: B.MATH_IS_INF, argc: [1] },
  "math.isFinite": { builtin: B.MATH_IS_FINITE, argc: [1] },
  "math.sqrt": { builtin: B.MATH_SQRT, argc: [1] },
  "math.bitAnd": { builtin: B.MATH_BIT_AND, argc: [2] },
  "math.bitOr": { builtin: B.MATH_BIT_OR, argc: [2] },
  "math.bitXor": { builtin: B.MATH_BIT_XOR, argc: [2] },
  "math.bitNot": { builtin: B.MATH_BIT_NOT, argc: [1] },
  "math.bitShiftLeft": { builtin: B.MATH_BIT_SHIFT_LEFT, argc: [2] },
  "math.bitShiftRight": { builtin: B.MATH_BIT_SHIFT_RIGHT, argc: [2] },
  ip: { builtin: B.IP, argc: [1] },
  cidr: { builtin: B.CIDR, argc: [1] },
  isIP: { builtin: B.IS_IP, argc: [1] },
  isCIDR: { builtin: B.IS_CIDR, argc: [1] },
  "ip.isCanonical": { builtin: B.IP_IS_CANONICAL, argc: [1] },
  basePath: { builtin: B.BASE_PATH, argc: [1] },
  dirPath: { builtin: B.DIR_PATH, argc: [1] },
  extPath: { builtin: B.EXT_PATH, argc: [1] },
  volumeName: { builtin: B.VOLUME_NAME, argc: [1] },
  joinPath: { builtin: B.JOIN_PATH, argc: [1] },
  pathHasPrefix: { builtin: B.PATH_HAS_PREFIX, argc: [2] },
  pathMatch: { builtin: B.PATH_MATCH, argc: [2] },
  pathMatchAnyOf: { builtin: B.PATH_MATCH_ANY_OF, argc: [2] },
  relPath: { builtin: B.REL_PATH, argc: [2] },
  id: { builtin: B.IDENTITY, argc: [1] },
  spiffeID: { builtin: B.SPIFFE_ID, argc: [1] },
  spiffeTrustDomain: { builtin: B.SPIFFE_TRUST_DOMAIN, argc: [1] },
  spiffeMatchAny: { builtin: B.SPIFFE_MATCH_ANY, argc: [0] },
  spiffeMatchExact: { builtin: B.SPIFFE_MATCH_EXACT, argc: [1] },
  spiffeMatchOneOf: { builtin: B.SPIFFE_MATCH_ONE_OF, argc: [1] },
  spiffeMatchTrustDomain: { builtin: B.SPIFFE_MATCH_TRUST_DOMAIN, argc: [1] },
  // internal functions produced by macro expansion (macros.ts); users cannot spell `@`
  "cel.@mapInsert": { builtin: B.MAP_INSERT, argc: [2, 3] },
  "@sortByAssociatedKeys": { builtin: B.SORT_BY_KEYS, argc: [2] },
};

const getter = (builtin: number): Entry => ({ builtin, argc: [1, 2] }); // optional time zone
const members: Record<string, Entry> = {
  size: { builtin: B.SIZE, argc: [1] },
  contains: { builtin: B.CONTAINS, argc: [2] },
  startsWith: { builtin: B.STARTS_WITH, argc: [2] },
  endsWith: { builtin: B.ENDS_WITH, argc: [2] },
  matches: { builtin: B.MATCHES, argc: [2] },
  getFullYear: getter(B.GET_FULL_YEAR),
  getMonth: getter(B.GET_MONTH),
  getDate: getter(B.GET_DATE),
  getDayOfMonth: getter(B.GET_DAY_OF_MONTH),
  getDayOfWeek: getter(B.GET_DAY_OF_WEEK),
  getDayOfYear: getter(B.GET_DAY_OF_YEAR),
  getHours: getter(B.GET_HOURS),
  getMinutes: getter(B.GET_MINUTES),
  getSeconds: getter(B.GET_SECONDS),
  getMilliseconds: getter(B.GET_MILLISECONDS),
  timeSince: { builtin: B.TIME_SINCE, argc: [1], impure: true },
  inIPAddrRange: { builtin: B.IN_IP_ADDR_RANGE, argc: [2] },
  hasIntersection: { builtin: B.HAS_INTERSECTION, argc: [2] },
  has_intersection: { builtin: B.HAS_INTERSECTION, argc: [2] },
  intersect: { builtin: B.INTERSECT, argc: [2] },
  except: { builtin: B.EXCEPT, argc: [2] },
  isSubset: { builtin: B.IS_SUBSET, argc: [2] },
  is_subset: { builtin: B.IS_SUBSET, argc: [2] },
  format: { builtin: B.FORMAT, argc: [2] },
  lowerAscii: { builtin: B.LOWER_ASCII, argc: [1] },
  upperAscii: { builtin: B.UPPER_ASCII, argc: [1] },
  replace: { builtin: B.REPLACE, argc: [3, 4] },
  split: { builtin: B.SPLIT, argc: [2, 3] },
  join: { builtin: B.JOIN, argc: [1, 2] },
  trim: { builtin: B.TRIM, argc: [1] },
  indexOf: { builtin: B.INDEX_OF, argc: [2, 3] },
  lastIndexOf: { builtin: B.LAST_INDEX_OF, argc: [2, 3] },
  substring: { builtin: B.SUBSTRING, argc: [2, 3] },
  charAt: { builtin: B.CHAR_AT, argc: [2] },
  sort: { builtin: B.SORT, argc: [1] },
  distinct: { builtin: B.DISTINCT, argc: [1] },
  flatten: { builtin: B.FLATTEN, argc: [1, 2] },
  reverse: { builtin: B.REVERSE, argc: [1] }, // string (ext.Strings) or list (ext.Lists)
  slice: { builtin: B.SLICE, argc: [3] },
  family: { builtin: B.IP_FAMILY, argc: [1] },
  isLoopback: { builtin: B.IP_IS_LOOPBACK, argc: [1] },
  isGlobalUnicast: { builtin: B.IP_IS_GLOBAL_UNICAST, argc: [1] },
  isLinkLocalMulticast: { builtin: B.IP_IS_LINK_LOCAL_MULTICAST, argc: [1] },
  isLinkLocalUnicast: { builtin: B.IP_IS_LINK_LOCAL_UNICAST, argc: [1] },
  isUnspecified: { builtin: B.IP_IS_UNSPECIFIED, argc: [1] },
  containsIP: { builtin: B.CIDR_CONTAINS_IP, argc: [2] },
  containsCIDR: { builtin: B.CIDR_CONTAINS_CIDR, argc: [2] },
  ip: { builtin: B.CIDR_IP, argc: [1] },
  masked: { builtin: B.CIDR_MASKED, argc: [1] },
  prefixLength: { builtin: B.CIDR_PREFIX_LENGTH, argc: [1] },
  isMask: { builtin: B.CIDR_IS_MASK, argc: [1] },
  ancestorOf: { builtin: B.HIER_ANCESTOR_OF, argc: [2] },
  descendentOf: { builtin: B.HIER_DESCENDENT_OF, argc: [2] },
  immediateChildOf: { builtin: B.HIER_IMMEDIATE_CHILD_OF, argc: [2] },
  immediateParentOf: { builtin: B.HIER_IMMEDIATE_PARENT_OF, argc: [2] },
  siblingOf: { builtin: B.HIER_SIBLING_OF, argc: [2] },
  overlaps: { builtin: B.HIER_OVERLAPS, argc: [2] },
  commonAncestors: { builtin: B.HIER_COMMON_ANCESTORS, argc: [2] },
  pathHasPrefix: { builtin: B.PATH_HAS_PREFIX, argc: [2] },
  pathMatch: { builtin: B.PATH_MATCH, argc: [2] },
  pathMatchAnyOf: { builtin: B.PATH_MATCH_ANY_OF, argc: [2] },
  isMemberOf: { builtin: B.SPIFFE_IS_MEMBER_OF, argc: [2] },
  path: { builtin: B.SPIFFE_PATH, argc: [1] },
  trustDomain: { builtin: B.SPIFFE_TRUST_DOMAIN_OF, argc: [1] },
  id: { builtin: B.SPIFFE_TD_ID, argc: [1] },
  name: { builtin: B.SPIFFE_TD_NAME, argc: [1] },
  matchesID: { builtin: B.SPIFFE_MATCHES_ID, argc: [2] },
  hasValue: { builtin: B.OPTIONAL_HAS_VALUE, argc: [1] },
  value: { builtin: B.OPTIONAL_VALUE, argc: [1] },
  orValue: { builtin: B.OPTIONAL_OR_VALUE, argc: [2] },
  or: { builtin: B.OPTIONAL_OR, argc: [2] },
};

/** Builtins the evaluator does not implement yet. Calling one is a compile error (VD3017) at the
 *  call, never a run-time surprise; docs/cel-support.md lists them, and
 *  test/compiler/not-implemented.test.ts checks this set against the evaluator's dispatch. */
export const NOT_IMPLEMENTED: ReadonlySet<number> = new Set([
  B.REGEX_REPLACE, B.REGEX_EXTRACT_ALL, B.REGEX_EXTRACT,
  ...range(B.IP, B.CIDR_IS_MASK), // ip()/cidr() values and their methods (inIPAddrRange is implemented)
  ...range(B.OPTIONAL_OF, B.OPTIONAL_OR),
  ...range(B.BASE_PATH, B.SPIFFE_MATCHES_ID), // path and SPIFFE functions
]);

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Identifiers that are function namespaces when used as a call target (`sets.contains(..)`). */
export const NAMESPACES = new Set(["sets", "lists", "math", "base64", "regex", "json", "strings", "ip", "cel", "optional"]);

export type Lookup = { ok: true; entry: Entry } | { ok: false; known: boolean /* name exists, wrong arity */ };

export function lookupFunction(form: Form, name: string, argc: number): Lookup {
  const table = form === "global" ? globals : members;
  const entry = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!entry) return { ok: false, known: false };
  return entry.argc.includes(argc) ? { ok: true, entry } : { ok: false, known: true };
}

/** Builtin id → readable name, for disassembly. */
export function builtinName(id: number): string {
  return (B as unknown as Record<number, string>)[id] ?? `BUILTIN_${id}`;
}
