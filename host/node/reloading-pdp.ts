// A PDP whose ruleset is replaced while it serves. Each accepted ruleset gets its own Pdp (its
// own evaluator instance), built and checked off to the side; the swap is one reference
// assignment between synchronous checks, so every check sees the old or the new ruleset whole,
// never a mix. A candidate that does not compile, that the evaluator refuses (checksum, format)
// or that fails the optional gate (e.g. its own test suites) is refused: the last good ruleset
// keeps serving and the error is kept for the status endpoint.
import { renderDiagnostic } from "../../compiler/diagnostics.ts";
import type { CheckInput, CheckOutput, CheckResourcesRequest, CheckResourcesResponse, Principal, Resource } from "../common/types.ts";
import { Pdp, type PdpOptions } from "./index.ts";
import { PrincipalChecker } from "../common/principal-checker.ts";
import { countPolicies } from "./sources/policy-count.ts";
import type { Candidate, PolicySource } from "./sources/types.ts";

export interface LoadedRuleset {
  source: string;
  revision: string;
  policies: number;
  bytes: number;
  loadedAt: string;
  /** Fetch/compile plus load time, milliseconds. */
  loadMs: number;
}

export interface ReloadError {
  at: string;
  source: string;
  revision: string;
  message: string;
  /** Compile errors with positions (file relative to the policy directory). */
  diagnostics: Array<{ file: string; line: number; column: number; code: string; message: string }>;
}

export interface ReloadStatus {
  source: string;
  ruleset: LoadedRuleset;
  /** Successful swaps after the first load. */
  reloads: number;
  refused: number;
  /** The most recent refused candidate; cleared by the next successful load. */
  lastError: ReloadError | null;
  /** The source's last failed fetch/poll (git or HTTP), null once a poll succeeds. */
  pollError: { at: string; message: string } | null;
}

export interface ReloadingPdpOptions extends PdpOptions {
  /** One line per load or refusal (default: none). */
  log?: (line: string) => void;
  /** An extra gate run on a candidate that loaded: return a failure message to refuse it. */
  gate?: (candidate: Candidate, pdp: Pdp) => string | undefined;
  /** Called after every swap (tests, metrics). */
  onSwap?: (loaded: LoadedRuleset) => void;
}

/** The first candidate was refused: there is nothing to serve. */
export class InitialLoadError extends Error {
  constructor(readonly error: ReloadError) {
    super(describeReloadError(error));
    this.name = "InitialLoadError";
  }
}

export function describeReloadError(e: ReloadError): string {
  const diags = e.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: error[${d.code}]: ${d.message}`);
  return [`${e.source} ${e.revision}: ${e.message}`, ...diags].join("\n");
}

export class ReloadingPdp {
  private pdp!: Pdp;
  private loaded!: LoadedRuleset;
  private reloads = 0;
  private refused = 0;
  private lastError: ReloadError | null = null;
  private stopped = false;

  private constructor(
    private readonly source: PolicySource,
    private readonly opts: ReloadingPdpOptions,
  ) {}

  /** Loads the source's first ruleset (throws InitialLoadError when it is refused), then starts
   *  watching/polling for changes. */
  static async open(source: PolicySource, opts: ReloadingPdpOptions = {}): Promise<ReloadingPdp> {
    const r = new ReloadingPdp(source, opts);
    const first = await source.initial();
    if (!r.offer(first)) {
      await source.stop();
      throw new InitialLoadError(r.lastError!);
    }
    source.start(async (c) => (r.stopped ? false : r.offer(c)));
    return r;
  }

  /** The Pdp serving right now (hold it to pin one ruleset across several calls). */
  get current(): Pdp {
    return this.pdp;
  }

  checkResources(req: CheckResourcesRequest, call?: Parameters<Pdp["checkResources"]>[1]): CheckResourcesResponse {
    return this.pdp.checkResources(req, call);
  }

  checkInputs(inputs: CheckInput[], call?: { now?: Date }): CheckOutput[] {
    return this.pdp.checkInputs(inputs, call);
  }

  isAllowed(q: { principal: Principal; resource: Resource; action: string }): boolean {
    return this.pdp.isAllowed(q);
  }

  /** Pdp.forPrincipal over whichever ruleset is in service at each check: after a reload the
   *  binding's principal snapshot is encoded again for the new ruleset. */
  forPrincipal(principal: Principal): PrincipalChecker {
    return new PrincipalChecker({ engine: () => this.pdp.checkerHost.engine(), nowMs: () => this.pdp.checkerHost.nowMs() }, principal);
  }

  status(): ReloadStatus {
    return { source: this.source.description, ruleset: { ...this.loaded }, reloads: this.reloads, refused: this.refused, lastError: this.lastError, pollError: this.source.pollError ?? null };
  }

  /** Stops the source's watchers/pollers; the current ruleset keeps answering. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.source.stop();
  }

  /** Builds a Pdp from the candidate and swaps it in; false (and the error recorded) if refused. */
  private offer(c: Candidate): boolean {
    if (this.loaded && c.ruleset && c.revision === this.loaded.revision) return true; // same ruleset: no reload
    const t0 = performance.now();
    const refuse = (message: string): boolean => {
      const diagnostics = (c.diagnostics ?? [])
        .filter((d) => d.severity === "error")
        .map((d) => ({ file: d.span.file, line: d.span.line, column: d.span.column, code: d.code, message: d.message }));
      this.lastError = { at: new Date().toISOString(), source: c.source, revision: c.revision, message, diagnostics };
      this.refused++;
      const errors = (c.diagnostics ?? []).filter((d) => d.severity === "error").map(renderDiagnostic);
      const keeping = this.loaded ? `; still serving ${this.loaded.revision}` : "";
      this.opts.log?.(`verdict: reload refused: ${c.source} ${c.revision}: ${message}${keeping}${errors.length ? `\n${errors.join("\n")}` : ""}`);
      return false;
    };
    if (!c.ruleset) {
      const n = (c.diagnostics ?? []).filter((d) => d.severity === "error").length;
      return refuse(c.error ?? `policies failed to compile (${n} error${n === 1 ? "" : "s"})`);
    }
    let next: Pdp;
    try {
      // Instantiates a fresh evaluator and loads: checksum and format are verified here.
      next = Pdp.fromRuleset(c.ruleset, this.opts);
    } catch (e) {
      return refuse(`ruleset refused: ${(e as Error).message}`);
    }
    const gateFailure = this.opts.gate?.(c, next);
    if (gateFailure) return refuse(gateFailure);

    const first = !this.loaded;
    this.pdp = next; // the swap: one assignment between synchronous checks
    this.loaded = {
      source: c.source,
      revision: c.revision,
      policies: countPolicies(c.ruleset),
      bytes: c.ruleset.length,
      loadedAt: new Date().toISOString(),
      loadMs: Math.round(((c.buildMs ?? 0) + performance.now() - t0) * 10) / 10,
    };
    if (!first) this.reloads++;
    this.lastError = null;
    const l = this.loaded;
    this.opts.log?.(`verdict: ${first ? "loaded" : "reloaded"} ${l.source} ${l.revision}: ${l.policies} polic${l.policies === 1 ? "y" : "ies"}, ${l.bytes} bytes, ${l.loadMs} ms`);
    this.opts.onSwap?.(l);
    return true;
  }
}
