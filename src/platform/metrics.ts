import client from 'prom-client';
import type { Db } from './db/client.ts';

type Labels<L extends string> = Partial<Record<L, string | number>>;

/**
 * A prom-client Counter fed without per-call label work: prom-client builds a label-hash string and checks every
 * label name on each inc(). Here each label set gets a series on first use, found again by its values; the counts
 * reach the prom-client counter when it is read (collect), so /metrics shows what prom-client itself would.
 */
export class FastCounter<L extends string> {
  readonly metric: client.Counter<L>;
  private readonly series = new Map<string, { labels: Labels<L>; n: number }>();

  constructor(
    cfg: { name: string; help: string; labelNames: readonly L[]; registers: client.Registry[] },
    private readonly labelNames = cfg.labelNames,
  ) {
    const series = this.series;
    this.metric = new client.Counter<L>({
      ...cfg,
      collect() {
        for (const s of series.values())
          if (s.n > 0) {
            this.inc(s.labels, s.n);
            s.n = 0;
          }
      },
    });
  }

  inc(labels: Labels<L>): void {
    const key = seriesKey(this.labelNames, labels);
    const s = this.series.get(key);
    if (s) s.n++;
    else this.series.set(key, { labels: ordered(this.labelNames, labels), n: 1 });
  }
}

/**
 * A prom-client Histogram fed the same way: prom-client also turns the bucket's upper bound (a float) into a
 * property key twice per observe(). Here a series keeps plain per-bucket counts, its sum and count; when the
 * histogram is read they are added to prom-client's own entry for that label set, created with zero() — the one
 * place that relies on prom-client's entry shape ({ bucketValues, sum, count }); test/unit/metrics.test.ts compares
 * the exposition with a plain prom-client Histogram's.
 */
export class FastHistogram<L extends string> {
  readonly metric: client.Histogram<L>;
  private readonly series = new Map<string, { labels: Labels<L>; counts: number[]; sum: number; count: number }>();

  constructor(
    cfg: { name: string; help: string; labelNames: readonly L[]; buckets: number[]; registers: client.Registry[] },
    private readonly labelNames = cfg.labelNames,
    private readonly bounds = [...cfg.buckets].sort((a, b) => a - b),
  ) {
    const series = this.series;
    const upper = this.bounds;
    this.metric = new client.Histogram<L>({
      ...cfg,
      collect() {
        const entries = (this as unknown as { hashMap: Record<string, Entry> }).hashMap;
        for (const s of series.values()) {
          if (s.count === 0) continue;
          let e = Object.values(entries).find((x) => sameLabels(x.labels, s.labels));
          if (!e) {
            this.zero(s.labels);
            e = Object.values(entries).find((x) => sameLabels(x.labels, s.labels))!;
          }
          for (let i = 0; i < upper.length; i++) e.bucketValues[upper[i]!]! += s.counts[i]!;
          e.sum += s.sum;
          e.count += s.count;
          s.counts.fill(0);
          s.sum = 0;
          s.count = 0;
        }
      },
    });
  }

  observe(labels: Labels<L>, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const key = seriesKey(this.labelNames, labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: ordered(this.labelNames, labels), counts: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    // prom-client's bucket: the first upper bound ≥ value; above the last, only +Inf (the count) has it.
    const b = this.bounds;
    for (let i = 0; i < b.length; i++)
      if (value <= b[i]!) {
        s.counts[i]!++;
        break;
      }
    s.sum += value;
    s.count++;
  }
}

/** The key of a label set's series: its values in the declared order. */
function seriesKey<L extends string>(names: readonly L[], labels: Labels<L>): string {
  let key = '';
  for (const n of names) key += `${labels[n]}\u0000`;
  return key;
}

/** The labels in the declared order (the order /metrics prints them in), without undefined ones. */
function ordered<L extends string>(names: readonly L[], labels: Labels<L>): Labels<L> {
  const out: Labels<L> = {};
  for (const n of names) if (labels[n] !== undefined) out[n] = labels[n];
  return out;
}

interface Entry {
  labels: Record<string, string | number>;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

function sameLabels(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => String(a[k]) === String(b[k]));
}

/** Prometheus metrics. Labels never carry tokens, workspace names or customer data. */
export function createMetrics(db?: Db) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const httpRequests = new FastCounter({
    name: 'taskline_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new FastHistogram({
    name: 'taskline_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['route', 'method'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const toolCalls = new FastCounter({
    name: 'taskline_mcp_tool_calls_total',
    help: 'MCP tool calls by tool and outcome',
    labelNames: ['tool', 'outcome'] as const,
    registers: [registry],
  });
  const toolDuration = new FastHistogram({
    name: 'taskline_mcp_tool_duration_seconds',
    help: 'MCP tool call latency by tool',
    labelNames: ['tool'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const verifications = new client.Counter({
    name: 'taskline_verification_outcomes_total',
    help: 'Customer verification outcomes',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  if (db) {
    new client.Gauge({
      name: 'taskline_db_pool_connections',
      help: 'Database connections by state',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const s = db.poolStats();
        this.set({ state: 'in_use' }, s.total - s.idle);
        this.set({ state: 'idle' }, s.idle);
        this.set({ state: 'waiting' }, s.waiting);
      },
    });
  }
  return { registry, httpRequests, httpDuration, toolCalls, toolDuration, verifications };
}
export type Metrics = ReturnType<typeof createMetrics>;
