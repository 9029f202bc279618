/**
 * npm run bench [-- options]: B1 throughput, B2 search latency, B3 context economy, B4 grow-up costs (see bench/README.md).
 *
 *   --quick              10k tasks only, 1 × 3 s rounds, 30 queries per class, no profile/EXPLAIN (CI: proves the bench runs)
 *   --only=b1,b2         run only these parts (B3 always comes along; b4 alone seeds no bench dataset)
 *   --grow=1m            B4 size: tasks seeded into a throwaway database per store before timing a cold start
 *                        (default 1m; quick 10k); B4 uses the stores not set to "none" by --pg / --pglite
 *   --pg=10k,100k,1m     PostgreSQL sizes (default 10k,100k,1m; quick 10k); B1 uses the largest
 *   --pglite=10k,100k    PGlite sizes (default 10k,100k; quick 10k; "none" to skip)
 *   --seed=N             seed of the generated workspaces (default 1)
 *   --reseed             drop and seed the bench databases again
 *   --rounds=N --seconds=S --warmup=S --connections=N --per-class=N
 *   --profile / --no-profile   extra Taskline rounds under node --cpu-prof (default: on for full runs)
 *   --wait-quiet=S       before B1 and each B2 dataset, wait for other processes to use < 25% of a core (S s at most in all)
 *   --sized=auto|none|2GB   also run B2 and B1 (a-db, c-search) at the largest PostgreSQL size on a private server whose
 *                        shared_buffers holds the working set (auto: the database's size + 25%; default auto for full
 *                        runs, none otherwise); see bench/lib/pgcluster.ts
 *   --before=FILE        a results JSON of an earlier full run (bench/results/…-pg.json): before/after columns
 *
 * Exits non-zero when a server fails to start, a probe request fails, every request to a server fails, or a part
 * throws. It asserts nothing about speed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LISTED_TOOLS } from '../src/mcp/tools/index.ts';
import { runB1, type B1Result } from './b1.ts';
import { runB2, type B2Result } from './b2.ts';
import { databaseBytes, prewarm, pgSettings, sizedSharedBuffers, startPrivateServer } from './lib/pgcluster.ts';
import { PG_BASE, ROOT, ensurePgDataset, ensurePgliteDataset, openDataset, postgresVersion, type Dataset } from './lib/datasets.ts';
import { runB4, type B4Result } from './b4.ts';
import { cpuMark, cpuUse, waitQuiet } from './lib/cpu.ts';
import { explainSearch } from './lib/explain.ts';
import { machine } from './lib/machine.ts';
import { TARGETS, markdown, updateReadme, type B3Result, type RunResults } from './lib/report.ts';

function parseArgs(argv: string[]) {
  const flags = new Map<string, string | true>();
  for (const a of argv) {
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a} (see the top of bench/run.ts)`);
    flags.set(m[1]!, m[2] ?? true);
  }
  const known = [
    'wait-quiet',
    'quick',
    'only',
    'pg',
    'pglite',
    'seed',
    'reseed',
    'rounds',
    'seconds',
    'warmup',
    'connections',
    'per-class',
    'grow',
    'profile',
    'no-profile',
    'sized',
    'before',
  ];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k} (known: ${known.join(', ')})`);
  const quick = flags.has('quick');
  const str = (k: string, d: string) => (typeof flags.get(k) === 'string' ? (flags.get(k) as string) : d);
  const num = (k: string, d: number) => {
    const v = Number(str(k, String(d)));
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} must be a positive number`);
    return v;
  };
  const sizes = (k: string, d: string) =>
    str(k, d) === 'none'
      ? []
      : str(k, d)
          .split(',')
          .map((s) => {
            const m = /^(\d+)([km]?)$/i.exec(s.trim());
            if (!m) throw new Error(`--${k}: "${s}" is not a size like 10k or 1m`);
            return Number(m[1]) * (m[2]?.toLowerCase() === 'm' ? 1e6 : m[2]?.toLowerCase() === 'k' ? 1e3 : 1);
          });
  const only = new Set(
    str('only', 'b1,b2,b3,b4')
      .split(',')
      .map((s) => s.trim().toLowerCase()),
  );
  return {
    quick,
    only,
    pgSizes: sizes('pg', quick ? '10k' : '10k,100k,1m'),
    pgliteSizes: sizes('pglite', quick ? '10k' : '10k,100k'),
    growSize: sizes('grow', quick ? '10k' : '1m')[0] ?? 0,
    seed: num('seed', 1),
    reseed: flags.has('reseed'),
    rounds: num('rounds', quick ? 1 : 3),
    seconds: num('seconds', quick ? 3 : 10),
    warmup: num('warmup', quick ? 1 : 5),
    connections: num('connections', 50),
    perClass: num('per-class', quick ? 30 : 200),
    profile: flags.has('profile') || (!quick && !flags.has('no-profile')),
    waitQuiet: flags.has('wait-quiet') ? num('wait-quiet', 300) : 0,
    sized: str('sized', quick ? 'none' : 'auto'),
    before: typeof flags.get('before') === 'string' ? (flags.get('before') as string) : null,
  };
}

const log = (m: string) => process.stdout.write(m + '\n');

async function main() {
  const t0 = performance.now();
  const o = parseArgs(process.argv.slice(2));
  const date = new Date().toISOString();
  const pgVersion = await postgresVersion();
  const m = machine(pgVersion);
  const full = !o.quick && ['b1', 'b2', 'b3'].every((p) => o.only.has(p));
  log(
    `Taskline bench (${o.quick ? 'quick' : full ? 'full' : 'partial'}) on ${m.nproc} × ${m.cpuModel}, Node ${m.node}, ${pgVersion ?? 'no PostgreSQL reachable'}`,
  );
  if (!pgVersion && o.pgSizes.length)
    throw new Error('PostgreSQL is not reachable at BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432); start it, or pass --pg=none');

  const datasets: Dataset[] = [];
  if (o.only.has('b1') || o.only.has('b2')) {
    log('== datasets');
    for (const n of o.pgSizes) datasets.push(await ensurePgDataset(n, o.seed, { reseed: o.reseed, log }));
    for (const n of o.pgliteSizes) datasets.push(await ensurePgliteDataset(n, o.seed, { reseed: o.reseed, log }));
  }
  /**
   * A server that has been running has its database in the OS page cache; a freshly booted machine has it on disk
   * (pg 1m search p95 there: name 25.6 ms cold vs 4.8 ms warm), and this VM class gives the cache back within minutes
   * even with most memory free (72% of the 1m database gone 15 min after reading it). So each part reads its
   * PostgreSQL database into the page cache right before it runs; returns the MB read.
   */
  const warm = async (ds: Dataset): Promise<number> => {
    const mb = await prewarm(ds.databaseUrl!, 'read');
    log(`  pg ${ds.label}: read ${mb} MB into the OS page cache`);
    return mb;
  };

  let b1: B1Result | null = null;
  const largestPg = datasets.filter((d) => d.store === 'pg').sort((a, b) => b.size - a.size)[0];
  if (o.only.has('b1')) {
    if (!largestPg) throw new Error('B1 needs a PostgreSQL dataset (--pg)');
    log(`== B1 throughput (Taskline on pg ${largestPg.label})`);
    await warm(largestPg);
    b1 = await runB1({
      ds: largestPg,
      connections: o.connections,
      warmupSeconds: o.warmup,
      rounds: o.rounds,
      roundSeconds: o.seconds,
      profile: o.profile,
      waitQuietSeconds: o.waitQuiet,
      log,
    });
  }

  const b2: B2Result[] = [];
  if (o.only.has('b2')) {
    log('== B2 search latency');
    for (const ds of datasets) {
      if (o.waitQuiet) await waitQuiet(25, o.waitQuiet, log);
      const pageCacheMb = ds.store === 'pg' ? await warm(ds) : undefined;
      const t = performance.now();
      const m0 = cpuMark([]);
      const r = await runB2(ds, { perClass: o.perClass, log });
      r.foreignCpu = cpuUse(m0, cpuMark([]), -1)?.foreign ?? null;
      r.pageCacheMb = pageCacheMb;
      b2.push(r);
      log(
        `  ${ds.store} ${ds.label}: ` +
          r.classes.map((c) => `${c.cls} p95 ${c.p95}`).join(', ') +
          ` (${((performance.now() - t) / 1000).toFixed(0)} s; others used ${r.foreignCpu ?? '?'}% of a core)`,
      );
    }
  }

  // The sized run: the largest PostgreSQL dataset again, on a private server whose shared_buffers holds it.
  let b1Sized: B1Result | null = null;
  const defaultSettings = largestPg ? await pgSettings(`${PG_BASE}/postgres`) : undefined;
  for (const r of b2) if (r.store === 'pg') r.settings = defaultSettings;
  if (b1) b1.settings = defaultSettings;
  if (o.sized !== 'none' && largestPg) {
    const bytes = await databaseBytes(largestPg.databaseUrl!);
    const sharedBuffers = o.sized === 'auto' ? sizedSharedBuffers(bytes) : o.sized;
    log(`== sized run: pg ${largestPg.label} (${Math.round(bytes / 2 ** 20)} MB) with shared_buffers ${sharedBuffers}`);
    const server = await startPrivateServer({ sharedBuffers, like: PG_BASE, log });
    // Stopped when the bench exits (after the EXPLAIN of the slow classes, which reads this server).
    process.once('exit', () => server.stop());
    {
      const ds = await ensurePgDataset(largestPg.size, o.seed, {
        reseed: o.reseed,
        log,
        base: server.base,
        variant: `shared_buffers ${sharedBuffers}`,
      });
      datasets.push(ds);
      const settings = await pgSettings(`${server.base}/postgres`);
      log(`  sized: prewarmed ${await prewarm(ds.databaseUrl!)} MB of tables and indexes`);
      if (o.only.has('b2')) {
        if (o.waitQuiet) await waitQuiet(25, o.waitQuiet, log);
        const m0 = cpuMark([]);
        const r = await runB2(ds, { perClass: o.perClass, log });
        r.foreignCpu = cpuUse(m0, cpuMark([]), -1)?.foreign ?? null;
        r.settings = settings;
        b2.push(r);
        log(`  pg ${ds.label} ${ds.variant}: ` + r.classes.map((c) => `${c.cls} p95 ${c.p95}`).join(', '));
      }
      if (o.only.has('b1')) {
        log(`== B1 a-db and c-search on pg ${ds.label} ${ds.variant}`);
        b1Sized = await runB1({
          ds,
          connections: o.connections,
          warmupSeconds: o.warmup,
          rounds: o.rounds,
          roundSeconds: o.seconds,
          profile: false,
          waitQuietSeconds: o.waitQuiet,
          only: ['a-db', 'c-search'],
          log,
        });
        b1Sized.settings = settings;
      }
    }
  }
  const before = o.before ? (JSON.parse(fs.readFileSync(o.before, 'utf8')) as RunResults) : null;
  // B4 last: its throwaway 1M databases push the bench datasets out of the caches.
  let b4: B4Result | null = null;
  const growStores = [...(o.pgSizes.length ? ['pg' as const] : []), ...(o.pgliteSizes.length ? ['pglite' as const] : [])];
  if (o.only.has('b4') && o.growSize > 0 && growStores.length) {
    log(`== B4 grow-up costs (${growStores.join(', ')}; ${o.growSize.toLocaleString('en-US')} tasks)`);
    b4 = await runB4({ size: o.growSize, stores: growStores, seed: o.seed, log });
  }

  const tools = [...LISTED_TOOLS.values()];
  const searchRun = b2.filter((r) => r.store === 'pg' && !r.variant).sort((a, b) => b.size - a.size)[0] ?? b2[0];
  const b3: B3Result = {
    toolsListBytes: b1?.toolsListBytes ?? null,
    toolsListBytesAllTools: Buffer.byteLength(JSON.stringify({ tools })),
    perTool: tools.map((t) => ({ name: t.name, bytes: Buffer.byteLength(JSON.stringify(t)) })),
    search: searchRun?.sizes ?? null,
    searchDataset: searchRun ? `${searchRun.store} ${searchRun.label}` : null,
  };

  const results: RunResults = {
    date,
    mode: o.quick ? 'quick' : full ? 'full' : 'partial',
    machine: m,
    seed: o.seed,
    datasets: datasets.map((d) => ({ store: d.store, label: d.label, size: d.size, seededNow: d.seededNow, seedSeconds: d.seedSeconds })),
    b1,
    b1Sized,
    b2,
    b3,
    before: before ? { date: before.date, b1: before.b1, b2: before.b2.filter((x) => x.store === 'pg') } : null,
    b4,
    seconds: (performance.now() - t0) / 1000,
  };
  const md = markdown(results);
  // Quick and partial runs go to their own (git-ignored) folders: results/ and latest.md hold full runs only.
  const dir = path.join(ROOT, 'bench/results', o.quick ? 'quick' : full ? '' : 'partial');
  fs.mkdirSync(dir, { recursive: true });
  const day = date.slice(0, 10);
  for (const store of ['pg', 'pglite'] as const) {
    if (!datasets.some((d) => d.store === store) && !b4?.stores.some((s) => s.store === store)) continue;
    const part = {
      ...results,
      b1: store === 'pg' ? b1 : null,
      b1Sized: store === 'pg' ? b1Sized : null,
      b2: b2.filter((r) => r.store === store),
      b3: store === 'pg' ? b3 : { ...b3, search: b2.find((r) => r.store === store)?.sizes ?? null },
      b4: b4 && { ...b4, stores: b4.stores.filter((s) => s.store === store) },
    };
    fs.writeFileSync(path.join(dir, `${day}-${store}.json`), JSON.stringify(part, null, 2) + '\n');
  }
  fs.writeFileSync(path.join(dir, 'latest.md'), md + '\n');

  // EXPLAIN (ANALYZE, BUFFERS) of the p95 query of every class over its target, at the largest size of each store.
  for (const store of o.quick ? [] : (['pg', 'pglite'] as const)) {
    // The sized run when there is one: the targets hold for it.
    const run = b2.filter((r) => r.store === store).sort((a, b) => b.size - a.size || Number(!!b.variant) - Number(!!a.variant))[0];
    const ds = datasets.find((d) => d.store === store && d.size === run?.size && d.variant === run?.variant);
    if (!run || !ds) continue;
    const limit = store === 'pg' ? TARGETS.searchP95Pg : TARGETS.searchP95Pglite;
    const slow = run.classes.filter((c) => c.p95 > limit && c.atP95.query);
    if (!slow.length) continue;
    const db = await openDataset(ds, 2);
    try {
      const parts: string[] = [];
      for (const c of slow)
        parts.push(
          `### ${c.cls}: p95 ${c.p95} ms (this query took ${c.atP95.ms} ms in the run)\n${await explainSearch(db, ds.workspaceId, c.atP95.query)}`,
        );
      const file = path.join(dir, `${day}-${store}-${run.label}-explain.txt`);
      fs.writeFileSync(file, parts.join('\n\n') + '\n');
      log(`  EXPLAIN of the slow classes (${slow.map((c) => c.cls).join(', ')}) on ${store} ${run.label}: ${path.relative(ROOT, file)}`);
    } finally {
      await db.close();
    }
  }
  if (full) updateReadme(md, ROOT);
  log('');
  log(md);
  log(`(results in ${path.relative(ROOT, dir) || '.'}/: ${day}-*.json, latest.md)`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
