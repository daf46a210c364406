// The Node host's runtime: a Cerbos-compatible PDP object over the wasm evaluator, for compiled
// rulesets. Policy logic lives only in the evaluator; this class validates, encodes, calls and
// decodes (via host/common). It never imports the compiler (yaml, CEL parser, RE2: ~90 % of the
// Node bundle), so `verdict/node/runtime` starts in a few ms; index.ts adds fromPolicyDir.
import { readFileSync } from "node:fs";
import { decodeJwtPayloadUnverified, type JwtDecoder, resolveAuxData } from "../common/aux-data.ts";
import type { Decision } from "../common/audit/entry.ts";
import { checkResources as checkResourcesShape } from "../common/check-resources.ts";
import { Engine } from "../common/engine.ts";
import { plainAllowedQuery } from "../common/fast-allowed.ts";
import { type CheckerHost, PrincipalChecker } from "../common/principal-checker.ts";
import type {
  CheckInput,
  CheckOutput,
  CheckResourcesRequest,
  CheckResourcesResponse,
  PdpOptions as CommonPdpOptions,
  Principal,
  Resource,
} from "../common/types.ts";
import { parseCheckResourcesRequest, type RequestLimits, validateCheckInput } from "../common/validate.ts";
import { loadWasmModule } from "./wasm.ts";
import { verifyRulesetWith } from "../common/integrity/verify.ts";
import type { PublicKeyInput } from "../common/integrity/keys.ts";
import { nodeCrypto } from "./integrity.ts";
import { jsonSchemaValidator } from "../common/schema-validate.ts";
import type { SchemaOptions } from "../common/schema-section.ts";

export * from "../common/index.ts";
export { PrincipalChecker, type BoundCheck } from "../common/principal-checker.ts";
export { FileSink, HttpSink, type FileSinkOptions, type HttpSinkOptions } from "./audit/index.ts";

export interface PdpOptions extends CommonPdpOptions, SchemaOptions {
  /** The evaluator: a path, bytes or a compiled module (default: the built verdict.wasm). */
  wasm?: string | Uint8Array | WebAssembly.Module;
  /** HTTP auxData JWTs: Cerbos refuses tokens unless key sets are configured. `disableVerification`
   *  decodes the payload without checking the signature (Cerbos's auxData.jwt.disableVerification);
   *  `decode` lets the caller verify. */
  jwt?: { disableVerification?: boolean; decode?: JwtDecoder };
  /** Batch limits for checkResources (Cerbos server.requestLimits); none by default. */
  limits?: RequestLimits;
  /** Told about every checkResources decision (e.g. `auditLog.record`); see host/common/audit. */
  onDecision?: (d: Decision) => void;
  /** Ed25519 public key (PEM, DER SPKI or raw 32 bytes): refuse rulesets that are unsigned, or whose
   *  digest or signature do not verify (IntegrityError, a RulesetLoadError). See docs/security.md. */
  publicKey?: PublicKeyInput;
}

const NO_LIMITS: RequestLimits = { maxResourcesPerRequest: Infinity, maxActionsPerResource: Infinity };

export class Pdp {
  private readonly engine: Engine;
  private readonly jwtDecode?: JwtDecoder;

  protected constructor(
    ruleset: Uint8Array,
    private readonly opts: PdpOptions,
  ) {
    const w = opts.wasm;
    const module =
      w instanceof WebAssembly.Module ? w : w instanceof Uint8Array ? new WebAssembly.Module(w as Uint8Array<ArrayBuffer>) : loadWasmModule(w);
    const key = opts.publicKey;
    // Node always carries the JSON Schema validator (schema.enforcement warn/reject).
    const eopts = opts.schemaValidator ? opts : { ...opts, schemaValidator: jsonSchemaValidator };
    // Verify a private copy: the caller's buffer could change after the check.
    this.engine = key === undefined
      ? new Engine(module, ruleset, eopts)
      : new Engine(module, ruleset.slice(), eopts, (b) => verifyRulesetWith(nodeCrypto, b, key));
    this.jwtDecode = opts.jwt?.decode ?? (opts.jwt?.disableVerification ? decodeJwtPayloadUnverified : undefined);
  }

  // `new this`: index.ts's Pdp (which adds fromPolicyDir) gets instances of its own class.
  static fromRuleset(bytes: Uint8Array, opts: PdpOptions = {}): Pdp {
    return new this(bytes, opts);
  }

  static fromFile(path: string, opts: PdpOptions = {}): Pdp {
    return new this(new Uint8Array(readFileSync(path)), opts);
  }

  private now(call?: { now?: Date }): Date {
    return call?.now ?? this.opts.now?.() ?? new Date();
  }

  /** Cerbos's HTTP CheckResources: same request and response JSON. Throws
   *  RequestValidationError (Cerbos's HTTP 400) for a malformed request. */
  checkResources(req: CheckResourcesRequest, call?: { now?: Date; observe?: (d: Decision) => void }): CheckResourcesResponse {
    const valid = parseCheckResourcesRequest(req, this.opts.limits ?? NO_LIMITS);
    const aux = resolveAuxData(valid.auxData, this.jwtDecode);
    // `observe` (e.g. an AuditLog's record) sees the full engine outputs; see host/common/audit.
    return checkResourcesShape(this.engine, valid, this.now(call), aux, call?.observe ?? this.opts.onDecision);
  }

  /** Cerbos's engine API: one CheckOutput per input, in order. */
  checkInputs(inputs: CheckInput[], call?: { now?: Date }): CheckOutput[] {
    if (!Array.isArray(inputs)) throw new TypeError("checkInputs expects an array of CheckInput");
    inputs.forEach((input, i) => validateCheckInput(input, `inputs[${i}]`));
    const now = this.now(call);
    let readNow = false;
    // One evaluator call per input: each input carries its own principal and aux data.
    const outputs = inputs.map((input) => {
      const [out] = this.engine.check({
        requestId: input.requestId,
        principal: input.principal,
        resources: [{ resource: input.resource, actions: input.actions }],
        auxData: input.auxData,
        now,
      });
      readNow ||= this.engine.lastCheckReadNow;
      return out!;
    });
    this.readNow = readNow;
    return outputs;
  }

  private readNow = false;
  /** Whether the last checkInputs call evaluated now() or timeSince(). */
  get lastCheckReadNow(): boolean {
    return this.readNow;
  }

  /** Binds a principal for many checks — cache it per user, as CASL users cache an ability:
   *  `const can = pdp.forPrincipal(user); can.isAllowed(resource, "edit")`, or
   *  `can.allowedMany(menuItems)` for a batch of booleans in one evaluator call. The principal is
   *  validated (RequestValidationError) and copied now: later changes to `principal` are not
   *  seen, so bind again when the user's roles or attributes change. */
  forPrincipal(principal: Principal): PrincipalChecker {
    return new PrincipalChecker(this.checkerHost, principal);
  }

  /** @internal How principal bindings reach this Pdp's engine and clock (ReloadingPdp hands
   *  its bindings the current Pdp's). */
  readonly checkerHost: CheckerHost = {
    engine: (): Engine => this.engine,
    nowMs: (): number => {
      const f = this.opts.now;
      return f ? f().getTime() : Date.now();
    },
  };

  /** True only when the action is explicitly allowed. Throws on an invalid request. */
  isAllowed(q: { principal: Principal; resource: Resource; action: string }): boolean {
    if (q !== null && typeof q === "object" && plainAllowedQuery(q)) {
      // Fast path (docs/performance.md): no CheckInput/CheckOutput shapes, one effect word read.
      const f = this.opts.now;
      const allowed = this.engine.allowed(q.principal, q.resource, q.action, f ? f().getTime() : Date.now());
      this.readNow = this.engine.lastCheckReadNow;
      return allowed;
    }
    const [out] = this.checkInputs([{ principal: q.principal, resource: q.resource, actions: [q.action] }]);
    return out?.actions[q.action]?.effect === "EFFECT_ALLOW";
  }
}
