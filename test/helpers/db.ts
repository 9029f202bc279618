import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPg, openPglite, type Db } from '../../src/platform/db/client.ts';
import { migrate } from '../../src/platform/db/migrate.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const STORE: 'pg' | 'pglite' = TEST_DATABASE_URL ? 'pg' : 'pglite';

export interface TestDb extends Db {
  /** postgres://… of this test's own database (pg only). */
  url?: string;
  cleanup(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A fresh, empty database for one test file: PGlite in memory, or its own database on TEST_DATABASE_URL. */
export async function freshDatabase(): Promise<{ url?: string; drop(): Promise<void> }> {
  if (!TEST_DATABASE_URL) return { drop: async () => {} };
  const name = `tl_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const u = new URL(TEST_DATABASE_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

/** Open a migrated test database on the store under test. */
export async function testDb(opts: { migrate?: boolean } = {}): Promise<TestDb> {
  const fresh = await freshDatabase();
  const db = fresh.url ? await openPg(fresh.url, { max: 20 }) : await openPglite(null);
  if (opts.migrate !== false) await migrate(db);
  let done = false;
  return Object.assign(db, {
    url: fresh.url,
    async cleanup() {
      if (done) return;
      done = true;
      await db.close();
      await fresh.drop();
    },
  });
}
