// A JavaScript stand-in for the wasm evaluator, speaking the same ABI over a real
// WebAssembly.Memory. It decodes requests with its own reader (independent of host/common), so
// tests can check that what the host encodes is what an evaluator would read, and it answers with
// scripted response words to exercise the host's decoder. Its "policy" is trivial on purpose:
// role `admin` allows everything; everything else is DENY.
import {
  CELL_SIZE, Message, CF_DEFAULT_SCOPE, CF_DEFAULT_VERSION, CF_FLAGS, CF_GLOBALS, CL_A, CL_B, CL_C, CelError, Effect, NONE,
  PB_ATTR, PB_ID, PB_ROLES, PB_SCOPE, PB_VERSION, RQ_AUX_DATA, RQ_NOW_NANOS, RQ_NOW_SECONDS, RQ_PRINCIPAL,
  RQ_RESOURCES, RQ_RESOURCE_COUNT, RS_ACTIONS, RS_ATTR, RS_ID, RS_KIND, RS_SCOPE, RS_SIZE, RS_VERSION, Status, Tag,
} from "../../spec/format.ts";
import { Abi, type EvaluatorExports } from "../../host/common/abi.ts";

/** A decoded cell: strings keep their sid so tests can check interning. */
export type Decoded =
  | null
  | boolean
  | number
  | bigint
  | { str: string; sid: number }
  | Decoded[]
  | { map: Array<[Decoded, Decoded]> };

export interface SeenRequest {
  nowSeconds: bigint;
  nowNanos: number;
  principal: Record<string, Decoded>;
  resources: Array<Record<string, Decoded>>;
  auxData: Decoded | undefined;
}

export class FakeEvaluator {
  readonly memory = new WebAssembly.Memory({ initial: 1, maximum: 256 });
  private top = 1024;
  lastRequest?: SeenRequest;
  lastConfig?: { flags: number; version: Decoded; scope: Decoded; globals: Decoded };
  loads = 0;
  /** Override to make `check` trap or fail. */
  behaviour: "ok" | "trap" | "bad-status" | "truncated" = "ok";
  private outPtr = 0;
  private outLen = 0;

  constructor(
    private readonly strings: string[],
    private readonly abiVersion = (1 << 16) | 0,
  ) {}

  private get dv(): DataView {
    return new DataView(this.memory.buffer);
  }
  private get u8(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  private alloc = (n: number): number => {
    const p = (this.top + 15) & ~15;
    this.top = p + n;
    const need = Math.ceil(this.top / 65536) - this.memory.buffer.byteLength / 65536;
    if (need > 0) this.memory.grow(need);
    return p;
  };

  read(cell: number, depth = 0): Decoded {
    const dv = this.dv;
    const tag = this.u8[cell]!;
    const a = dv.getUint32(cell + CL_A, true);
    const b = dv.getUint32(cell + CL_B, true);
    switch (tag) {
      case Tag.NULL: return null;
      case Tag.BOOL: return b !== 0;
      case Tag.INT: return dv.getBigInt64(cell + CL_B, true);
      case Tag.DOUBLE: return dv.getFloat64(cell + CL_B, true);
      case Tag.STRING:
        return { str: new TextDecoder().decode(this.u8.slice(b, b + a)), sid: dv.getUint32(cell + CL_C, true) };
      case Tag.LIST: return Array.from({ length: a }, (_, i) => this.read(b + i * CELL_SIZE, depth + 1));
      case Tag.MAP:
        return { map: Array.from({ length: a }, (_, i) => [this.read(b + 2 * i * CELL_SIZE), this.read(b + (2 * i + 1) * CELL_SIZE)] as [Decoded, Decoded]) };
      default: throw new Error(`fake evaluator: unexpected tag ${tag}`);
    }
  }

  private sid(s: string): number {
    const i = this.strings.indexOf(s);
    return i < 0 ? NONE : i;
  }

  private writeString(s: string): number {
    const bytes = new TextEncoder().encode(s);
    const p = this.alloc(bytes.length);
    this.u8.set(bytes, p);
    const cell = this.alloc(CELL_SIZE);
    const dv = this.dv;
    dv.setUint32(cell, Tag.STRING, true);
    dv.setUint32(cell + CL_A, bytes.length, true);
    dv.setUint32(cell + CL_B, p, true);
    dv.setUint32(cell + CL_C, this.sid(s), true);
    return cell;
  }

  private writeMessage(kind: Message, block: number): number {
    const cell = this.alloc(CELL_SIZE);
    const dv = this.dv;
    dv.setUint32(cell, Tag.MESSAGE, true);
    dv.setUint32(cell + CL_A, kind, true);
    dv.setUint32(cell + CL_B, block, true);
    dv.setUint32(cell + CL_C, 0, true);
    return cell;
  }

  private writeError(code: CelError, detail?: string): number {
    const d = detail === undefined ? 0 : this.writeString(detail);
    const cell = this.alloc(CELL_SIZE);
    const dv = this.dv;
    dv.setUint32(cell, Tag.ERROR, true);
    dv.setUint32(cell + CL_A, code, true);
    dv.setUint32(cell + CL_B, d, true);
    dv.setUint32(cell + CL_C, 0, true);
    return cell;
  }

  private check = (rq: number): number => {
    if (this.behaviour === "trap") throw new WebAssembly.RuntimeError("unreachable");
    if (this.behaviour === "bad-status") return Status.BAD_REQUEST;
    const dv = this.dv;
    const pb = dv.getUint32(rq + RQ_PRINCIPAL, true);
    const n = dv.getUint32(rq + RQ_RESOURCE_COUNT, true);
    const rs = dv.getUint32(rq + RQ_RESOURCES, true);
    const aux = dv.getUint32(rq + RQ_AUX_DATA, true);
    const principal = {
      id: this.read(pb + PB_ID), policyVersion: this.read(pb + PB_VERSION), scope: this.read(pb + PB_SCOPE),
      roles: this.read(pb + PB_ROLES), attr: this.read(pb + PB_ATTR),
    };
    const resources = Array.from({ length: n }, (_, i) => {
      const b = rs + i * RS_SIZE;
      return {
        kind: this.read(b + RS_KIND), id: this.read(b + RS_ID), policyVersion: this.read(b + RS_VERSION),
        scope: this.read(b + RS_SCOPE), attr: this.read(b + RS_ATTR), actions: this.read(b + RS_ACTIONS),
      };
    });
    this.lastRequest = {
      nowSeconds: dv.getBigInt64(rq + RQ_NOW_SECONDS, true),
      nowNanos: dv.getUint32(rq + RQ_NOW_NANOS, true),
      principal,
      resources,
      auxData: aux ? this.read(aux) : undefined,
    };

    const roles = (principal.roles as Array<{ str: string; sid: number }>);
    const admin = roles.some((r) => r.str === "admin");
    const words: number[] = [];
    resources.forEach((r, i) => {
      const kind = (r.kind as { str: string }).str;
      const actions = r.actions as Array<{ str: string }>;
      const policySid = this.sid(`resource.${kind}.vdefault`);
      const scope = r.scope as { str: string; sid: number };
      words.push(actions.length);
      for (const _ of actions) words.push(admin ? Effect.ALLOW : Effect.DENY, policySid === NONE ? 2 : policySid, scope.str ? scope.sid : NONE);
      const edr = roles.filter((x) => x.sid !== NONE);
      words.push(edr.length, ...edr.map((x) => x.sid));
      // Outputs: echo the resource's attr MAP cell, and an error output when an action is "fail".
      const attrCell = rs + i * RS_SIZE + RS_ATTR;
      const fail = actions.findIndex((a) => a.str === "fail");
      const outs: number[][] = [[this.sid("resource.doc.vdefault#echo"), 0, attrCell, 0]];
      if (fail >= 0) outs.push([this.sid("resource.doc.vdefault#fail"), fail, this.writeError(CelError.NO_SUCH_KEY, "missing"), 1]);
      // Outputs of whole messages (`R`, `request`), when an action is "msg".
      const msg = actions.findIndex((a) => a.str === "msg");
      if (msg >= 0) {
        outs.push([this.sid("resource.doc.vdefault#echo"), msg, this.writeMessage(Message.RESOURCE, rs + i * RS_SIZE), 0]);
        outs.push([this.sid("resource.doc.vdefault#echo"), msg, this.writeMessage(Message.REQUEST, rq), 0]);
      }
      words.push(outs.length, ...outs.flat());
      words.push(1, 0, this.writeError(CelError.DIVISION_BY_ZERO));
    });
    if (this.behaviour === "truncated") words.length = Math.max(0, words.length - 2);
    this.outPtr = this.alloc(words.length * 4);
    const dv2 = this.dv;
    words.forEach((w, i) => dv2.setUint32(this.outPtr + i * 4, w >>> 0, true));
    this.outLen = words.length * 4;
    return Status.OK;
  };

  exports(): EvaluatorExports {
    return {
      memory: this.memory,
      abi_version: () => this.abiVersion,
      alloc: this.alloc,
      free: () => {},
      load: () => (this.loads++, Status.OK),
      configure: (p: number) => {
        this.lastConfig = {
          flags: this.dv.getUint32(p + CF_FLAGS, true),
          version: this.read(p + CF_DEFAULT_VERSION),
          scope: this.read(p + CF_DEFAULT_SCOPE),
          globals: this.read(p + CF_GLOBALS),
        };
        return Status.OK;
      },
      check: this.check,
      out_ptr: () => this.outPtr,
      out_len: () => this.outLen,
    };
  }

  abi(): Abi {
    return new Abi(this.exports());
  }
}
