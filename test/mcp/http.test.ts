import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { testDb, type TestDb } from '../helpers/db.ts';
import { INIT, rpc, startTestApp, workspaceWithToken, type TestApp } from '../helpers/app.ts';
import { createCredential, revokeCredential } from '../../src/domain/credentials.ts';
import { updateWorkspace } from '../../src/domain/workspaces.ts';

let db: TestDb;
let app: TestApp;
let a: Awaited<ReturnType<typeof workspaceWithToken>>;
let b: Awaited<ReturnType<typeof workspaceWithToken>>;
let url: string;

before(async () => {
  db = await testDb();
  app = await startTestApp(db, { ALLOWED_ORIGINS: 'https://app.example' });
  a = await workspaceWithToken(db, 'Alpha');
  b = await workspaceWithToken(db, 'Beta');
  url = app.mcpUrl(a.ws.id);
});
after(async () => {
  await app.close();
  await db.cleanup();
});

const LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list' };

test('initialize negotiates every supported protocol version and falls back to the latest', async () => {
  for (const v of ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25']) {
    const r = await rpc(url, INIT(v), { token: a.token });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.result.protocolVersion, v);
    assert.equal(r.json.result.serverInfo.name, 'taskline');
    assert.deepEqual(r.json.result.capabilities.tools, { listChanged: false });
    assert.ok(r.json.result.capabilities.resources);
    assert.ok(r.json.result.capabilities.prompts);
  }
  const future = await rpc(url, INIT('2099-01-01'), { token: a.token });
  assert.equal(future.json.result.protocolVersion, '2025-11-25');
});

test('401 for missing, malformed, unknown, preview, revoked and expired tokens, with WWW-Authenticate and a useful message', async () => {
  const { credential: revokedCred, token: revokedToken } = await createCredential(db, a.ws.id, { name: 'to revoke' });
  await revokeCredential(db, revokedCred.id);
  const { credential: expCred, token: expiredToken } = await createCredential(db, a.ws.id, {
    name: 'expiring',
    expiresAt: new Date(Date.now() + 60_000),
  });
  await db.query("UPDATE mcp_credentials SET expires_at = now() - interval '1 minute' WHERE id = $1", [expCred.id]);
  const preview = `${a.token.slice(0, 13)}…${a.token.slice(-4)}`;
  const cases: [string | undefined, RegExp][] = [
    [undefined, /Missing bearer token/],
    ['not-a-token', /malformed/],
    ['mcp_live_' + 'A'.repeat(43), /not valid for this workspace/],
    [preview, /this is the token preview; the full token is shown only once at creation — create a new credential/i],
    [`${a.token.slice(0, 13)}...${a.token.slice(-4)}`, /token preview/],
    ['mcp_live_****', /token preview/],
    [revokedToken, /revoked/],
    [expiredToken, /expired/],
  ];
  for (const [token, re] of cases) {
    const r = await rpc(url, INIT(), { token });
    assert.equal(r.status, 401, `${token}: ${r.text}`);
    assert.equal(
      r.headers.get('www-authenticate'),
      `Bearer realm="taskline", error="invalid_token", resource_metadata="${app.ctx.config.publicUrl}/.well-known/oauth-protected-resource/app/api/mcp/server/${a.ws.id}"`,
      'every 401 also says where an OAuth client starts',
    );
    assert.equal(r.json.error, 'invalid_token');
    assert.match(r.json.message, re);
  }
});

test("403 for another workspace's token, a bad Origin, a bad Host and a disabled workspace; 404 for an unknown workspace", async () => {
  const other = await rpc(url, INIT(), { token: b.token });
  assert.equal(other.status, 403);
  assert.match(other.json.message, /different workspace/);

  const unknown = await rpc(app.mcpUrl('00000000-0000-4000-8000-000000000000'), INIT(), { token: a.token });
  assert.equal(unknown.status, 404);
  const junk = await rpc(app.mcpUrl('not-a-uuid'), INIT(), { token: a.token });
  assert.equal(junk.status, 404);

  const badOrigin = await rpc(url, INIT(), { token: a.token, headers: { origin: 'https://evil.example' } });
  assert.equal(badOrigin.status, 403);
  assert.match(badOrigin.json.message, /ALLOWED_ORIGINS/);
  const goodOrigin = await rpc(url, INIT(), { token: a.token, headers: { origin: 'https://app.example' } });
  assert.equal(goodOrigin.status, 200);
  assert.equal(goodOrigin.headers.get('access-control-allow-origin'), 'https://app.example');

  // fetch cannot set Host; use node:http.
  const badHost = await new Promise<number>((resolve, reject) => {
    const u = new URL(url);
    const req = http.request(
      {
        host: '127.0.0.1',
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: {
          host: 'evil.example.com',
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: `Bearer ${a.token}`,
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode!);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(INIT()));
  });
  assert.equal(badHost, 403);

  await updateWorkspace(db, a.ws.id, { mcpEnabled: false });
  try {
    const off = await rpc(url, INIT(), { token: a.token });
    assert.equal(off.status, 403);
    assert.match(off.json.message, /turned off/);
  } finally {
    await updateWorkspace(db, a.ws.id, { mcpEnabled: true });
  }
});

test('405 for GET and DELETE, 415 wrong content type, 406 wrong Accept, 413 oversized body, 400 + -32700 bad JSON', async () => {
  for (const method of ['GET', 'DELETE', 'PUT']) {
    const r = await fetch(url, { method, headers: { authorization: `Bearer ${a.token}`, accept: 'text/event-stream' } });
    assert.equal(r.status, 405, method);
    assert.equal(r.headers.get('allow'), 'POST');
  }
  const ct = await rpc(url, INIT(), { token: a.token, headers: { 'content-type': 'text/plain' } });
  assert.equal(ct.status, 415);
  const acc = await rpc(url, INIT(), { token: a.token, headers: { accept: 'application/json' } });
  assert.equal(acc.status, 406);
  const big = await rpc(url, undefined, { token: a.token, raw: JSON.stringify({ ...LIST, params: { pad: 'x'.repeat(1024 * 1024) } }) });
  assert.equal(big.status, 413);
  const bad = await rpc(url, undefined, { token: a.token, raw: '{"jsonrpc": "2.0", "id": 1, "method": ' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.code, -32700);
  const notRpc = await rpc(url, { hello: 'world' }, { token: a.token });
  assert.equal(notRpc.status, 400);
  assert.equal(notRpc.json.error.code, -32600);
  const version = await rpc(url, LIST, { token: a.token, headers: { 'mcp-protocol-version': '1999-01-01' } });
  assert.equal(version.status, 400);
  assert.match(version.json.error.message, /Unsupported protocol version/);
  const okVersion = await rpc(url, LIST, { token: a.token, headers: { 'mcp-protocol-version': '2025-06-18' } });
  assert.equal(okVersion.status, 200);
});

test('stateless: no initialize needed, notifications get 202, batches keep ids, unknown methods are -32601', async () => {
  const list = await rpc(url, LIST, { token: a.token });
  assert.equal(list.status, 200);
  assert.equal(list.json.id, 2);
  assert.ok(list.json.result.tools.length > 0);
  const note = await rpc(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { token: a.token });
  assert.equal(note.status, 202);
  // tools/call is answered by the tool caller, the rest by the SDK server: a mixed batch keeps its order and ids.
  const summary = { jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'workspaceSummary', arguments: {} } };
  const batch = await rpc(
    url,
    [
      { ...LIST, id: 7 },
      summary,
      { jsonrpc: '2.0', id: 'x', method: 'ping' },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { ...summary, id: 'y', params: { name: 'nope' } },
    ],
    { token: a.token },
  );
  assert.equal(batch.status, 200);
  assert.deepEqual(
    batch.json.map((m: { id: unknown }) => m.id),
    [7, 8, 'x', 'y'],
  );
  assert.ok(batch.json[0].result.tools.length > 0);
  assert.equal(batch.json[1].result.structuredContent.workspace, 'Alpha');
  assert.deepEqual(batch.json[2].result, {});
  assert.equal(batch.json[3].error.code, -32602);
  assert.match(batch.json[3].error.message, /Unknown tool: nope/);
  // Two concurrent requests with the same id from different clients each get their own answer.
  const [r1, r2] = await Promise.all([
    rpc(url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'workspaceSummary', arguments: {} } }, { token: a.token }),
    rpc(
      app.mcpUrl(b.ws.id),
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'workspaceSummary', arguments: {} } },
      { token: b.token },
    ),
  ]);
  assert.equal(r1.json.result.structuredContent.workspace, 'Alpha');
  assert.equal(r2.json.result.structuredContent.workspace, 'Beta');
  const unknown = await rpc(url, { jsonrpc: '2.0', id: 3, method: 'sampling/doSomething' }, { token: a.token });
  assert.equal(unknown.json.error.code, -32601);
});

test('request logs carry the credential id but never the token', async () => {
  await rpc(url, LIST, { token: a.token });
  const logs = app.logs();
  assert.ok(logs.includes(a.credentialId));
  assert.ok(!logs.includes(a.token));
  assert.ok(!logs.includes(a.token.slice(9)));
});

test('a tool call that cannot be audited is not answered as done: -32603 naming the request id, and the server recovers', async () => {
  const call = { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'workspaceSummary', arguments: {} } };
  await db.query('ALTER TABLE audit_events RENAME TO audit_events_away');
  let r: Awaited<ReturnType<typeof rpc>>;
  try {
    r = await rpc(url, call, { token: a.token });
  } finally {
    await db.query('ALTER TABLE audit_events_away RENAME TO audit_events');
  }
  assert.equal(r.status, 200);
  assert.equal(r.json.id, 5);
  assert.equal(r.json.result, undefined);
  assert.equal(r.json.error.code, -32603);
  const requestId = r.headers.get('x-request-id')!;
  assert.ok(r.json.error.message.includes(`request ${requestId}`), r.json.error.message);
  assert.ok(!/audit_events/.test(r.json.error.message), 'no SQL detail reaches the client');
  assert.ok(app.logs().includes(requestId), 'the failure is logged with the request id');
  const again = await rpc(url, call, { token: a.token });
  assert.equal(again.json.result.structuredContent.workspace, 'Alpha');
});

test("every answer carries X-Request-Id — the client's own when it is a plain token — whichever way it is written", async () => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const call = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'workspaceSummary', arguments: {} } };
  const answers = {
    'tools/call 200': await rpc(url, call, { token: a.token }),
    'notification 202': await rpc(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { token: a.token }),
    'bad token 401': await rpc(url, call, { token: 'not-a-token' }),
    'unknown workspace 404': await rpc(app.mcpUrl('00000000-0000-4000-8000-000000000000'), call, { token: a.token }),
    'bad JSON 400': await rpc(url, null, { token: a.token, raw: '{' }),
  };
  for (const [what, r] of Object.entries(answers)) assert.match(r.headers.get('x-request-id') ?? '', uuid, what);
  const preflight = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
  assert.equal(preflight.status, 204);
  assert.match(preflight.headers.get('x-request-id') ?? '', uuid, 'preflight 204');
  assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://app.example');
  assert.equal(preflight.headers.get('x-content-type-options'), 'nosniff');
  const health = await fetch(`${app.url}/healthz`);
  assert.match(health.headers.get('x-request-id') ?? '', uuid, '/healthz');
  const web = await fetch(`${app.url}/app/login`);
  assert.match(web.headers.get('x-request-id') ?? '', uuid, 'web page');
  const own = await rpc(url, call, { token: a.token, headers: { 'x-request-id': 'trace-42.a_b' } });
  assert.equal(own.headers.get('x-request-id'), 'trace-42.a_b');
  const unsafe = await rpc(url, call, { token: a.token, headers: { 'x-request-id': 'a b<script>' } });
  assert.match(unsafe.headers.get('x-request-id') ?? '', uuid, 'an id that is not a plain token is replaced');
  // Two answers, two ids.
  assert.notEqual(answers['tools/call 200'].headers.get('x-request-id'), answers['notification 202'].headers.get('x-request-id'));
});

test('the endpoint path: a trailing slash, a query string and a percent-encoded id reach the workspace; anything else is 404', async () => {
  const list = (u: string) => rpc(u, LIST, { token: a.token });
  const encoded = a.ws.id.replace(/-/g, '%2D');
  for (const u of [url, `${url}/`, `${url}?a=1`, `${url}/?token=x`, url.replace(a.ws.id, encoded), `${url.replace(a.ws.id, encoded)}?q`]) {
    const r = await list(u);
    assert.equal(r.status, 200, `${u}: ${r.text}`);
    assert.ok(Array.isArray(r.json.result.tools), u);
  }
  for (const u of [`${url}/x`, `${url}x`, url.replace(a.ws.id, '%E0%A4%A'), url.replace(a.ws.id, `${a.ws.id}%3F`), `${url}//`]) {
    const r = await list(u);
    assert.equal(r.status, 404, `${u}: ${r.text}`);
    assert.equal(r.json.error, 'not_found');
  }
});
