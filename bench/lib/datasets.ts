/**
 * Benchmark workspaces, seeded once and reused: one PostgreSQL database per size (taskline_bench_10k, _100k, _1m) and
 * one PGlite data directory per size (bench/.data/pglite-10k, …). A marker (table bench_dataset / a JSON file beside
 * the directory) records size, seed and a hash of the code that decides the seeded rows (seed generator, vocabulary,
 * normalization); a database whose marker differs is dropped and seeded again. BENCH_PG_DB_PREFIX (default
 * taskline_bench) names the databases: a second person benching on the same PostgreSQL server uses a copy of their
 * own (CREATE DATABASE x_1m TEMPLATE taskline_bench_1m), so neither run's tidy-up deletes the other's bench credential.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openPg, openPglite, type Db } from '../../src/platform/db/client.ts';
import { loadMigrations, migrate } from '../../src/platform/db/migrate.ts';
import { createWorkspace } from '../../src/domain/workspaces.ts';
import { seedWorkspace } from '../../src/seed/seed.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DATA_DIR = path.join(ROOT, 'bench/.data');
export const PG_BASE = (process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');

export type Store = 'pg' | 'pglite';

export interface Dataset {
  store: Store;
  size: number;
  label: string;
  seed: number;
  workspaceId: string;
  firstNumber: number;
  lastNumber: number;
  /** PostgreSQL: the database URL; PGlite: the data directory. */
  databaseUrl?: string;
  dataDir?: string;
  /** Which server, when not the machine's default one (e.g. "shared_buffers 1536MB"). */
  variant?: string;
  /** Seeded by this run (false: reused). */
  seededNow: boolean;
  seedSeconds: number;
}

interface Marker {
  size: number;
  seed: number;
  codeHash: string;
  workspaceId: string;
  firstNumber: number;
  lastNumber: number;
  seedSeconds: number;
  seededAt: string;
}

export const sizeLabel = (n: number): string =>
  n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);

/**
 * Code whose content decides the seeded rows: a change means the stored data no longer matches. Whole files, except
 * customers.ts, of which only customerColumns() counts (other edits there do not change the data).
 */
const SEED_CODE: [file: string, part?: RegExp][] = [
  ['src/seed/seed.ts'],
  ['src/seed/generate.ts'],
  ['src/seed/distributions.ts'],
  ['src/seed/random.ts'],
  ['src/seed/vocabulary.ts'],
  ['src/domain/normalize.ts'],
  ['src/domain/customers.ts', /export function customerColumns[\s\S]*?\n}\n/],
];

export function seedCodeHash(): string {
  const h = createHash('sha256');
  for (const [f, part] of SEED_CODE) {
    const p = path.join(ROOT, f);
    const text = fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : '';
    h.update(f)
      .update('\0')
      .update(part ? (part.exec(text)?.[0] ?? text) : text);
  }
  return h.digest('hex').slice(0, 16);
}

type Log = (msg: string) => void;

/** Seed a fresh database the bench's way (also B4's): migrate, a workspace, seedWorkspace, VACUUM ANALYZE (timed). */
export async function seedInto(
  db: Db,
  size: number,
  seed: number,
  log: Log,
  tag: string,
): Promise<Omit<Marker, 'codeHash' | 'seededAt'> & { tasks: number; customers: number; comments: number }> {
  await migrate(db);
  const ws = await createWorkspace(db, { name: `Bench ${sizeLabel(size)} (seed ${seed})` });
  const t0 = performance.now();
  let nextReport = 0.1;
  const r = await seedWorkspace(db, ws.id, {
    tasks: size,
    seed,
    onProgress: (done, total) => {
      if (total > 0 && done / total >= nextReport) {
        log(
          `  ${tag}: seeded ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} tasks (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
        );
        while (done / total >= nextReport) nextReport += 0.1;
      }
    },
  });
  log(`  ${tag}: VACUUM ANALYZE`);
  await db.exec('VACUUM ANALYZE');
  const seedSeconds = (performance.now() - t0) / 1000;
  log(
    `  ${tag}: ${r.tasks.toLocaleString('en-US')} tasks, ${r.customers.toLocaleString('en-US')} customers, ${r.comments.toLocaleString('en-US')} comments in ${seedSeconds.toFixed(1)} s`,
  );
  return {
    size,
    seed,
    workspaceId: ws.id,
    firstNumber: r.firstNumber,
    lastNumber: r.lastNumber,
    seedSeconds,
    tasks: r.tasks,
    customers: r.customers,
    comments: r.comments,
  };
}

/**
 * False when the database holds a migration this code does not have (another work tree with a newer or different
 * schema used it): migrating forward is fine, backward is not possible, so such a dataset is seeded again.
 */
async function schemaKnown(db: Db): Promise<boolean> {
  const local = new Map(loadMigrations().map((m) => [m.version, m.name]));
  const applied = await db
    .query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations')
    .then((r) => r.rows)
    .catch(() => []);
  return applied.every((m) => local.get(m.version) === m.name);
}

/** Remove what earlier bench runs left in a reused workspace (audit rows, bench credentials), so runs stay alike. */
async function tidy(db: Db, workspaceId: string): Promise<void> {
  await db.query('DELETE FROM audit_events WHERE workspace_id = $1', [workspaceId]);
  await db.query('DELETE FROM mcp_credentials WHERE workspace_id = $1', [workspaceId]);
}

/** One connection to `url` for `fn`, closed after it. */
export async function withPgClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, application_name: 'taskline-bench' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The maintenance database of a server (default: the machine's, BENCH_PG_URL). */
export const admin = <T>(fn: (c: pg.Client) => Promise<T>, base = PG_BASE): Promise<T> => withPgClient(`${base}/postgres`, fn);

export async function postgresVersion(): Promise<string | null> {
  try {
    return await admin(async (c) => {
      const r = await c.query<{ v: string }>("SELECT current_setting('server_version') AS v");
      return `PostgreSQL ${r.rows[0]!.v.split(' ')[0]}`;
    });
  } catch {
    return null;
  }
}

/** `base`: another PostgreSQL server (the sized run's private one, bench/lib/pgcluster.ts); `variant` names it. */
export async function ensurePgDataset(
  size: number,
  seed: number,
  opts: { reseed?: boolean; log: Log; base?: string; variant?: string },
): Promise<Dataset> {
  const label = sizeLabel(size);
  const dbName = `${process.env.BENCH_PG_DB_PREFIX ?? 'taskline_bench'}_${label}`;
  const base = opts.base ?? PG_BASE;
  const url = `${base}/${dbName}`;
  const tag = opts.variant ? `pg ${label} ${opts.variant}` : `pg ${label}`;
  const codeHash = seedCodeHash();
  const exists = await admin(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName])).rows.length > 0, base);
  if (exists && !opts.reseed) {
    const db = await openPg(url, { max: 2, applicationName: 'taskline-bench' });
    try {
      const m = await db
        .query<{ marker: Marker }>('SELECT marker FROM bench_dataset LIMIT 1')
        .then((r) => r.rows[0]?.marker ?? null)
        .catch(() => null);
      const seq = m
        ? await db.query<{ task_seq: number }>('SELECT task_seq FROM workspaces WHERE id = $1', [m.workspaceId]).then((r) => r.rows[0]?.task_seq)
        : undefined;
      if (m && m.size === size && m.seed === seed && m.codeHash === codeHash && seq === m.lastNumber && (await schemaKnown(db))) {
        const { applied } = await migrate(db);
        if (applied.length) {
          opts.log(`  ${tag}: applied migrations ${applied.map((a) => a.version).join(', ')}; ANALYZE`);
          await db.exec('ANALYZE');
        }
        await tidy(db, m.workspaceId);
        opts.log(`  ${tag}: reusing ${dbName} (seed ${seed}, seeded ${m.seededAt})`);
        return {
          store: 'pg',
          variant: opts.variant,
          size,
          label,
          seed,
          workspaceId: m.workspaceId,
          firstNumber: m.firstNumber,
          lastNumber: m.lastNumber,
          databaseUrl: url,
          seededNow: false,
          seedSeconds: m.seedSeconds,
        };
      }
      opts.log(`  ${tag}: ${dbName} does not match (size ${size}, seed ${seed}, seeding code ${codeHash}, migrations of this tree): seeding again`);
    } finally {
      await db.close();
    }
  }
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${dbName}`);
  }, base);
  const db = await openPg(url, { max: 4, applicationName: 'taskline-bench-seed' });
  try {
    const s = await seedInto(db, size, seed, opts.log, tag);
    const marker: Marker = { ...s, codeHash, seededAt: new Date().toISOString() };
    await db.exec('CREATE TABLE bench_dataset (marker jsonb NOT NULL)');
    await db.query('INSERT INTO bench_dataset (marker) VALUES ($1)', [JSON.stringify(marker)]);
    return {
      store: 'pg',
      variant: opts.variant,
      size,
      label,
      seed,
      workspaceId: s.workspaceId,
      firstNumber: s.firstNumber,
      lastNumber: s.lastNumber,
      databaseUrl: url,
      seededNow: true,
      seedSeconds: s.seedSeconds,
    };
  } finally {
    await db.close();
  }
}

export async function ensurePgliteDataset(size: number, seed: number, opts: { reseed?: boolean; log: Log }): Promise<Dataset> {
  const label = sizeLabel(size);
  const dir = path.join(DATA_DIR, `pglite-${label}`);
  const markerFile = `${dir}.json`;
  const codeHash = seedCodeHash();
  if (!opts.reseed && fs.existsSync(markerFile) && fs.existsSync(dir)) {
    const m = JSON.parse(fs.readFileSync(markerFile, 'utf8')) as Marker;
    const db = m.size === size && m.seed === seed && m.codeHash === codeHash ? await openPglite(dir, 'bench') : null;
    if (db && !(await schemaKnown(db))) await db.close();
    else if (db) {
      try {
        const { applied } = await migrate(db);
        if (applied.length) {
          opts.log(`  pglite ${label}: applied migrations ${applied.map((a) => a.version).join(', ')}; ANALYZE`);
          await db.exec('ANALYZE');
        }
        await tidy(db, m.workspaceId);
      } finally {
        await db.close();
      }
      opts.log(`  pglite ${label}: reusing ${path.relative(ROOT, dir)} (seed ${seed}, seeded ${m.seededAt})`);
      return {
        store: 'pglite',
        size,
        label,
        seed,
        workspaceId: m.workspaceId,
        firstNumber: m.firstNumber,
        lastNumber: m.lastNumber,
        dataDir: dir,
        seededNow: false,
        seedSeconds: m.seedSeconds,
      };
    }
    opts.log(
      `  pglite ${label}: ${path.relative(ROOT, dir)} does not match (size ${size}, seed ${seed}, seeding code ${codeHash}, migrations of this tree): seeding again`,
    );
  }
  fs.rmSync(markerFile, { force: true });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const db = await openPglite(dir, 'bench');
  try {
    const s = await seedInto(db, size, seed, opts.log, `pglite ${label}`);
    const marker: Marker = { ...s, codeHash, seededAt: new Date().toISOString() };
    fs.writeFileSync(markerFile, JSON.stringify(marker, null, 2) + '\n');
    return {
      store: 'pglite',
      size,
      label,
      seed,
      workspaceId: s.workspaceId,
      firstNumber: s.firstNumber,
      lastNumber: s.lastNumber,
      dataDir: dir,
      seededNow: true,
      seedSeconds: s.seedSeconds,
    };
  } finally {
    await db.close();
  }
}

/** Open a dataset's database in this process (PGlite: takes the data directory's lock). */
export function openDataset(ds: Dataset, poolMax = 10): Promise<Db> {
  return ds.store === 'pg' ? openPg(ds.databaseUrl!, { max: poolMax, applicationName: 'taskline-bench' }) : openPglite(ds.dataDir!, 'bench');
}
