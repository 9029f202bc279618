import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './client.ts';

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

async function appliedVersions(db: Db): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const r = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
  return r.rows.map((x) => x.version);
}

/** Apply pending migrations, each in its own transaction. Rerunning is a no-op. */
export async function migrate(db: Db, migrations = loadMigrations()): Promise<{ applied: Migration[]; version: number }> {
  if (db.kind === 'pg') await db.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
  try {
    const done = new Set(await appliedVersions(db));
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
      await db.tx(async (q) => {
        // Statements one by one so that both drivers accept the script inside a transaction.
        for (const stmt of splitSql(m.sql)) await q.query(stmt);
        await q.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      });
      applied.push(m);
    }
    return { applied, version: Math.max(newest, ...applied.map((m) => m.version)) };
  } finally {
    if (db.kind === 'pg') await db.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
  }
}

/** Current and latest versions, for /readyz. */
export async function migrationStatus(db: Db): Promise<{ current: number; latest: number }> {
  const exists = await db.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if (!exists.rows[0]?.t) return { current: 0, latest: LATEST_VERSION() };
  const r = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return { current: r.rows[0]?.v ?? 0, latest: LATEST_VERSION() };
}

/** Split a migration script on top-level semicolons (respects quotes, dollar quotes and comments). */
export function splitSql(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const rest = sql.slice(i);
    if (rest.startsWith('--')) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
      continue;
    }
    const dollar = /^\$[a-zA-Z_]*\$/.exec(rest);
    if (dollar) {
      const end = sql.indexOf(dollar[0], i + dollar[0].length);
      const stop = end === -1 ? sql.length : end + dollar[0].length;
      cur += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === "'") {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === "'" && sql[j + 1] !== "'")) j += sql[j] === "'" ? 2 : 1;
      cur += sql.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (ch === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      i++;
      continue;
    }
    cur += ch;
    i++;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
