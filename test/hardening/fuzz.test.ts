/**
 * Property-based fuzzing of the MCP endpoint: random and adversarial HTTP + JSON-RPC against the real
 * app on a real socket. Oracle: never 5xx, every answer well-formed (JSON-RPC response, isError result, 202, or 4xx
 * with a JSON body), no internal error logged, and the server still answers a valid call afterwards.
 * Fixed seed: a failure reproduces; change FUZZ_SEED to explore further.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fc from 'fast-check';
import { testDb, type TestDb } from '../helpers/db.ts';
import { startTestApp, workspaceWithToken, type TestApp } from '../helpers/app.ts';
import { createCustomer } from '../../src/domain/customers.ts';
import { createTask } from '../../src/domain/tasks.ts';
import { addComment } from '../../src/domain/comments.ts';
import { ALL_TOOLS } from '../../src/domain/policy.ts';
import { MAX_BODY_BYTES } from '../../src/mcp/handler.ts';
import { MCP_HEADERS, answerProblem, call, raw, type RawRequest, type RawResponse } from './lib.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const PER_RUN = 3; // requests fired concurrently per generated case
// Report the first counterexample as is: shrinking re-sends thousands of requests and can take minutes.
const FC = { endOnFailure: true, includeErrorInReport: true, interruptAfterTimeLimit: 120_000, markInterruptAsFailure: true } as const;

let db: TestDb;
let app: TestApp;
let fx: Awaited<ReturnType<typeof workspaceWithToken>>;
let other: Awaited<ReturnType<typeof workspaceWithToken>>;
const numbers: number[] = [];
let sent = 0;
const agent = new http.Agent({ keepAlive: true, maxSockets: PER_RUN * 2 });

before(async () => {
  db = await testDb();
  app = await startTestApp(db, { RATE_LIMIT_TOOL_CALLS: '100000000', RATE_LIMIT_AUTH_FAILURES: '100000000' });
  fx = await workspaceWithToken(
    db,
    'Fuzz Co',
    { allowCustomerComments: true, tools: [...ALL_TOOLS] },
    { allowCustomerComments: true, minVerificationFactors: 1 },
  );
  other = await workspaceWithToken(db, 'Other Co');
  const c = await createCustomer(db, fx.ws.id, { name: 'Zoë Ångström', phone: '+1 (703) 597-4534', email: 'zoe@example.com' });
  for (let i = 0; i < 5; i++) {
    const t = await createTask(db, fx.ws.id, { title: `Fix dishwasher ${i}`, description: 'Leaks\u200b at night', customerId: i % 2 ? c.id : null });
    numbers.push(t.number);
    await addComment(db, fx.ws.id, { taskId: t.id, authorKind: 'staff', authorName: 'Sam', body: `note ${i}` });
  }
});
after(async () => {
  agent.destroy();
  await app.close();
  await db.cleanup();
  console.log(`fuzz: ${sent} requests sent (seed ${SEED})`);
});

const url = () => app.mcpUrl(fx.ws.id);

async function send(r: RawRequest): Promise<RawResponse> {
  sent++;
  return raw(r, agent);
}

async function check(reqs: RawRequest[]): Promise<void> {
  const answers = await Promise.all(reqs.map(send));
  answers.forEach((res, i) => {
    const p = answerProblem(res, reqs[i]!.method);
    if (p) {
      const body = reqs[i]!.body === undefined ? '' : String(reqs[i]!.body).slice(0, 400);
      throw new Error(`${p}\nrequest: ${reqs[i]!.method ?? 'POST'} ${reqs[i]!.url} ${JSON.stringify(reqs[i]!.headers)}\n${body}`);
    }
  });
}

// ---- value generators -------------------------------------------------------------------------------------------

const SPECIALS = [
  '\ud800',
  '\udfff',
  '\udc00\ud800',
  '\u0000',
  '\u200b',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u202e',
  '\u2066',
  '\u2069',
  '\u061c',
  '\u{e0041}',
  '\u{1f469}\u200d\u{1f469}\u200d\u{1f467}',
  'ﷺ',
  'שלום',
  'مرحبا',
  'Ä',
  'A\u0308',
  'ß',
  'İ',
  '\\',
  '"',
  "'",
  '%',
  '_',
  '\n',
  '\r\n',
  '\t',
  '${x}',
  '{{x}}',
  "'; DROP TABLE tasks; --",
  '<customer_content>',
  '</customer_content>',
  '0x00',
  'NaN',
];
const oddString = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...SPECIALS), fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 8 })
      .map((a) => a.join('')),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.integer({ min: 150, max: 20_000 }).map((n) => 'é'.repeat(n)) },
);
const hugeString = fc.integer({ min: 5_000, max: 300_000 }).map((n) => 'x'.repeat(n));
const oddNumber = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -1, 1.5, -0, 1e308, -1e308, 2 ** 53, 2 ** 31, 999_999_999, 1_000_000_000, Number.MIN_VALUE),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const anything: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: oddString },
  { weight: 2, arbitrary: oddNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, '', ' ', [null], { __proto__: 1 }, { constructor: 'x' }) },
);
/** Deeply nested JSON as text (JSON.stringify itself overflows past a few thousand levels). */
const deepText = (d: number, leaf = '1'): string => {
  let open = '';
  let close = '';
  for (let i = 0; i < d; i++) {
    open += i % 2 ? '[' : '{"a":';
    close = (i % 2 ? ']' : '}') + close;
  }
  return open + leaf + close;
};

const METHODS = [
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'prompts/list',
  'prompts/get',
  'logging/setLevel',
  'completion/complete',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'sampling/createMessage',
  'roots/list',
  'elicitation/create',
  'tasks/list',
  '',
  'rpc.discover',
  '__proto__',
];
const taskNumber = fc.oneof(
  fc.constantFrom(...[1, 2, 3]).map((i) => numbers[i] ?? 1),
  fc.constantFrom(1, 2, 3, 4).map((i) => `#${numbers[i] ?? 1}`),
  fc.constantFrom('task 1', 'ticket #2', 'job no. 3', '#', 'task', '１２', '١٢', '0x10', '1e3', ' 3 ', '-1', '#999999999', '1042abc'),
  oddNumber,
  anything,
);
const PLAUSIBLE: Record<string, fc.Arbitrary<unknown>> = {
  taskNumber,
  query: fc.oneof(
    fc.constantFrom(
      'zoë',
      'ZOE ÅNGSTRÖM',
      '703-597-4534',
      '+1 703 597 4534',
      'zoe@',
      'zoe@example.com',
      '#1',
      'task 2',
      'dishwasher leaks',
      '%',
      '_%',
      '\\',
      '*',
      '(',
      ':*',
      '&|!',
    ),
    oddString,
    hugeString,
  ),
  limit: fc.oneof(fc.integer({ min: -5, max: 200 }), fc.constantFrom('10', 1.5, null, 1e9)),
  status: fc.oneof(fc.constantFrom('open', 'in_progress', 'waiting', 'done', 'cancelled', 'OPEN', 'closed', ''), anything),
  priority: fc.oneof(fc.constantFrom('low', 'normal', 'high', 'urgent', 'critical'), anything),
  assignee: fc.oneof(fc.constantFrom('sam', 'sam@example.com', '%', '_'), oddString),
  updatedSince: fc.oneof(
    fc.constantFrom('2026-11-01', '2026-11-01T10:00:00Z', '2026-13-45', '0000-00-00', '9999-12-31', '1970-01-01T00:00:00.000+14:00', 'yesterday'),
    oddString,
  ),
  cursor: fc.oneof(
    fc.constantFrom('', 'eyJ9', 'W10', 'WyIxIiwiMiJd', 'WyJ4IiwieSJd', 'WzEsMiwzXQ', 'bnVsbA', '!!!'),
    fc.base64String({ maxLength: 120 }),
    oddString,
  ),
  comment: fc.oneof(fc.constantFrom('Please call me back', ' ', '\u200b'), oddString, hugeString),
  idempotencyKey: fc.oneof(fc.uuid(), fc.constantFrom('', 'k', 'x'.repeat(101)), oddString),
  verification: fc.oneof(
    fc.record(
      {
        taskNumber,
        customerName: fc.oneof(fc.constantFrom('Zoë Ångström', 'angstrom zoe', ''), oddString),
        phone: fc.oneof(fc.constantFrom('703.597.4534', '5974534', '+44 20 7946 0958', ''), oddString, anything),
      },
      { requiredKeys: [] },
    ),
    anything,
  ),
};
const ARG_NAMES: Record<string, string[]> = {
  workspaceSummary: [],
  listWorkspaceTasks: ['status', 'priority', 'assignee', 'updatedSince', 'limit', 'cursor'],
  searchWorkspaceTasks: ['query', 'limit', 'status'],
  getTaskDetails: ['taskNumber'],
  listTaskComments: ['taskNumber', 'limit', 'cursor'],
  addCustomerComment: ['taskNumber', 'comment', 'verification', 'idempotencyKey'],
};
assert.deepEqual(Object.keys(ARG_NAMES).sort(), [...ALL_TOOLS].sort(), 'the fuzzer covers every tool');

const toolArgs = (name: string): fc.Arbitrary<unknown> => {
  const names = ARG_NAMES[name]!;
  const rec = fc.record(
    Object.fromEntries(names.map((n) => [n, fc.oneof({ weight: 4, arbitrary: PLAUSIBLE[n]! }, { weight: 1, arbitrary: anything })])),
    { requiredKeys: [] },
  );
  return fc.oneof(
    { weight: 8, arbitrary: rec },
    { weight: 1, arbitrary: fc.tuple(rec, fc.dictionary(oddString, anything, { maxKeys: 3 })).map(([a, b]) => ({ ...b, ...(a as object) })) },
    { weight: 1, arbitrary: anything },
  );
};
const toolCall = fc
  .constantFrom(...ALL_TOOLS, 'deleteEverything', 'WorkspaceSummary', '', 'x'.repeat(300))
  .chain((name) => fc.tuple(fc.constant(name), toolArgs(ARG_NAMES[name] ? name : 'searchWorkspaceTasks')))
  .map(([name, args]) => ({ name, arguments: args }));

const id = fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.constantFrom(null, 1.5, -0, 1e300, {}, [], true));
/** A 2026-07-28 envelope: valid, or with odd values where the spec wants a string or an object. */
const VALID_META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'fuzz', version: '0' },
};
const meta = fc.oneof(
  { weight: 3, arbitrary: fc.constant(VALID_META) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        'io.modelcontextprotocol/protocolVersion': fc.oneof(fc.constantFrom('2026-07-28', '2025-11-25', 'v999.0.0', ''), anything),
        'io.modelcontextprotocol/clientCapabilities': anything,
        'io.modelcontextprotocol/clientInfo': anything,
        'io.modelcontextprotocol/logLevel': anything,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: anything },
);
const params = fc.oneof(
  { weight: 4, arbitrary: toolCall },
  { weight: 2, arbitrary: fc.tuple(toolCall, meta).map(([p, m]) => ({ ...p, _meta: m })) },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        uri: fc.oneof(
          fc.constantFrom(
            'taskline://tasks/1',
            'taskline://tasks/',
            'taskline://tasks/-1',
            'file:///etc/passwd',
            'taskline://tasks/99999999999999999999',
          ),
          oddString,
          anything,
        ),
      },
      { requiredKeys: [] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      { name: fc.constantFrom('caller-lookup', 'nope'), arguments: fc.oneof(fc.record({ caller_said: oddString }), anything) },
      { requiredKeys: [] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        protocolVersion: fc.constantFrom('2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '1999-01-01', ''),
        capabilities: anything,
        clientInfo: anything,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: anything },
);
const message = fc
  .record(
    {
      jsonrpc: fc.oneof({ weight: 8, arbitrary: fc.constant('2.0') }, { weight: 1, arbitrary: fc.constantFrom('1.0', 2, null, '2.0 ') }),
      id,
      method: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...METHODS) },
        { weight: 1, arbitrary: oddString },
        { weight: 1, arbitrary: anything },
      ),
      params,
      result: anything,
      error: anything,
    },
    { requiredKeys: [] },
  )
  .map((m) => {
    // Mostly keep the shape of a request: drop result/error unless there is no method.
    const o = { ...m } as Record<string, unknown>;
    if ('method' in o && Math.abs(JSON.stringify(o).length % 5) !== 0) {
      delete o.result;
      delete o.error;
    }
    return o;
  });

const mutateText = (s: string) =>
  fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('', '"', '{', '}', ']', ',', '\\', '\u0000', 'null', ':', '\ud800', 'tru')).map(([a, b, ins]) => {
    const i = a % (s.length + 1);
    const j = Math.min(s.length, i + (b % 4));
    return s.slice(0, i) + ins + s.slice(j);
  });

const bodyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: message.map((m) => JSON.stringify(m)) },
  { weight: 2, arbitrary: fc.array(message, { minLength: 0, maxLength: 6 }).map((a) => JSON.stringify(a)) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(0, 99, 100, 101, 150)
      .chain((n) => fc.array(message, { minLength: n, maxLength: n }))
      .map((a) => JSON.stringify(a)),
  },
  { weight: 2, arbitrary: message.chain((m) => mutateText(JSON.stringify(m))) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 50_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 10, max: 20_000 })
      .map(
        (d) =>
          `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"searchWorkspaceTasks","arguments":{"query":"x","limit":${deepText(d)}}}}`,
      ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 20_000 }).map((d) => `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${deepText(d)}}`) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('', ' ', 'null', '1', '"x"', 'true', '\ufeff{}', '{"jsonrpc":"2.0","id":1,"method":"ping"}\n{}'),
    ),
  },
);

// ---- properties --------------------------------------------------------------------------------------------------

test('random and adversarial JSON-RPC bodies', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(bodyText, { minLength: PER_RUN, maxLength: PER_RUN }), async (bodies) => {
      await check(bodies.map((body) => ({ url: url(), headers: MCP_HEADERS(fx.token), body })));
    }),
    { ...FC, seed: SEED, numRuns: 1200 },
  );
});

test('every tool with mutated arguments (real argument names)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(toolCall, fc.boolean()), { minLength: PER_RUN, maxLength: PER_RUN }), async (calls) => {
      await check(
        calls.map(([p, asBatch], i) => {
          const msg = { jsonrpc: '2.0', id: i + 1, method: 'tools/call', params: p };
          return { url: url(), headers: MCP_HEADERS(fx.token), body: JSON.stringify(asBatch ? [msg, { ...msg, id: 'b' }] : msg) };
        }),
      );
    }),
    { ...FC, seed: SEED + 1, numRuns: 1400 },
  );
});

const headerValue = <T extends string | string[] | undefined>(choices: T[]) => fc.constantFrom(...choices);
test('missing, duplicated and wrong headers, methods and paths', async () => {
  const preview = Buffer.from(`Bearer ${fx.token.slice(0, 13)}…${fx.token.slice(-4)}`, 'utf8').toString('latin1');
  const h = {
    method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'DELETE', 'PUT', 'PATCH', 'OPTIONS'),
    path: fc.oneof(
      { weight: 6, arbitrary: fc.constant(fx.ws.id) },
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          other.ws.id,
          '00000000-0000-0000-0000-000000000000',
          'not-a-uuid',
          '%E0%A4%A',
          '%',
          '%25',
          '..%2F..%2Fetc',
          fx.ws.id + '%00',
          fx.ws.id.toUpperCase(),
          `${fx.ws.id}/`,
          `${fx.ws.id}/x`,
          'x'.repeat(2000),
        ),
      },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((s) => encodeURIComponent(s) || 'x') },
    ),
    query: headerValue(['', '', '?a=1', '?token=' + fx.token, '?%zz']),
    host: headerValue([undefined, undefined, undefined, 'evil.example', 'localhost', '', 'LOCALHOST:1', '127.0.0.1']),
    origin: headerValue([undefined, undefined, undefined, 'http://evil.example', 'null', 'http://localhost:3000']),
    contentType: headerValue([
      'application/json',
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
      undefined,
      ['application/json', 'text/plain'],
      'application/json-patch+json',
    ]),
    accept: headerValue([
      'application/json, text/event-stream',
      'application/json, text/event-stream',
      'application/json',
      'text/event-stream',
      '*/*',
      '',
      undefined,
      ['application/json', 'text/event-stream'],
    ]),
    auth: headerValue([
      `Bearer ${fx.token}`,
      `Bearer ${fx.token}`,
      `Bearer ${fx.token}`,
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `bearer ${fx.token}`,
      `Bearer   ${fx.token}  `,
      fx.token,
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      `Bearer ${fx.token.slice(0, -1)}A`,
      `Bearer ${fx.token}x`,
      `Bearer ${other.token}`,
      preview,
      'Bearer mcp_live_***',
      'Bearer mcp_live_...',
      `Bearer ${'A'.repeat(8000)}`,
      [`Bearer ${fx.token}`, 'Bearer x'],
      ['Bearer x', `Bearer ${fx.token}`],
    ]),
    version: headerValue([
      undefined,
      undefined,
      '2025-11-25',
      '2024-11-05',
      '1999-01-01',
      '',
      ['2025-11-25', '2025-06-18'],
      '2026-07-28',
      '2026-07-28',
    ]),
    mcpMethod: headerValue([undefined, undefined, 'tools/call', 'tools/list', 'server/discover', 'TOOLS/CALL', '', ['tools/call', 'tools/call']]),
    mcpName: headerValue([
      undefined,
      undefined,
      'workspaceSummary',
      '  workspaceSummary  ',
      `=?base64?${Buffer.from('workspaceSummary').toString('base64')}?=`,
      '=?base64?!!!?=',
      '',
      'x'.repeat(300),
    ]),
    xff: headerValue([undefined, '1.2.3.4', 'garbage', '', ' , ']),
    body: fc.oneof(
      fc.constantFrom(
        JSON.stringify(call('workspaceSummary', {})),
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'workspaceSummary', arguments: {}, _meta: VALID_META } }),
        JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'server/discover', params: { _meta: VALID_META } }),
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'f', version: '0' } },
        }),
        JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
        '',
      ),
      bodyText,
    ),
  };
  await fc.assert(
    fc.asyncProperty(fc.array(fc.record(h), { minLength: PER_RUN, maxLength: PER_RUN }), async (cases) => {
      await check(
        cases.map((c) => {
          const headers: Record<string, string | string[]> = {};
          if (c.host !== undefined) headers.host = c.host;
          if (c.origin !== undefined) headers.origin = c.origin;
          if (c.contentType !== undefined) headers['content-type'] = c.contentType;
          if (c.accept !== undefined) headers.accept = c.accept;
          if (c.auth !== undefined) headers.authorization = c.auth;
          if (c.version !== undefined) headers['mcp-protocol-version'] = c.version;
          if (c.mcpMethod !== undefined) headers['mcp-method'] = c.mcpMethod;
          if (c.mcpName !== undefined) headers['mcp-name'] = c.mcpName;
          if (c.xff !== undefined) headers['x-forwarded-for'] = c.xff;
          const base = new URL(app.mcpUrl('x'));
          return {
            url: `${base.origin}/app/api/mcp/server/${c.path}${c.query}`,
            method: c.method,
            headers,
            body: c.method === 'GET' ? undefined : c.body,
          };
        }),
      );
    }),
    { ...FC, seed: SEED + 2, numRuns: 800 },
  );
});

test('oversized bodies get 413 with a JSON body (declared and chunked)', async () => {
  const big = JSON.stringify(call('searchWorkspaceTasks', { query: 'x'.repeat(MAX_BODY_BYTES) }));
  const cases: RawRequest[] = [
    { url: url(), headers: MCP_HEADERS(fx.token), body: big },
    { url: url(), headers: MCP_HEADERS(fx.token), body: big, chunked: true },
    { url: url(), headers: MCP_HEADERS(fx.token), body: ' '.repeat(MAX_BODY_BYTES + 1) },
    { url: url(), headers: MCP_HEADERS(fx.token), body: Buffer.alloc(3 * MAX_BODY_BYTES, 0x5b), chunked: true },
  ];
  for (const r of cases) {
    // A fresh connection each: the server closes it after a 413.
    const res = await raw(r, new http.Agent({ keepAlive: false })).catch((e: NodeJS.ErrnoException) => e);
    sent++;
    if (res instanceof Error) {
      // The server may close while we are still writing; that is a refusal, not a crash — it must still be up.
      assert.match(String(res.code), /EPIPE|ECONNRESET/, res.message);
      continue;
    }
    assert.equal(res.status, 413, res.text.slice(0, 200));
    assert.equal(answerProblem(res), null);
  }
});

test('afterwards the server still answers a valid call, and logged no internal error', async () => {
  const res = await raw({ url: url(), headers: MCP_HEADERS(fx.token), body: JSON.stringify(call('searchWorkspaceTasks', { query: 'zoe' })) });
  assert.equal(res.status, 200);
  assert.equal(res.json.result.isError, undefined, res.text);
  assert.ok(res.json.result.structuredContent.hits.length >= 1);
  const logs = app.logs();
  const bad = logs.split('\n').filter((l) => /"msg":"(unhandled error|tool failed)"/.test(l));
  assert.equal(bad.length, 0, `internal errors were logged:\n${bad.slice(0, 3).join('\n')}`);
  assert.ok(sent >= 10_000, `only ${sent} requests fuzzed`);
});
