// The batching core every batched sink shares (Node HTTP today; a Workers sink would pass
// `schedule: (p) => ctx.waitUntil(p)`, a browser sink a `send` built on navigator.sendBeacon).
// It never blocks its caller: push() only appends to a bounded queue; a full queue drops the item
// and counts it. Sends run in the background, at most `maxInFlight` at a time, and a failed send
// counts its items as dropped. Nothing here uses Node APIs.

export interface BatcherOptions<T> {
  send: (batch: T[]) => Promise<void>;
  /** Items per send (default 100). */
  maxBatch?: number;
  /** Items waiting, beyond which new items are dropped (default 10 000). */
  maxQueue?: number;
  /** A partial batch waits at most this long (default 1000 ms). `Infinity`: no timer — partial
   *  batches go only on flush()/sendNow() (Workers, where each request flushes via waitUntil). */
  flushIntervalMs?: number;
  /** Concurrent sends (default 1, so a slow receiver backs the queue up instead of piling up sockets). */
  maxInFlight?: number;
  /** Hands each background send to the runtime (Workers: waitUntil); default: fire and forget. */
  schedule?: (p: Promise<void>) => void;
  /** Told about each failed send (for a log line); must not throw. */
  onError?: (e: unknown, batchSize: number) => void;
}

export interface BatcherStats {
  /** Items accepted into the queue. */
  accepted: number;
  /** Items delivered by a successful send. */
  sent: number;
  /** Items lost: queue full, or part of a failed send. */
  dropped: number;
  /** Failed sends (each loses its whole batch). */
  failedSends: number;
  /** Items queued or in flight. */
  pending: number;
}

export class Batcher<T> {
  private queue: T[] = [];
  private inFlight = 0;
  private inFlightItems = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly running = new Set<Promise<void>>();
  private readonly s = { accepted: 0, sent: 0, dropped: 0, failedSends: 0 };
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private readonly maxInFlight: number;
  private readonly flushIntervalMs: number;

  constructor(private readonly opts: BatcherOptions<T>) {
    this.maxBatch = Math.max(1, opts.maxBatch ?? 100);
    this.maxQueue = Math.max(1, opts.maxQueue ?? 10_000);
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 1);
    this.flushIntervalMs = Math.max(0, opts.flushIntervalMs ?? 1000);
  }

  /** Queues an item; false (and counted) when the queue is full. O(1), never throws. */
  push(item: T): boolean {
    if (this.queue.length >= this.maxQueue) {
      this.s.dropped++;
      return false;
    }
    this.queue.push(item);
    this.s.accepted++;
    this.pump(false);
    return true;
  }

  stats(): BatcherStats {
    return { ...this.s, pending: this.queue.length + this.inFlightItems };
  }

  /** Hands everything queued to `sendSync` at once, in batches of at most maxBatch, ignoring
   *  maxInFlight (a page being hidden or unloaded cannot wait for running sends). `sendSync`
   *  returns true when the batch was handed over (counted sent), false or throws when it was not
   *  (counted dropped). Returns the number of items handed over. */
  sendNow(sendSync: (batch: T[]) => boolean): number {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    let handed = 0;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      let ok = false;
      try {
        ok = sendSync(batch);
      } catch (e) {
        try {
          this.opts.onError?.(e, batch.length);
        } catch {
          /* reporting must not break the batcher */
        }
      }
      if (ok) {
        this.s.sent += batch.length;
        handed += batch.length;
      } else {
        this.s.failedSends++;
        this.s.dropped += batch.length;
      }
    }
    return handed;
  }

  /** Sends everything queued now and waits for all sends (for shutdown and tests). */
  async flush(): Promise<void> {
    for (;;) {
      this.pump(true);
      if (this.running.size === 0) return;
      await Promise.race(this.running);
    }
  }

  private pump(force: boolean): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0 && (force || this.queue.length >= this.maxBatch)) {
      this.startSend(this.queue.splice(0, this.maxBatch));
    }
    if (this.queue.length > 0 && this.timer === undefined && this.inFlight < this.maxInFlight && this.flushIntervalMs !== Infinity) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump(true);
      }, this.flushIntervalMs);
      // Node: a pending flush must not keep the process alive (flush() on shutdown delivers it).
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  private startSend(batch: T[]): void {
    this.inFlight++;
    this.inFlightItems += batch.length;
    let p: Promise<void>;
    try {
      p = Promise.resolve(this.opts.send(batch));
    } catch (e) {
      p = Promise.reject(e);
    }
    const done = p.then(
      () => {
        this.s.sent += batch.length;
      },
      (e) => {
        this.s.failedSends++;
        this.s.dropped += batch.length;
        try {
          this.opts.onError?.(e, batch.length);
        } catch {
          /* a reporting hook must not break the batcher */
        }
      },
    ).finally(() => {
      this.inFlight--;
      this.inFlightItems -= batch.length;
      this.running.delete(done);
      this.pump(false);
    });
    this.running.add(done);
    this.opts.schedule?.(done);
  }
}
