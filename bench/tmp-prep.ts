import pg from 'pg';
import { parseQuery, searchStatement, searchSteps } from '../src/domain/search.ts';
async function main() {
  const url = 'postgres://postgres@127.0.0.1:5432/taskline_bench_1m';
  const c = new pg.Client(url);
  await c.connect();
  const ws = (await c.query('SELECT marker FROM bench_dataset')).rows[0].marker.workspaceId;
  const qs = process.argv.slice(2);
  for (const mode of ['unnamed', 'generic', 'auto']) {
    const g = new pg.Client(url);
    await g.connect();
    if (mode === 'generic') await g.query('SET plan_cache_mode = force_generic_plan');
    for (const query of qs) {
      const q = parseQuery(query);
      for (const step of searchSteps(q)) {
        const classes = [...step.classes, ...(step.ifNothingYet ?? [])];
        const st = searchStatement(ws, q, { limit: 10 }, classes);
        const name =
          mode === 'unnamed'
            ? undefined
            : 's' + Buffer.from(st.sql).toString('base64').slice(0, 0) + Math.abs([...st.sql].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) | 0, 7));
        const run = () => g.query({ text: st.sql, values: st.params, ...(name ? { name } : {}) });
        for (let i = 0; i < 8; i++) await run();
        const t0 = performance.now();
        const N = 30;
        let rows = 0;
        for (let i = 0; i < N; i++) rows = (await run()).rows.length;
        console.log(`${mode.padEnd(8)} ${query.padEnd(20)} [${classes.join(',')}] ${((performance.now() - t0) / N).toFixed(2)} ms rows ${rows}`);
      }
    }
    await g.end();
  }
  await c.end();
}
main();
