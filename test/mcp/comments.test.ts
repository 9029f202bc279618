import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { testDb, STORE, type TestDb } from '../helpers/db.ts';
import { connectClient, rpc, startTestApp, workspaceWithToken, type TestApp } from '../helpers/app.ts';
import { openPg, type Db } from '../../src/platform/db/client.ts';
import { createCustomer } from '../../src/domain/customers.ts';
import { createTask } from '../../src/domain/tasks.ts';
import { createCredential } from '../../src/domain/credentials.ts';
import { listAudit } from '../../src/domain/audit.ts';
import { updateWorkspace } from '../../src/domain/workspaces.ts';

let db: TestDb;
let db2: Db; // a second pool: the second app instance's own connections (same pool on PGlite)
let app: TestApp;
let app2: TestApp;
let fx: Awaited<ReturnType<typeof workspaceWithToken>>;
let client: Client;
const tasks: number[] = [];

before(async () => {
  db = await testDb();
  db2 = STORE === 'pg' ? await openPg(db.url!) : db;
  app = await startTestApp(db);
  app2 = await startTestApp(db2);
  fx = await workspaceWithToken(db, 'Comments Co', { allowCustomerComments: true }, { allowCustomerComments: true, minVerificationFactors: 2 });
  const russell = await createCustomer(db, fx.ws.id, { name: 'Russell Hale', phone: '+1 (703) 597-4534', email: 'russ@example.com' });
  for (let i = 0; i < 6; i++) tasks.push((await createTask(db, fx.ws.id, { title: `Job ${i}`, customerId: russell.id })).number);
  client = await connectClient(app.mcpUrl(fx.ws.id), fx.token);
});
after(async () => {
  await client.close();
  await app2.close();
  await app.close();
  if (db2 !== db) await db2.close();
  await db.cleanup();
});

type R = { isError?: boolean; content: { text: string }[]; structuredContent?: any };
const add = async (c: Client, args: Record<string, unknown>) => {
  const r = (await c.callTool({ name: 'addCustomerComment', arguments: args })) as R;
  return { ...r, text: r.content.map((x) => x.text).join('\n') };
};
const good = (n: number) => ({ taskNumber: n, customerName: 'hale russell', phone: '703.597.4534' });

test('addCustomerComment appears only when workspace and credential both allow it', async () => {
  const { tools } = await client.listTools();
  assert.ok(tools.some((t) => t.name === 'addCustomerComment'));
  const { token } = await createCredential(db, fx.ws.id, { name: 'read only' });
  const ro = await connectClient(app.mcpUrl(fx.ws.id), token);
  try {
    assert.ok(!(await ro.listTools()).tools.some((t) => t.name === 'addCustomerComment'));
    await assert.rejects(
      ro.callTool({ name: 'addCustomerComment', arguments: { taskNumber: tasks[0], comment: 'x', verification: good(tasks[0]!) } }),
      /Unknown tool/,
    );
  } finally {
    await ro.close();
  }
  await updateWorkspace(db, fx.ws.id, { allowCustomerComments: false });
  try {
    assert.ok(!(await client.listTools()).tools.some((t) => t.name === 'addCustomerComment'), 'the workspace ceiling applies on the next request');
  } finally {
    await updateWorkspace(db, fx.ws.id, { allowCustomerComments: true });
  }
});

test('a verified caller adds a comment; it is stored as the customer and is readable', async () => {
  const r = await add(client, {
    taskNumber: `#${tasks[0]}`,
    comment: 'Please come after 9am.',
    verification: good(tasks[0]!),
    idempotencyKey: 'k-ok',
  });
  assert.ok(!r.isError, r.text);
  assert.equal(r.structuredContent.created, true);
  assert.equal(r.structuredContent.comment.authorKind, 'customer');
  assert.equal(r.structuredContent.comment.authorName, 'Russell Hale');
  const list = (await client.callTool({ name: 'listTaskComments', arguments: { taskNumber: tasks[0] } })) as R;
  assert.deepEqual(
    list.structuredContent.comments.map((c: { body: string }) => c.body),
    ['Please come after 9am.'],
  );
  const again = await add(client, { taskNumber: tasks[0], comment: 'Please come after 9am.', verification: good(tasks[0]!), idempotencyKey: 'k-ok' });
  assert.equal(again.structuredContent.created, false);
  assert.equal(again.structuredContent.comment.id, r.structuredContent.comment.id);
  const other = await add(client, { taskNumber: tasks[1], comment: 'x', verification: good(tasks[1]!), idempotencyKey: 'k-ok' });
  assert.equal(other.isError, true);
  assert.match(other.text, /already used for a different comment/);
});

test('20 concurrent calls with one idempotency key create one comment', async () => {
  const n = tasks[2]!;
  const results = await Promise.all(
    Array.from({ length: 20 }, () => add(client, { taskNumber: n, comment: 'Running late?', verification: good(n), idempotencyKey: 'same-key' })),
  );
  assert.ok(
    results.every((r) => !r.isError),
    results.map((r) => r.text).join('\n'),
  );
  assert.equal(new Set(results.map((r) => r.structuredContent.comment.id)).size, 1);
  assert.equal(results.filter((r) => r.structuredContent.created).length, 1);
  const rows = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM comments WHERE workspace_id = $1 AND idempotency_key = 'same-key'", [
    fx.ws.id,
  ]);
  assert.equal(rows.rows[0]!.n, 1);
});

test('failures never say which factor was wrong; insufficient factors are explained; comment input is validated', async () => {
  const n = tasks[3]!;
  const { token } = await createCredential(db, fx.ws.id, { name: 'f1', allowCustomerComments: true });
  const { token: token2 } = await createCredential(db, fx.ws.id, { name: 'f2', allowCustomerComments: true });
  const c1 = await connectClient(app.mcpUrl(fx.ws.id), token);
  const c2 = await connectClient(app.mcpUrl(fx.ws.id), token2);
  try {
    const wrongName = await add(c1, { taskNumber: n, comment: 'x', verification: { ...good(n), customerName: 'Rick Astley' } });
    const wrongPhone = await add(c2, { taskNumber: n, comment: 'x', verification: { ...good(n), phone: '555-123-4567' } });
    assert.equal(wrongName.isError, true);
    assert.equal(wrongName.text, wrongPhone.text);
    assert.match(wrongName.text, /Verification failed/);
    assert.ok(!/name|phone/i.test(wrongName.text.split('.')[0]!), 'first sentence names no factor');
    const few = await add(c1, { taskNumber: n, comment: 'x', verification: { customerName: 'Russell Hale' } });
    assert.equal(few.isError, true);
    assert.match(few.text, /the caller must give 1 more detail: phone \(the phone number on file/);
    const empty = await add(c1, { taskNumber: n, comment: '   ', verification: good(n) });
    assert.equal(empty.isError, true);
    assert.match(empty.text, /comment/);
    const long = await add(c1, { taskNumber: n, comment: 'x'.repeat(5001), verification: good(n) });
    assert.equal(long.isError, true);
    assert.match(long.text, /comment/);
  } finally {
    await c1.close();
    await c2.close();
  }
  const audit = (await listAudit(db, fx.ws.id, { tool: 'addCustomerComment', limit: 200 })).filter((e) => e.outcome === 'verification_failed');
  assert.ok(audit.length >= 2);
  assert.ok(audit.every((e) => e.factorTypes!.every((f) => ['taskNumber', 'customerName', 'phone'].includes(f))));
  const dump =
    JSON.stringify((await db.query('SELECT * FROM audit_events')).rows) +
    JSON.stringify((await db.query('SELECT * FROM verification_attempts')).rows);
  for (const pii of ['Rick', 'Astley', '555-123-4567', '5551234567', '7035974534', 'Russell', 'hale']) assert.ok(!dump.includes(pii), pii);
});

test('5 failures lock the task for this credential, and the lock holds on a second app instance', async () => {
  const n = tasks[4]!;
  const { token } = await createCredential(db, fx.ws.id, { name: 'guesser', allowCustomerComments: true });
  const c1 = await connectClient(app.mcpUrl(fx.ws.id), token);
  const c2 = await connectClient(app2.mcpUrl(fx.ws.id), token);
  try {
    for (let i = 0; i < 5; i++) {
      const r = await add(i % 2 ? c2 : c1, { taskNumber: n, comment: 'x', verification: { ...good(n), phone: `555-000-000${i}` } });
      assert.equal(r.isError, true);
      assert.match(r.text, /Verification failed/);
    }
    for (const c of [c1, c2]) {
      const locked = await add(c, { taskNumber: n, comment: 'x', verification: good(n) });
      assert.equal(locked.isError, true);
      assert.match(locked.text, /locked until \d{4}-\d\d-\d\dT/);
    }
    const otherTask = await add(c2, { taskNumber: tasks[5], comment: 'fine', verification: good(tasks[5]!) });
    assert.ok(!otherTask.isError, otherTask.text);
    const audit = await listAudit(db, fx.ws.id, { tool: 'addCustomerComment', outcome: 'locked' });
    assert.equal(audit.length, 2);
  } finally {
    await c1.close();
    await c2.close();
  }
});

test('raw JSON-RPC: a tools/call with bad params is -32602, bad arguments an isError result', async () => {
  const url = app.mcpUrl(fx.ws.id);
  const noName = await rpc(url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { arguments: {} } }, { token: fx.token });
  assert.equal(noName.json.error.code, -32602);
  const badArgs = await rpc(
    url,
    { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'addCustomerComment', arguments: { taskNumber: [] } } },
    { token: fx.token },
  );
  assert.equal(badArgs.json.result.isError, true);
  assert.match(badArgs.json.result.content[0].text, /Invalid arguments for addCustomerComment: taskNumber/);
});
