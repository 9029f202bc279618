/**
 * B2: search latency per query class through the tool layer — searchWorkspaceTasks.run() in-process with the
 * ToolContext the MCP handler would bind (classification, SQL, presenters; no HTTP). Also collects the sizes B3
 * reports (bytes of text and structured output per hit).
 */
import { searchWorkspaceTasks } from '../src/mcp/tools/searchWorkspaceTasks.ts';
import { openDataset, type Dataset } from './lib/datasets.ts';
import type { PgSettings } from './lib/pgcluster.ts';
import { QUERY_CLASSES, TYPO_KINDS, sampleQueries, shuffled, type BenchQuery, type QueryClass, type TypoKind } from './lib/queries.ts';
import { round, summarize, type Summary } from './lib/stats.ts';
import { benchToolContext, mintBenchToken } from './lib/taskline.ts';

export interface ClassResult extends Summary {
  cls: QueryClass;
  /** Share of queries with at least one hit. */
  hitRate: number;
  /** Share of queries whose source task came back among the hits (null for no-hit). */
  foundRate: number | null;
  errors: number;
  slowest: { query: string; ms: number };
  /** The query whose time was the class's p95 (to EXPLAIN). */
  atP95: { query: string; ms: number };
  example: string;
}

/** Misspelt names by what the typo did: the customer among the hits, and first. */
export type TypoRates = Record<TypoKind, { n: number; customerFound: number; customerFirst: number }>;

export interface Sizes {
  queriesWithHits: number;
  textBytesPerHit: { mean: number; max: number };
  maxLineBytes: number;
  structuredBytesPerHit: { mean: number; max: number };
  resultBytesPerHit: { mean: number; max: number };
}

export interface B2Result {
  store: Dataset['store'];
  /** A PostgreSQL server other than the machine's default one (the sized run). */
  variant?: string;
  /** PostgreSQL settings during the run (set by the caller). */
  settings?: PgSettings;
  size: number;
  label: string;
  perClass: number;
  /** CPU (% of one core) used by other processes during the run (set by the caller). */
  foreignCpu?: number | null;
  /** MB of the database read into the OS page cache right before the run (set by the caller; absent in older results). */
  pageCacheMb?: number;
  classes: ClassResult[];
  sizes: Sizes;
  /** Absent in results written before it was measured. */
  typos?: TypoRates;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export async function runB2(ds: Dataset, opts: { perClass: number; log: (m: string) => void }): Promise<B2Result> {
  const db = await openDataset(ds);
  try {
    const token = await mintBenchToken(db, ds.workspaceId);
    const ctx = await benchToolContext(db, ds.workspaceId, token);
    const queries = await sampleQueries(db, ds, opts.perClass);
    const tool = searchWorkspaceTasks;
    const call = (q: BenchQuery) => tool.run(ctx, tool.inputSchema.parse({ query: q.query, limit: 10 }));

    // Warm-up: a tenth of the queries (at least 10 per class), untimed.
    const warm = QUERY_CLASSES.flatMap((c) => queries.filter((q) => q.cls === c).slice(0, Math.max(10, Math.ceil(opts.perClass / 10))));
    for (const q of warm) await call(q).catch(() => {});

    const ms = new Map<QueryClass, number[]>(QUERY_CLASSES.map((c) => [c, []]));
    const timed = new Map<QueryClass, { query: string; ms: number }[]>(QUERY_CLASSES.map((c) => [c, []]));
    const per = new Map<QueryClass, { hits: number; found: number; errors: number; slowest: { query: string; ms: number } }>(
      QUERY_CLASSES.map((c) => [c, { hits: 0, found: 0, errors: 0, slowest: { query: '', ms: -1 } }]),
    );
    const typos = Object.fromEntries(TYPO_KINDS.map((k) => [k, { n: 0, customerFound: 0, customerFirst: 0 }])) as TypoRates;
    const textPerHit: number[] = [];
    const structPerHit: number[] = [];
    const resultPerHit: number[] = [];
    let maxLine = 0;
    for (const q of shuffled(queries, ds.size)) {
      const s = per.get(q.cls)!;
      const t0 = performance.now();
      let out: Awaited<ReturnType<typeof call>>;
      try {
        out = await call(q);
      } catch (err) {
        s.errors++;
        if (s.errors === 1) opts.log(`  ${ds.store} ${ds.label}: ${q.cls} "${q.query}" failed: ${(err as Error).message}`);
        continue;
      }
      const dt = performance.now() - t0;
      ms.get(q.cls)!.push(dt);
      timed.get(q.cls)!.push({ query: q.query, ms: round(dt, 2) });
      if (dt > s.slowest.ms) s.slowest = { query: q.query, ms: round(dt, 2) };
      const hits = out.structured.hits;
      if (q.typo) {
        const k = typos[q.typo];
        k.n++;
        if (hits.some((h) => h.customerName === q.customerName)) k.customerFound++;
        if (hits[0]?.customerName === q.customerName) k.customerFirst++;
      }
      if (hits.length > 0) {
        s.hits++;
        if (q.taskNumber !== null && hits.some((h) => h.number === q.taskNumber)) s.found++;
        const text = out.text;
        textPerHit.push(bytes(text) / hits.length);
        for (const line of text.split('\n').slice(1)) maxLine = Math.max(maxLine, bytes(line));
        structPerHit.push(bytes(JSON.stringify(out.structured)) / hits.length);
        const result = { content: [{ type: 'text', text }], structuredContent: out.structured };
        resultPerHit.push(bytes(JSON.stringify(result)) / hits.length);
      }
    }
    const classes: ClassResult[] = QUERY_CLASSES.map((cls) => {
      const xs = ms.get(cls)!;
      const s = per.get(cls)!;
      const n = xs.length || 1;
      const sum = summarize(xs);
      const atP95 = timed
        .get(cls)!
        .reduce((best, x) => (Math.abs(x.ms - sum.p95) < Math.abs(best.ms - sum.p95) ? x : best), { query: '', ms: Infinity });
      return {
        cls,
        ...sum,
        p50: round(sum.p50, 2),
        p95: round(sum.p95, 2),
        p99: round(sum.p99, 2),
        max: round(sum.max, 2),
        mean: round(sum.mean, 2),
        hitRate: round(s.hits / n, 3),
        foundRate: cls === 'noHit' ? null : round(s.found / n, 3),
        errors: s.errors,
        slowest: s.slowest,
        atP95,
        example: queries.find((q) => q.cls === cls)?.query ?? '',
      };
    });
    const agg = (xs: number[]) => ({ mean: round(summarize(xs).mean, 1), max: round(summarize(xs).max, 1) });
    return {
      store: ds.store,
      variant: ds.variant,
      size: ds.size,
      label: ds.label,
      perClass: opts.perClass,
      classes,
      typos: Object.fromEntries(
        TYPO_KINDS.map((k) => [
          k,
          {
            n: typos[k].n,
            customerFound: round(typos[k].customerFound / (typos[k].n || 1), 3),
            customerFirst: round(typos[k].customerFirst / (typos[k].n || 1), 3),
          },
        ]),
      ) as TypoRates,
      sizes: {
        queriesWithHits: textPerHit.length,
        textBytesPerHit: agg(textPerHit),
        maxLineBytes: maxLine,
        structuredBytesPerHit: agg(structPerHit),
        resultBytesPerHit: agg(resultPerHit),
      },
    };
  } finally {
    await db.close();
  }
}
