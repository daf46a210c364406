// Dispatch of Op.CALL by Builtin id (spec/format.ts). Every builtin is strict: an ERROR argument
// is the result. Each family lives in its own file and exports one `call*` entry returning false
// when it does not handle the id/arity, so adding the rest of CEL means adding a file and a line.
import { Tag, CelError } from "../../spec/format";
import { tagOf, copyCell, setErr, setErrCode } from "../value";
import { callString } from "./strings";
import { callConv } from "./conv";
import { callTime } from "./timefns";
import { callList } from "./lists";
import { callNet } from "./net";
import { callFormat } from "./format";
import { callMath } from "./math";
import { callCodec } from "./codec";
import { callContainers } from "./containers";
import { callRegex } from "../regex";

/** Calls builtin fn on the argc cells at args; the result replaces args[0]. */
export function callBuiltin(fn: u32, args: usize, argc: u32): void {
  for (let i: u32 = 0; i < argc; i++) {
    const a = args + (<usize>i << 4);
    if (tagOf(a) == Tag.ERROR) { if (i != 0) copyCell(args, a); return; }
  }
  if (callString(fn, args, argc)) return;
  if (callConv(fn, args, argc)) return;
  if (callTime(fn, args, argc)) return;
  if (callList(fn, args, argc)) return;
  if (callNet(fn, args, argc)) return;
  if (callFormat(fn, args, argc)) return;
  if (callMath(fn, args, argc)) return;
  if (callCodec(fn, args, argc)) return;
  if (callContainers(fn, args, argc)) return;
  if (callRegex(fn, args, argc)) return;
  setErrCode(args, CelError.UNSUPPORTED);
}
