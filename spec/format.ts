// The single source of every number in the Verdict ruleset format and the wasm ABI.
//
// Both the TypeScript compiler/hosts and the AssemblyScript evaluator import this file, so it
// may only contain `export const NAME: <i32|u32|u8|u16|f64> = <literal>` and `export enum`.
// (TypeScript sees the AssemblyScript number types through types/portable.d.ts.)
// docs/format.md explains every item to someone writing a third implementation; a test checks
// that each opcode, builtin and section listed here appears in that document.
//
// Conventions: little-endian; every record and section starts 4-byte aligned; "sid" is an index
// into the STRINGS section; NONE (0xFFFFFFFF) marks an absent sid/index.

// ---------------------------------------------------------------------------------------------
// Versions

export const MAGIC: u32 = 0x54445256; // bytes "VRDT"
export const FORMAT_MAJOR: u32 = 2; // 2: globs are GLOBS regex programs (1.x rulesets relied on a glob matcher)
export const FORMAT_MINOR: u32 = 0;
/** The evaluator's exported ABI version: hosts refuse a different major. */
export const ABI_MAJOR: u32 = 1;
export const ABI_MINOR: u32 = 2; // 1: `decide`; 2: host imports

// Host imports (module "verdict"; docs/format.md "Host imports"): what JavaScript already does
// natively, so the evaluator need not carry it. `digits(x, mode, out)` writes the decimal digits of
// a finite x ≥ 0 at out and returns (decimal point position << 8) | digit count; mode is
// DIGITS_SHORTEST, a fraction-digit count 0..DIGITS_MAX_PREC in exponent form, or DIGITS_FIXED + p
// for p digits after the point (positional; the point position returned is then 0).
export const DIGITS_SHORTEST: i32 = -1;
export const DIGITS_MAX_PREC: i32 = 100;
export const DIGITS_FIXED: i32 = 128;

export const NONE: u32 = 0xffffffff;

// ---------------------------------------------------------------------------------------------
// Header (HEADER_SIZE bytes) followed by SECTION_ENTRY_SIZE-byte directory entries.
//   +0 magic u32 · +4 major u16 · +6 minor u16 · +8 total length u32
//   +12 checksum u32: FNV-1a 32 of bytes [16, total length)
//   +16 flags u32 (HeaderFlag) · +20 section count u32 · +24 reserved (8 bytes, zero)
// Directory entry: id u32 · offset u32 (from ruleset start, 4-aligned) · length u32.

export const HEADER_SIZE: u32 = 32;
export const H_MAGIC: u32 = 0;
export const H_MAJOR: u32 = 4;
export const H_MINOR: u32 = 6;
export const H_LENGTH: u32 = 8;
export const H_CHECKSUM: u32 = 12;
export const H_FLAGS: u32 = 16;
export const H_SECTION_COUNT: u32 = 20;
export const CHECKSUM_FROM: u32 = 16;
export const SECTION_ENTRY_SIZE: u32 = 12;
export const FNV_OFFSET: u32 = 0x811c9dc5;
export const FNV_PRIME: u32 = 0x01000193;

export enum HeaderFlag {
  /** Expression source text was stripped (STRINGS entries of sources are empty). */
  STRIPPED = 1,
}

export enum Section {
  /** count u32 · count × (offset u32, length u32) relative to the blob start · UTF-8 blob (4-aligned end). */
  STRINGS = 1,
  /** count u32 · 12 bytes zero · count × 16-byte value cells (see Cell). Pointers are cell indexes here. */
  CONSTS = 2,
  /** Bytecode of every expression, back to back. */
  CODE = 3,
  /** count u32 · count × EXPR_SIZE records. */
  EXPRS = 4,
  /** count u32 · count × VAR_SIZE records: one slot per (variable set, variable). */
  VARS = 5,
  /** count u32 · count × PARAMS_SIZE records: an ordered run of VARS slots. */
  PARAMS = 6,
  /** node count u32 · nodes × COND_SIZE · child count u32 · children u32[] (indexes of nodes). */
  CONDS = 7,
  /** count u32 · count × ROW_SIZE records, in evaluation order. */
  ROWS = 8,
  /** count u32 · count × DROLE_SIZE records: derived roles each resource policy references. */
  DROLES = 9,
  /** count u32 · u32[] shared lists (sids or indexes) referenced by (start, count) pairs. */
  LISTS = 10,
  /** count u32 · count × SCOPE_SIZE records, one per distinct scope of any policy. */
  SCOPES = 11,
  /** count u32 · count × PROLE_SIZE records: role policy parent roles, transitively closed. */
  PARENT_ROLES = 12,
  /** flags u32 (AttrFlag) · principal key count u32 · sids · resource key count u32 · sids. */
  ATTRS = 13,
  /** count u32 · count × (pattern sid u32, REGEX cell index u32), ascending by sid: each glob
   *  pattern (row actions and resources flagged *_GLOB, role-policy allow actions with glob
   *  syntax) and its anchored regex program. "*" (WellKnown.STAR) matches everything and has none. */
  GLOBS = 14,
  /** Trailing integrity section, read by hosts only (the evaluator skips it): INTEGRITY_SIZE bytes,
   *  see IN_* below. Must be the last section and end at the ruleset's total length. */
  INTEGRITY = 15,
  /** Read by hosts only (the evaluator skips ids ≥ 16): byte length u32 · UTF-8 JSON
   *  {schemas: {ref: JSON Schema}, policies: {policy key: {principal?, resource?: {ref, ignoreWhen?}}}}
   *  of the resource policies whose schemas apply (see docs/schemas.md). Absent when none do.
   *  Written before INTEGRITY. */
  SCHEMAS = 16,
}

// ---------------------------------------------------------------------------------------------
// INTEGRITY section body (added in format 1.0, optional; `verdict compile` always writes it).
//   +0 flags u32 (IntegrityFlag) · +4 algorithm u32 (INTEGRITY_ALG_ED25519_SHA256)
//   +8 SHA-256 digest (32 bytes) of the whole ruleset with the header checksum field [12, 16) and
//      this section's body zeroed (so signing later changes neither the digest nor the layout)
//   +40 Ed25519 signature (64 bytes, zero when unsigned) over "VRDT-SIG-1" ‖ digest ‖ key id
//   +104 key id (8 bytes): the first 8 bytes of SHA-256 of the raw 32-byte public key, zero when unsigned
export const INTEGRITY_SIZE: u32 = 112;
export const IN_FLAGS: u32 = 0;
export const IN_ALGORITHM: u32 = 4;
export const IN_DIGEST: u32 = 8;
export const IN_SIGNATURE: u32 = 40;
export const IN_KEY_ID: u32 = 104;
export const INTEGRITY_ALG_ED25519_SHA256: u32 = 1;
/** Length of the ASCII domain-separation prefix "VRDT-SIG-1" that starts the signed message. */
export const INTEGRITY_CONTEXT_LENGTH: u32 = 10;

export enum IntegrityFlag {
  /** The signature and key id fields are filled. */
  SIGNED = 1,
}

// ---------------------------------------------------------------------------------------------
// Expressions: EXPRS records

export const EXPR_SIZE: u32 = 16;
export const EX_CODE_OFFSET: u32 = 0; // u32, into CODE
export const EX_CODE_LENGTH: u32 = 4; // u32
export const EX_SOURCE: u32 = 8; // sid of the original CEL text (for evaluationErrors), or NONE
export const EX_MAX_STACK: u32 = 12; // u16
export const EX_LOCALS: u32 = 14; // u16

// Variables: VARS records. A variable that evaluates to an error stays unset; reading it is
// the error "undefined field '<name>'" (CelError.NO_SUCH_FIELD with the name as detail).
export const VAR_SIZE: u32 = 8;
export const VA_NAME: u32 = 0; // sid
export const VA_EXPR: u32 = 4; // expression index

export const PARAMS_SIZE: u32 = 8;
export const PA_VAR_START: u32 = 0;
export const PA_VAR_COUNT: u32 = 4;

// Conditions: CONDS nodes.
export const COND_SIZE: u32 = 12;
export const CO_KIND: u32 = 0; // CondKind
export const CO_A: u32 = 4; // EXPR: expression index; ALL/ANY/NONE: first child position
export const CO_B: u32 = 8; // ALL/ANY/NONE: child count

export enum CondKind {
  EXPR = 1,
  ALL = 2,
  ANY = 3,
  NONE = 4,
}

// ---------------------------------------------------------------------------------------------
// Rule rows (Cerbos's rule table: one row per rule × action × role, or × derived-role parent role)

export const ROW_SIZE: u32 = 80;
export const RW_KIND: u32 = 0; // u8 PolicyKind
export const RW_EFFECT: u32 = 1; // u8 Effect
export const RW_SCOPE_PERMISSIONS: u32 = 2; // u8 ScopePermissions
export const RW_FLAGS: u32 = 3; // u8 RowFlag
export const RW_VERSION: u32 = 4; // sid
export const RW_RESOURCE: u32 = 8; // sid (sanitised kind; may be a glob when ROW_RESOURCE_GLOB)
export const RW_SCOPE: u32 = 12; // sid
export const RW_ROLE: u32 = 16; // sid ("*" has ROW_ROLE_ANY)
export const RW_ACTION: u32 = 20; // sid, NONE for role-policy rows (they use allow actions)
export const RW_PRINCIPAL: u32 = 24; // sid for principal-policy rows, else NONE
export const RW_CONDITION: u32 = 28; // CONDS node index or NONE (= true)
export const RW_DR_CONDITION: u32 = 32; // derived-role condition node or NONE
export const RW_PARAMS: u32 = 36; // PARAMS index or NONE
export const RW_DR_PARAMS: u32 = 40; // PARAMS index of the derived-role policy or NONE
export const RW_POLICY: u32 = 44; // sid of the policy key, e.g. resource.leave_request.vdefault/acme
export const RW_NAME: u32 = 48; // sid of the rule name
export const RW_OUTPUT_SRC: u32 = 52; // sid of "<policy key>#<rule name>" used as outputs[].src
export const RW_DERIVED_ROLE: u32 = 56; // sid of the origin derived role or NONE
export const RW_OUTPUT_ACTIVATED: u32 = 60; // expression index or NONE
export const RW_OUTPUT_NOT_MET: u32 = 64; // expression index or NONE
export const RW_EVAL_KEY: u32 = 68; // dense index shared by rows of one evaluation key (condition cache)
export const RW_ALLOW_START: u32 = 72; // role-policy rows: allow actions in LISTS (sids)
export const RW_ALLOW_COUNT: u32 = 76;

export enum PolicyKind {
  RESOURCE = 1,
  PRINCIPAL = 2,
}

export enum Effect {
  NO_MATCH = 0,
  ALLOW = 1,
  DENY = 2,
}

export enum ScopePermissions {
  OVERRIDE_PARENT = 1,
  REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS = 2,
}

export enum RowFlag {
  /** Row of a role policy: matched through its allow-actions list, never directly. */
  FROM_ROLE_POLICY = 1,
  /** Placeholder row of a policy without rules: makes the policy exist in its scope. */
  NOOP = 2,
  ACTION_GLOB = 4,
  RESOURCE_GLOB = 8,
  ROLE_ANY = 16,
}

// Derived roles referenced by a resource policy (for effectiveDerivedRoles).
export const DROLE_SIZE: u32 = 32;
export const DR_RESOURCE: u32 = 0; // sid, sanitised resource kind of the policy
export const DR_VERSION: u32 = 4; // sid
export const DR_SCOPE: u32 = 8; // sid
export const DR_NAME: u32 = 12; // sid
export const DR_PARENTS_START: u32 = 16; // LISTS position of parent role sids
export const DR_PARENTS_COUNT: u32 = 20;
export const DR_CONDITION: u32 = 24; // CONDS node or NONE
export const DR_PARAMS: u32 = 28; // PARAMS index or NONE

// Scopes: which policy kinds exist at a scope, and its scope permissions.
export const SCOPE_SIZE: u32 = 12;
export const SC_SCOPE: u32 = 0; // sid
export const SC_FLAGS: u32 = 4; // ScopeFlag
export const SC_PERMISSIONS: u32 = 8; // ScopePermissions

export enum ScopeFlag {
  HAS_PRINCIPAL_POLICY = 1,
  HAS_RESOURCE_POLICY = 2,
}

// Parent roles of role policies, per scope, already transitively closed.
export const PROLE_SIZE: u32 = 16;
export const PR_SCOPE: u32 = 0; // sid
export const PR_ROLE: u32 = 4; // sid
export const PR_PARENTS_START: u32 = 8; // LISTS position of parent role sids
export const PR_PARENTS_COUNT: u32 = 12;

export enum AttrFlag {
  /** Some expression reads principal.attr as a whole: the host must send every attribute. */
  ALL_PRINCIPAL = 1,
  ALL_RESOURCE = 2,
  /** Some expression reads request.auxData. */
  AUX_DATA = 4,
}

// ---------------------------------------------------------------------------------------------
// Value cells: 16 bytes, used for constants, the request, the VM stack and results.
//   +0 tag u8 · +1..3 zero · +4 A u32 · +8 B (8 bytes)
// Pointers are absolute wasm addresses once loaded (cell indexes inside the CONSTS section).

export const CELL_SIZE: u32 = 16;
export const CL_TAG: u32 = 0;
export const CL_A: u32 = 4;
export const CL_B: u32 = 8; // low 32 bits of B
export const CL_C: u32 = 12; // high 32 bits of B

export enum Tag {
  NULL = 0,
  /** B = 0 or 1 */
  BOOL = 1,
  /** B = i64 */
  INT = 2,
  /** B = u64 */
  UINT = 3,
  /** B = f64 */
  DOUBLE = 4,
  /** A = byte length · B low = pointer to UTF-8 bytes · B high = sid, or NONE if not interned */
  STRING = 5,
  /** A = byte length · B low = pointer */
  BYTES = 6,
  /** A = element count · B low = pointer to A cells */
  LIST = 7,
  /** A = entry count · B low = pointer to 2×A cells (key, value, key, value ...) */
  MAP = 8,
  /** A = nanos (0..999999999) · B = i64 seconds since the Unix epoch · bytes 2–3 = i16 UTC offset
   *  in minutes the timestamp was written with (|offset| < 1440; 0 = UTC). Like Go's time.Time it
   *  only affects formatting (string(), outputs): comparison and getters use the instant. */
  TIMESTAMP = 9,
  /** A = nanos as i32 (same sign as seconds) · B = i64 seconds */
  DURATION = 10,
  /** A = Tag of the type described */
  TYPE = 11,
  /** A = CelError code · B low = pointer to a detail cell (usually a STRING) or 0 · B high = expression index */
  ERROR = 12,
  /** A = Message kind · B low = pointer to the message's field block (see Request) */
  MESSAGE = 13,
  /** Comprehension iterator (VM-internal): A = position · B low = source cell pointer */
  ITER = 14,
  /** Value not present (VM-internal, e.g. an unset variable slot) */
  ABSENT = 15,
  /** CEL optional (optional.of/none, regex.extract): A = 1 when a value is present, else 0 ·
   *  B low = pointer to the contained value cell (0 when empty). Two optionals are equal when both
   *  are empty or both hold equal values; type(optional) is "optional_type". */
  OPTIONAL = 16,
  /** Compiled RE2 program (a constant, only ever the pattern argument of MATCHES; see RX_* below).
   *  In the file: A = program byte length · B low = sid of the program bytes · B high = sid of the
   *  pattern text (informative, NONE allowed). Loaded: A = byte length · B low = pointer · B high = NONE. */
  REGEX = 17,
}

// ---------------------------------------------------------------------------------------------
// Regex programs (Tag.REGEX constants): a Thompson NFA the compiler derives from the RE2 program
// of a constant pattern, with case folding and Unicode classes already turned into code-point
// ranges. Header RX_HEADER_SIZE bytes: +0 instruction count u32 (1..RX_MAX_INSTS) · +4 start
// instruction u32 · +8 range count u32; then count × RX_INST_SIZE instructions
// (+0 op u32 RegexOp · +4 out u32 · +8 arg u32 · +12 n u32); then range count × (lo u32, hi u32),
// inclusive code-point ranges. Instruction indexes (out, ALT's arg) are < the instruction count.
export const RX_HEADER_SIZE: u32 = 12;
export const RX_INST_SIZE: u32 = 16;
export const RX_RANGE_SIZE: u32 = 8;
export const RX_MAX_INSTS: u32 = 0x10000;

export enum RegexOp {
  /** The pattern matched (out, arg, n unused: zero). */
  MATCH = 1,
  /** Continue at both out and arg. */
  ALT = 2,
  /** Continue at out when every RegexEmpty bit of arg holds at this position (arg 0: always). */
  EMPTY = 3,
  /** Consume one code point inside one of the n ranges starting at range index arg; continue at
   *  out. n = 0 never matches. Ranges of one instruction are sorted and disjoint. */
  RANGES = 4,
}

/** Zero-width assertions of an EMPTY instruction (the bits of Go's regexp/syntax.EmptyOp). */
export enum RegexEmpty {
  BEGIN_LINE = 1,
  END_LINE = 2,
  BEGIN_TEXT = 4,
  END_TEXT = 8,
  WORD_BOUNDARY = 16,
  NO_WORD_BOUNDARY = 32,
}

export enum Message {
  REQUEST = 1,
  PRINCIPAL = 2,
  RESOURCE = 3,
  RUNTIME = 4,
  AUX_DATA = 5,
}

export enum CelError {
  NO_SUCH_KEY = 1,
  NO_MATCHING_OVERLOAD = 2,
  DIVISION_BY_ZERO = 3,
  MODULUS_BY_ZERO = 4,
  OVERFLOW = 5,
  INDEX_OUT_OF_RANGE = 6,
  INVALID_ARGUMENT = 7,
  CONVERSION = 8,
  NO_SUCH_FIELD = 9,
  DUPLICATE_KEY = 10,
  BUDGET_EXCEEDED = 11,
  UNSUPPORTED = 12,
  NO_SUCH_ATTRIBUTE = 13,
  DERIVED_ROLES_FAILED = 14,
}

// ---------------------------------------------------------------------------------------------
// Bytecode. Each instruction is an opcode byte followed by its operands; "u32" operands are
// little-endian 4-byte values; "rel" is an i32 byte offset relative to the end of the instruction.
// The stack effect column in docs/format.md is normative.

export enum Op {
  /** CONST k:u32 — push constant cell k. [→ v] */
  CONST = 1,
  NULL = 2,
  TRUE = 3,
  FALSE = 4,
  /** LOAD_ROOT m:u8 — push MESSAGE m (Message enum) or the globals map (ROOT_GLOBALS). [→ v] */
  LOAD_ROOT = 5,
  /** LOAD_VAR slot:u32 — push the value of variable slot (ERROR NO_SUCH_FIELD "undefined field 'name'" if unset). [→ v] */
  LOAD_VAR = 6,
  /** LOAD_LOCAL i:u8 [→ v] */
  LOAD_LOCAL = 7,
  /** STORE_LOCAL i:u8 [v →] */
  STORE_LOCAL = 8,
  /** SELECT sid:u32 — field or map key. Missing key: ERROR NO_SUCH_KEY. [obj → v]
   *  On a MESSAGE the compiler only emits the camelCase field names (id, roles, attr,
   *  policyVersion, scope, kind, jwt, jwts, effectiveDerivedRoles); proto names are mapped. */
  SELECT = 9,
  /** HAS sid:u32 — presence test (has()). [obj → bool] */
  HAS = 10,
  /** INDEX [obj key → v] */
  INDEX = 11,
  POP = 12,
  DUP = 13,
  /** JUMP rel:i32 */
  JUMP = 14,
  /** JUMP_IF_FALSE rel:i32 — pop; jump when the value is exactly false. [v →] */
  JUMP_IF_FALSE = 15,
  /** AND_SHORT rel:i32 — peek; when exactly false jump (keeping it). [a → a] */
  AND_SHORT = 16,
  /** OR_SHORT rel:i32 — peek; when exactly true jump (keeping it). [a → a] */
  OR_SHORT = 17,
  /** AND — CEL && of a non-false a and b, absorbing errors. [a b → v] */
  AND = 18,
  /** OR [a b → v] */
  OR = 19,
  NOT = 20,
  NEG = 21,
  EQ = 22,
  NE = 23,
  LT = 24,
  LE = 25,
  GT = 26,
  GE = 27,
  /** IN [elem container → bool] */
  IN = 28,
  ADD = 29,
  SUB = 30,
  MUL = 31,
  DIV = 32,
  MOD = 33,
  /** MK_LIST n:u32 [v1..vn → list] */
  MK_LIST = 34,
  /** MK_MAP n:u32 [k1 v1 .. kn vn → map] */
  MK_MAP = 35,
  /** CALL fn:u16 argc:u8 — builtin fn; a member call's receiver is the first argument. [a1..an → v] */
  CALL = 36,
  /** BRANCH else:rel end:rel — pop c; true: fall through; false: jump else; other: push error
   *  (c itself when it is an ERROR, else NO_MATCHING_OVERLOAD), jump end. Both rels are relative
   *  to the end of the BRANCH instruction. */
  BRANCH = 37,
  /** ITER_INIT end:rel — pop a list/map, push its iterator; not iterable: push error (the value
   *  itself when it is an ERROR, else NO_MATCHING_OVERLOAD), jump end. The compiler emits
   *  `<range> ITER_INIT →end <init> STORE_LOCAL accu; loop: ITER_NEXT a b →exit [<cond> JUMP_IF_FALSE →exit]
   *  <step> STORE_LOCAL accu JUMP →loop; exit: ITER_END <result>; end:` (cel-go's comprehension). */
  ITER_INIT = 38,
  /** ITER_NEXT a:u8 b:u8 exit:rel — advance the iterator on top; exhausted: jump exit.
   *  One-variable form (b = 0xff): a = element (list) or key (map).
   *  Two-variable form: a = index (list) or key (map), b = element or value. */
  ITER_NEXT = 39,
  /** ITER_END — pop the iterator. */
  ITER_END = 40,
  /** RET — the value on top of the stack is the result. */
  RET = 41,
  /** NOT_STRICTLY_FALSE — push true unless the value is exactly false. [v → bool] */
  NOT_STRICTLY_FALSE = 42,
}

export const ROOT_GLOBALS: u32 = 100;
export const ITER_NO_SECOND: u32 = 0xff;

/** Builtin functions for Op.CALL. Member calls pass the receiver first. */
export enum Builtin {
  SIZE = 1,
  CONTAINS = 2,
  STARTS_WITH = 3,
  ENDS_WITH = 4,
  MATCHES = 5,
  TO_INT = 6,
  TO_UINT = 7,
  TO_DOUBLE = 8,
  TO_STRING = 9,
  TO_BOOL = 10,
  TO_BYTES = 11,
  TIMESTAMP = 12,
  DURATION = 13,
  DYN = 14,
  TYPE = 15,
  GET_FULL_YEAR = 16,
  GET_MONTH = 17,
  GET_DATE = 18,
  GET_DAY_OF_MONTH = 19,
  GET_DAY_OF_WEEK = 20,
  GET_DAY_OF_YEAR = 21,
  GET_HOURS = 22,
  GET_MINUTES = 23,
  GET_SECONDS = 24,
  GET_MILLISECONDS = 25,
  NOW = 26,
  TIME_SINCE = 27,
  IN_IP_ADDR_RANGE = 28,
  HAS_INTERSECTION = 29,
  INTERSECT = 30,
  EXCEPT = 31,
  IS_SUBSET = 32,
  FORMAT = 33,
  LOWER_ASCII = 34,
  UPPER_ASCII = 35,
  REPLACE = 36,
  SPLIT = 37,
  JOIN = 38,
  TRIM = 39,
  INDEX_OF = 40,
  LAST_INDEX_OF = 41,
  SUBSTRING = 42,
  CHAR_AT = 43,
  HIERARCHY = 44,
  SORT = 45,
  DISTINCT = 46,
  FLATTEN = 47,
  REVERSE = 48,
  SLICE = 49,
  LISTS_RANGE = 50,
  SETS_CONTAINS = 51,
  SETS_EQUIVALENT = 52,
  SETS_INTERSECTS = 53,
  BASE64_ENCODE = 54,
  BASE64_DECODE = 55,
  MATH_GREATEST = 56,
  MATH_LEAST = 57,
  MATH_ABS = 58,
  MATH_CEIL = 59,
  MATH_FLOOR = 60,
  MATH_ROUND = 61,
  MATH_TRUNC = 62,
  MATH_SIGN = 63,
  MATH_IS_NAN = 64,
  MATH_IS_INF = 65,
  MATH_IS_FINITE = 66,
  // --- Added by the CEL lowering (compiler/cel). Argument counts include a member call's receiver.
  /** cel.@mapInsert — internal to transformMap/transformMapEntry. argc 3 (map, key, value): a copy
   *  of map with key → value added; argc 2 (map, other map): a copy with every entry of other
   *  added. A key already present: ERROR DUPLICATE_KEY ("insert failed: key <k> already exists"). */
  MAP_INSERT = 67,
  /** @sortByAssociatedKeys — internal to list.sortBy(x, key): argc 2 (list, keys) where keys[i] is
   *  the sort key of list[i]; returns list reordered by a stable ascending sort of the keys (keys
   *  must be all int, all uint, all double, all string, all bool, all timestamp or all duration;
   *  otherwise ERROR NO_MATCHING_OVERLOAD). */
  SORT_BY_KEYS = 68,
  /** strings.quote(s) — s as a double-quoted CEL string literal with escapes. argc 1. */
  QUOTE = 69,
  /** regex.replace(s, re, repl) argc 3 / (s, re, repl, n) argc 4 — RE2 replace (n < 0: all). */
  REGEX_REPLACE = 70,
  /** regex.extractAll(s, re) argc 2 — list of every match (the single capture group if any). */
  REGEX_EXTRACT_ALL = 71,
  /** json.encode(v) argc 1 — JSON text of v (Cerbos 0.55). */
  JSON_ENCODE = 72,
  /** math.bitAnd/bitOr/bitXor(a, b) argc 2, math.bitNot(a) argc 1, math.bitShiftLeft/Right(a, n)
   *  argc 2 — int or uint operands as cel-go ext.Math. */
  MATH_BIT_AND = 73,
  MATH_BIT_OR = 74,
  MATH_BIT_XOR = 75,
  MATH_BIT_NOT = 76,
  MATH_BIT_SHIFT_LEFT = 77,
  MATH_BIT_SHIFT_RIGHT = 78,
  /** math.sqrt(n) argc 1 — double result. */
  MATH_SQRT = 79,
  /** Network (cel-go ext.Network): ip(s), cidr(s) build values; isIP(s), isCIDR(s), ip.isCanonical(s)
   *  test strings; the rest are member calls on an ip or cidr value (argc counts the receiver). */
  IP = 80,
  CIDR = 81,
  IS_IP = 82,
  IS_CIDR = 83,
  IP_IS_CANONICAL = 84,
  IP_FAMILY = 85, // ip.family() → int 4 or 6
  IP_IS_LOOPBACK = 86,
  IP_IS_GLOBAL_UNICAST = 87,
  IP_IS_LINK_LOCAL_MULTICAST = 88,
  IP_IS_LINK_LOCAL_UNICAST = 89,
  IP_IS_UNSPECIFIED = 90,
  CIDR_CONTAINS_IP = 91, // cidr.containsIP(ip | string)
  CIDR_CONTAINS_CIDR = 92, // cidr.containsCIDR(cidr | string)
  CIDR_IP = 93, // cidr.ip()
  CIDR_MASKED = 94, // cidr.masked()
  CIDR_PREFIX_LENGTH = 95, // cidr.prefixLength()
  CIDR_IS_MASK = 96, // cidr.isMask()
  /** Hierarchy methods (Cerbos types/hierarchy.go), argc 2: receiver hierarchy, argument hierarchy. */
  HIER_ANCESTOR_OF = 97,
  HIER_DESCENDENT_OF = 98,
  HIER_IMMEDIATE_CHILD_OF = 99,
  HIER_IMMEDIATE_PARENT_OF = 100,
  HIER_SIBLING_OF = 101,
  HIER_OVERLAPS = 102,
  HIER_COMMON_ANCESTORS = 103,
  /** regex.extract(s, re) argc 2 — OPTIONAL of the first match (its single capture group if any), empty when none. */
  REGEX_EXTRACT = 104,
  /** optional.of(v) argc 1 — OPTIONAL holding v. */
  OPTIONAL_OF = 105,
  /** optional.none() argc 0 — empty OPTIONAL. */
  OPTIONAL_NONE = 106,
  /** optional.ofNonZeroValue(v) argc 1 — empty when v is its type's zero value (0, "", [], {}, false, null), else of(v). */
  OPTIONAL_OF_NON_ZERO = 107,
  /** opt.hasValue() argc 1 — bool. */
  OPTIONAL_HAS_VALUE = 108,
  /** opt.value() argc 1 — the contained value; empty: ERROR NO_SUCH_KEY ("optional.none() dereference"). */
  OPTIONAL_VALUE = 109,
  /** opt.orValue(v) argc 2 — the contained value, else v. */
  OPTIONAL_OR_VALUE = 110,
  /** opt.or(other) argc 2 — opt when it has a value, else other. */
  OPTIONAL_OR = 111,
  /** Cerbos path functions (cerbos_lib.go), Go path/filepath semantics on strings:
   *  basePath(s), dirPath(s), extPath(s), volumeName(s) argc 1 → string; joinPath(list) argc 1 → string;
   *  pathHasPrefix(p, prefix), pathMatch(p, glob) argc 2 → bool; pathMatchAnyOf(p, [globs]) argc 2 → bool;
   *  relPath(base, target) argc 2 → string (error when not relative). Member forms pass p first. */
  BASE_PATH = 112,
  DIR_PATH = 113,
  EXT_PATH = 114,
  JOIN_PATH = 115,
  PATH_HAS_PREFIX = 116,
  PATH_MATCH = 117,
  PATH_MATCH_ANY_OF = 118,
  REL_PATH = 119,
  VOLUME_NAME = 120,
  /** Cerbos id(x) argc 1 — returns x unchanged. */
  IDENTITY = 121,
  /** SPIFFE (Cerbos types/spiffe.go): spiffeID(s), spiffeTrustDomain(s) argc 1 build values;
   *  spiffeMatchAny() argc 0, spiffeMatchExact(id), spiffeMatchOneOf([ids]), spiffeMatchTrustDomain(td)
   *  argc 1 build matchers; members: id.isMemberOf(td) argc 2 → bool, id.path() argc 1, id.trustDomain()
   *  argc 1 → trust domain, td.id() / td.name() argc 1 → string, matcher.matchesID(id | string) argc 2 → bool. */
  SPIFFE_ID = 122,
  SPIFFE_TRUST_DOMAIN = 123,
  SPIFFE_MATCH_ANY = 124,
  SPIFFE_MATCH_EXACT = 125,
  SPIFFE_MATCH_ONE_OF = 126,
  SPIFFE_MATCH_TRUST_DOMAIN = 127,
  SPIFFE_IS_MEMBER_OF = 128,
  SPIFFE_PATH = 129,
  SPIFFE_TRUST_DOMAIN_OF = 130,
  SPIFFE_TD_ID = 131,
  SPIFFE_TD_NAME = 132,
  SPIFFE_MATCHES_ID = 133,
}

// ---------------------------------------------------------------------------------------------
// Request and response buffers (host ↔ wasm). Every string is a STRING cell whose B high holds
// the ruleset sid when the host found the string in STRINGS (else NONE), and whose pointer
// addresses the UTF-8 bytes (inside the ruleset for interned strings).
//
// Request: a REQUEST block, then everything it points to.
//   REQUEST block (RQ_SIZE bytes):
//     +0 now seconds (i64) · +8 now nanos u32 · +12 resource count u32
//     +16 principal block pointer · +20 resource blocks pointer (count × RS_SIZE, contiguous)
//     +24 auxData cell pointer or 0 · +28 schema-rejection flags pointer or 0 (one u8 per resource:
//     1 = answer the resource as rejected by schema validation, see the response below)
//   Principal block: cells id, policyVersion, scope, roles (LIST of STRING), attr (MAP).
//   Resource block: cells kind, id, policyVersion, scope, attr (MAP), actions (LIST of STRING).
export const RQ_SIZE: u32 = 32;
export const RQ_NOW_SECONDS: u32 = 0;
export const RQ_NOW_NANOS: u32 = 8;
export const RQ_RESOURCE_COUNT: u32 = 12;
export const RQ_PRINCIPAL: u32 = 16;
export const RQ_RESOURCES: u32 = 20;
export const RQ_AUX_DATA: u32 = 24;
export const RQ_REJECTED: u32 = 28;

export const PB_ID: u32 = 0;
export const PB_VERSION: u32 = 16;
export const PB_SCOPE: u32 = 32;
export const PB_ROLES: u32 = 48;
export const PB_ATTR: u32 = 64;
export const PB_SIZE: u32 = 80;

export const RS_KIND: u32 = 0;
export const RS_ID: u32 = 16;
export const RS_VERSION: u32 = 32;
export const RS_SCOPE: u32 = 48;
export const RS_ATTR: u32 = 64;
export const RS_ACTIONS: u32 = 80;
export const RS_SIZE: u32 = 96;

// Engine configuration block (CF_SIZE bytes), set once with `configure`:
//   +0 flags u32 (ConfigFlag) · +4 reserved · +8 reserved
//   +16 default policy version (STRING cell) · +32 default scope (STRING cell) · +48 globals (MAP cell)
export const CF_FLAGS: u32 = 0;
export const CF_DEFAULT_VERSION: u32 = 16;
export const CF_DEFAULT_SCOPE: u32 = 32;
export const CF_GLOBALS: u32 = 48;
export const CF_SIZE: u32 = 64;

export enum ConfigFlag {
  LENIENT_SCOPE_SEARCH = 1,
  STRICT_EVALUATION = 2,
}

// Response: for each resource, in request order, a block of u32 words:
//   action count n · n × (effect, policy sid, scope sid)            — scope sid NONE when ""
//   derived role count d · d × sid                                  — effectiveDerivedRoles
//   output count o · o × (src sid, action index, value cell pointer, error flag)
//     (error flag 1: the value cell is an ERROR cell describing why the output failed)
//   evaluation error count e · e × (expression index, error cell pointer)
// A resource flagged in RQ_REJECTED is not evaluated: every action is DENY with, as policy word, the
// resource policy Cerbos selects for schema validation (the key of the first scope of the resource
// scope chain; NONE when the chain is empty), and nothing else (hosts probe with it, too).
// Value cells and everything they reference stay valid until the next call into the evaluator.
export const RESP_ACTION_WORDS: u32 = 3;
export const RESP_OUTPUT_WORDS: u32 = 4;
export const RESP_EVAL_ERROR_WORDS: u32 = 2;
/** A response policy word with this bit set is not a sid: the low 31 bits are the address of a
 *  STRING cell holding a policy key that STRINGS lacks (Cerbos reports keys built from the request,
 *  e.g. "resource.<kind>.v<version>/<scope>", even where no such policy exists). */
export const RESP_STRING_CELL: u32 = 0x80000000;

/** `decide` returns the first action's effect, with this bit set when an expression read the clock
 *  (now(), timeSince()); a negative value is −Status. Its response keeps only each resource's
 *  action count and action words (policy words unspecified), no derived roles, outputs or errors. */
export const DECIDE_NOW_READ: u32 = 0x100;

/** Status codes returned by the ABI calls (0 = OK). */
export enum Status {
  OK = 0,
  BAD_MAGIC = 1,
  BAD_VERSION = 2,
  BAD_LENGTH = 3,
  BAD_CHECKSUM = 4,
  BAD_SECTION = 5,
  BAD_RECORD = 6,
  NO_RULESET = 7,
  BAD_REQUEST = 8,
  OUT_OF_MEMORY = 9,
  BAD_CONFIG = 10,
}

/** Well-known strings the compiler always interns at these sids. */
export enum WellKnown {
  EMPTY = 0, // ""
  STAR = 1, // "*"
  NO_MATCH = 2, // "NO_MATCH"
  NO_MATCH_FOR_SCOPE_PERMISSIONS = 3, // "NO_MATCH_FOR_SCOPE_PERMISSIONS"
  DEFAULT = 4, // "default"
}
