// storage.driver: disk. Compiles a directory; with watchForChanges, watches every sub-directory
// (as Cerbos's fsnotify watcher does; recursive fs.watch is not dependable on Linux in Node 20)
// and recompiles once events have been quiet for `cooldownMs`, so an editor or a checkout that
// writes many files causes one reload.
import { type FSWatcher, readdirSync, watch } from "node:fs";
import { join, resolve } from "node:path";
import { compileCandidate } from "./compile-dir.ts";
import type { Candidate, Offer, PolicySource } from "./types.ts";

export interface DiskSourceOptions {
  directory: string;
  watchForChanges?: boolean;
  /** Quiet time before a batch of changes is compiled (default 500 ms; Cerbos waits 2 s). */
  cooldownMs?: number;
  log?: (line: string) => void;
}

export class DiskSource implements PolicySource {
  readonly description: string;
  private readonly dir: string;
  private watchers = new Map<string, FSWatcher>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private offer: Offer | undefined;

  constructor(private readonly opts: DiskSourceOptions) {
    this.dir = resolve(opts.directory);
    this.description = `disk ${opts.directory}`;
  }

  async initial(): Promise<Candidate> {
    return compileCandidate(this.dir, this.description);
  }

  start(offer: Offer): void {
    if (!this.opts.watchForChanges) return;
    this.offer = offer;
    this.syncWatchers();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    await this.running;
  }

  /** Watches every directory under the root; new directories are picked up at each batch. */
  private syncWatchers(): void {
    const dirs = new Set<string>();
    const walk = (d: string): void => {
      dirs.add(d);
      let entries;
      try {
        entries = readdirSync(d, { withFileTypes: true });
      } catch {
        return; // removed meanwhile
      }
      for (const e of entries) if (e.isDirectory() && !e.name.startsWith(".")) walk(join(d, e.name));
    };
    walk(this.dir);
    for (const [d, w] of this.watchers) {
      if (!dirs.has(d)) {
        w.close();
        this.watchers.delete(d);
      }
    }
    for (const d of dirs) {
      if (this.watchers.has(d)) continue;
      try {
        const w = watch(d, { persistent: false }, () => this.changed());
        w.on("error", () => {
          w.close();
          this.watchers.delete(d);
          this.changed();
        });
        this.watchers.set(d, w);
      } catch {
        /* vanished between readdir and watch: the next batch re-syncs */
      }
    }
  }

  private changed(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Batches run one after another; a batch that arrives meanwhile waits its turn.
      this.running = this.running.then(() => this.reload());
    }, this.opts.cooldownMs ?? 500);
  }

  private async reload(): Promise<void> {
    if (this.stopped || !this.offer) return;
    this.syncWatchers();
    await this.offer(compileCandidate(this.dir, this.description));
  }
}
