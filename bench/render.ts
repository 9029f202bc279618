/**
 * Re-render bench/results/latest.md (and the README table) from a full run's JSON files, e.g. after changing the
 * report's layout:  node --import tsx bench/render.ts [YYYY-MM-DD]   (default: the newest run in bench/results)
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib/datasets.ts';
import { markdown, updateReadme, type RunResults } from './lib/report.ts';

const dir = path.join(ROOT, 'bench/results');
const day =
  process.argv[2] ??
  fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}-\d{2}-\d{2}-pg\.json$/.test(f))
    .sort()
    .at(-1)
    ?.slice(0, 10);
if (!day) throw new Error('no full run in bench/results');
const read = (store: string): RunResults | null => {
  const f = path.join(dir, `${day}-${store}.json`);
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as RunResults) : null;
};
const pg = read('pg');
const pglite = read('pglite');
const base = pg ?? pglite;
if (!base) throw new Error(`no results for ${day}`);
const note = [pg?.note, pglite?.note].filter(Boolean).join('; ') || undefined;
const merged: RunResults = { ...base, b1: pg?.b1 ?? null, b2: [...(pg?.b2 ?? []), ...(pglite?.b2 ?? [])], b3: pg?.b3 ?? base.b3, note };
// B4 is split by store too: put its rows back together.
const b4 = pg?.b4 ?? pglite?.b4;
if (b4) merged.b4 = { ...b4, stores: [...(pg?.b4?.stores ?? []), ...(pglite?.b4?.stores ?? [])] };
const md = markdown(merged);
fs.writeFileSync(path.join(dir, 'latest.md'), md + '\n');
updateReadme(md, ROOT);
process.stdout.write(md + '\n');
