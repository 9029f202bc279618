import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { AuditWriter, listAudit } from '../../src/domain/audit.ts';
import { createWorkspace } from '../../src/domain/workspaces.ts';
import { prepared } from '../../src/platform/db/client.ts';
import { testDb, type TestDb } from '../helpers/db.ts';

let db: TestDb;
before(async () => {
  db = await testDb();
});
after(() => db.cleanup());

test('AuditWriter: 200 concurrent appends are all committed when they resolve, in fewer statements than rows', async () => {
  const ws = await createWorkspace(db, { name: 'Audit batching' });
  const writer = new AuditWriter(db);
  const cred = randomUUID();
  await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      writer.append(ws.id, {
        action: 'tool_call',
        outcome: i % 10 === 0 ? 'denied' : 'ok',
        credentialId: cred,
        tool: 'getTaskDetails',
        latencyMs: i + 0.4,
        taskId: i,
        factorTypes: i % 50 === 0 ? ['phone', 'name'] : i % 50 === 1 ? [] : null,
      }),
    ),
  );
  // Every promise resolved → every row is there, nothing waits in memory.
  const rows = await listAudit(db, ws.id, { limit: 500 });
  assert.equal(rows.length, 200);
  assert.deepEqual(new Set(rows.map((r) => r.taskId)).size, 200);
  const byTask = new Map(rows.map((r) => [r.taskId, r]));
  assert.deepEqual(byTask.get(0)!.factorTypes, ['phone', 'name']);
  assert.deepEqual(byTask.get(1)!.factorTypes, []);
  assert.equal(byTask.get(2)!.factorTypes, null);
  assert.equal(byTask.get(10)!.outcome, 'denied');
  assert.equal(byTask.get(7)!.latencyMs, 7);
  assert.equal(byTask.get(7)!.credentialId, cred);
  assert.equal(writer.stats.rows, 200);
  assert.ok(writer.stats.batches < 200, `200 rows took ${writer.stats.batches} statements — expected batching`);
  await writer.flush();
});

test('AuditWriter: a row the database rejects fails only its own append; the rest of its batch is written', async () => {
  const ws = await createWorkspace(db, { name: 'Audit isolation' });
  const writer = new AuditWriter(db);
  const results = await Promise.allSettled([
    writer.append(ws.id, { action: 'tool_call', outcome: 'ok', taskId: 1 }),
    writer.append(ws.id, { action: 'tool_call', outcome: 'ok', taskId: 2 }),
    // Not a workspace: the foreign key refuses this row.
    writer.append(randomUUID(), { action: 'tool_call', outcome: 'ok', taskId: 3 }),
    writer.append(ws.id, { action: 'tool_call', outcome: 'ok', taskId: 4 }),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
  );
  const rows = await listAudit(db, ws.id, { limit: 10 });
  assert.deepEqual(rows.map((r) => r.taskId).sort(), [1, 2, 4]);
  await writer.flush();
});

test('prepared statements: one name has one text', () => {
  const a = prepared('test_prepared_once', 'SELECT 1');
  assert.deepEqual(prepared('test_prepared_once', 'SELECT 1'), a);
  assert.throws(() => prepared('test_prepared_once', 'SELECT 2'), /declared twice with different SQL/);
});

test('prepared statements run on both stores, in and out of transactions, with fresh parameters each time', async () => {
  const st = prepared('test_prepared_echo', 'SELECT $1::int + 1 AS n');
  for (const v of [1, 41, -5]) assert.equal((await db.query<{ n: number }>(st, [v])).rows[0]!.n, v + 1);
  const inTx = await db.tx(async (q) => (await q.query<{ n: number }>(st, [9])).rows[0]!.n);
  assert.equal(inTx, 10);
});
