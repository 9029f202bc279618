/**
 * The sharding plan (ARCHITECTURE.md, "Sharding by workspace"), checked against the schema as migrated: every table
 * but the named global ones carries workspace_id in its primary key, in every unique constraint and unique index, and
 * on both sides of every foreign key — what Citus needs to distribute them all by workspace_id, colocated. A new
 * table or constraint that breaks this fails here, before it ships.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDb, type TestDb } from '../helpers/db.ts';

/** Tables not distributed by workspace, and why (the same list as ARCHITECTURE.md). */
const GLOBAL: Record<string, string> = {
  workspaces: 'the distribution root itself: distributed by id, colocated with the rest',
  schema_migrations: 'bookkeeping of the schema: a local table on the coordinator',
  login_failures: 'sign-in throttling runs before a workspace is known: keyed by a hash of the email or address',
  rate_counters: 'shared rate-limit windows keyed by their own key (credential, address)',
  oauth_clients: 'OAuth clients registered by assistants serve every workspace: a reference table',
  oauth_client_documents: 'cached client metadata documents serve every workspace: a reference table',
};

let db: TestDb;
before(async () => {
  db = await testDb();
});
after(() => db.cleanup());

interface Constraint {
  tbl: string;
  type: 'p' | 'u' | 'f';
  name: string;
  cols: string[];
  refTbl: string | null;
  refCols: string[] | null;
}

async function shardingProblems(): Promise<string[]> {
  const tables = (
    await db.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)
  ).rows.map((r) => r.t);
  const problems: string[] = [];
  for (const g of Object.keys(GLOBAL)) if (!tables.includes(g)) problems.push(`${g} is listed as global but does not exist`);

  const constraints = (
    await db.query<Constraint>(
      `SELECT c.conrelid::regclass::text AS tbl, c.contype AS type, c.conname AS name,
         ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS cols,
         CASE WHEN c.contype = 'f' THEN c.confrelid::regclass::text END AS "refTbl",
         CASE WHEN c.contype = 'f' THEN ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) END AS "refCols"
       FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace
       WHERE ns.nspname = 'public' AND c.contype IN ('p', 'u', 'f')`,
    )
  ).rows;
  const uniqueIndexes = (
    await db.query<{ tbl: string; name: string; cols: string[] }>(
      `SELECT i.indrelid::regclass::text AS tbl, i.indexrelid::regclass::text AS name,
         ARRAY(SELECT a.attname::text FROM unnest(i.indkey) k(n) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n) AS cols
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace ns ON ns.oid = c.relnamespace
       WHERE ns.nspname = 'public' AND i.indisunique AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
    )
  ).rows;

  for (const t of tables.filter((x) => !Object.hasOwn(GLOBAL, x))) {
    const pk = constraints.find((c) => c.tbl === t && c.type === 'p');
    if (!pk?.cols.includes('workspace_id')) problems.push(`${t}: primary key (${pk?.cols.join(', ') ?? 'none'}) lacks workspace_id`);
    for (const u of constraints.filter((c) => c.tbl === t && c.type === 'u'))
      if (!u.cols.includes('workspace_id')) problems.push(`${t}: unique constraint ${u.name} (${u.cols.join(', ')}) lacks workspace_id`);
    for (const u of uniqueIndexes.filter((c) => c.tbl === t))
      if (!u.cols.includes('workspace_id')) problems.push(`${t}: unique index ${u.name} (${u.cols.join(', ')}) lacks workspace_id`);
    for (const f of constraints.filter((c) => c.tbl === t && c.type === 'f')) {
      const i = f.cols.indexOf('workspace_id');
      const target = f.refTbl === 'workspaces' ? 'id' : 'workspace_id';
      if (i < 0 || f.refCols?.[i] !== target)
        problems.push(`${t}: foreign key ${f.name} (${f.cols.join(', ')}) → ${f.refTbl}(${f.refCols?.join(', ')}) does not join on the workspace`);
      if (f.refTbl && Object.hasOwn(GLOBAL, f.refTbl) && f.refTbl !== 'workspaces')
        problems.push(`${t}: foreign key ${f.name} points at the global table ${f.refTbl}`);
    }
  }
  // Global tables must not point into workspace data (a reference table cannot reference a distributed one).
  for (const f of constraints.filter((c) => c.type === 'f' && Object.hasOwn(GLOBAL, c.tbl)))
    if (f.refTbl && !Object.hasOwn(GLOBAL, f.refTbl)) problems.push(`global table ${f.tbl} references workspace table ${f.refTbl}`);
  return problems;
}

test('every table but the global ones is keyed, unique and referenced by workspace_id', async () => {
  assert.deepEqual(await shardingProblems(), []);
});

test('the check finds a table that would not distribute', async () => {
  await db.exec(`CREATE TABLE bad_example (workspace_id uuid NOT NULL, id int PRIMARY KEY, email text UNIQUE,
    customer_id int, FOREIGN KEY (workspace_id, customer_id) REFERENCES customers (workspace_id, id))`);
  try {
    const problems = await shardingProblems();
    assert.deepEqual(problems.filter((p) => p.startsWith('bad_example')).sort(), [
      'bad_example: primary key (id) lacks workspace_id',
      'bad_example: unique constraint bad_example_email_key (email) lacks workspace_id',
    ]);
  } finally {
    await db.exec('DROP TABLE bad_example');
  }
});
