// Signed rulesets in the browser: a separate entry that wraps the browser host, so pages that do
// not verify signatures do not ship the verifier (host/browser stays within its size budget).
//
//   const v = await VerifiedVerdict.load("/verdict.wasm", "/policies.vrdt", { publicKey: PEM });
//
// The ruleset's SHA-256 digest and Ed25519 signature are checked with WebCrypto before the
// evaluator sees a byte. Fail closed: an unsigned ruleset, a tampered one, or one signed by another
// key is refused with an IntegrityError (a RulesetLoadError) — at load, and on every later swap,
// which keeps the ruleset in force. Swaps must go through the async `loadRuleset`/`setVerifiedRuleset`:
// the synchronous `setRuleset` cannot verify and refuses.
import { IntegrityError, verifyRuleset, type PublicKeyInput } from "../common/integrity/index.ts";
import { compileEvaluator, readRuleset, Verdict, type RulesetSource, type VerdictOptions, type WasmSource } from "./index.ts";

export { IntegrityError, type PublicKeyInput };

export interface VerifiedVerdictOptions extends VerdictOptions {
  /** The Ed25519 public key (PEM SPKI as `verdict keygen` writes it, raw 32 bytes, or a CryptoKey). */
  publicKey: PublicKeyInput | CryptoKey;
}

const toBytes = (b: BufferSource | Uint8Array): Uint8Array =>
  b instanceof Uint8Array ? b : ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);

let verified: Uint8Array | undefined;

export class VerifiedVerdict extends Verdict {
  private readonly key: PublicKeyInput | CryptoKey;
  private readonly fetcher: typeof fetch | undefined;

  /** Not for direct use: `await VerifiedVerdict.create(module, bytes, opts)` or `load(...)`. */
  constructor(module: WebAssembly.Module, ruleset: BufferSource | Uint8Array, opts: VerifiedVerdictOptions) {
    if (!opts || opts.publicKey === undefined) throw new IntegrityError("VerifiedVerdict needs a publicKey");
    const bytes = toBytes(ruleset);
    if (verified === undefined || bytes !== verified) throw new IntegrityError("VerifiedVerdict: use await VerifiedVerdict.create() or .load() (the ruleset must be verified first)");
    verified = undefined;
    super(module, bytes, opts);
    this.key = opts.publicKey;
    this.fetcher = opts.fetch;
  }

  /** Verifies `ruleset` against `opts.publicKey`, then builds the host on a private copy. */
  static async create(module: WebAssembly.Module, ruleset: BufferSource | Uint8Array, opts: VerifiedVerdictOptions): Promise<VerifiedVerdict> {
    if (!opts || opts.publicKey === undefined) throw new IntegrityError("VerifiedVerdict needs a publicKey");
    const copy = toBytes(ruleset).slice();
    await verifyRuleset(copy, opts.publicKey);
    verified = copy;
    try {
      return new VerifiedVerdict(module, copy, opts);
    } finally {
      verified = undefined;
    }
  }

  /** Compiles the .wasm (streaming from a URL), reads the ruleset, verifies it, then loads. */
  static override async load(wasm: WasmSource, ruleset: RulesetSource, opts?: VerdictOptions): Promise<VerifiedVerdict> {
    const o = opts as VerifiedVerdictOptions;
    if (!o || o.publicKey === undefined) throw new IntegrityError("VerifiedVerdict needs a publicKey");
    const f = o.fetch ?? fetch.bind(globalThis);
    const [module, bytes] = await Promise.all([compileEvaluator(wasm, f), readRuleset(ruleset, f)]);
    return VerifiedVerdict.create(module, bytes, o);
  }

  /** Refused: a synchronous swap cannot be verified. Use `setVerifiedRuleset` or `loadRuleset`. */
  override setRuleset(bytes: BufferSource | Uint8Array): void {
    if (verified === undefined || toBytes(bytes) !== verified) throw new IntegrityError("VerifiedVerdict: use await setVerifiedRuleset() or loadRuleset() (rulesets are verified before a swap)");
    verified = undefined;
    super.setRuleset(bytes);
  }

  /** Verifies, then swaps in place (the old ruleset stays in force when verification fails). */
  async setVerifiedRuleset(bytes: BufferSource | Uint8Array): Promise<void> {
    const copy = toBytes(bytes).slice();
    await verifyRuleset(copy, this.key);
    verified = copy;
    try {
      this.setRuleset(copy);
    } finally {
      verified = undefined;
    }
  }

  /** Fetches, verifies and swaps in a ruleset. */
  override async loadRuleset(src: RulesetSource): Promise<void> {
    await this.setVerifiedRuleset(await readRuleset(src, this.fetcher ?? fetch.bind(globalThis)));
  }
}
