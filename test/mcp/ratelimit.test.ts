import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDb, STORE, type TestDb } from '../helpers/db.ts';
import { INIT, rpc, startTestApp, workspaceWithToken, type TestApp } from '../helpers/app.ts';
import { openPg, type Db } from '../../src/platform/db/client.ts';
import { SharedRateLimiter } from '../../src/domain/ratelimit.ts';
import { createCredential } from '../../src/domain/credentials.ts';
import { createTask } from '../../src/domain/tasks.ts';
import { listAudit } from '../../src/domain/audit.ts';

let db: TestDb;
let db2: Db;
let app: TestApp;
let app2: TestApp;
let fx: Awaited<ReturnType<typeof workspaceWithToken>>;
const LIMITS = { RATE_LIMIT_TOOL_CALLS: '20', RATE_LIMIT_AUTH_FAILURES: '5', TRUST_PROXY: '1' };

/**
 * The limits count per fixed one-minute window. Both instances read this clock: it stands in the middle of a
 * minute, and each test moves it to the next one, so every test starts with fresh windows and none ends in two.
 */
let now = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
const clock = () => now;
const nextMinute = () => {
  now += 60_000;
};

before(async () => {
  db = await testDb();
  db2 = STORE === 'pg' ? await openPg(db.url!) : db;
  app = await startTestApp(db, LIMITS, { clock });
  app2 = await startTestApp(db2, LIMITS, { clock });
  fx = await workspaceWithToken(db, 'Limits');
});
after(async () => {
  await app2.close();
  await app.close();
  if (db2 !== db) await db2.close();
  await db.cleanup();
});

const CALL = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'workspaceSummary', arguments: {} } };

test('token guessing from one address gets 429 with Retry-After after the configured number of 401s', async () => {
  nextMinute();
  const url = app.mcpUrl(fx.ws.id);
  const statuses: number[] = [];
  const attacker = { 'x-forwarded-for': '203.0.113.7' };
  for (let i = 0; i < 8; i++) statuses.push((await rpc(url, INIT(), { token: `mcp_live_${String(i).padStart(43, 'x')}`, headers: attacker })).status);
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
  const limited = await rpc(url, INIT(), { token: 'mcp_live_' + 'z'.repeat(43), headers: attacker });
  assert.equal(limited.status, 429);
  const retry = Number(limited.headers.get('retry-after'));
  assert.equal(retry, 30, 'Retry-After: the rest of the window (the clock stands half way through it)');
  assert.match(limited.json.error.message, /Too many failed authentication attempts/);
  // Writing another address to the left of the proxy's entry does not make a new client.
  const spoofed = await rpc(url, INIT(), { token: 'mcp_live_' + 'y'.repeat(43), headers: { 'x-forwarded-for': '198.18.0.1, 203.0.113.7' } });
  assert.equal(spoofed.status, 429);
  // Another address is unaffected.
  assert.equal((await rpc(url, INIT(), { token: fx.token, headers: { 'x-forwarded-for': '198.51.100.2' } })).status, 200);
  // The next window admits the address's failures again.
  nextMinute();
  assert.equal((await rpc(url, INIT(), { token: 'mcp_live_' + 'v'.repeat(43), headers: attacker })).status, 401);
});

test('a valid token is never throttled by failures from its address (a shared platform address): 200 at once', async () => {
  nextMinute();
  const url = app.mcpUrl(fx.ws.id);
  const platform = { 'x-forwarded-for': '192.0.2.44' };
  const bad = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      rpc(url, CALL, { token: `mcp_live_${String(i).padStart(43, 'q')}`, headers: platform }).then((r) => r.status),
    ),
  );
  assert.equal(bad.filter((s) => s === 401).length, 5, 'the limit admits its five failures');
  assert.equal(bad.filter((s) => s === 429).length, 195, 'then refuses the bad tokens');
  const good = await rpc(url, CALL, { token: fx.token, headers: platform });
  assert.equal(good.status, 200, good.text);
  assert.equal(good.json.result.isError, undefined);
  const after = await rpc(url, CALL, { token: 'mcp_live_' + 'w'.repeat(43), headers: platform });
  assert.equal(after.status, 429);
  assert.ok(Number(after.headers.get('retry-after')) >= 1);
});

test('per-credential tool-call limit is shared across two instances', async () => {
  nextMinute();
  const results: number[] = [];
  for (let i = 0; i < 30; i++) {
    const target = i % 2 ? app2 : app;
    const r = await rpc(target.mcpUrl(fx.ws.id), CALL, { token: fx.token });
    results.push(r.status);
    if (i % 5 === 4) await new Promise((res) => setTimeout(res, 300)); // let the instances sync
  }
  const ok = results.filter((s) => s === 200).length;
  const limited = results.filter((s) => s === 429).length;
  assert.equal(ok + limited, 30, JSON.stringify(results));
  // 20 per minute in total, not 20 per instance (40); a sync interval of slack at most.
  assert.ok(ok >= 20 && ok <= 24, `admitted ${ok} of 30: ${JSON.stringify(results)}`);
  assert.ok(limited >= 6);
});

test('resources/read and resources/list pass the same boundary as tools/call: counted by the per-credential limit and audited', async () => {
  nextMinute();
  const { token, credential } = await createCredential(db, fx.ws.id, { name: 'resource reader' });
  const task = await createTask(db, fx.ws.id, { title: 'Fridge humming' });
  const url = app.mcpUrl(fx.ws.id);
  const statuses: number[] = [];
  for (let i = 0; i < 24; i++) {
    const method = i % 4 === 3 ? 'resources/list' : 'resources/read';
    const r = await rpc(
      url,
      { jsonrpc: '2.0', id: i, method, params: method === 'resources/read' ? { uri: `taskline://tasks/${task.number}` } : {} },
      { token },
    );
    statuses.push(r.status);
    if (r.status === 200) assert.ok(r.json.result, JSON.stringify(r.json));
  }
  assert.deepEqual(statuses.slice(0, 20), Array(20).fill(200));
  assert.deepEqual(statuses.slice(20), [429, 429, 429, 429], 'the 21st read within the minute is refused (limit 20)');
  const rows = await listAudit(db, fx.ws.id, { credentialId: credential.id, limit: 100 });
  assert.equal(rows.filter((e) => e.action === 'resource.read' && e.outcome === 'ok' && e.taskId === task.id).length, 15);
  assert.equal(rows.filter((e) => e.action === 'resource.list' && e.outcome === 'ok').length, 5);
  // A credential without getTaskDetails reads no task, and that is audited as denied.
  const narrow = await createCredential(db, fx.ws.id, { name: 'summary only', tools: ['workspaceSummary'] });
  const refused = await rpc(
    url,
    { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: `taskline://tasks/${task.number}` } },
    { token: narrow.token },
  );
  assert.equal(refused.json.error.code, -32002);
  const denied = await listAudit(db, fx.ws.id, { credentialId: narrow.credential.id, limit: 5 });
  assert.equal(denied.find((e) => e.action === 'resource.read')?.outcome, 'denied');
});

test('the limiter keeps counts when the database is briefly unavailable and never admits past the limit locally', async () => {
  let fail = true;
  const flaky = {
    query: async (sql: string, params?: readonly unknown[]) => {
      if (fail) throw new Error('connection lost');
      return db.query(sql, params);
    },
  };
  const errors: string[] = [];
  const lim = new SharedRateLimiter(flaky as never, 3, { syncMs: 10_000, onError: (e) => errors.push(e.message), now: clock });
  const key = `test:${Math.random()}`;
  assert.deepEqual([lim.hit(key).ok, lim.hit(key).ok, lim.hit(key).ok, lim.hit(key).ok], [true, true, true, false]);
  await lim.flush();
  assert.deepEqual(errors, ['connection lost']);
  fail = false;
  await lim.close();
  const r = await db.query<{ count: number }>('SELECT count FROM rate_counters WHERE key = $1', [key]);
  assert.equal(r.rows[0]!.count, 3, 'the three admitted hits reached the shared counter after the outage');
});

test('a burst while the limiter is syncing admits no more than the limit (hits on their way to PostgreSQL still count)', async () => {
  const lim = new SharedRateLimiter(db, 5, { syncMs: 10_000, now: clock });
  const key = `burst:${Math.random()}`;
  const admitted = () => Array.from({ length: 10 }, () => lim.hit(key).ok).filter(Boolean).length;
  assert.equal(admitted(), 5);
  const sync = lim.flush(); // the five are now in flight to rate_counters
  assert.equal(admitted(), 0, 'during the flush');
  await sync;
  assert.equal(admitted(), 0, 'after it');
  await lim.close();
});
