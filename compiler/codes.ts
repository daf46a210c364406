// The one table of diagnostic codes. Codes are stable: never renumber, only add.
// Ranges: VD1xxx parse+validate · VD2xxx link · VD3xxx CEL · VD4xxx plan+encode · VD5xxx policy tests · VD6xxx CLI/config
export const CODES = {
  // --- VD1xxx parse + validate (compiler/parse, compiler/validate)

  // --- VD2xxx link (compiler/link)

  // --- VD3xxx CEL (compiler/cel)

  // --- VD4xxx plan + encode (compiler/plan, compiler/encode)

  // --- VD5xxx policy tests (cli/test)

  // --- VD6xxx CLI and configuration (cli)
} as const;

export type Code = keyof typeof CODES;
