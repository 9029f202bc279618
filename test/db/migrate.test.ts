import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate, loadMigrations, migrationStatus, SchemaTooNewError } from '../../src/platform/db/migrate.ts';
import { openPg } from '../../src/platform/db/client.ts';
import { STORE } from '../helpers/db.ts';
import { testDb, type TestDb } from '../helpers/db.ts';

let db: TestDb;
before(async () => {
  db = await testDb({ migrate: false });
});
after(() => db.cleanup());

test('migrations apply from empty, record their versions, and a rerun is a no-op', async () => {
  assert.deepEqual(await migrationStatus(db), { current: 0, latest: loadMigrations().at(-1)!.version });
  const first = await migrate(db);
  assert.deepEqual(
    first.applied.map((m) => m.version),
    loadMigrations().map((m) => m.version),
  );
  const tables = await db.query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
  for (const t of ['workspaces', 'users', 'customers', 'tasks', 'comments', 'mcp_credentials', 'verification_attempts', 'audit_events'])
    assert.ok(
      tables.rows.some((r) => r.t === t),
      `table ${t} exists`,
    );
  const ext = await db.query<{ extname: string }>('SELECT extname FROM pg_extension ORDER BY 1');
  assert.ok(ext.rows.some((e) => e.extname === 'pg_trgm'));
  assert.ok(ext.rows.some((e) => e.extname === 'unaccent'));
  const again = await migrate(db);
  assert.equal(again.applied.length, 0);
  assert.equal(again.version, first.version);
  const s = await migrationStatus(db);
  assert.equal(s.current, s.latest);
});

test('a database newer than the code is refused', async () => {
  await db.query("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from_the_future')");
  try {
    await assert.rejects(migrate(db), (err: Error) => err instanceof SchemaTooNewError && /version 9999/.test(err.message));
  } finally {
    await db.query('DELETE FROM schema_migrations WHERE version = 9999');
  }
});

test('a failing migration rolls back entirely', async () => {
  const bad = [...loadMigrations(), { version: 9000, name: 'broken', sql: 'CREATE TABLE half_done (x int); SELECT no_such_function();' }];
  await assert.rejects(migrate(db, bad));
  const t = await db.query("SELECT to_regclass('half_done') AS r");
  assert.equal((t.rows[0] as { r: unknown }).r, null);
  assert.equal((await migrationStatus(db)).current, loadMigrations().at(-1)!.version);
});

test('the search helper wraps unaccent as IMMUTABLE', async () => {
  const r = await db.query<{ v: string; vol: string }>(
    "SELECT tl_unaccent('José Núñez') AS v, (SELECT provolatile::text FROM pg_proc WHERE proname = 'tl_unaccent') AS vol",
  );
  assert.equal(r.rows[0]!.v, 'Jose Nunez');
  assert.equal(r.rows[0]!.vol, 'i');
});

test('a migration file runs whole: semicolons in block comments, quoted identifiers, strings and dollar quotes', async () => {
  const tricky = {
    version: 9001,
    name: 'tricky',
    sql: `/* a block comment; with a semicolon */
      CREATE TABLE "odd;name" ("col;umn" text DEFAULT 'a;b');
      -- a line comment; too
      CREATE FUNCTION tl_tricky() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'x;y'::text $$;
      INSERT INTO "odd;name" VALUES (tl_tricky());`,
  };
  try {
    const r = await migrate(db, [...loadMigrations(), tricky]);
    assert.deepEqual(
      r.applied.map((m) => m.version),
      [9001],
    );
    const row = await db.query<{ v: string }>('SELECT "col;umn" AS v FROM "odd;name"');
    assert.equal(row.rows[0]!.v, 'x;y');
  } finally {
    await db.query('DROP TABLE IF EXISTS "odd;name"');
    await db.query('DROP FUNCTION IF EXISTS tl_tricky()');
    await db.query('DELETE FROM schema_migrations WHERE version = 9001');
  }
});

test('concurrent migrators on one PostgreSQL apply each migration once', {
  skip: STORE === 'pglite' ? 'needs a PostgreSQL server (PGlite belongs to one process)' : false,
}, async () => {
  const extra = [1, 2, 3].map((k) => ({
    version: 9100 + k,
    name: `concurrent_${k}`,
    sql: `CREATE TABLE concurrent_${k} (x int); INSERT INTO concurrent_${k} VALUES (${k});`,
  }));
  const others = await Promise.all([0, 1, 2].map(() => openPg(db.url!, { max: 2 })));
  try {
    const results = await Promise.all(others.map((o) => migrate(o, [...loadMigrations(), ...extra])));
    assert.deepEqual(results.flatMap((r) => r.applied.map((m) => m.version)).sort(), [9101, 9102, 9103], 'each applied by exactly one migrator');
    for (const k of [1, 2, 3]) assert.equal((await db.query(`SELECT count(*)::int AS n FROM concurrent_${k}`)).rows[0]!.n, 1);
  } finally {
    for (const k of [1, 2, 3]) await db.query(`DROP TABLE IF EXISTS concurrent_${k}`);
    await db.query('DELETE FROM schema_migrations WHERE version > 9100');
    await Promise.all(others.map((o) => o.close()));
  }
});
