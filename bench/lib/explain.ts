/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statements a search runs, step by step as searchTasks runs them (a later step
 * only when the earlier ones left it something to do). Uses the search module's own statement builder.
 */
import type { Db } from '../../src/platform/db/client.ts';
import { loadTextStats, parseQuery, searchStatement, searchSteps, stepClasses, type SearchHit } from '../../src/domain/search.ts';

export async function explainSearch(db: Db, workspaceId: string, query: string, limit = 10): Promise<string> {
  const q = parseQuery(query);
  const out: string[] = [`query ${JSON.stringify(query)} → ${JSON.stringify(q)}`];
  const best = new Map<number, SearchHit>();
  const common = await loadTextStats(db);
  for (const step of searchSteps(q)) {
    const classes = stepClasses(step, best.values(), limit);
    if (!classes) continue;
    const st = searchStatement(workspaceId, q, { limit }, classes, common);
    const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${st.sql}`, st.params);
    out.push(`-- step [${classes.join(', ')}] (${step.when})`, ...plan.rows.map((r) => r['QUERY PLAN']));
    const r = await db.query<SearchHit>(st.sql, st.params);
    for (const hit of r.rows) if (!best.has(hit.id) || hit.score > best.get(hit.id)!.score) best.set(hit.id, hit);
    out.push(`-- ${r.rows.length} row(s)`);
  }
  return out.join('\n');
}
