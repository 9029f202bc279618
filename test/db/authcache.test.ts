/**
 * The token-check cache (src/domain/authcache.ts): what it remembers, and every way it is told to forget.
 * Runs on both stores; the lost-connection case needs a real PostgreSQL server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthCache } from '../../src/domain/authcache.ts';
import { createCredential, revokeCredential, updateCredentialSettings } from '../../src/domain/credentials.ts';
import { createTask } from '../../src/domain/tasks.ts';
import { createWorkspace, updateWorkspace } from '../../src/domain/workspaces.ts';
import type { Db, Queryable } from '../../src/platform/db/client.ts';
import { STORE, testDb, type TestDb } from '../helpers/db.ts';

let db: TestDb;
let cache: AuthCache;
before(async () => {
  db = await testDb();
  cache = new AuthCache(db);
  await cache.start();
});
after(async () => {
  await cache.close();
  await db.cleanup();
});

/** The database, counting the token lookups that reach it. */
function counting(): Queryable & { lookups: number } {
  const spy = {
    lookups: 0,
    query: (sql: Parameters<Queryable['query']>[0], params?: readonly unknown[]) => {
      if (typeof sql !== 'string' && sql.name === 'authenticate') spy.lookups++;
      return db.query(sql, params);
    },
  };
  return spy as Queryable & { lookups: number };
}

/** NOTIFY reaches a pg listener a moment after commit; give it up to 2 s. */
async function eventually(cond: () => boolean, what: string): Promise<void> {
  const until = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > until) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function fixture(name: string) {
  const ws = await createWorkspace(db, { name });
  const { token, credential } = await createCredential(db, ws.id, { name: 'assistant' });
  return { ws, token, credential };
}

test('a token that passed is answered from memory; failures always go to the database', async () => {
  assert.equal(cache.active, true, 'listening for invalidations');
  const { ws, token } = await fixture('Cache hits');
  const q = counting();
  for (let i = 0; i < 5; i++) assert.equal((await cache.authenticate(q, ws.id, token)).ok, true);
  assert.equal(q.lookups, 1, 'one lookup for five checks');
  const wrong = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
  for (let i = 0; i < 3; i++) assert.equal((await cache.authenticate(q, ws.id, wrong)).ok, false);
  assert.equal(q.lookups, 4, 'every failed check is a lookup');
});

test('revoking, editing the policy or switching MCP off is seen on the next check', async () => {
  const { ws, token, credential } = await fixture('Cache invalidation');
  const q = counting();
  const check = () => cache.authenticate(q, ws.id, token);
  assert.equal((await check()).ok, true);

  const before = cache.stats.invalidations;
  await updateCredentialSettings(db, ws.id, credential.id, { tools: ['searchWorkspaceTasks'] });
  await eventually(() => cache.stats.invalidations > before, 'the policy change notification');
  const narrowed = await check();
  assert.ok(narrowed.ok && narrowed.credential.tools.join() === 'searchWorkspaceTasks', 'the new policy, not the remembered one');

  const before2 = cache.stats.invalidations;
  await updateWorkspace(db, ws.id, { mcpEnabled: false });
  await eventually(() => cache.stats.invalidations > before2, 'the workspace change notification');
  const off = await check();
  assert.ok(off.ok && off.workspace.mcpEnabled === false, 'the workspace switch is seen');

  const before3 = cache.stats.invalidations;
  await revokeCredential(db, credential.id);
  await eventually(() => cache.stats.invalidations > before3, 'the revocation notification');
  const revoked = await check();
  assert.equal(revoked.ok, false);
  assert.equal(!revoked.ok && revoked.reason, 'revoked');
});

test('a change made with plain SQL (a psql prompt, another tool) is seen too; bookkeeping writes keep the cache', async () => {
  const { ws, token, credential } = await fixture('Cache plain SQL');
  const q = counting();
  assert.equal((await cache.authenticate(q, ws.id, token)).ok, true);
  // Task numbers bump workspaces.task_seq and calls bump last_used_at: neither may empty the cache.
  await createTask(db, ws.id, { title: 'A task' });
  await db.query('UPDATE mcp_credentials SET last_used_at = now() WHERE workspace_id = $1 AND id = $2', [ws.id, credential.id]);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await cache.authenticate(q, ws.id, token)).ok, true);
  assert.equal(q.lookups, 1, 'still remembered after a task was created and last_used_at written');

  const before = cache.stats.invalidations;
  await db.query('UPDATE mcp_credentials SET revoked_at = now() WHERE workspace_id = $1 AND id = $2', [ws.id, credential.id]);
  await eventually(() => cache.stats.invalidations > before, 'the notification from plain SQL');
  assert.equal((await cache.authenticate(q, ws.id, token)).ok, false);
});

test('a lookup that read the row before a revocation does not put it back afterwards', async () => {
  const { ws, token, credential } = await fixture('Cache race');
  // A database whose token lookup is answered, then held until the revocation has been committed and heard.
  let release!: () => void;
  let answered!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const read = new Promise<void>((r) => (answered = r));
  const slow: Queryable = {
    async query(sql, params) {
      const r = await db.query(sql, params);
      if (typeof sql !== 'string' && sql.name === 'authenticate') {
        answered();
        await held;
      }
      return r as never;
    },
  };
  const inFlight = cache.authenticate(slow, ws.id, token);
  await read;
  const before = cache.stats.invalidations;
  await revokeCredential(db, credential.id);
  await eventually(() => cache.stats.invalidations > before, 'the revocation notification');
  release();
  assert.equal((await inFlight).ok, true, 'the old answer goes to the request that asked before the revocation');
  const q = counting();
  const after = await cache.authenticate(q, ws.id, token);
  assert.equal(after.ok, false, 'but it was not remembered');
  assert.equal(q.lookups, 1);
});

test("a remembered check is not used past its credential's expiry date, nor after ttlMs", async () => {
  let now = Date.now();
  const own = new AuthCache(db, { ttlMs: 60_000, now: () => now });
  await own.start();
  try {
    const ws = await createWorkspace(db, { name: 'Cache expiry' });
    const { token } = await createCredential(db, ws.id, { name: 'short', expiresAt: new Date(now + 10 * 60_000) });
    const q = counting();
    assert.equal((await own.authenticate(q, ws.id, token)).ok, true);
    now += 59_000;
    assert.equal((await own.authenticate(q, ws.id, token)).ok, true);
    assert.equal(q.lookups, 1, 'remembered within ttlMs');
    now += 2_000;
    assert.equal((await own.authenticate(q, ws.id, token)).ok, true);
    assert.equal(q.lookups, 2, 'looked up again after ttlMs');
    now += 10 * 60_000;
    // The cache's clock is past the expiry date: it must not answer. (The database, on the wall clock, still finds
    // the credential active; that it refuses an expired one is tested in credentials.test.ts and http.test.ts.)
    await own.authenticate(q, ws.id, token);
    assert.equal(q.lookups, 3, 'past the expiry date the remembered check is dropped and the database asked');
  } finally {
    await own.close();
  }
});

test('while the invalidation channel is down nothing is remembered; it comes back by itself', {
  skip: STORE !== 'pg' && 'needs a PostgreSQL server (PGlite has no connection to lose)',
}, async () => {
  const { ws, token } = await fixture('Cache lost channel');
  let lost = 0;
  const own = new AuthCache(db, { onLost: () => lost++ });
  await own.start();
  try {
    const q = counting();
    await own.authenticate(q, ws.id, token);
    assert.equal(own.entries, 1);
    await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`);
    await eventually(() => lost > 0, 'the listener noticing its connection is gone');
    assert.equal(own.active, false);
    assert.equal(own.entries, 0, 'forgot everything');
    await own.authenticate(q, ws.id, token);
    await own.authenticate(q, ws.id, token);
    assert.equal(own.entries, 0, 'remembers nothing while deaf');
    await eventually(() => own.active, 'reconnecting (backoff 0.5 s)');
    await own.authenticate(q, ws.id, token);
    assert.equal(own.entries, 1, 'remembers again once listening');
  } finally {
    await own.close();
  }
});

test('a change made by this process is forgotten once it commits, before it is acknowledged — not when its notification comes back', async () => {
  const { ws, token } = await fixture('Local change');
  const q = counting();
  assert.equal((await cache.authenticate(q, ws.id, token)).ok, true);
  const before = cache.stats.invalidations;
  await updateWorkspace(db, ws.id, { mcpEnabled: false });
  assert.ok(cache.stats.invalidations > before, 'forgotten by the time updateWorkspace returned');
  const check = await cache.authenticate(q, ws.id, token);
  assert.equal(q.lookups, 2, 'the next check goes to the database');
  assert.equal(check.ok && check.workspace.mcpEnabled, false, 'and sees the change');
  // The same for a revocation: the very next check is refused.
  const other = await fixture('Local revoke');
  assert.equal((await cache.authenticate(q, other.ws.id, other.token)).ok, true);
  await revokeCredential(db, other.credential.id);
  const refused = await cache.authenticate(q, other.ws.id, other.token);
  assert.equal(refused.ok ? 'ok' : refused.reason, 'revoked');
});

test('a lookup racing an uncommitted workspace change cannot keep the old check after the commit', {
  skip: STORE === 'pglite' ? "needs a PostgreSQL server (PGlite runs one transaction at a time: no lookup can run inside another's)" : false,
}, async () => {
  const { ws, token } = await fixture('Racing change');
  const q = counting();
  // Between the change's last write and its commit, another connection checks the token: it reads the committed
  // (old) row — MCP on — and would remember it.
  let raced: Awaited<ReturnType<AuthCache['authenticate']>> | null = null;
  const racing: Db = {
    ...db,
    tx: (fn) =>
      db.tx((t) =>
        fn({
          async query<T>(sql: Parameters<Queryable['query']>[0], params?: readonly unknown[]) {
            const r = await t.query<T>(sql, params);
            const last = typeof sql === 'string' ? sql : sql.text;
            if (/INSERT INTO audit_events/.test(last)) raced = await cache.authenticate(q, ws.id, token);
            return r;
          },
          exec: (sql: string) => t.exec(sql),
        }),
      ),
  };
  await updateWorkspace(racing, ws.id, { mcpEnabled: false });
  assert.ok(raced !== null && (raced as { ok: boolean; workspace?: { mcpEnabled: boolean } }).ok, 'the racing lookup ran, before the commit');
  assert.equal((raced as unknown as { workspace: { mcpEnabled: boolean } }).workspace.mcpEnabled, true, 'and saw the old row');
  // The change is acknowledged: the very next check must see it, not the raced old one.
  const lookups = q.lookups;
  const after = await cache.authenticate(q, ws.id, token);
  assert.equal(q.lookups, lookups + 1, 'not answered from memory');
  assert.equal(after.ok && after.workspace.mcpEnabled, false);
});
