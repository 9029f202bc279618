/**
 * Copy every row of one Taskline database into another with the same schema (the embedded store into PostgreSQL):
 * tables in foreign-key order, in primary-key order and in batches (keyset, so a million tasks cost no more per batch
 * than the first thousand), every column but generated ones exactly as stored — ids, numbers, hashes, timestamps —
 * then identity sequences moved past the copied ids, then a row count and a checksum per table compared on both sides.
 */
import type { Db, Queryable, Result } from './client.ts';

/** One batch of a table: its rows as a JSON array, how many, and the last one (where the next batch starts). */
type Page = { batch: string | null; n: number; last: string | null };

export interface TableReport {
  table: string;
  rows: number;
  checksum: string;
}

interface TableInfo {
  name: string;
  columns: string[];
  pk: string[];
  identity: string[];
}

const BATCH = 2000;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** The public tables with their copyable columns, primary keys and identity columns, parents before children. */
export async function tablesInOrder(db: Queryable): Promise<TableInfo[]> {
  const cols = await db.query<{ t: string; c: string; generated: string; identity: string }>(
    `SELECT table_name AS t, column_name AS c, is_generated AS generated, is_identity AS identity
     FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  );
  const pks = await db.query<{ t: string; c: string }>(
    `SELECT tc.table_name AS t, kcu.column_name AS c
     FROM information_schema.table_constraints tc
     JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
     WHERE tc.table_schema = 'public' AND tc.constraint_type = 'PRIMARY KEY' ORDER BY tc.table_name, kcu.ordinal_position`,
  );
  const fks = await db.query<{ child: string; parent: string }>(
    `SELECT DISTINCT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
     FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = 'public'`,
  );
  const tables = new Map<string, TableInfo>();
  for (const r of cols.rows) {
    const t = tables.get(r.t) ?? { name: r.t, columns: [], pk: [], identity: [] };
    if (r.generated !== 'ALWAYS') t.columns.push(r.c);
    if (r.identity === 'YES') t.identity.push(r.c);
    tables.set(r.t, t);
  }
  for (const r of pks.rows) tables.get(r.t)?.pk.push(r.c);
  const parents = new Map<string, Set<string>>();
  for (const r of fks.rows) if (r.child !== r.parent) (parents.get(r.child) ?? parents.set(r.child, new Set()).get(r.child)!).add(r.parent);
  const ordered: TableInfo[] = [];
  const done = new Set<string>();
  const visit = (name: string) => {
    if (done.has(name) || !tables.has(name)) return;
    done.add(name);
    for (const p of parents.get(name) ?? []) visit(p);
    ordered.push(tables.get(name)!);
  };
  for (const name of [...tables.keys()].sort()) visit(name);
  for (const t of ordered) if (!t.pk.length) throw new Error(`table ${t.name} has no primary key: it cannot be copied in order`);
  return ordered;
}

/** Row count and an order-independent-of-storage checksum (md5 over the rows' text in primary-key order). */
export async function tableChecksum(db: Db, t: TableInfo): Promise<TableReport> {
  return db.tx(async (q) => {
    // The text of a timestamp depends on the session's time zone: the same on both sides.
    await q.query(`SET LOCAL TimeZone = 'UTC'`);
    await q.query(`SET LOCAL extra_float_digits = 3`);
    const r = await q.query<{ n: number; sum: string }>(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(md5(x::text), '' ORDER BY ${t.pk.map((c) => `x.${ident(c)}`).join(', ')}), '')) AS sum
       FROM (SELECT ${t.columns.map(ident).join(', ')} FROM ${ident(t.name)}) x`,
    );
    return { table: t.name, rows: r.rows[0]!.n, checksum: r.rows[0]!.sum };
  });
}

/**
 * Copy all rows of `from` into `to` (whose schema must be the same and whose tables must be empty). `skip` names
 * tables not to copy (the migration bookkeeping the target already has). onProgress is told after every batch.
 */
export async function copyDatabase(
  from: Db,
  to: Db,
  opts: { skip?: string[]; onProgress?: (table: string, rows: number) => void } = {},
): Promise<TableReport[]> {
  const tables = (await tablesInOrder(from)).filter((t) => !opts.skip?.includes(t.name));
  const target = new Map((await tablesInOrder(to)).map((t) => [t.name, t]));
  for (const t of tables) {
    const there = target.get(t.name);
    if (!there || there.columns.join() !== t.columns.join())
      throw new Error(`table ${t.name} differs between the two databases: migrate both to the same version`);
  }
  for (const t of tables) {
    const list = t.columns.map(ident).join(', ');
    const order = t.pk.map(ident).join(', ');
    let last: string | null = null;
    let copied = 0;
    for (;;) {
      // (Annotated: `last` feeds the query that sets it, which TypeScript cannot infer through.)
      const page: Result<Page> = await from.query<Page>(
        `WITH page AS (
           SELECT ${list} FROM ${ident(t.name)}
           ${last === null ? '' : `WHERE (${order}) > (SELECT ${order} FROM json_populate_record(null::${ident(t.name)}, $1::json))`}
           ORDER BY ${order} LIMIT ${BATCH})
         SELECT json_agg(page)::text AS batch, count(*)::int AS n, (SELECT row_to_json(l)::text FROM (SELECT * FROM page ORDER BY ${order} DESC LIMIT 1) l) AS last FROM page`,
        last === null ? [] : [last],
      );
      const { batch, n, last: lastRow } = page.rows[0]!;
      if (!batch) break;
      // ON CONFLICT DO NOTHING: rows a trigger of the target already wrote (name_tokens, from the customers copied
      // before it) are the same rows; the checksums below prove that nothing else was skipped.
      await to.query(
        `INSERT INTO ${ident(t.name)} (${list}) ${t.identity.length ? 'OVERRIDING SYSTEM VALUE ' : ''}
         SELECT ${list} FROM json_populate_recordset(null::${ident(t.name)}, $1::json) ON CONFLICT DO NOTHING`,
        [batch],
      );
      copied += n;
      opts.onProgress?.(t.name, copied);
      last = lastRow;
    }
    for (const c of t.identity)
      await to.query(`SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(${ident(c)}) FROM ${ident(t.name)}), 0) + 1, false)`, [
        t.name,
        c,
      ]);
  }
  const reports: TableReport[] = [];
  for (const t of tables) {
    const [a, b] = [await tableChecksum(from, t), await tableChecksum(to, t)];
    if (a.rows !== b.rows || a.checksum !== b.checksum)
      throw new Error(`table ${t.name} did not copy exactly: ${a.rows} rows (${a.checksum}) here, ${b.rows} rows (${b.checksum}) there`);
    reports.push(a);
  }
  return reports;
}
