// The CEL syntax tree Verdict works on, independent of the parser library that produced it.
// `offset` is a character offset into the expression text (for diagnostics via positionAt).
// Macros are already expanded: `all/exists/exists_one/map/filter` and the two-variable forms
// become `comp` nodes exactly as cel-go expands them, `cel.bind` becomes `bind`.

export type Literal =
  | { kind: "null" }
  | { kind: "bool"; value: boolean }
  | { kind: "int"; value: bigint }
  | { kind: "uint"; value: bigint }
  | { kind: "double"; value: number }
  | { kind: "string"; value: string }
  | { kind: "bytes"; value: Uint8Array };

export type Expr = { offset: number } & (
  | { k: "lit"; lit: Literal }
  | { k: "ident"; name: string }
  | { k: "select"; operand: Expr; field: string; test: boolean /* has() */ }
  | { k: "call"; fn: string; target?: Expr; args: Expr[] }
  | { k: "list"; elems: Expr[] }
  | { k: "map"; entries: Array<{ key: Expr; value: Expr }> }
  | {
      k: "comp";
      /** the element (one-variable form) or the index/key (two-variable form) */
      iterVar: string;
      /** two-variable form only: the element/value */
      iterVar2?: string;
      range: Expr;
      accuVar: string;
      init: Expr;
      cond: Expr;
      step: Expr;
      result: Expr;
    }
  | { k: "bind"; name: string; init: Expr; body: Expr }
);

export const ACCU = "@result";

/** Where the parser failed, as an offset into the text. */
export interface SyntaxError {
  offset: number;
  message: string;
}
