/**
 * The PostgreSQL ceiling for Taskline's hot path, measured with pgbench on the bench dataset: how many
 * getTaskDetails requests' worth of SQL one PostgreSQL answers per second, with the product's own statement texts
 * (prepared, as the app runs them). Token checks are answered from the app's cache, so a request costs PostgreSQL
 * the task detail and one audit row; the audit row is shown alone too, since the app group-commits it.
 *
 *   node --import tsx bench/pgbench.ts [--pg=10k|100k|1m] [--seconds=10] [--clients=8]
 *
 * pgbench runs on the same 2-core machine as PostgreSQL, so the numbers are a lower bound for a dedicated server.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AUDIT_INSERT_ONE } from '../src/domain/audit.ts';
import { TASK_DETAIL } from '../src/domain/tasks.ts';
import { openPg } from '../src/platform/db/client.ts';
import { ensurePgDataset } from './lib/datasets.ts';
import { mintBenchToken } from './lib/taskline.ts';

const args = process.argv.slice(2);
const opt = (k: string) => args.find((a) => a.startsWith(`--${k}=`))?.split('=')[1];
const size = (s: string) => Number(/^(\d+)/.exec(s)![1]) * (/m$/i.test(s) ? 1e6 : /k$/i.test(s) ? 1e3 : 1);
const label = opt('pg') ?? '10k';
const seconds = Number(opt('seconds') ?? 10);
const clients = Number(opt('clients') ?? 8);

const ds = await ensurePgDataset(size(label), 1, { log: (m) => process.stderr.write(`${m}\n`) });
const db = await openPg(ds.databaseUrl!, { max: 2 });
await mintBenchToken(db, ds.workspaceId);
const credentialId = (await db.query<{ id: string }>('SELECT id FROM mcp_credentials WHERE workspace_id = $1 LIMIT 1', [ds.workspaceId])).rows[0]!.id;
const maxTask = (await db.query<{ n: number }>('SELECT max(number)::int AS n FROM tasks WHERE workspace_id = $1', [ds.workspaceId])).rows[0]!.n;
await db.close();

// pgbench variables become the statements' parameters ($1 → :ws …) in prepared mode.
const sub = (sql: string, vars: string[]) => sql.replace(/\$(\d+)/g, (_, i: string) => `:${vars[Number(i) - 1]}`);
const detail = sub(TASK_DETAIL.text, ['ws', 'num']).replace(/\s+/g, ' ');
const audit = sub(AUDIT_INSERT_ONE.text, ['ws', 'action', 'outcome', 'cred', 'nul', 'tool', 'lat', 'tid', 'nul']).replace(/\s+/g, ' ');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskline-pgbench-'));
const scripts = {
  'task detail': `\\set num random(1, ${maxTask})\n${detail};\n`,
  'audit row': `${audit};\n`,
  'task detail + audit row (one request)': `\\set num random(1, ${maxTask})\n${detail};\n${audit};\n`,
};
const vars = ['ws', ds.workspaceId, 'action', 'tool_call', 'outcome', 'ok', 'cred', credentialId, 'tool', 'getTaskDetails', 'lat', '1', 'tid', '1'];
process.stdout.write(`pgbench on ${label} (${maxTask} tasks), ${clients} clients, ${seconds} s each, prepared statements:\n`);
for (const [name, text] of Object.entries(scripts)) {
  const file = path.join(dir, `${name.replace(/\W+/g, '-')}.sql`);
  fs.writeFileSync(file, text.replace(':nul', 'NULL').replace(':nul', 'NULL'));
  const out = execFileSync(
    'pgbench',
    [
      '-n',
      '-M',
      'prepared',
      '-c',
      String(clients),
      '-j',
      '2',
      '-T',
      String(seconds),
      '-f',
      file,
      ...vars.flatMap((v, i) => (i % 2 ? [] : ['-D', `${v}=${vars[i + 1]}`])),
      ds.databaseUrl!,
    ],
    { encoding: 'utf8' },
  );
  const tps = /tps = ([\d.]+)/.exec(out)?.[1];
  const lat = /latency average = ([\d.]+) ms/.exec(out)?.[1];
  process.stdout.write(`  ${name.padEnd(40)} ${Math.round(Number(tps)).toLocaleString('en-US').padStart(8)} per second   (latency ${lat} ms)\n`);
}
fs.rmSync(dir, { recursive: true, force: true });
// The audit rows written here are the bench credential's; they make the workspace's audit log longer, nothing else.
