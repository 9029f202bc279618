// Web pages over real HTTP: workspace isolation under URL tampering, roles, security headers, escaping, forms,
// audit of staff changes, CSV export, metrics labels.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDb, type TestDb } from '../helpers/db.ts';
import { connectClient, startTestApp, workspaceWithToken, type TestApp } from '../helpers/app.ts';
import { createUser, type User } from '../../src/domain/users.ts';
import { createCustomer, getCustomer, type Customer } from '../../src/domain/customers.ts';
import { createTask, getTaskByNumber, type Task } from '../../src/domain/tasks.ts';
import { getCredential } from '../../src/domain/credentials.ts';
import { listAudit } from '../../src/domain/audit.ts';
import { listComments } from '../../src/domain/comments.ts';
import { CSP } from '../../src/web/security.tsx';
import { csvCell } from '../../src/web/pages/settings/AuditPage.tsx';
import { WebClient } from './client.ts';

let db: TestDb;
let app: TestApp;
type Fx = Awaited<ReturnType<typeof workspaceWithToken>> & { admin: User; member: User; customer: Customer; task: Task };
let A: Fx;
let B: Fx;
let admin: WebClient;
let member: WebClient;
const PW = 'a-long-enough-password';
const METRICS_TOKEN = 'pages-test-metrics-token-0123456789';

async function fixture(name: string, prefix: string): Promise<Fx> {
  const w = await workspaceWithToken(db, name);
  const adminUser = await createUser(db, w.ws.id, { email: `${prefix}-admin@example.com`, name: `${name} Admin`, role: 'admin', password: PW });
  const memberUser = await createUser(db, w.ws.id, { email: `${prefix}-member@example.com`, name: `${name} Member`, role: 'member', password: PW });
  const customer = await createCustomer(db, w.ws.id, { name: `${prefix} Customer`, phone: '212-555-0100', email: `${prefix}@cust.example` });
  let task!: Task;
  // B gets more tasks than A, so B's task numbers past A's range exist only in B.
  for (let i = 0; i < (prefix === 'b' ? 5 : 2); i++)
    task = await createTask(db, w.ws.id, { title: `${name} secret job ${i}`, customerId: customer.id, assigneeId: adminUser.id });
  return { ...w, admin: adminUser, member: memberUser, customer, task };
}

before(async () => {
  db = await testDb();
  app = await startTestApp(db, { METRICS_TOKEN });
  A = await fixture('Alpha', 'a');
  B = await fixture('Bravo', 'b');
  admin = new WebClient(`http://127.0.0.1:${app.port}`);
  assert.equal((await admin.signIn('a-admin@example.com', PW)).status, 303);
  member = new WebClient(`http://127.0.0.1:${app.port}`);
  assert.equal((await member.signIn('a-member@example.com', PW)).status, 303);
});
after(async () => {
  await app?.close();
  await db?.cleanup();
});

test('security headers on every page: strict CSP without unsafe-inline, nosniff, referrer policy, no framing, no-store', async () => {
  assert.doesNotMatch(CSP, /unsafe-inline|unsafe-eval/);
  for (const [c, path] of [
    [admin, '/tasks'],
    [admin, '/settings/mcp'],
    [member, '/settings/mcp'],
    [new WebClient(admin.base), '/signin'],
    [admin, '/does-not-exist'],
  ] as const) {
    const res = await c.get(path);
    assert.equal(res.headers.get('content-security-policy'), CSP, path);
    assert.match(CSP, /script-src 'self'/);
    assert.match(CSP, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'same-origin');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.doesNotMatch(res.text, /<script>|<style>| style="| on[a-z]+="/i, `${path}: no inline script, style or handlers`);
  }
  const js = await admin.get('/static/app.js');
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
  const css = await admin.get('/static/app.css');
  assert.match(css.headers.get('content-type') ?? '', /text\/css/);
  assert.equal((await admin.get('/static/../../package.json')).status, 404);
});

test('URL tampering: another workspace’s tasks, customers and credentials are not found, and nothing changes', async () => {
  const bOnlyTask = B.task.number; // 5 — A only has 1 and 2
  assert.equal(await getTaskByNumber(db, A.ws.id, bOnlyTask), null);
  const csrf = await admin.csrf();
  const cases: [string, string, Record<string, string>?][] = [
    ['GET', `/tasks/${bOnlyTask}`],
    ['POST', `/tasks/${bOnlyTask}`, { status: 'cancelled' }],
    ['POST', `/tasks/${bOnlyTask}/comments`, { body: 'hijack' }],
    ['GET', `/customers/${B.customer.id}`],
    ['POST', `/customers/${B.customer.id}`, { name: 'Renamed by A' }],
    ['GET', `/settings/mcp/credentials/${B.credentialId}`],
    ['POST', `/settings/mcp/credentials/${B.credentialId}`, { tools: 'getTaskDetails', allowCustomerComments: 'on' }],
    ['GET', `/settings/mcp/credentials/${B.credentialId}/revoke`],
    ['POST', `/settings/mcp/credentials/${B.credentialId}/revoke`, {}],
    ['GET', '/tasks/abc'],
    ['GET', '/customers/0'],
    ['GET', '/settings/mcp/credentials/not-a-uuid'],
  ];
  for (const [method, path, form] of cases) {
    const res = method === 'GET' ? await admin.get(path) : await admin.post(path, { ...form, _csrf: csrf });
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.ok(!res.text.includes('Bravo'), `${method} ${path} leaks nothing of workspace B`);
  }
  const bTask = (await getTaskByNumber(db, B.ws.id, bOnlyTask))!;
  assert.equal(bTask.status, 'open');
  assert.equal((await listComments(db, B.ws.id, bTask.id)).comments.length, 0);
  assert.equal((await getCustomer(db, B.ws.id, B.customer.id))!.name, 'b Customer');
  const cred = (await getCredential(db, B.credentialId, B.ws.id))!;
  assert.equal(cred.state, 'active');
  assert.equal(cred.allowCustomerComments, false);
  // A's own task with the same number as one of B's is A's.
  const own = await admin.get('/tasks/1');
  assert.match(own.text, /Alpha secret job 0/);
  assert.ok(!own.text.includes('Bravo'));
});

test('URL tampering: ids of another workspace inside forms and filters are refused', async () => {
  const csrf = await admin.csrf();
  // Assign A's task to B's user.
  const assign = await admin.post(`/tasks/${A.task.number}`, { status: 'open', priority: 'normal', assignee: B.admin.id, _csrf: csrf });
  assert.equal(assign.status, 400);
  assert.equal((await getTaskByNumber(db, A.ws.id, A.task.number))!.assigneeId, A.admin.id);
  // Create a task for B's customer.
  const create = await admin.post('/tasks', {
    title: 'x',
    customerMode: 'existing',
    customerId: String(B.customer.id),
    status: 'open',
    priority: 'normal',
    _csrf: csrf,
  });
  assert.equal(create.status, 400);
  assert.match(create.text, /not in this workspace/);
  // Pre-select B's customer on the new-task page.
  assert.ok(!(await admin.get(`/tasks/new?customer=${B.customer.id}`)).text.includes('b Customer'));
  // Filter A's audit log / task list by B's ids.
  const audit = await admin.get(`/settings/mcp/audit?credential=${B.credentialId}`);
  assert.equal(audit.status, 200);
  assert.match(audit.text, /not in this workspace/);
  assert.ok(!(await admin.get(`/tasks?assignee=${B.admin.id}`)).text.includes('Bravo'));
  // Search and customer search stay in the workspace.
  for (const path of ['/tasks?q=secret+job', '/tasks?q=212-555-0100', '/customers?q=customer', '/tasks/new?customerQuery=customer']) {
    const res = await admin.get(path);
    assert.equal(res.status, 200, path);
    assert.match(res.text, /Alpha secret job|a Customer/, path);
    assert.ok(!res.text.includes('Bravo') && !res.text.includes('b Customer'), `${path} shows only workspace A`);
  }
});

test('members use tasks and customers but every settings route answers 403 and changes nothing', async () => {
  assert.equal((await member.get('/tasks')).status, 200);
  assert.equal((await member.get(`/tasks/${A.task.number}`)).status, 200);
  assert.equal((await member.get('/customers')).status, 200);
  const tasksPage = await member.get('/tasks');
  assert.ok(!tasksPage.text.includes('href="/settings/mcp"'), 'no settings link');
  const csrf = await member.csrf();
  for (const path of [
    '/settings',
    '/settings/mcp',
    '/settings/mcp/audit',
    '/settings/mcp/audit.csv',
    `/settings/mcp/credentials/${A.credentialId}`,
  ]) {
    const res = await member.get(path);
    assert.equal(res.status, 403, path);
    assert.match(res.text, /owners and admins/);
  }
  for (const [path, form] of [
    ['/settings/mcp/workspace', { minVerificationFactors: '1' }],
    ['/settings/mcp/credentials', { name: 'sneaky', tools: 'getTaskDetails', expires: '' }],
    [`/settings/mcp/credentials/${A.credentialId}`, { tools: 'getTaskDetails' }],
    [`/settings/mcp/credentials/${A.credentialId}/revoke`, {}],
  ] as const) {
    const res = await member.post(path, { ...form, _csrf: csrf });
    assert.equal(res.status, 403, path);
    assert.doesNotMatch(res.text, /mcp_live_[A-Za-z0-9_-]{43}/);
  }
  assert.equal((await getCredential(db, A.credentialId, A.ws.id))!.state, 'active');
  const creds = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM mcp_credentials WHERE workspace_id = $1', [A.ws.id]);
  assert.equal(creds.rows[0]!.n, 1);
});

test('members work on tasks: comment and status change', async () => {
  const csrf = await member.csrf();
  const upd = await member.post(`/tasks/${A.task.number}`, { status: 'waiting', priority: 'high', assignee: A.member.id, _csrf: csrf });
  assert.equal(upd.status, 303);
  const t = (await getTaskByNumber(db, A.ws.id, A.task.number))!;
  assert.deepEqual([t.status, t.priority, t.assigneeId], ['waiting', 'high', A.member.id]);
  const unassign = await member.post(`/tasks/${A.task.number}`, { status: 'waiting', priority: 'high', assignee: '', _csrf: csrf });
  assert.equal(unassign.status, 303);
  assert.equal((await getTaskByNumber(db, A.ws.id, A.task.number))!.assigneeId, null);
  const com = await member.post(`/tasks/${A.task.number}/comments`, { body: 'On my way', _csrf: csrf });
  assert.equal(com.status, 303);
  assert.match(com.location ?? '', new RegExp(`^/tasks/${A.task.number}\\?notice=commented#comment-\\d+$`));
  const { comments } = await listComments(db, A.ws.id, t.id);
  assert.equal(comments.at(-1)!.authorKind, 'staff');
  assert.equal(comments.at(-1)!.authorName, 'Alpha Member');
  const empty = await member.post(`/tasks/${A.task.number}/comments`, { body: '   ', _csrf: csrf });
  assert.equal(empty.status, 400);
  assert.match(empty.text, /1–5,000 characters/);
  const badStatus = await member.post(`/tasks/${A.task.number}`, { status: 'exploded', _csrf: csrf });
  assert.equal(badStatus.status, 400);
});

test('create a task with a new customer; validation errors keep what was typed', async () => {
  const csrf = await admin.csrf();
  const bad = await admin.post('/tasks', {
    title: '',
    description: 'keep me',
    customerMode: 'new',
    customerName: 'Nia',
    status: 'open',
    priority: 'normal',
    _csrf: csrf,
  });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /title must be 1–200 characters/i);
  assert.match(bad.text, /keep me/);
  assert.match(bad.text, /value="Nia"/);
  const badPhone = await admin.post('/tasks', {
    title: 'T',
    customerMode: 'new',
    customerName: 'Nia',
    customerPhone: '12',
    status: 'open',
    priority: 'normal',
    _csrf: csrf,
  });
  assert.equal(badPhone.status, 400);
  assert.match(badPhone.text, /not a phone number/);
  const customers = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE workspace_id = $1 AND name = 'Nia'`, [A.ws.id]);
  assert.equal(customers.rows[0]!.n, 0, 'a failed create leaves no half-made customer');
  const ok = await admin.post('/tasks', {
    title: 'Boiler check',
    customerMode: 'new',
    customerName: 'Nia Okafor',
    customerPhone: '+44 20 7946 0958',
    status: 'open',
    priority: 'urgent',
    assignee: A.member.id,
    due: '2030-01-31',
    _csrf: csrf,
  });
  assert.equal(ok.status, 303);
  const number = Number(/^\/tasks\/(\d+)\?notice=created$/.exec(ok.location ?? '')![1]);
  const t = (await getTaskByNumber(db, A.ws.id, number))!;
  assert.equal(t.customerName, 'Nia Okafor');
  assert.equal(t.priority, 'urgent');
  assert.equal(t.assigneeId, A.member.id);
  assert.equal(t.dueAt?.toISOString(), '2030-01-31T00:00:00.000Z');
  const page = await admin.get(`/tasks/${number}`);
  assert.match(page.text, /Nia Okafor/);
  assert.match(page.text, /\+44 20 7946 0958/);
});

test('workspace settings changes are audited as workspace.update with the user', async () => {
  const csrf = await admin.csrf('/settings/mcp');
  const res = await admin.post('/settings/mcp/workspace', {
    mcpEnabled: 'on',
    allowCustomerComments: 'on',
    minVerificationFactors: '3',
    _csrf: csrf,
  });
  assert.equal(res.status, 303);
  const ev = (await listAudit(db, A.ws.id, { limit: 5 })).find((e) => e.action === 'workspace.update');
  assert.ok(ev);
  assert.equal(ev.outcome, 'ok');
  assert.equal(ev.userId, A.admin.id);
  const page = await admin.get('/settings/mcp/audit');
  assert.match(page.text, /Settings changed/);
  assert.match(page.text, /by Alpha Admin/);
  // Turning MCP off in the UI is a kill switch for every credential.
  await admin.post('/settings/mcp/workspace', { minVerificationFactors: '2', _csrf: csrf });
  await assert.rejects(connectClient(app.mcpUrl(A.ws.id), A.token), /403|disabled|turned off/i);
  await admin.post('/settings/mcp/workspace', { mcpEnabled: 'on', minVerificationFactors: '2', _csrf: csrf });
  const client = await connectClient(app.mcpUrl(A.ws.id), A.token);
  await client.close();
});

test('the create-credential form sent twice (a reload of the token page) creates one credential and says so', async () => {
  const page = await admin.get('/settings/mcp');
  const csrf = await admin.csrf('/settings/mcp');
  const key = /name="createKey" value="([A-Za-z0-9_-]+)"/.exec(page.text)?.[1];
  assert.ok(key && key.length >= 16, 'the form carries a one-time key');
  const other = /name="createKey" value="([A-Za-z0-9_-]+)"/.exec((await admin.get('/settings/mcp')).text)?.[1];
  assert.notEqual(other, key, 'each rendering of the form gets its own key');
  const form = { name: 'Twice sent', tools: ['getTaskDetails'], expires: '', createKey: key, _csrf: csrf };
  const first = await admin.post('/settings/mcp/credentials', form);
  assert.equal(first.status, 200);
  assert.match(first.text, /mcp_live_/);
  const again = await admin.post('/settings/mcp/credentials', form);
  assert.equal(again.status, 303);
  assert.match(again.location ?? '', /^\/settings\/mcp\/credentials\/[0-9a-f-]{36}\?notice=already_created$/);
  const shown = await admin.get(again.location!);
  assert.match(shown.text, /had already created this credential/);
  assert.doesNotMatch(shown.text, /mcp_live_[A-Za-z0-9_-]{43}/, 'the token is not shown again');
  const n = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM mcp_credentials WHERE workspace_id = $1 AND name = 'Twice sent'`, [
    A.ws.id,
  ]);
  assert.equal(n.rows[0]!.n, 1);
  // A form without a key (a tab opened before this change) still works, without the protection.
  const keyless = await admin.post('/settings/mcp/credentials', { ...form, name: 'No key', createKey: '' });
  assert.equal(keyless.status, 200);
});

test('credential create: validation, policy ceiling, token only in that response', async () => {
  const csrf = await admin.csrf('/settings/mcp');
  const noName = await admin.post('/settings/mcp/credentials', { name: '', tools: ['getTaskDetails'], expires: '', _csrf: csrf });
  assert.equal(noName.status, 400);
  assert.match(noName.text, /name must be 1–100 characters/);
  const noTools = await admin.post('/settings/mcp/credentials', { name: 'x', expires: '', _csrf: csrf });
  assert.equal(noTools.status, 400);
  const lowFactors = await admin.post('/settings/mcp/credentials', {
    name: 'x',
    tools: ['getTaskDetails'],
    verificationFactors: '1',
    expires: '',
    _csrf: csrf,
  });
  assert.equal(lowFactors.status, 400);
  assert.match(lowFactors.text, /cannot be below the workspace minimum/);
  const badTool = await admin.post('/settings/mcp/credentials', { name: 'x', tools: ['dropDatabase'], expires: '', _csrf: csrf });
  assert.equal(badTool.status, 400);
  assert.match(badTool.text, /unknown tool/i);

  const ok = await admin.post('/settings/mcp/credentials', {
    name: '=HYPERLINK("http://evil")',
    tools: ['searchWorkspaceTasks', 'getTaskDetails'],
    revealCustomerContact: 'on',
    expires: '30',
    _csrf: csrf,
  });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('cache-control'), 'no-store');
  const token = /<code id="token"[^>]*>(mcp_live_[A-Za-z0-9_-]{43})<\/code>/.exec(ok.text)![1]!;
  const client = await connectClient(app.mcpUrl(A.ws.id), token);
  try {
    assert.deepEqual((await client.listTools()).tools.map((t) => t.name).sort(), ['getTaskDetails', 'searchWorkspaceTasks']);
  } finally {
    await client.close();
  }
  const after = await admin.get('/settings/mcp');
  assert.ok(!after.text.includes(token), 'the token is never shown again');
  assert.ok(after.text.includes(`${token.slice(0, 13)}…${token.slice(-4)}`), 'its preview is');
  const cred = (
    await db.query<{ expires_at: Date; reveal: boolean }>(
      `SELECT expires_at, reveal_customer_contact AS reveal FROM mcp_credentials WHERE workspace_id = $1 AND name LIKE '=HYPERLINK%'`,
      [A.ws.id],
    )
  ).rows[0]!;
  assert.ok(Math.abs(cred.expires_at.getTime() - (Date.now() + 30 * 86400_000)) < 60_000);
  assert.equal(cred.reveal, true);

  // CSV export neutralizes formulas and honours filters.
  const csv = await admin.get('/settings/mcp/audit.csv');
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
  assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="taskline-audit-\d{4}-\d{2}-\d{2}\.csv"/);
  assert.ok(csv.text.includes(`"'=HYPERLINK(""http://evil"")"`), 'formula neutralized and quoted');
  assert.ok(csv.text.split('\r\n').some((l) => l.includes('credential.create')));
  const onlyTools = await admin.get('/settings/mcp/audit.csv?tool=getTaskDetails');
  assert.ok(!onlyTools.text.includes('credential.create'));
  const future = await admin.get('/settings/mcp/audit.csv?from=2999-01-01');
  assert.equal(future.text.trim().split('\r\n').length, 1, 'header only');
});

test('audit log pages through events with a keyset cursor', async () => {
  const { appendAudit } = await import('../../src/domain/audit.ts');
  for (let i = 0; i < 60; i++)
    await appendAudit(db, A.ws.id, {
      action: 'tool_call',
      tool: 'getTaskDetails',
      outcome: i % 3 ? 'ok' : 'denied',
      credentialId: A.credentialId,
      latencyMs: i,
    });
  const first = await admin.get('/settings/mcp/audit?tool=getTaskDetails');
  const rows = (t: string) => (t.match(/<tr>/g) ?? []).length - 1;
  assert.equal(rows(first.text), 50);
  const next = /href="(\/settings\/mcp\/audit\?[^"]*cursor=[^"]+)"/.exec(first.text)![1]!.replace(/&amp;/g, '&');
  const second = await admin.get(next);
  assert.ok(rows(second.text) >= 10);
  const denied = await admin.get('/settings/mcp/audit?tool=getTaskDetails&outcome=denied&from=2000-01-01&to=2999-12-31');
  assert.equal(rows(denied.text), 20);
  const bad = await admin.get('/settings/mcp/audit?from=yesterday&cursor=%%%');
  assert.equal(bad.status, 200);
  assert.match(bad.text, /dates must be real days like/i);
});

test('csvCell', () => {
  assert.equal(csvCell('plain'), '"plain"');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('=1+1'), `"'=1+1"`);
  assert.equal(csvCell('-2'), `"'-2"`);
  assert.equal(csvCell("x;=cmd|' /C calc'!A0"), `"x;'=cmd|' /C calc'!A0"`);
  assert.equal(csvCell('a\t @x'), `"a\t '@x"`);
  assert.equal(csvCell('2026-11-30T04:00:00.000Z'), '"2026-11-30T04:00:00.000Z"');
  assert.equal(csvCell(null), '""');
  assert.equal(csvCell(['phone', 'name']), '"phone name"');
});

test('metrics label web requests by route pattern, never by concrete path', async () => {
  await admin.get(`/tasks/${A.task.number}`);
  await admin.get(`/customers/${A.customer.id}`);
  const m = await (await fetch(`${admin.base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  assert.match(m, /taskline_http_requests_total\{route="web \/tasks\/:number",method="GET",status="200"\}/);
  assert.match(m, /route="web \/customers\/:id"/);
  assert.doesNotMatch(m, /route="web \/tasks\/\d+"/);
  assert.ok(!app.logs().includes(PW), 'no password in the logs');
  assert.ok(!/tl_session|mcp_live_[A-Za-z0-9_-]{43}/.test(app.logs()), 'no session cookie or token in the logs');
});

test('error pages say what to do', async () => {
  const nf = await admin.get('/no/such/page');
  assert.equal(nf.status, 404);
  assert.match(nf.text, /start from the task list/);
  assert.match(nf.text, /href="\/tasks"/);
  const anon = await new WebClient(admin.base).get('/no/such/page');
  assert.equal(anon.status, 404);
  assert.match(anon.text, /href="\/signin"/);
  const big = await admin.post(`/tasks/${A.task.number}/comments`, { body: 'x'.repeat(300 * 1024), _csrf: await admin.csrf() });
  assert.equal(big.status, 413);
  assert.match(big.text, /too large/);
  assert.equal(big.headers.get('connection'), 'close', 'the unread body makes the socket unusable: close it');
});

test('odd URLs and bodies never cause a 5xx', async () => {
  const paths = [
    '/tasks/%ZZ',
    '/tasks?q=%ZZ&status=%00&priority=<x>&assignee=%E0%A4%A',
    `/tasks?q=${'x'.repeat(5000)}`,
    '/tasks?q=%00%01',
    '/tasks?cursor=zzz',
    '/tasks?cursor=MTIzfDQ1Ng',
    '/tasks/99999999999999999999',
    '/tasks/new?customer=-1&customerQuery=%25%5F%5C',
    '/customers?after=!!!',
    '/customers?q=%ZZ',
    '/customers/1e3',
    '/customers/%2e%2e',
    `/customers/${A.customer.id}?cursor=%%%`,
    '/settings/mcp/audit?cursor=@@&from=2026-02-31&to=1999-01-01',
    '/settings/mcp/credentials/%00',
    '/signin?next=%ZZ',
  ];
  for (const p of paths) {
    const res = await admin.get(p).catch((err: Error & { cause?: Error }) => {
      throw new Error(`GET ${p}: ${err.message} (${err.cause?.message})`);
    });
    assert.ok(res.status < 500, `${p} → ${res.status}`);
  }
  const csrf = await admin.csrf();
  const multipart = new FormData();
  multipart.set('_csrf', csrf);
  multipart.set('body', 'sent as multipart');
  const mp = await fetch(`${admin.base}/tasks/${A.task.number}/comments`, {
    method: 'POST',
    body: multipart,
    headers: { cookie: admin.cookieHeader() },
    redirect: 'manual',
  });
  assert.equal(mp.status, 303);
  for (const body of ['%ZZ=1&_csrf=' + csrf, '_csrf=' + csrf + '&tools=a&tools=b&tools=%00', '&&&=&=', '_csrf=' + csrf + '&due=2026-13-45&title=x']) {
    for (const path of ['/tasks', `/tasks/${A.task.number}`, '/settings/mcp/credentials', '/customers', '/signin']) {
      const res = await admin.request(path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.ok(res.status < 500, `POST ${path} ${body} → ${res.status}`);
    }
  }
});
