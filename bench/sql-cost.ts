/**
 * What the statements of the getTaskDetails path cost PostgreSQL and the pg driver, and what fewer or cheaper
 * statements save — the evidence behind the hot-path design (src/platform/db/client.ts `prepared`, AuditWriter). Runs
 * `--requests` simulated calls with 10 workers on a pool of 10 (Taskline's default) against a bench dataset, with the
 * product's own statement texts (AUTHENTICATE, TASK_DETAIL, AUDIT_INSERT_ONE), and reports per variant PostgreSQL CPU
 * (the pool's backends, from /proc) and this process's CPU per call:
 *   unnamed       token check + task detail + audit row, three unnamed statements (the path before ef10460)
 *   named         the same three as named prepared statements (parsed and planned once per connection)
 *   batchAudit    unnamed token check + task detail; audit rows written 50 at a time in one INSERT … unnest
 *   namedBatch    named token check + task detail, audit rows batched (today's path without the token cache)
 *   oneStmt       token check and task detail in one unnamed statement, audit rows batched
 *   oneStmtNamed  the same one statement, named
 *
 *   node --import tsx bench/sql-cost.ts [--pg=1m] [--requests=3000]
 * Other load on the machine inflates every number alike; compare the variants within one run.
 */
import fs from 'node:fs';
import pg from 'pg';
import { hashToken } from '../src/platform/crypto/tokens.ts';
import { AUDIT_INSERT_ONE } from '../src/domain/audit.ts';
import { AUTHENTICATE, authenticate } from '../src/domain/credentials.ts';
import { TASK_DETAIL } from '../src/domain/tasks.ts';
import { openPg } from '../src/platform/db/client.ts';
import { ensurePgDataset } from './lib/datasets.ts';
import { rng } from './lib/stats.ts';
import { mintBenchToken } from './lib/taskline.ts';

const args = process.argv.slice(2);
const opt = (k: string) => args.find((a) => a.startsWith(`--${k}=`))?.split('=')[1];
const size = (s: string) => Number(/^(\d+)/.exec(s)![1]) * (/m$/i.test(s) ? 1e6 : /k$/i.test(s) ? 1e3 : 1);
const N = Number(opt('requests') ?? 3000);
const ds = await ensurePgDataset(size(opt('pg') ?? '1m'), 1, { log: (m) => process.stderr.write(m + '\n') });
const APP = 'taskline-sqlcost';
const db = await openPg(ds.databaseUrl!, { max: 10, applicationName: APP });
const token = await mintBenchToken(db, ds.workspaceId);
const hash = hashToken(token);
const ws = ds.workspaceId;
const auth0 = await authenticate(db, ws, token);
if (!auth0.ok) throw new Error('bench token rejected');
const credId = auth0.credential.id;
await db.close();

const ONE_SQL = `WITH a AS (${AUTHENTICATE.text.replace('$2', () => '$3')})
 SELECT a.*, d.* FROM a LEFT JOIN LATERAL (${TASK_DETAIL.text}) d ON a."tokenHash" IS NOT NULL`;
/** A statement run unnamed (planned every time) or named (prepared once per connection). */
const stmt = (st: { name: string; text: string }, named: boolean, values: unknown[]) =>
  named ? { name: st.name, text: st.text, values } : { text: st.text, values };
const auditValues = (taskId: number | null) => [ws, 'tool_call', 'ok', credId, null, 'getTaskDetails', 1, taskId, null];

const raw = new pg.Pool({ connectionString: ds.databaseUrl, max: 10, application_name: APP });
const r = rng(99);
const numbers = Array.from({ length: N }, () => ds.firstNumber + Math.floor(r() * (ds.lastNumber - ds.firstNumber + 1)));

let pendingAudit: { taskId: number }[] = [];
async function flushAudit() {
  const batch = pendingAudit;
  pendingAudit = [];
  if (!batch.length) return;
  await raw.query(
    `INSERT INTO audit_events (workspace_id, action, outcome, credential_id, tool, latency_ms, task_id)
     SELECT $1, 'tool_call', 'ok', $2, 'getTaskDetails', 1, x FROM unnest($3::int[]) AS x`,
    [ws, credId, batch.map((b) => b.taskId)],
  );
}

/** Token check + task detail, then the audit row now (batch false) or queued for a 50-row INSERT. */
const threeStatements = (named: boolean, batch: boolean) => async (n: number) => {
  const a = await raw.query(stmt(AUTHENTICATE, named, [ws, hash]));
  if (!a.rows[0]?.tokenHash) throw new Error('token not found');
  const t = await raw.query(stmt(TASK_DETAIL, named, [ws, n]));
  const taskId = t.rows[0]?.id ?? null;
  if (!batch) return void (await raw.query(stmt(AUDIT_INSERT_ONE, named, auditValues(taskId))));
  pendingAudit.push({ taskId: taskId ?? 0 });
  if (pendingAudit.length >= 50) await flushAudit();
};
const oneStatement = (named: boolean) => async (n: number) => {
  const x = await raw.query(stmt({ name: 'sqlcost_one', text: ONE_SQL }, named, [ws, n, hash]));
  if (!x.rows[0]?.tokenHash) throw new Error('token not found');
  pendingAudit.push({ taskId: x.rows[0].id ?? 0 });
  if (pendingAudit.length >= 50) await flushAudit();
};

const variants: Record<string, (n: number) => Promise<void>> = {
  unnamed: threeStatements(false, false),
  named: threeStatements(true, false),
  batchAudit: threeStatements(false, true),
  namedBatch: threeStatements(true, true),
  oneStmt: oneStatement(false),
  oneStmtNamed: oneStatement(true),
};

function ticksOf(pids: number[]): number {
  let t = 0;
  for (const pid of pids) {
    try {
      const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      t += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone */
    }
  }
  return t;
}
const backends = async () =>
  (await raw.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()', [APP])).rows.map(
    (x) => x.pid,
  );

process.stdout.write(`${N} calls per variant, 10 workers, pool 10, pg ${ds.label}\n`);
process.stdout.write('variant        calls/s  PostgreSQL CPU µs/call  Node CPU µs/call\n');
for (const [name, run] of Object.entries(variants)) {
  // Warm the connections (and, for named statements, their prepared plans).
  await Promise.all(Array.from({ length: 10 }, (_, w) => run(numbers[w]!)));
  await flushAudit();
  const pids = [...new Set([...(await backends())])];
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const p0 = ticksOf(pids);
  let next = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < N) await run(numbers[next++]!);
    }),
  );
  await flushAudit();
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const pgUs = ((ticksOf(pids) - p0) * 10_000) / N;
  process.stdout.write(
    `${name.padEnd(13)} ${String(Math.round(N / secs)).padStart(8)}  ${String(Math.round(pgUs)).padStart(22)}  ${String(Math.round((cpu.user + cpu.system) / N)).padStart(16)}\n`,
  );
}
await raw.query('DELETE FROM audit_events WHERE workspace_id = $1', [ws]);
await raw.end();
