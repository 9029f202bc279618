// MCP 2026-07-28 beside the legacy revisions on one endpoint: the official v2 client pinned to the modern
// revision and the v1 client (legacy) both list and call every read tool of the demo; the modern wire rules — envelope,
// headers, result shape, error codes — checked request by request.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { testDb, type TestDb } from '../helpers/db.ts';
import { INIT, connectClient, rpc, startTestApp, type TestApp } from '../helpers/app.ts';
import { bootstrapDemo, type DemoCreated } from '../../src/app/demo.ts';
import { listAudit } from '../../src/domain/audit.ts';
import { READ_TOOLS } from '../../src/domain/policy.ts';

let db: TestDb;
let app: TestApp;
let demo: DemoCreated;
let url: string;

before(async () => {
  db = await testDb();
  demo = (await bootstrapDemo(db))!;
  app = await startTestApp(db);
  url = app.mcpUrl(demo.workspaceId);
});
after(async () => {
  await app?.close();
  await db?.cleanup();
});

const V = '2026-07-28';
const META = {
  'io.modelcontextprotocol/protocolVersion': V,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'raw-test', version: '1' },
};
const NAME_OF: Record<string, string> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };

/** One modern request, headers derived from the body unless overridden (null removes one). */
function modern(
  method: string,
  params: Record<string, unknown> = {},
  opts: { id?: unknown; meta?: unknown; headers?: Record<string, string | null> } = {},
) {
  const body = { jsonrpc: '2.0', id: opts.id ?? 1, method, params: { ...params, _meta: opts.meta ?? META } };
  const headers: Record<string, string> = { 'mcp-protocol-version': V, 'mcp-method': method };
  const nameKey = NAME_OF[method];
  if (nameKey) headers['mcp-name'] = String(params[nameKey]);
  for (const [k, v] of Object.entries(opts.headers ?? {})) {
    if (v === null) delete headers[k];
    else headers[k] = v;
  }
  return rpc(url, body, { token: demo.token, headers });
}

const READ_CALLS: [string, Record<string, unknown>][] = [
  ['workspaceSummary', {}],
  ['searchWorkspaceTasks', { query: 'russell hale' }],
  ['getTaskDetails', { taskNumber: 1 }],
  ['listTaskComments', { taskNumber: 1 }],
  ['listWorkspaceTasks', { limit: 5 }],
];

test('the official v2 client pinned to 2026-07-28 lists and calls every read tool, resources and prompts of the demo', async () => {
  const client = new ModernClient({ name: 'taskline-tests-modern', version: '1.0.0' }, { versionNegotiation: { mode: { pin: V } } });
  await client.connect(new ModernTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${demo.token}` } } }));
  try {
    assert.equal(client.getNegotiatedProtocolVersion(), V);
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      [...READ_TOOLS],
      'the default credential: the five read tools, in a fixed order',
    );
    for (const [name, args] of READ_CALLS) {
      const r = (await client.callTool({ name, arguments: args })) as { isError?: boolean; structuredContent?: unknown; content: { text: string }[] };
      assert.ok(!r.isError, `${name}: ${r.content.map((c) => c.text).join(' ')}`);
      assert.ok(r.structuredContent, `${name} returns structured content`);
    }
    const hale = (await client.callTool({ name: 'searchWorkspaceTasks', arguments: { query: '703-597-4534' } })) as {
      structuredContent: { hits: { customerName: string }[] };
    };
    assert.ok(hale.structuredContent.hits.length > 0 && hale.structuredContent.hits.every((h) => h.customerName === 'Russell Hale'));
    const { resources } = await client.listResources();
    assert.ok(resources.length > 0);
    const read = await client.readResource({ uri: resources[0]!.uri });
    assert.match((read.contents[0] as { text: string }).text, /^Task #\d+: /);
    assert.equal((await client.listResourceTemplates()).resourceTemplates[0]!.uriTemplate, 'taskline://tasks/{number}');
    assert.deepEqual(
      (await client.listPrompts()).prompts.map((p) => p.name),
      ['caller-lookup'],
    );
    assert.match(((await client.getPrompt({ name: 'caller-lookup' })).messages[0]!.content as { text: string }).text, /searchWorkspaceTasks/);
    await assert.rejects(client.callTool({ name: 'addCustomerComment', arguments: {} }), /Unknown tool/);
  } finally {
    await client.close();
  }
  // Audited like any other tool call.
  const audit = await listAudit(db, demo.workspaceId, { tool: 'getTaskDetails', limit: 5 });
  assert.ok(audit.some((e) => e.outcome === 'ok'));
});

test('the v2 client in auto mode picks 2026-07-28; the v1 client (legacy, initialize) still works unchanged on the same endpoint', async () => {
  const auto = new ModernClient({ name: 'auto', version: '1' }, { versionNegotiation: { mode: 'auto' } });
  await auto.connect(new ModernTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${demo.token}` } } }));
  try {
    assert.equal(auto.getNegotiatedProtocolVersion(), V);
    assert.equal((await auto.listTools()).tools.length, 5);
  } finally {
    await auto.close();
  }
  for (const version of ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']) {
    const legacy = await connectClient(url, demo.token, version);
    try {
      assert.equal((await legacy.listTools()).tools.length, 5, version);
      for (const [name, args] of READ_CALLS) {
        const r = (await legacy.callTool({ name, arguments: args })) as { isError?: boolean };
        assert.ok(!r.isError, `${version} ${name}`);
      }
    } finally {
      await legacy.close();
    }
  }
});

test('modern results: resultType, serverInfo, caching hints on lists and reads; server/discover names every served revision', async () => {
  const discover = await modern('server/discover');
  assert.equal(discover.status, 200);
  const d = discover.json.result;
  assert.deepEqual(d.supportedVersions, [V, '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05', '2024-10-07']);
  assert.deepEqual(d.capabilities, { tools: { listChanged: false }, resources: { listChanged: false }, prompts: { listChanged: false } });
  assert.match(d.instructions, /searchWorkspaceTasks/);
  assert.equal(d.resultType, 'complete');
  assert.equal(d._meta['io.modelcontextprotocol/serverInfo'].name, 'taskline');
  assert.ok(Number.isInteger(d.ttlMs) && d.ttlMs >= 0 && d.cacheScope === 'public');
  for (const method of ['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list']) {
    const r = await modern(method);
    assert.equal(r.status, 200, method);
    assert.equal(r.json.result.resultType, 'complete');
    assert.equal(r.json.result.cacheScope, 'private', `${method} depends on the credential`);
    assert.ok(Number.isInteger(r.json.result.ttlMs) && r.json.result.ttlMs >= 0);
  }
  // Deterministic order, three times over.
  const orders = await Promise.all(
    [1, 2, 3].map(async () => (await modern('tools/list')).json.result.tools.map((t: { name: string }) => t.name).join()),
  );
  assert.equal(new Set(orders).size, 1);
  const call = await modern('tools/call', { name: 'workspaceSummary', arguments: {} }, { id: 'call-1' });
  assert.equal(call.json.id, 'call-1');
  assert.equal(call.json.result.resultType, 'complete');
  assert.equal(call.json.result._meta['io.modelcontextprotocol/serverInfo'].name, 'taskline');
  assert.equal(call.json.result.ttlMs, undefined, 'a tool result is not cacheable');
  const read = await modern('resources/read', { uri: 'taskline://tasks/1' });
  assert.equal(read.json.result.cacheScope, 'private');
  assert.equal(read.json.result.contents[0].uri, 'taskline://tasks/1');
});

test("modern errors are the spec's, with HTTP 400/404 and the request id — never a 500", async () => {
  const wrongMethod = await modern('tools/list', {}, { id: 41, headers: { 'mcp-method': 'tools/call' } });
  assert.equal(wrongMethod.status, 400);
  assert.deepEqual([wrongMethod.json.id, wrongMethod.json.error.code], [41, -32020]);
  assert.match(wrongMethod.json.error.message, /Header mismatch: Mcp-Method header value 'tools\/call' does not match body value 'tools\/list'/);
  for (const headers of [
    { 'mcp-method': null },
    { 'mcp-method': 'TOOLS/LIST' },
    { 'mcp-protocol-version': null },
    { 'mcp-protocol-version': '2025-11-25' },
  ] as Record<string, string | null>[]) {
    const r = await modern('tools/list', {}, { headers });
    assert.deepEqual([r.status, r.json.error?.code], [400, -32020], JSON.stringify(headers));
  }
  const noName = await modern('tools/call', { name: 'workspaceSummary', arguments: {} }, { headers: { 'mcp-name': null } });
  assert.deepEqual([noName.status, noName.json.error.code], [400, -32020]);
  const otherName = await modern('tools/call', { name: 'workspaceSummary', arguments: {} }, { headers: { 'mcp-name': 'getTaskDetails' } });
  assert.deepEqual([otherName.status, otherName.json.error.code], [400, -32020]);
  const b64 = await modern(
    'tools/call',
    { name: 'workspaceSummary', arguments: {} },
    { headers: { 'mcp-name': `=?base64?${Buffer.from('workspaceSummary').toString('base64')}?=` } },
  );
  assert.equal(b64.status, 200, 'a base64-encoded Mcp-Name is decoded before comparing');
  const spaced = await modern('tools/call', { name: 'workspaceSummary', arguments: {} }, { headers: { 'mcp-name': '  workspaceSummary  ' } });
  assert.equal(spaced.status, 200);

  const v999 = await modern(
    'tools/list',
    {},
    { id: 'v', meta: { ...META, 'io.modelcontextprotocol/protocolVersion': 'v999.0.0' }, headers: { 'mcp-protocol-version': 'v999.0.0' } },
  );
  assert.equal(v999.status, 400);
  assert.equal(v999.json.id, 'v');
  assert.equal(v999.json.error.code, -32022);
  assert.equal(v999.json.error.data.requested, 'v999.0.0');
  assert.ok(v999.json.error.data.supported.includes(V) && v999.json.error.data.supported.includes('2025-11-25'));
  const mismatch = await modern('tools/list', {}, { meta: { ...META, 'io.modelcontextprotocol/protocolVersion': 'v999.0.0' } });
  assert.deepEqual([mismatch.status, mismatch.json.error.code], [400, -32020], 'header and _meta disagree: a mismatch first');

  const noCaps = await modern('tools/list', {}, { meta: { 'io.modelcontextprotocol/protocolVersion': V } });
  assert.deepEqual([noCaps.status, noCaps.json.error.code], [400, -32602]);
  assert.match(noCaps.json.error.message, /clientCapabilities/);
  const noInfo = await modern(
    'tools/list',
    {},
    { meta: { 'io.modelcontextprotocol/protocolVersion': V, 'io.modelcontextprotocol/clientCapabilities': {} } },
  );
  assert.equal(noInfo.status, 200, 'clientInfo is optional');
  const headerOnly = await rpc(
    url,
    { jsonrpc: '2.0', id: 5, method: 'tools/list' },
    { token: demo.token, headers: { 'mcp-protocol-version': V, 'mcp-method': 'tools/list' } },
  );
  assert.deepEqual([headerOnly.status, headerOnly.json.id, headerOnly.json.error.code], [400, 5, -32602]);

  for (const method of [
    'initialize',
    'ping',
    'logging/setLevel',
    'resources/subscribe',
    'resources/unsubscribe',
    'subscriptions/listen',
    'unknown/method',
  ]) {
    const r = await modern(method, method === 'resources/subscribe' ? { uri: 'taskline://tasks/1' } : {}, { id: 9 });
    assert.deepEqual([r.status, r.json.id, r.json.error?.code], [404, 9, -32601], method);
  }
  const missing = await modern('resources/read', { uri: 'test://nope' });
  assert.equal(missing.status, 200);
  assert.deepEqual(
    [missing.json.error.code, missing.json.error.data],
    [-32602, { uri: 'test://nope' }],
    'resource not found is -32602 in 2026-07-28',
  );
  const unknownTool = await modern('tools/call', { name: 'nope', arguments: {} });
  assert.equal(unknownTool.json.error.code, -32602);
  const cursor = await modern('tools/list', { cursor: 'abc' });
  assert.equal(cursor.json.error.code, -32602);

  const batch = await rpc(url, [{ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META } }], {
    token: demo.token,
    headers: { 'mcp-protocol-version': V, 'mcp-method': 'tools/list' },
  });
  assert.deepEqual([batch.status, batch.json.error.code], [400, -32600]);
  const note = await rpc(
    url,
    { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, _meta: META } },
    { token: demo.token, headers: { 'mcp-protocol-version': V, 'mcp-method': 'notifications/cancelled' } },
  );
  assert.equal(note.status, 202);
  assert.match(note.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, 'the 202 carries the request id');
  assert.equal(note.headers.get('x-content-type-options'), 'nosniff');
  assert.doesNotMatch(app.logs(), /"msg":"(unhandled error|tools\/call failed|tool failed)"/);
});

test("legacy requests are untouched, and an unknown legacy version gets the spec's -32022 with the supported list", async () => {
  const init = await rpc(url, INIT('2025-11-25'), { token: demo.token });
  assert.equal(init.json.result.protocolVersion, '2025-11-25');
  assert.equal(init.json.result.resultType, undefined, 'no modern decoration on legacy results');
  const list = await rpc(
    url,
    { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    { token: demo.token, headers: { 'mcp-protocol-version': '2025-06-18' } },
  );
  assert.equal(list.json.result.resultType, undefined);
  const old = await rpc(
    url,
    { jsonrpc: '2.0', id: 3, method: 'tools/list' },
    { token: demo.token, headers: { 'mcp-protocol-version': '1999-01-01' } },
  );
  assert.deepEqual([old.status, old.json.id, old.json.error.code], [400, 3, -32022]);
  assert.match(old.json.error.message, /Unsupported protocol version: 1999-01-01/);
  assert.deepEqual(old.json.error.data, {
    supported: [V, '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05', '2024-10-07'],
    requested: '1999-01-01',
  });
  // A legacy initialize with the modern header on it is still the legacy handshake.
  const mixed = await rpc(url, INIT('2025-11-25'), { token: demo.token, headers: { 'mcp-protocol-version': V } });
  assert.equal(mixed.json.result.protocolVersion, '2025-11-25');
  const missing = await rpc(url, { jsonrpc: '2.0', id: 4, method: 'resources/read', params: { uri: 'test://nope' } }, { token: demo.token });
  assert.equal(missing.json.error.code, -32002, 'legacy revisions keep their resource-not-found code');
  // Found by the fuzzer: a legacy request whose _meta the SDK's schema rejects used to get no answer at all.
  for (const params of [{ _meta: 'x' }, { _meta: { progressToken: {} } }, { name: 'workspaceSummary', _meta: [1] }]) {
    const r = await rpc(url, { jsonrpc: '2.0', id: 6, method: 'completion/complete', params }, { token: demo.token });
    assert.deepEqual([r.status, r.json.id, r.json.error?.code], [200, 6, -32602], JSON.stringify(params));
    assert.match(r.json.error.message, /_meta/);
  }
});
