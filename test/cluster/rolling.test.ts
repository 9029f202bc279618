/**
 * Three instances on one PostgreSQL behind a real HAProxy (scripts/cluster.ts, the README's configuration), under
 * steady MCP load: restarting every instance one by one (SIGTERM, drain, start, back in rotation) fails no request
 * and loses or doubles no idempotent comment; a kill -9 fails at most the requests that were running on that
 * instance, and clients that retry with the same idempotency key get each comment exactly once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { STORE, freshDatabase } from '../helpers/db.ts';
import { openPg, type Db } from '../../src/platform/db/client.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { createWorkspace, updateWorkspace } from '../../src/domain/workspaces.ts';
import { createCustomer } from '../../src/domain/customers.ts';
import { createTask } from '../../src/domain/tasks.ts';
import { createCredential } from '../../src/domain/credentials.ts';
import { startCluster, type Cluster } from '../../scripts/cluster.ts';

const WORKERS = 6;
const needs = STORE === 'pg' ? false : 'needs PostgreSQL (several instances share one): runs in the TEST_DATABASE_URL pass (CI runs both)';
let target: Awaited<ReturnType<typeof freshDatabase>>;
let db: Db;
let cluster: Cluster;
let url: string;
let token: string;
let taskNumber: number;

before(async () => {
  if (needs) return;
  try {
    execFileSync('haproxy', ['-v'], { stdio: 'ignore' });
  } catch {
    throw new Error('haproxy is not installed: apt-get install -y haproxy (.ci/run does)');
  }
  target = await freshDatabase();
  db = await openPg(target.url!, { max: 4 });
  await migrate(db);
  const ws = await createWorkspace(db, { name: 'Cluster Repairs' });
  await updateWorkspace(db, ws.id, { allowCustomerComments: true, minVerificationFactors: 1 });
  const customer = await createCustomer(db, ws.id, { name: 'Cora Client', phone: '555-010-2030' });
  taskNumber = (await createTask(db, ws.id, { title: 'Washer leaks', customerId: customer.id })).number;
  token = (await createCredential(db, ws.id, { name: 'voice line', allowCustomerComments: true })).token;
  cluster = await startCluster({
    databaseUrl: target.url!,
    instances: 3,
    drainMs: 1000,
    env: { RATE_LIMIT_TOOL_CALLS: '1000000' },
    log: (l) => {
      if (!/Proxy .* started|Loading success|New worker/.test(l)) process.stderr.write(`${l}\n`);
    },
  });
  url = `${cluster.url}/app/api/mcp/server/${ws.id}`;
});
after(async () => {
  await cluster?.stop();
  await db?.close();
  await target?.drop();
});

/** One MCP tools/call through the balancer; ok when it came back 200 with a result that is not an error. */
async function callTool(id: number, name: string, args: Record<string, unknown>): Promise<{ ok: boolean; why?: string }> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }),
    });
    const text = await res.text();
    if (res.status !== 200) return { ok: false, why: `HTTP ${res.status} ${text.slice(0, 120)}` };
    const body = JSON.parse(text) as { result?: { isError?: boolean; content?: { text: string }[] } };
    if (!body.result || body.result.isError) return { ok: false, why: text.slice(0, 160) };
    return { ok: true };
  } catch (err) {
    return { ok: false, why: (err as Error).message };
  }
}

const comment = (id: number, key: string) =>
  callTool(id, 'addCustomerComment', { taskNumber, comment: `Note ${key}`, verification: { phone: '(555) 010-2030' }, idempotencyKey: key });

/** Workers calling until stopped: a read and a comment (its own key) in turn; with `retry`, a failed call is sent again, same key. */
function load(phase: string, retry: boolean) {
  let stop = false;
  const stats = { calls: 0, failures: [] as string[], keys: [] as string[] };
  const workers = Array.from({ length: WORKERS }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      const key = `${phase}-${w}-${i}`;
      const read = await callTool(i, 'getTaskDetails', { taskNumber });
      stats.calls++;
      if (!read.ok) stats.failures.push(`read: ${read.why}`);
      for (let attempt = 0; ; attempt++) {
        const r = await comment(i, key);
        stats.calls++;
        if (r.ok) {
          stats.keys.push(key);
          break;
        }
        stats.failures.push(`comment ${key}: ${r.why}`);
        if (!retry || attempt >= 20) break;
        await new Promise((res) => setTimeout(res, 50));
      }
    }
  });
  return {
    stats,
    async finish() {
      stop = true;
      await Promise.all(workers);
      return stats;
    },
  };
}

async function commentsWithPrefix(prefix: string): Promise<Map<string, number>> {
  const r = await db.query<{ k: string; n: number }>(
    `SELECT idempotency_key AS k, count(*)::int AS n FROM comments WHERE idempotency_key LIKE $1 GROUP BY idempotency_key`,
    [`${prefix}-%`],
  );
  return new Map(r.rows.map((x) => [x.k, x.n]));
}

test('rolling restart of every instance under load: zero failed requests, every comment exactly once', { skip: needs }, async (t) => {
  const running = load('roll', false);
  await new Promise((r) => setTimeout(r, 1000));
  for (const instance of cluster.instances) await instance.restart();
  await new Promise((r) => setTimeout(r, 1000));
  const stats = await running.finish();
  t.diagnostic(`rolling restart: ${stats.calls} calls, ${stats.failures.length} failed, ${stats.keys.length} comments`);
  assert.ok(stats.calls > 200, `steady load: ${stats.calls} calls`);
  assert.deepEqual(stats.failures, [], 'no request failed');
  const stored = await commentsWithPrefix('roll');
  assert.equal(stored.size, stats.keys.length, 'every acknowledged comment is stored');
  assert.ok(
    [...stored.values()].every((n) => n === 1),
    'none twice',
  );
  for (const k of stats.keys) assert.equal(stored.get(k), 1, k);
});

test('kill -9 of one instance: only requests in flight on it may fail; retries with the same key give exactly-once comments', {
  skip: needs,
}, async (t) => {
  const running = load('kill', true);
  await new Promise((r) => setTimeout(r, 1000));
  const victim = cluster.instances[1]!;
  await victim.kill9();
  await new Promise((r) => setTimeout(r, 1500));
  await victim.start();
  await new Promise((r) => setTimeout(r, 1000));
  const stats = await running.finish();
  t.diagnostic(`kill -9: ${stats.calls} calls, ${stats.failures.length} failed (then retried), ${stats.keys.length} comments`);
  assert.ok(stats.failures.length <= WORKERS, `at most one request in flight per worker could fail: ${stats.failures.join('; ')}`);
  const stored = await commentsWithPrefix('kill');
  assert.equal(stored.size, stats.keys.length, 'every comment a client saw acknowledged is stored');
  assert.ok(
    [...stored.values()].every((n) => n === 1),
    'and none twice',
  );
});
