import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate, loadMigrations, migrationStatus, SchemaTooNewError, splitSql } from '../../src/db/migrate.ts';
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
  const tables = await db.query<{ t: string }>(
    "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
  );
  for (const t of ['workspaces', 'users', 'customers', 'tasks', 'comments', 'mcp_credentials', 'verification_attempts', 'audit_events'])
    assert.ok(tables.rows.some((r) => r.t === t), `table ${t} exists`);
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

test('splitSql respects quotes, dollar quotes and comments', () => {
  assert.deepEqual(splitSql("SELECT 'a;b'; -- c;d\nSELECT $$x;y$$; SELECT 1"), ["SELECT 'a;b'", 'SELECT $$x;y$$', 'SELECT 1']);
});
