/**
 * EXPLAIN (ANALYZE, BUFFERS) a search on a bench dataset, the way searchWorkspaceTasks runs it:
 *   node --import tsx bench/explain.ts [--pg=1m | --pglite=100k] [--seed=1] "query" ["query" …]
 * The dataset must exist (npm run bench seeds it).
 */
import { ensurePgDataset, ensurePgliteDataset, openDataset } from './lib/datasets.ts';
import { explainSearch } from './lib/explain.ts';

const args = process.argv.slice(2);
const opt = (k: string) => args.find((a) => a.startsWith(`--${k}=`))?.split('=')[1];
const parseSize = (s: string) => Number(/^(\d+)/.exec(s)![1]) * (/m$/i.test(s) ? 1e6 : /k$/i.test(s) ? 1e3 : 1);
const queries = args.filter((a) => !a.startsWith('--'));
if (!queries.length) {
  process.stderr.write('usage: node --import tsx bench/explain.ts [--pg=1m | --pglite=100k] "query" …\n');
  process.exit(2);
}
const seed = Number(opt('seed') ?? 1);
const log = (m: string) => process.stderr.write(m + '\n');
const ds = opt('pglite')
  ? await ensurePgliteDataset(parseSize(opt('pglite')!), seed, { log })
  : await ensurePgDataset(parseSize(opt('pg') ?? '1m'), seed, { log });
const db = await openDataset(ds, 2);
try {
  for (const q of queries) process.stdout.write((await explainSearch(db, ds.workspaceId, q)) + '\n\n');
} finally {
  await db.close();
}
