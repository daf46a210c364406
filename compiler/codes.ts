// The one table of diagnostic codes. Codes are stable: never renumber, only add.
// Ranges: VD1xxx parse+validate · VD2xxx link · VD3xxx CEL · VD4xxx plan+encode · VD5xxx policy tests · VD6xxx CLI/config
export const CODES = {
  // --- VD1xxx parse + validate (compiler/parse, compiler/validate)
  VD1001: "yaml syntax error",
  VD1002: "duplicate key",
  VD1003: "invalid document",
  VD1004: "unknown field",
  VD1005: "wrong value type",
  VD1006: "invalid enum value",
  VD1007: "unsupported api version",
  VD1008: "missing policy kind",
  VD1009: "conflicting fields",
  VD1010: "missing required field",
  VD1011: "invalid resource, principal or role name",
  VD1012: "invalid version",
  VD1013: "invalid scope",
  VD1014: "invalid rule name",
  VD1015: "invalid derived role or import name",
  VD1016: "empty list",
  VD1017: "duplicate list item",
  VD1018: "empty string",
  VD1019: "duplicate rule name",
  VD1020: "duplicate derived role definition",
  VD1021: "duplicate resource in principal policy",
  VD1022: "rule without roles",
  VD1023: "empty output",
  VD1024: "script conditions unsupported",
  VD1025: "invalid variable or constant name",
  VD1026: "variable defined twice in one policy",
  VD1027: "top-level variables not allowed here",
  VD1028: "more than one yaml document",
  VD1029: "string continues after closing quote",
  VD1030: "invalid scope permissions",

  // --- VD2xxx link (compiler/link)
  VD2001: "duplicate policy definition",
  VD2002: "derived roles import not found",
  VD2003: "variables import not found",
  VD2004: "constants import not found",
  VD2005: "unknown derived role",
  VD2006: "ambiguous derived role",
  VD2007: "variable redefined",
  VD2008: "constant redefined",
  VD2009: "undefined variable",
  VD2010: "undefined constant",
  VD2011: "cyclical variable definitions",
  VD2012: "missing ancestor policy",
  VD2013: "conflicting scope permissions",
  VD2014: "missing schema",
  VD2015: "invalid schema",
  VD2016: "scope permissions disagree (stricter one applied)",

  // --- VD3xxx CEL (compiler/cel)
  VD3001: "cel syntax error",
  VD3002: "undeclared reference",
  VD3003: "undefined variable",
  VD3004: "undefined constant",
  VD3005: "unknown function or overload",
  VD3006: "invalid duration literal",
  VD3007: "invalid timestamp literal",
  VD3008: "invalid regular expression literal",
  VD3009: "undefined field",
  VD3010: "runtime not available here",
  VD3011: "unsupported cel feature",
  VD3012: "integer literal out of range",
  VD3013: "expression too complex",
  VD3014: "invalid constant value",

  // --- VD4xxx plan + encode (compiler/plan, compiler/encode)
  VD4001: "ruleset too large",

  // --- VD5xxx policy tests (cli/test)
  VD5001: "test suite failed to load",
  VD5002: "test fixtures failed to load",
  VD5003: "invalid test suite",
  VD5004: "invalid test filter",

  // --- VD6xxx CLI and configuration (cli)
  VD6001: "invalid command line",
  VD6002: "config file unreadable",
  VD6003: "invalid config value",
  VD6004: "unsupported storage driver",
  VD6005: "invalid request json",
  VD6006: "ruleset unreadable",
  VD6007: "server failed to start",
} as const;

export type Code = keyof typeof CODES;
