import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db, Transaction } from './client.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f.slice(5, -4), sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

export class SchemaTooNewError extends Error {}

let latestCache: number | undefined;
export const LATEST_VERSION = (): number => (latestCache ??= Math.max(0, ...loadMigrations().map((m) => m.version)));

// Arbitrary constant: serializes concurrent migrators on one PostgreSQL server.
const LOCK_KEY = 7_245_310_001;

/**
 * Apply pending migrations. Each runs in its own transaction on one connection, which first takes a
 * transaction-level advisory lock (released by its own COMMIT or ROLLBACK, so it cannot outlive a failure or be
 * released on another connection) and then checks that no concurrent migrator applied it meanwhile. A file runs whole,
 * through the driver's multi-statement support: no hand-made splitting of SQL. Rerunning is a no-op.
 */
export async function migrate(db: Db, migrations = loadMigrations()): Promise<{ applied: Migration[]; version: number }> {
  const locked = async <T>(fn: (q: Transaction) => Promise<T>) =>
    db.tx(async (q) => {
      if (db.kind === 'pg') await q.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      return fn(q);
    });
  const done = await locked(async (q) => {
    await q.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    return new Set((await q.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
  });
  const latest = Math.max(0, ...migrations.map((m) => m.version));
  const newest = Math.max(0, ...done);
  if (newest > latest) {
    throw new SchemaTooNewError(
      `the database schema is at version ${newest} but this Taskline only knows up to ${latest} — upgrade Taskline (or point it at another database)`,
    );
  }
  const applied: Migration[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    const ran = await locked(async (q) => {
      const already = await q.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (already.rows.length) return false;
      await q.exec(m.sql);
      await q.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (ran) applied.push(m);
  }
  return { applied, version: Math.max(newest, ...applied.map((m) => m.version)) };
}

/** Current and latest versions, for /readyz. */
export async function migrationStatus(db: Db): Promise<{ current: number; latest: number }> {
  const exists = await db.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if (!exists.rows[0]?.t) return { current: 0, latest: LATEST_VERSION() };
  const r = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return { current: r.rows[0]?.v ?? 0, latest: LATEST_VERSION() };
}
