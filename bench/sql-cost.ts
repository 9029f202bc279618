/**
 * What the statements of the getTaskDetails path cost PostgreSQL and the pg driver, and what fewer or cheaper
 * statements would save — the evidence behind B1's a-db ceiling. Runs `--requests` simulated calls with 10 workers on
 * a pool of 10 (Taskline's default) against a bench dataset and reports, per variant, PostgreSQL CPU (the pool's
 * backends, from /proc) and this process's CPU per call:
 *   current     authenticate() + getTaskDetail() + appendAudit(): three unnamed statements (today's path)
 *   named       the same three statements as named prepared statements (parsed and planned once per connection)
 *   batchAudit  authenticate() + getTaskDetail(); audit rows written 50 at a time in one INSERT … unnest
 *   namedBatch  named auth + detail, audit rows batched
 *   oneStmt     token check and task detail in one (unnamed) statement, audit rows batched
 *   oneStmtNamed  the same one statement, named
 *
 *   node --import tsx bench/sql-cost.ts [--pg=1m] [--requests=3000]
 * Other load on the machine inflates every number alike; compare the variants within one run.
 */
import fs from 'node:fs';
import pg from 'pg';
import { hashToken } from '../src/auth/tokens.ts';
import { appendAudit } from '../src/domain/audit.ts';
import { authenticate } from '../src/domain/credentials.ts';
import { TASK_COLS, TASK_FROM, getTaskDetail } from '../src/domain/tasks.ts';
import { openPg } from '../src/db/client.ts';
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

const CRED_COLS = `c.id, c.workspace_id AS "workspaceId", c.name, c.token_prefix AS "tokenPrefix", c.token_last4 AS "tokenLast4",
  c.tools, c.allow_customer_comments AS "allowCustomerComments", c.verification_factors AS "verificationFactors",
  c.reveal_customer_contact AS "revealCustomerContact", c.expires_at AS "expiresAt", c.revoked_at AS "revokedAt",
  c.created_by AS "createdBy", c.created_at AS "createdAt", c.last_used_at AS "lastUsedAt"`;
const AUTH_SQL = `SELECT w.id AS wid, w.name AS wname, w.mcp_enabled AS "mcpEnabled", w.allow_customer_comments AS "wsAllowComments",
   w.min_verification_factors AS "minVerificationFactors", w.created_at AS wcreated, c.token_hash AS "tokenHash", ${CRED_COLS}
 FROM workspaces w LEFT JOIN mcp_credentials c ON c.workspace_id = w.id AND c.token_hash = $2 WHERE w.id = $1`;
const DETAIL_SQL = `SELECT ${TASK_COLS}, c.phone AS "customerPhone", c.email AS "customerEmail",
   (SELECT count(*)::int FROM comments k WHERE k.workspace_id = t.workspace_id AND k.task_id = t.id) AS "commentCount"
 FROM ${TASK_FROM} LEFT JOIN customers c ON c.workspace_id = t.workspace_id AND c.id = t.customer_id
 WHERE t.workspace_id = $1 AND t.number = $2`;
const AUDIT_SQL = `INSERT INTO audit_events (workspace_id, action, outcome, credential_id, user_id, tool, latency_ms, task_id, factor_types)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;
const ONE_SQL = `WITH a AS (${AUTH_SQL.replace('$2', () => '$3')})
 SELECT a.*, d.* FROM a LEFT JOIN LATERAL (${DETAIL_SQL}) d ON a."tokenHash" IS NOT NULL`;

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

const variants: Record<string, (n: number) => Promise<void>> = {
  current: async (n) => {
    const a = await authenticate(db, ws, token);
    if (!a.ok) throw new Error(a.reason);
    const t = await getTaskDetail(db, ws, n);
    await appendAudit(db, ws, { action: 'tool_call', outcome: 'ok', credentialId: credId, tool: 'getTaskDetails', latencyMs: 1, taskId: t?.id ?? null });
  },
  named: async (n) => {
    await raw.query({ name: 'auth', text: AUTH_SQL, values: [ws, hash] });
    const t = await raw.query({ name: 'detail', text: DETAIL_SQL, values: [ws, n] });
    await raw.query({ name: 'audit', text: AUDIT_SQL, values: [ws, 'tool_call', 'ok', credId, null, 'getTaskDetails', 1, t.rows[0]?.id ?? null, null] });
  },
  batchAudit: async (n) => {
    const a = await authenticate(db, ws, token);
    if (!a.ok) throw new Error(a.reason);
    const t = await getTaskDetail(db, ws, n);
    pendingAudit.push({ taskId: t?.id ?? 0 });
    if (pendingAudit.length >= 50) await flushAudit();
  },
  namedBatch: async (n) => {
    await raw.query({ name: 'auth', text: AUTH_SQL, values: [ws, hash] });
    const t = await raw.query({ name: 'detail', text: DETAIL_SQL, values: [ws, n] });
    pendingAudit.push({ taskId: t.rows[0]?.id ?? 0 });
    if (pendingAudit.length >= 50) await flushAudit();
  },
  oneStmtNamed: async (n) => {
    const x = await raw.query({ name: 'one', text: ONE_SQL, values: [ws, n, hash] });
    if (!x.rows[0]?.tokenHash) throw new Error('token not found');
    pendingAudit.push({ taskId: x.rows[0].id ?? 0 });
    if (pendingAudit.length >= 50) await flushAudit();
  },
  oneStmt: async (n) => {
    const x = await raw.query(ONE_SQL, [ws, n, hash]);
    if (!x.rows[0]?.tokenHash) throw new Error('token not found');
    pendingAudit.push({ taskId: x.rows[0].id ?? 0 });
    if (pendingAudit.length >= 50) await flushAudit();
  },
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
  (await raw.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()', [APP])).rows.map((x) => x.pid);

process.stdout.write(`${N} calls per variant, 10 workers, pool 10, pg ${ds.label}\n`);
process.stdout.write('variant      calls/s  PostgreSQL CPU µs/call  Node CPU µs/call\n');
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
    `${name.padEnd(11)} ${String(Math.round(N / secs)).padStart(8)}  ${String(Math.round(pgUs)).padStart(22)}  ${String(Math.round((cpu.user + cpu.system) / N)).padStart(16)}\n`,
  );
}
await raw.query('DELETE FROM audit_events WHERE workspace_id = $1', [ws]);
await raw.end();
await db.close();
