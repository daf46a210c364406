// The checked tree: names resolved, functions bound to builtins, literals pre-parsed.
// lower.ts turns it into bytecode; nothing here has touched RulesetTables yet, so a failed
// check leaves the tables unchanged.
import type { ConstValue } from "../encode/builder-api.ts";
import type { Op } from "../../spec/format.ts";

export type Node =
  | { k: "const"; value: ConstValue }
  | { k: "root"; root: number /* Message or ROOT_GLOBALS */ }
  | { k: "var"; slot: number }
  | { k: "local"; index: number }
  | { k: "select"; obj: Node; field: string }
  | { k: "has"; obj: Node; field: string }
  /** operators that map 1:1 to an opcode (NOT, NEG, EQ.., IN, ADD.., INDEX, NOT_STRICTLY_FALSE) */
  | { k: "op"; op: Op; args: Node[] }
  | { k: "and" | "or"; a: Node; b: Node }
  | { k: "cond"; c: Node; t: Node; f: Node }
  | { k: "list"; elems: Node[] }
  | { k: "map"; entries: Array<[Node, Node]> }
  | { k: "call"; fn: number /* Builtin */; args: Node[] }
  | {
      k: "comp";
      range: Node;
      /** local receiving the element (one variable) or index/key (two variables) */
      a: number;
      /** two-variable form: local receiving the element/value */
      b?: number;
      accu: number;
      init: Node;
      cond: Node;
      step: Node;
      result: Node;
    }
  | { k: "bind"; local: number; init: Node; body: Node };
