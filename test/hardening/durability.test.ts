/**
 * Crash durability: the server runs as a child process; idempotent addCustomerComment calls are fired
 * concurrently, the server is killed with SIGKILL mid-way, restarted, and every call retried → each comment exists
 * exactly once and every call acknowledged before the kill is among them.
 * Real PostgreSQL: 1,000 calls, 50 in flight. PGlite (DATA_DIR owned by the server process): a reduced 150 calls.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { STORE, freshDatabase } from '../helpers/db.ts';
import { startServerProcess, type ServerProc } from '../helpers/proc.ts';
import { openPg, openPglite, type Db } from '../../src/platform/db/client.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { createWorkspace, updateWorkspace } from '../../src/domain/workspaces.ts';
import { createCredential } from '../../src/domain/credentials.ts';
import { createCustomer } from '../../src/domain/customers.ts';
import { createTask } from '../../src/domain/tasks.ts';
import { MCP_HEADERS, call, pool, raw } from './lib.ts';

const CALLS = STORE === 'pg' ? 1000 : 150;
const CONCURRENCY = STORE === 'pg' ? 50 : 10;
const KILL_AFTER = Math.floor(CALLS * 0.3); // acknowledged calls before SIGKILL

let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let dataDir: string | null = null;
let env: Record<string, string>;
let wsId: string;
let token: string;
let credentialId: string;
const tasks: number[] = [];
const servers: ServerProc[] = [];

const open = (): Promise<Db> => (fresh.url ? openPg(fresh.url) : openPglite(dataDir!));

before(async () => {
  fresh = await freshDatabase();
  if (!fresh.url) dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-durability-'));
  env = { TASKLINE_DEMO: '0', RATE_LIMIT_TOOL_CALLS: '1000000', ...(fresh.url ? { DATABASE_URL: fresh.url } : { DATA_DIR: dataDir! }) };
  const db = await open();
  try {
    await migrate(db);
    const ws = await createWorkspace(db, { name: 'Durable Co' });
    await updateWorkspace(db, ws.id, { allowCustomerComments: true, minVerificationFactors: 2 });
    const c = await createCredential(db, ws.id, { name: 'durable', allowCustomerComments: true });
    wsId = ws.id;
    token = c.token;
    credentialId = c.credential.id;
    const cust = await createCustomer(db, ws.id, { name: 'Dana Durable', phone: '+1 202 555 0147' });
    for (let i = 0; i < 20; i++) tasks.push((await createTask(db, ws.id, { title: `Job ${i}`, customerId: cust.id })).number);
  } finally {
    await db.close();
  }
});
after(async () => {
  for (const s of servers) await s.stop('SIGKILL');
  await fresh.drop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

const body = (i: number) => {
  const n = tasks[i % tasks.length]!;
  return JSON.stringify(
    call(
      'addCustomerComment',
      {
        taskNumber: n,
        comment: `durable comment ${i}`,
        verification: { taskNumber: n, customerName: 'dana durable', phone: '202-555-0147' },
        idempotencyKey: `dur-${i}`,
      },
      i,
    ),
  );
};

test(`${CALLS} idempotent comments survive kill -9 mid-way: none lost, none duplicated`, async () => {
  let server = await startServerProcess(env);
  servers.push(server);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const acked = new Map<number, number>(); // call → comment id, acknowledged before the kill
  let killed = false;
  const failedBeforeRestart: number[] = [];
  await pool(
    Array.from({ length: CALLS }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      if (killed) return failedBeforeRestart.push(i);
      try {
        const res = await raw(
          { url: `${server.url}/app/api/mcp/server/${wsId}`, headers: MCP_HEADERS(token), body: body(i), timeoutMs: 30_000 },
          agent,
        );
        if (res.status === 200 && !res.json?.result?.isError) {
          acked.set(i, res.json.result.structuredContent.comment.id);
          if (acked.size === KILL_AFTER && !killed) {
            killed = true;
            server.proc.kill('SIGKILL');
          }
        } else failedBeforeRestart.push(i);
      } catch {
        failedBeforeRestart.push(i); // connection reset by the kill
      }
    },
  );
  agent.destroy();
  await server.stop('SIGKILL');
  assert.ok(killed, 'the server was killed mid-way');

  server = await startServerProcess(env);
  servers.push(server);
  const agent2 = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const retried = await pool(
    Array.from({ length: CALLS }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      const res = await raw(
        { url: `${server.url}/app/api/mcp/server/${wsId}`, headers: MCP_HEADERS(token), body: body(i), timeoutMs: 30_000 },
        agent2,
      );
      assert.equal(res.status, 200, res.text);
      assert.ok(!res.json.result.isError, res.text);
      return res.json.result.structuredContent.comment.id as number;
    },
  );
  agent2.destroy();
  await server.stop('SIGTERM');

  const db = await open();
  try {
    const r = await db.query<{ key: string; n: number; ids: number[]; body: string }>(
      `SELECT idempotency_key AS key, count(*)::int AS n, array_agg(id) AS ids, min(body) AS body FROM comments
       WHERE workspace_id = $1 AND author_credential_id = $2 GROUP BY idempotency_key`,
      [wsId, credentialId],
    );
    const byKey = new Map(r.rows.map((row) => [row.key, row]));
    const lost = Array.from({ length: CALLS }, (_, i) => i).filter((i) => !byKey.has(`dur-${i}`)).length;
    const duplicated = r.rows.filter((row) => row.n > 1).length;
    const total = r.rows.reduce((s, row) => s + row.n, 0);
    const ackedMissing = [...acked].filter(([i, id]) => !byKey.get(`dur-${i}`)?.ids.map(Number).includes(Number(id))).length;
    console.log(
      `durability (${STORE}): ${CALLS} calls, ${acked.size} acknowledged before kill -9, ${failedBeforeRestart.length} unanswered/failed then; ` +
        `after restart + retry: ${total} comments, lost ${lost}, duplicated ${duplicated}, acknowledged-but-missing ${ackedMissing}`,
    );
    assert.equal(lost, 0);
    assert.equal(duplicated, 0);
    assert.equal(total, CALLS);
    assert.equal(ackedMissing, 0);
    // The retry answered with the same comment for every acknowledged call.
    for (const [i, id] of acked) assert.equal(Number(retried[i]), Number(id));
    for (const [i] of acked) assert.equal(byKey.get(`dur-${i}`)!.body, `durable comment ${i}`);
  } finally {
    await db.close();
  }
});
