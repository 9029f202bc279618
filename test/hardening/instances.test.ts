/**
 * Two instances: on real PostgreSQL, two server processes share one database; revoking a credential
 * with the CLI makes the very next call on both instances 401. On PGlite (one process owns the data) the
 * single-instance equivalent: revocation through the domain (what the web UI calls) is 401 on the next request.
 * Shared verification lockout and shared rate limits across two instances: test/mcp/comments.test.ts and
 * test/mcp/ratelimit.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORE, freshDatabase, testDb, type TestDb } from '../helpers/db.ts';
import { runCli, startServerProcess, type ServerProc } from '../helpers/proc.ts';
import { startTestApp, workspaceWithToken, type TestApp } from '../helpers/app.ts';
import { openPg } from '../../src/platform/db/client.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { revokeCredential } from '../../src/domain/credentials.ts';
import { MCP_HEADERS, call, raw } from './lib.ts';

const summary = JSON.stringify(call('workspaceSummary', {}));

if (STORE === 'pg') {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  const servers: ServerProc[] = [];
  let fx: Awaited<ReturnType<typeof workspaceWithToken>>;
  before(async () => {
    fresh = await freshDatabase();
    const db = await openPg(fresh.url!);
    try {
      await migrate(db);
      fx = await workspaceWithToken(db, 'Two Instances');
    } finally {
      await db.close();
    }
    const env = { DATABASE_URL: fresh.url!, TASKLINE_DEMO: '0' };
    servers.push(...(await Promise.all([startServerProcess(env), startServerProcess(env)])));
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop('SIGTERM')));
    await fresh.drop();
  });

  test('a CLI revocation is 401 on the next call on both instances', async () => {
    const url = (s: ServerProc) => `${s.url}/app/api/mcp/server/${fx.ws.id}`;
    // Both instances have served (and would have cached, if they cached) the credential.
    for (const s of servers)
      for (let i = 0; i < 3; i++) assert.equal((await raw({ url: url(s), headers: MCP_HEADERS(fx.token), body: summary })).status, 200);
    const r = await runCli(['credential', 'revoke', fx.credentialId], { DATABASE_URL: fresh.url! });
    assert.equal(r.code, 0, r.stderr);
    for (const s of servers) {
      const res = await raw({ url: url(s), headers: MCP_HEADERS(fx.token), body: summary });
      assert.equal(res.status, 401, res.text);
      assert.match(res.headers['www-authenticate'] ?? '', /invalid_token/);
      assert.match(res.json.message, /revoked/);
    }
  });
} else {
  let db: TestDb;
  let app: TestApp;
  before(async () => {
    db = await testDb();
    app = await startTestApp(db);
  });
  after(async () => {
    await app.close();
    await db.cleanup();
  });

  test('single instance (PGlite): a revocation is 401 on the next call', async () => {
    const fx = await workspaceWithToken(db, 'One Instance');
    for (let i = 0; i < 3; i++) assert.equal((await raw({ url: app.mcpUrl(fx.ws.id), headers: MCP_HEADERS(fx.token), body: summary })).status, 200);
    await revokeCredential(db, fx.credentialId);
    const res = await raw({ url: app.mcpUrl(fx.ws.id), headers: MCP_HEADERS(fx.token), body: summary });
    assert.equal(res.status, 401, res.text);
    assert.match(res.json.message, /revoked/);
  });
}
