import type { Clock } from '../platform/context.ts';
import type { Queryable } from '../platform/db/client.ts';

interface Entry {
  window: number;
  /** Count across all instances as of the last sync (including this instance's flushed hits). */
  shared: number;
  /** Hits counted here and not yet added to the shared counter. */
  pending: number;
  /** Hits on their way to the shared counter (a flush is running): still counted here until it answers. */
  flushing: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * A fixed-window limiter shared across instances through PostgreSQL without a write per request: each instance
 * counts locally and adds its pending counts to `rate_counters` every `syncMs` (one upsert per active key),
 * learning the global count in return. Overshoot across instances is bounded by what they admit within one sync.
 */
export class SharedRateLimiter {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  private readonly windowMs: number;
  private readonly syncMs: number;
  private readonly onError: (err: Error) => void;
  private readonly now: Clock;

  constructor(
    private readonly db: Queryable,
    readonly limit: number,
    opts: { windowMs?: number; syncMs?: number; onError?: (err: Error) => void; now?: Clock } = {},
  ) {
    this.windowMs = opts.windowMs ?? 60_000;
    this.syncMs = opts.syncMs ?? 250;
    this.onError = opts.onError ?? (() => {});
    this.now = opts.now ?? Date.now;
  }

  private entry(key: string, now: number): Entry {
    const window = Math.floor(now / this.windowMs) * this.windowMs;
    let e = this.entries.get(key);
    if (!e || e.window !== window) {
      e = { window, shared: 0, pending: 0, flushing: 0 };
      this.entries.set(key, e);
    }
    return e;
  }

  private retryAfter(e: Entry, now: number): number {
    return Math.max(1, Math.ceil((e.window + this.windowMs - now) / 1000));
  }

  /** Hits in this window as far as this instance knows: the shared total, plus its own not yet in that total. */
  private used(e: Entry): number {
    return e.shared + e.flushing + e.pending;
  }

  /** Would one more hit be over the limit? Does not count. */
  check(key: string, now = this.now()): RateDecision {
    const e = this.entry(key, now);
    return this.used(e) >= this.limit ? { ok: false, retryAfterSeconds: this.retryAfter(e, now) } : { ok: true };
  }

  /** Count one hit; refused (and not counted) when the window's budget is spent. */
  hit(key: string, now = this.now()): RateDecision {
    const e = this.entry(key, now);
    if (this.used(e) >= this.limit) return { ok: false, retryAfterSeconds: this.retryAfter(e, now) };
    e.pending++;
    this.schedule();
    return { ok: true };
  }

  private schedule() {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.syncMs);
    this.timer.unref();
  }

  /** Push pending counts and pull the shared totals. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    const batch = [...this.entries].filter(([, e]) => e.pending > 0);
    if (!batch.length) return Promise.resolve();
    const run = (async () => {
      const now = this.now();
      const keys: string[] = [];
      const windows: string[] = [];
      const counts: number[] = [];
      for (const [k, e] of batch) {
        keys.push(k);
        windows.push(new Date(e.window).toISOString());
        counts.push(e.pending);
        e.flushing += e.pending;
        e.pending = 0;
      }
      // The flushed hits leave `flushing` when the shared total that includes them is known (or on failure, back
      // to `pending`): until then they still count here, so a burst during a flush cannot pass the limit.
      const settle = (i: number, k: string): Entry | undefined => {
        const e = this.entries.get(k);
        if (!e || e.window !== Date.parse(windows[i]!)) return undefined; // that window is over
        e.flushing -= counts[i]!;
        return e;
      };
      try {
        const r = await this.db.query<{ key: string; count: number }>(
          `INSERT INTO rate_counters AS r (key, window_start, count)
           SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int[])
           ON CONFLICT (key, window_start) DO UPDATE SET count = r.count + excluded.count
           RETURNING key, count`,
          [keys, windows, counts],
        );
        const totals = new Map(r.rows.map((row) => [row.key, row.count]));
        for (const [i, k] of keys.entries()) {
          const e = settle(i, k);
          const total = totals.get(k);
          if (e && total !== undefined) e.shared = Math.max(e.shared, total);
        }
        // Old windows are of no use to anyone.
        if (Math.random() < 0.01) await this.db.query("DELETE FROM rate_counters WHERE window_start < now() - interval '1 hour'");
      } catch (err) {
        // Keep the counts for the next try rather than losing them.
        for (const [i, k] of keys.entries()) {
          const e = settle(i, k);
          if (e) e.pending += counts[i]!;
        }
        this.onError(err as Error);
      }
      for (const [k, e] of this.entries) if (e.window + this.windowMs < now && e.pending === 0 && e.flushing === 0) this.entries.delete(k);
    })();
    this.flushing = run.finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }
}
