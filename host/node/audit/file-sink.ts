// JSON-lines file sink with size-based rotation (Cerbos's file backend: audit.file.path and
// logRotation{maxFileSizeMB, maxFileCount}). write() only appends to a bounded in-memory queue; a
// single background loop writes queued lines in chunks, so a slow disk never delays a decision —
// it fills the queue, and entries beyond the bound are dropped and counted.
// Rotation: when the next chunk would pass maxFileSize, `path` becomes `path.1`, `path.1` becomes
// `path.2`, …; at most maxFileCount old files are kept (like Cerbos's lumberjack MaxBackups, with
// numbered rather than timestamped names). "stdout"/"stderr" write to the process streams.
import { type FileHandle, open, rename, stat } from "node:fs/promises";
import type { DecisionLogEntry } from "../../common/audit/entry.ts";
import type { AuditSink, SinkStats } from "../../common/audit/log.ts";
import { toJsonLine } from "../../common/audit/sinks.ts";

export interface FileSinkOptions {
  path: string;
  /** Default 10 (Cerbos's default). */
  maxFileSizeMB?: number;
  /** Rotated files kept; default 10. */
  maxFileCount?: number;
  /** Entries waiting to be written before new ones are dropped; default 10 000. */
  maxQueue?: number;
  /** Told about write failures (one line each); must not throw. */
  onError?: (message: string) => void;
}

const CHUNK_BYTES = 256 * 1024;

export class FileSink implements AuditSink {
  readonly name: string;
  private queue: string[] = [];
  private readonly s: SinkStats = { accepted: 0, written: 0, dropped: 0, pending: 0 };
  private fh: FileHandle | undefined;
  private size = -1;
  private loop: Promise<void> | undefined;
  private inFlight = 0;
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private readonly maxQueue: number;

  constructor(private readonly opts: FileSinkOptions) {
    this.name = `file:${opts.path}`;
    this.maxBytes = Math.max(1, (opts.maxFileSizeMB ?? 10) * 1024 * 1024);
    this.maxFiles = Math.max(0, opts.maxFileCount ?? 10);
    this.maxQueue = Math.max(1, opts.maxQueue ?? 10_000);
  }

  write(entry: DecisionLogEntry): void {
    if (this.queue.length >= this.maxQueue) {
      this.s.dropped++;
      return;
    }
    this.queue.push(toJsonLine(entry) + "\n");
    this.s.accepted++;
    this.loop ??= this.drain().finally(() => (this.loop = undefined));
  }

  stats(): SinkStats {
    return { ...this.s, pending: this.queue.length + this.inFlight };
  }

  async flush(): Promise<void> {
    while (this.loop) await this.loop;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.fh?.close().catch(() => undefined);
    this.fh = undefined;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const lines = this.takeChunk();
      const text = lines.join("");
      this.inFlight = lines.length;
      try {
        await this.append(text);
        this.s.written += lines.length;
      } catch (e) {
        this.s.dropped += lines.length;
        await this.fh?.close().catch(() => undefined);
        this.fh = undefined; // reopen on the next chunk (the file may have been removed)
        try {
          this.opts.onError?.(`audit file ${this.opts.path}: ${(e as Error).message}`);
        } catch {
          /* reporting must not stop the writer */
        }
      } finally {
        this.inFlight = 0;
      }
    }
  }

  private takeChunk(): string[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || bytes + this.queue[n]!.length <= CHUNK_BYTES)) bytes += this.queue[n++]!.length;
    return this.queue.splice(0, n);
  }

  private async append(text: string): Promise<void> {
    const p = this.opts.path;
    if (p === "stdout" || p === "stderr") {
      const stream = p === "stdout" ? process.stdout : process.stderr;
      await new Promise<void>((res, rej) => stream.write(text, (e) => (e ? rej(e) : res())));
      return;
    }
    const buf = Buffer.from(text, "utf8");
    if (!this.fh) {
      this.fh = await open(p, "a");
      this.size = (await this.fh.stat()).size;
    }
    if (this.size > 0 && this.size + buf.length > this.maxBytes) await this.rotate();
    await this.fh!.write(buf);
    this.size += buf.length;
  }

  private async rotate(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
    const p = this.opts.path;
    if (this.maxFiles === 0) {
      this.fh = await open(p, "w"); // no backups: start the file afresh
      this.size = 0;
      return;
    }
    for (let i = this.maxFiles - 1; i >= 1; i--) {
      if (await exists(`${p}.${i}`)) await rename(`${p}.${i}`, `${p}.${i + 1}`);
    }
    await rename(p, `${p}.1`);
    this.fh = await open(p, "a");
    this.size = 0;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
