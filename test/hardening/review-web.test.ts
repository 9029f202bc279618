// Security and correctness rules of the staff web app and the HTTP edge, each tested the way it was once broken:
// customer search by phone/email, bad cursors and odd static names, CSV injection, the raced sign-in limit,
// /metrics and Host checks. Browser versions: test/browser/review.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDb, type TestDb } from '../helpers/db.ts';
import { startTestApp, workspaceWithToken, type TestApp } from '../helpers/app.ts';
import { createUser } from '../../src/domain/users.ts';
import { createCustomer } from '../../src/domain/customers.ts';
import { createTask, encodeCursor } from '../../src/domain/tasks.ts';
import { appendAudit } from '../../src/domain/audit.ts';
import { addComment } from '../../src/domain/comments.ts';
import { MAX_ACCOUNT_FAILURES } from '../../src/domain/throttle.ts';
import { WebClient } from '../web/client.ts';
import { raw } from './lib.ts';

let db: TestDb;
let app: TestApp;
let admin: WebClient;
let fx: Awaited<ReturnType<typeof workspaceWithToken>>;
let customerId: number;
let taskNumber: number;
const PW = 'a-long-enough-password';
const METRICS_TOKEN = 'metrics-secret-for-tests-0123456789';

before(async () => {
  db = await testDb();
  app = await startTestApp(db, { METRICS_TOKEN });
  fx = await workspaceWithToken(db, 'Review Web Co');
  await createUser(db, fx.ws.id, { email: 'owner@review.example', name: 'Olive Owner', role: 'owner', password: PW });
  const russell = await createCustomer(db, fx.ws.id, { name: 'Russell Hale', phone: '+1 (703) 597-4534', email: 'russ@example.com' });
  await createCustomer(db, fx.ws.id, { name: 'Rita Hall', phone: '202-555-0199', email: 'rita@example.org' });
  customerId = russell.id;
  const t = await createTask(db, fx.ws.id, { title: 'Dishwasher not draining', customerId: russell.id });
  taskNumber = t.number;
  await addComment(db, fx.ws.id, { taskId: t.id, authorKind: 'staff', authorName: 'Sam', body: 'Ordered the pump.' });
  admin = new WebClient(`http://127.0.0.1:${app.port}`);
  assert.equal((await admin.signIn('owner@review.example', PW)).status, 303);
});
after(async () => {
  await app?.close();
  await db?.cleanup();
});

test('customers are found by phone and by email on the customers page and the new-task picker', async () => {
  for (const q of ['703-597-4534', '(703) 597 4534', '+1 703 597 4534', '597-4534', 'russ@example.com', 'RUSS@', 'russ@ex']) {
    const page = await admin.get(`/customers?q=${encodeURIComponent(q)}`);
    assert.equal(page.status, 200, `/customers?q=${q} → ${page.status}`);
    assert.match(page.text, /Russell Hale/, `/customers?q=${q} finds Russell`);
    assert.doesNotMatch(page.text, /Rita Hall/, `/customers?q=${q} finds only Russell`);
    const picker = await admin.get(`/tasks/new?customerQuery=${encodeURIComponent(q)}`);
    assert.equal(picker.status, 200, `/tasks/new?customerQuery=${q} → ${picker.status}`);
    assert.match(picker.text, /Russell Hale/);
  }
  const byName = await admin.get('/customers?q=hale');
  assert.match(byName.text, /Russell Hale/);
});

test('a cursor that decodes to out-of-range numbers is a "start from the first page" answer, never a 500', async () => {
  const huge = [
    encodeCursor(['99999999999999999999', '1']),
    encodeCursor(['1', '99999999999999999999']),
    encodeCursor(['-99999999999999999999', '-1']),
    encodeCursor(['9223372036854775807', '9223372036854775807']),
    encodeCursor(['1', '2147483648']), // too big for a task or comment id; a possible audit event id
  ];
  for (const [i, cursor] of huge.entries()) {
    for (const path of [
      '/tasks?cursor=',
      `/tasks/${taskNumber}?after=`,
      `/customers/${customerId}?cursor=`,
      '/customers?after=',
      '/settings/mcp/audit?cursor=',
      '/settings/mcp/audit.csv?cursor=',
    ]) {
      const res = await admin.get(path + cursor);
      assert.ok(res.status < 500, `${path}${Buffer.from(cursor, 'base64url')} → ${res.status}`);
      if (path.startsWith('/tasks?') || (path.startsWith('/settings/mcp/audit?') && i < huge.length - 1))
        assert.match(res.text, /no longer valid/i, `${path} says the link is not valid`);
    }
  }
  const after = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
  for (const a of [
    ['a', 1e20],
    ['a\u0000', 1],
    ['x'.repeat(5000), 1],
    ['a', -1],
    ['a', 2 ** 31],
  ]) {
    const res = await admin.get(`/customers?after=${after(a)}`);
    assert.equal(res.status, 200, `/customers?after=${JSON.stringify(a).slice(0, 40)} → ${res.status}`);
  }
  // Found by test/hardening/webfuzz.test.ts: days JavaScript accepts and PostgreSQL cannot hold (a day is added to "to").
  for (const [from, to] of [
    ['', '9999-12-31'],
    ['0000-01-01', ''],
    ['2026-02-31', ''],
  ]) {
    const res = await admin.get(`/settings/mcp/audit?from=${from}&to=${to}`);
    assert.equal(res.status, 200, `audit from ${from} to ${to}`);
    assert.match(res.text, /Dates must be real days like 2026-11-22/);
    assert.equal((await admin.get(`/settings/mcp/audit.csv?from=${from}&to=${to}`)).status, 200);
  }
  const csrf = await admin.csrf('/tasks/new');
  const due = await admin.post('/tasks', {
    _csrf: csrf,
    title: 'Due far away',
    status: 'open',
    priority: 'normal',
    customerMode: 'none',
    due: '0000-01-01',
  });
  assert.equal(due.status, 400);
  assert.match(due.text, /due date must be a date/);
  assert.doesNotMatch(app.logs(), /"msg":"(web request failed|unhandled error)"/);
});

test('/static/<name of an Object.prototype member> is a 404 without signing in, and nothing is logged as a failure', async () => {
  const anon = new WebClient(admin.base);
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
    const res = await anon.get(`/static/${name}`);
    assert.equal(res.status, 404, `/static/${name} → ${res.status}`);
  }
  assert.equal((await anon.get('/static/app.css')).status, 200);
  assert.doesNotMatch(app.logs(), /"msg":"(web request failed|unhandled error)"/);
});

test('the audit CSV quotes every cell and neutralises formulas after any separator', async () => {
  const evil = ["x;=cmd|' /C calc'!A0", 'a\t=1+1', 'ok,@SUM(A1)', 'a;b;+1', '-2+3', ' =1'];
  for (const tool of evil) await appendAudit(db, fx.ws.id, { action: 'tool_call', outcome: 'denied', credentialId: fx.credentialId, tool });
  const res = await admin.get('/settings/mcp/audit.csv');
  assert.equal(res.status, 200);
  const rows = res.text.trimEnd().split('\r\n');
  for (const row of rows.slice(1)) {
    // Every cell quoted: the row is "…","…",… (quotes inside are doubled).
    assert.match(row, /^"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*$/, `row not fully quoted: ${row}`);
    // A spreadsheet that splits on ; , tab or | must never see a cell (or a piece of one) that starts a formula.
    for (const piece of row.split(/[",;\t|\r\n]+/))
      assert.doesNotMatch(piece.trimStart(), /^[=+\-@]/, `formula start in ${JSON.stringify(piece)} of ${row}`);
  }
  assert.ok(
    rows.some((r) => r.includes("x;'=cmd")),
    'the text is kept, neutralised',
  );
});

test('parallel wrong passwords for one account check at most the limit, atomically', async () => {
  await createUser(db, fx.ws.id, { email: 'victim@review.example', name: 'Vic Tim', role: 'member', password: PW });
  const attempts = await Promise.all(
    Array.from({ length: 30 }, async () => {
      const c = new WebClient(admin.base);
      return (await c.signIn('victim@review.example', 'wrong-password-123')).status;
    }),
  );
  const checked = attempts.filter((s) => s === 401).length;
  const refused = attempts.filter((s) => s === 429).length;
  assert.equal(checked + refused, 30, `statuses: ${attempts.join(',')}`);
  assert.ok(checked <= MAX_ACCOUNT_FAILURES, `${checked} passwords were checked (limit ${MAX_ACCOUNT_FAILURES})`);
  assert.ok(checked >= 1, 'the first attempts are checked');
  // The right password is refused too while the account is paused (the limit is not a password oracle).
  const c = new WebClient(admin.base);
  assert.equal((await c.signIn('victim@review.example', PW)).status, 429);
});

test('/metrics needs METRICS_TOKEN; health checks answer any Host; the web app refuses Hosts outside ALLOWED_HOSTS', async () => {
  const base = admin.base;
  assert.equal((await fetch(`${base}/metrics`)).status, 401);
  assert.equal((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
  const ok = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /taskline_http_requests_total/);

  const url = (p: string) => `${base}${p}`;
  const evil = { host: 'evil.example' };
  for (const p of ['/signin', '/tasks', '/static/app.css', '/']) {
    const res = await raw({ url: url(p), method: 'GET', headers: evil });
    assert.equal(res.status, 403, `GET ${p} with Host evil.example → ${res.status}`);
    assert.match(res.text, /ALLOWED_HOSTS/);
  }
  const post = await raw({
    url: url('/signin'),
    method: 'POST',
    headers: { ...evil, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'email=a&password=b',
  });
  assert.equal(post.status, 403);
  for (const p of ['/healthz', '/readyz'])
    assert.equal((await raw({ url: url(p), method: 'GET', headers: evil })).status, 200, `${p} answers any Host`);
  // Prometheus scrapes by address: the token, not the Host, protects /metrics.
  assert.equal((await raw({ url: url('/metrics'), method: 'GET', headers: { ...evil, authorization: `Bearer ${METRICS_TOKEN}` } })).status, 200);
});

test('without METRICS_TOKEN, /metrics is off and says how to turn it on', async () => {
  const plain = await startTestApp(db);
  try {
    const res = await fetch(`http://127.0.0.1:${plain.port}/metrics`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), /METRICS_TOKEN/);
  } finally {
    await plain.close();
  }
});
