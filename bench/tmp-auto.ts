import pg from 'pg';
import { parseQuery, searchStatement, searchSteps } from '../src/domain/search.ts';
async function main() {
  const url = 'postgres://postgres@127.0.0.1:5432/taskline_bench_1m';
  const g = new pg.Client(url);
  await g.connect();
  const ws = (await g.query('SELECT marker FROM bench_dataset')).rows[0].marker.workspaceId;
  const names = new Map<string, string>();
  for (const query of process.argv.slice(2)) {
    const q = parseQuery(query);
    for (const step of searchSteps(q)) {
      const st = searchStatement(ws, q, { limit: 10 }, [...step.classes, ...(step.ifNothingYet ?? [])]);
      const name = names.get(st.sql) ?? `s${names.size}`;
      names.set(st.sql, name);
      for (let i = 0; i < 10; i++) await g.query({ name, text: st.sql, values: st.params });
    }
  }
  const r = await g.query('SELECT name, generic_plans, custom_plans FROM pg_prepared_statements');
  console.log(r.rows);
  await g.end();
}
main();
