/**
 * Workspace isolation matrix: two workspaces seeded with unique markers; every tool × every way of
 * pointing at the other workspace (its task numbers, its token, its id in the path, token A + path B) → no marker of
 * the other workspace in any response, log line or audit row.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDb, type TestDb } from '../helpers/db.ts';
import { startTestApp, workspaceWithToken, type TestApp } from '../helpers/app.ts';
import { createCustomer } from '../../src/domain/customers.ts';
import { createTask } from '../../src/domain/tasks.ts';
import { addComment } from '../../src/domain/comments.ts';
import { createUser } from '../../src/domain/users.ts';
import { ALL_TOOLS } from '../../src/domain/policy.ts';
import { MCP_HEADERS, call, raw } from './lib.ts';

let db: TestDb;
let app: TestApp;
type Side = Awaited<ReturnType<typeof workspaceWithToken>> & { markers: string[]; numbers: number[]; phone: string; name: string };
const sides: Record<'A' | 'B', Side> = {} as never;
let requests = 0;

async function seed(label: 'A' | 'B', digits: string): Promise<Side> {
  const m = (k: string) => `zq${label}${k}mark`;
  // Contact details masked: a credential that may add customer comments never reveals them (policy.ts).
  const fx = await workspaceWithToken(
    db,
    `Iso ${label}`,
    { allowCustomerComments: true, tools: [...ALL_TOOLS] },
    { allowCustomerComments: true, minVerificationFactors: 1 },
  );
  const name = `${m('cust')} Person`;
  const phone = `+1 (555) ${digits.slice(0, 3)}-${digits.slice(3)}`;
  const email = `${m('mail')}@example.com`;
  await createUser(db, fx.ws.id, {
    email: `${m('staff')}@example.com`,
    name: `${m('staffname')} Staff`,
    role: 'member',
    password: 'correct horse battery staple',
  });
  const c = await createCustomer(db, fx.ws.id, { name, phone, email });
  const numbers: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = await createTask(db, fx.ws.id, { title: `${m('title')} ${i}`, description: `${m('desc')} ${i}`, customerId: c.id });
    await addComment(db, fx.ws.id, { taskId: t.id, authorKind: 'staff', authorName: `${m('author')}`, body: `${m('comment')} ${i}` });
    numbers.push(t.number);
  }
  // Every seeded string carries a marker; a marker the request itself did not contain must never come back.
  const markers = ['title', 'desc', 'comment', 'author', 'staffname', 'staff', 'cust', 'mail']
    .map(m)
    .concat(digits, `${digits.slice(0, 3)}-${digits.slice(3)}`);
  return { ...fx, markers, numbers, phone, name };
}

before(async () => {
  db = await testDb();
  app = await startTestApp(db, { RATE_LIMIT_TOOL_CALLS: '100000', RATE_LIMIT_AUTH_FAILURES: '100000', LOG_LEVEL: 'debug' });
  sides.A = await seed('A', '2220001');
  sides.B = await seed('B', '3330002');
});
after(async () => {
  await app.close();
  await db.cleanup();
  console.log(`isolation matrix: ${requests} requests`);
});

/** Arguments for every tool aimed at the victim's data (its numbers, name, phone, email, markers). */
function attacks(victim: Side): [string, Record<string, unknown>][] {
  const out: [string, Record<string, unknown>][] = [['workspaceSummary', {}]];
  for (const st of [undefined, 'open']) out.push(['listWorkspaceTasks', { limit: 50, ...(st ? { status: st } : {}) }]);
  out.push(['listWorkspaceTasks', { assignee: victim.markers[4]! }]);
  for (const q of [
    victim.name,
    victim.phone,
    victim.markers[6]!,
    `${victim.markers[7]!}@example.com`,
    victim.markers[0]!,
    `#${victim.numbers[0]}`,
    'title',
    'comment',
  ])
    out.push(['searchWorkspaceTasks', { query: q, limit: 50 }]);
  for (const n of victim.numbers) {
    out.push(['getTaskDetails', { taskNumber: n }]);
    out.push(['listTaskComments', { taskNumber: n, limit: 100 }]);
    out.push([
      'addCustomerComment',
      {
        taskNumber: n,
        comment: 'isolation probe',
        verification: { taskNumber: n, customerName: victim.name, phone: victim.phone },
        idempotencyKey: `iso-${n}-${requests}`,
      },
    ]);
  }
  return out;
}

test('no tool, token or path combination reveals the other workspace', async () => {
  const base = new URL(app.mcpUrl('x')).origin;
  for (const [attackerLabel, victimLabel] of [
    ['A', 'B'],
    ['B', 'A'],
  ] as const) {
    const attacker = sides[attackerLabel];
    const victim = sides[victimLabel];
    // Ways in: own token + own path (victim's numbers), victim's token on own path, own token on victim's path,
    // own path with a mixed/garbled token, the victim's path with the victim's id upper-cased.
    const routes = [
      { path: attacker.ws.id, token: attacker.token, expect: [200] },
      { path: attacker.ws.id, token: victim.token, expect: [403] },
      { path: victim.ws.id, token: attacker.token, expect: [403] },
      { path: victim.ws.id.toUpperCase(), token: attacker.token, expect: [403, 404] },
      { path: attacker.ws.id, token: attacker.token.slice(0, 20) + victim.token.slice(20), expect: [401] },
    ];
    for (const r of routes) {
      for (const [tool, args] of attacks(victim)) {
        for (const body of [
          call(tool, args),
          [call(tool, args, 1), { jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: `taskline://tasks/${victim.numbers[0]}` } }],
        ]) {
          requests++;
          const res = await raw({ url: `${base}/app/api/mcp/server/${r.path}`, headers: MCP_HEADERS(r.token), body: JSON.stringify(body) });
          assert.ok(r.expect.includes(res.status), `${tool} via ${JSON.stringify(r)}: ${res.status} ${res.text.slice(0, 200)}`);
          const sent = JSON.stringify(body);
          for (const mk of victim.markers)
            if (!sent.includes(mk)) assert.ok(!res.text.includes(mk), `${tool} via path ${r.path} leaked ${mk}: ${res.text.slice(0, 300)}`);
        }
      }
      // The protocol-level listings too.
      for (const method of ['tools/list', 'resources/list', 'resources/templates/list', 'prompts/list']) {
        requests++;
        const res = await raw({
          url: `${base}/app/api/mcp/server/${r.path}`,
          headers: MCP_HEADERS(r.token),
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method }),
        });
        for (const mk of victim.markers) assert.ok(!res.text.includes(mk), `${method} leaked ${mk}`);
      }
    }
    // Sanity: the attacker's own data is reachable the same way (the probe can see markers when they are allowed).
    requests++;
    const own = await raw({
      url: app.mcpUrl(attacker.ws.id),
      headers: MCP_HEADERS(attacker.token),
      body: JSON.stringify(call('getTaskDetails', { taskNumber: attacker.numbers[0] })),
    });
    assert.ok(own.text.includes(attacker.markers[0]!), 'the probe sees its own workspace markers');
  }
});

test('no marker of either workspace appears in log lines, and audit rows hold no customer data', async () => {
  const logs = app.logs();
  for (const s of Object.values(sides)) for (const mk of s.markers) assert.ok(!logs.includes(mk), `log contains ${mk}`);
  for (const [label, s] of Object.entries(sides)) {
    const other = label === 'A' ? sides.B : sides.A;
    const r = await db.query<Record<string, unknown>>('SELECT * FROM audit_events WHERE workspace_id = $1', [s.ws.id]);
    assert.ok(r.rows.length > 0);
    const text = JSON.stringify(r.rows);
    for (const mk of [...s.markers, ...other.markers]) assert.ok(!text.includes(mk), `audit of ${label} contains ${mk}`);
    // Rows of a workspace reference only its own credentials.
    const foreign = await db.query('SELECT 1 FROM audit_events WHERE workspace_id = $1 AND credential_id = ANY($2::uuid[])', [
      s.ws.id,
      [other.credentialId],
    ]);
    assert.equal(foreign.rows.length, 0, `audit of ${label} has rows of the other workspace's credential`);
  }
  // The victim's comments were never written to by the attacker's probes.
  for (const s of Object.values(sides)) {
    const r = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM comments WHERE workspace_id = $1 AND body = 'isolation probe'", [
      s.ws.id,
    ]);
    assert.equal(r.rows[0]!.n, 0);
  }
  assert.ok(requests >= 400, `${requests} requests`);
});
