// The contract between CEL lowering (compiler/cel) and the ruleset encoder (compiler/encode):
// lowering emits bytecode into these tables; the encoder owns and serialises them.

/** A constant value as the CONSTS section stores it. Integers are bigint, doubles are number. */
export type ConstValue =
  | null
  | boolean
  | number // CEL double
  | string
  | { int: bigint }
  | { uint: bigint }
  | { bytes: Uint8Array }
  | { list: ConstValue[] }
  | { map: Array<[ConstValue, ConstValue]> }
  /** offset: the UTC offset in minutes it was written with (formatting only; 0 when absent) */
  | { timestamp: { seconds: bigint; nanos: number; offset?: number } }
  | { duration: { seconds: bigint; nanos: number } }
  | { type: number } // Tag of the type described
  | { regex: { pattern: string; program: Uint8Array } }; // compiled RE2 (compiler/cel/regex.ts)

export interface RulesetTables {
  /** Returns the sid of `s`, adding it to STRINGS if new. */
  intern(s: string): number;
  /** Returns the CONSTS cell index of `v` (identical values may share a cell). */
  constant(v: ConstValue): number;
  /** Appends one expression's bytecode; returns its EXPRS index. */
  addExpression(e: { code: Uint8Array; source: string; maxStack: number; locals: number }): number;
  /** Records that some expression reads principal/resource attribute `key`, or the whole map ("*"). */
  useAttribute(root: "principal" | "resource", key: string | "*"): void;
  /** Records that some expression reads request.auxData. */
  useAuxData(): void;
}
