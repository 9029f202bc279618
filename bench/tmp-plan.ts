import pg from 'pg';
import { parseQuery, searchStatement, searchSteps } from '../src/domain/search.ts';
async function main() {
  const url = 'postgres://postgres@127.0.0.1:5432/taskline_bench_1m';
  const g = new pg.Client(url);
  await g.connect();
  const ws = (await g.query('SELECT marker FROM bench_dataset')).rows[0].marker.workspaceId;
  const [query, stepNo, mode] = process.argv.slice(2);
  const q = parseQuery(query!);
  const step = searchSteps(q)[Number(stepNo ?? 0)]!;
  const st = searchStatement(ws, q, { limit: 10 }, [...step.classes, ...(step.ifNothingYet ?? [])]);
  if (mode === 'generic') await g.query('SET plan_cache_mode = force_generic_plan');
  const types = st.params.map((v) => (Array.isArray(v) ? 'text[]' : typeof v === 'number' ? 'int' : 'text'));
  types[0] = 'uuid';
  await g.query(`PREPARE s(${types.join(',')}) AS ${st.sql}`);
  const lit = st.params.map((v) =>
    Array.isArray(v)
      ? `ARRAY[${v.map((x) => `'${x}'`).join(',')}]::text[]`
      : typeof v === 'number'
        ? String(v)
        : `'${String(v).replace(/'/g, "''")}'`,
  );
  for (let i = 0; i < 6; i++) await g.query(`EXECUTE s(${lit.join(',')})`);
  const r = await g.query(`EXPLAIN (ANALYZE, COSTS OFF, BUFFERS) EXECUTE s(${lit.join(',')})`);
  console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
  await g.end();
}
main();
