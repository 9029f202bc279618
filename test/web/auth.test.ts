// Web sign-in over real HTTP: cookies, sessions stored hashed, rotation, sign-out, CSRF, throttling held in the
// database across instances, one email in several workspaces.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { testDb, STORE, type TestDb } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { openPg, type Db } from '../../src/platform/db/client.ts';
import { createWorkspace, getWorkspace, type Workspace } from '../../src/domain/workspaces.ts';
import { createUser } from '../../src/domain/users.ts';
import { MAX_ACCOUNT_FAILURES, MAX_IP_FAILURES } from '../../src/domain/throttle.ts';
import { WebClient, csrfFrom } from './client.ts';

let db: TestDb;
let db2: Db;
let app: TestApp;
let app2: TestApp;
let wsA: Workspace;
let wsB: Workspace;
const PW = 'correct-horse-battery';

const web = (a: TestApp = app) => new WebClient(`http://127.0.0.1:${a.port}`);
const sessionRows = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM web_sessions')).rows[0]!.n;

before(async () => {
  db = await testDb();
  db2 = STORE === 'pg' ? await openPg(db.url!) : db;
  app = await startTestApp(db);
  app2 = await startTestApp(db2);
  wsA = await createWorkspace(db, { name: 'Alpha Repairs' });
  wsB = await createWorkspace(db, { name: 'Beta Plumbing' });
  await createUser(db, wsA.id, { email: 'ana@example.com', name: 'Ana', role: 'admin', password: PW });
  // Same email in two workspaces, different passwords.
  await createUser(db, wsA.id, { email: 'sam@example.com', name: 'Sam A', role: 'member', password: 'password-for-alpha' });
  await createUser(db, wsB.id, { email: 'SAM@example.com', name: 'Sam B', role: 'owner', password: 'password-for-beta' });
  // Same email and password in two workspaces.
  await createUser(db, wsA.id, { email: 'kim@example.com', name: 'Kim A', role: 'member', password: PW });
  await createUser(db, wsB.id, { email: 'kim@example.com', name: 'Kim B', role: 'admin', password: PW });
  // Throttling victims.
  for (const e of ['locked@example.com', 'spread@example.com'])
    await createUser(db, wsA.id, { email: e, name: e.split('@')[0], role: 'member', password: PW });
});
after(async () => {
  await app2?.close();
  await app?.close();
  if (db2 && db2 !== db) await db2.close();
  await db?.cleanup();
});

test('signed-out visitors are sent to sign-in; / redirects', async () => {
  const c = web();
  const root = await c.get('/');
  assert.equal(root.status, 303);
  assert.equal(root.location, '/signin');
  const tasks = await c.get('/tasks/12?x=1');
  assert.equal(tasks.status, 303);
  assert.equal(tasks.location, '/signin?next=%2Ftasks%2F12%3Fx%3D1');
  const page = await c.get('/signin');
  assert.equal(page.status, 200);
  assert.match(page.text, /<form method="post" action="\/signin">/);
  assert.match(page.text, /autocomplete="current-password"/);
});

test('sign in: HttpOnly SameSite=Lax session cookie; the database keeps only its hash; the CSRF token is per session', async () => {
  const c = web();
  const res = await c.signIn('ana@example.com', PW);
  assert.equal(res.status, 303);
  assert.equal(res.location, '/tasks');
  const set = res.setCookies.find((s) => s.startsWith('tl_session='))!;
  assert.match(set, /HttpOnly/);
  assert.match(set, /SameSite=Lax/);
  assert.match(set, /Path=\//);
  assert.doesNotMatch(set, /Secure/, 'plain http: no Secure flag');
  const value = c.cookies.get('tl_session')!;
  const [wsId, secret] = value.split('.');
  assert.equal(wsId, wsA.id);
  assert.match(secret!, /^[A-Za-z0-9_-]{43}$/, '32 random bytes');
  const rows = await db.query<{ id_hash: Uint8Array }>('SELECT id_hash FROM web_sessions WHERE workspace_id = $1', [wsA.id]);
  const hash = createHash('sha256').update(secret!).digest();
  assert.ok(
    rows.rows.some((r) => Buffer.from(r.id_hash).equals(hash)),
    'stored as SHA-256',
  );
  const dump = JSON.stringify(await db.query('SELECT * FROM web_sessions'));
  assert.ok(!dump.includes(secret!), 'the secret itself is not stored');

  const tasks = await c.get('/tasks');
  assert.equal(tasks.status, 200);
  assert.match(tasks.text, /Ana/);
  const other = web();
  await other.signIn('ana@example.com', PW);
  assert.notEqual(csrfFrom(tasks.text), await other.csrf(), 'each session has its own CSRF token');
});

test('sign-in rotates the session: the old cookie stops working', async () => {
  const c = web();
  await c.signIn('ana@example.com', PW);
  const first = c.cookies.get('tl_session')!;
  const n = await sessionRows();
  // Sign in again from this browser (a form loaded earlier, before the first sign-in): the old session must end.
  const formPage = web();
  const page = await formPage.get('/signin');
  c.cookies.set('tl_pre', formPage.cookies.get('tl_pre')!);
  const again = await c.post('/signin', { _csrf: csrfFrom(page.text), email: 'ana@example.com', password: PW });
  assert.equal(again.status, 303);
  const second = c.cookies.get('tl_session')!;
  assert.notEqual(first, second);
  assert.equal(await sessionRows(), n, 'the old session row was deleted');
  const stale = new WebClient(c.base);
  stale.cookies.set('tl_session', first);
  assert.equal((await stale.get('/tasks')).status, 303);
});

test('sign out deletes the session (its cookie no longer works anywhere)', async () => {
  const c = web();
  await c.signIn('ana@example.com', PW);
  const cookie = c.cookies.get('tl_session')!;
  const n = await sessionRows();
  const out = await c.post('/signout', { _csrf: await c.csrf() });
  assert.equal(out.status, 303);
  assert.equal(out.location, '/signin?signedout=1');
  assert.ok(!c.cookies.has('tl_session'), 'cookie cleared');
  assert.equal(await sessionRows(), n - 1);
  const replay = web(app2);
  replay.cookies.set('tl_session', cookie);
  assert.equal((await replay.get('/tasks')).status, 303, 'a copied cookie is dead on every instance');
});

test('sign-out without the CSRF token is refused', async () => {
  const c = web();
  await c.signIn('ana@example.com', PW);
  const res = await c.post('/signout', {});
  assert.equal(res.status, 403);
  assert.equal((await c.get('/tasks')).status, 200, 'still signed in');
});

test('a session is good on any instance; an idle or expired one is over', async () => {
  const c = web();
  await c.signIn('ana@example.com', PW);
  const moved = web(app2);
  moved.cookies.set('tl_session', c.cookies.get('tl_session')!);
  assert.equal((await moved.get('/tasks')).status, 200);
  const hash = createHash('sha256').update(c.cookies.get('tl_session')!.split('.')[1]!).digest();
  await db.query(`UPDATE web_sessions SET last_seen_at = now() - interval '25 hours' WHERE id_hash = $1`, [hash]);
  assert.equal((await c.get('/tasks')).status, 303, 'idle for more than a day');
  await db.query(`UPDATE web_sessions SET last_seen_at = now(), expires_at = now() - interval '1 second' WHERE id_hash = $1`, [hash]);
  assert.equal((await c.get('/tasks')).status, 303, 'past its absolute lifetime');
});

test('malformed or forged cookies are just "signed out"', async () => {
  for (const v of ['garbage', `${wsA.id}.short`, `not-a-uuid.${'a'.repeat(43)}`, `${wsA.id}.${'a'.repeat(43)}`]) {
    const c = web();
    c.cookies.set('tl_session', v);
    assert.equal((await c.get('/tasks')).status, 303, v);
  }
});

test('CSRF: state-changing forms need the session token (missing, wrong, or another session’s → 403)', async () => {
  const c = web();
  await c.signIn('ana@example.com', PW);
  const token = await c.csrf();
  const other = web();
  await other.signIn('ana@example.com', PW);
  const foreign = await other.csrf();
  const form = { mcpEnabled: 'on', minVerificationFactors: '1' };
  for (const bad of [
    {} as Record<string, string>,
    { _csrf: '' },
    { _csrf: 'x' },
    { _csrf: foreign },
    { _csrf: token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A') },
  ]) {
    const res = await c.post('/settings/mcp/workspace', { ...form, ...bad });
    assert.equal(res.status, 403, JSON.stringify(bad));
    assert.match(res.text, /security token/);
  }
  assert.equal((await getWorkspace(db, wsA.id))!.minVerificationFactors, 2, 'nothing changed');
  // A JSON or text body cannot carry the token either.
  const json = await c.request('/settings/mcp/workspace', {
    method: 'POST',
    body: JSON.stringify({ _csrf: token }),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(json.status, 403);
  const ok = await c.post('/settings/mcp/workspace', { ...form, _csrf: token });
  assert.equal(ok.status, 303);
  assert.equal((await getWorkspace(db, wsA.id))!.minVerificationFactors, 1);
  await c.post('/settings/mcp/workspace', { mcpEnabled: 'on', minVerificationFactors: '2', _csrf: token });
});

test('CSRF: a request from another origin is refused even with a valid token', async () => {
  const c = web();
  await c.signIn('ana@example.com', PW);
  const token = await c.csrf();
  const evil = await c.post('/settings/mcp/workspace', { minVerificationFactors: '3', _csrf: token }, { origin: 'https://evil.example' });
  assert.equal(evil.status, 403);
  assert.match(evil.text, /another website/);
  const site = await c.post('/settings/mcp/workspace', { minVerificationFactors: '3', _csrf: token }, { 'sec-fetch-site': 'cross-site' });
  assert.equal(site.status, 403);
  const same = await c.post('/settings/mcp/workspace', { mcpEnabled: 'on', minVerificationFactors: '2', _csrf: token }, { origin: c.base });
  assert.equal(same.status, 303);
});

test('the sign-in form has its own CSRF token bound to a pre-session cookie', async () => {
  const c = web();
  await c.get('/signin');
  const noToken = await c.post('/signin', { email: 'ana@example.com', password: PW });
  assert.equal(noToken.status, 403);
  const fresh = web(); // no pre-session cookie at all
  const noCookie = await fresh.post('/signin', { _csrf: 'x', email: 'ana@example.com', password: PW });
  assert.equal(noCookie.status, 403);
  assert.match(noCookie.text, /form expired/);
  // A token from another browser's form does not fit this browser's cookie.
  const other = web();
  const otherToken = csrfFrom((await other.get('/signin')).text);
  assert.equal((await c.post('/signin', { _csrf: otherToken, email: 'ana@example.com', password: PW })).status, 403);
});

test('after sign-in, only same-site paths are followed (no open redirect)', async () => {
  for (const [next, expected] of [
    ['/customers?q=x', '/customers?q=x'],
    ['//evil.example/', '/tasks'],
    ['https://evil.example/', '/tasks'],
    ['/\\evil.example', '/tasks'],
    ['/signout', '/tasks'],
  ] as const) {
    const c = web();
    const res = await c.signIn('ana@example.com', PW, { next });
    assert.equal(res.location, expected, next);
  }
});

test('wrong password: 401 with a message that does not say whether the email exists', async () => {
  const known = await web().signIn('ana@example.com', 'nope-nope');
  const unknown = await web().signIn('nobody@example.com', 'nope-nope');
  assert.equal(known.status, 401);
  assert.equal(unknown.status, 401);
  const msg = (t: string) => /<div class="notice notice-error"[^>]*>(.*?)<\/div>/s.exec(t)?.[1];
  assert.equal(msg(known.text), msg(unknown.text));
  assert.match(msg(known.text)!, /Wrong email or password/);
});

test('throttling per account: the 11th attempt is refused with 429 — and the count is shared by every instance', async () => {
  const email = 'locked@example.com';
  for (let i = 1; i <= MAX_ACCOUNT_FAILURES; i++) {
    // Alternate instances (and clients): the count lives in the database.
    const res = await web(i % 2 ? app : app2).signIn(email, `wrong-${i}`);
    assert.equal(res.status, 401, `attempt ${i}`);
  }
  const res = await web(app2).signIn(email, 'wrong-11');
  assert.equal(res.status, 429);
  assert.match(res.text, /Too many failed sign-in attempts/);
  assert.ok(Number(res.headers.get('retry-after')) >= 60);
  const right = await web(app).signIn(email.toUpperCase(), PW);
  assert.equal(right.status, 429, 'the right password does not get through while throttled (email case ignored)');
  const rows = await db.query<{ k: Uint8Array }>('SELECT key_hash AS k FROM login_failures');
  assert.ok(!JSON.stringify(rows.rows).includes('locked'), 'throttle keys are hashed');
  // Once the window has passed, sign-in works again.
  await db.query(`UPDATE login_failures SET created_at = created_at - interval '16 minutes'`);
  assert.equal((await web().signIn(email, PW)).status, 303);
});

test('throttling per IP: many accounts guessed from one address are refused too', async () => {
  let last: Awaited<ReturnType<WebClient['signIn']>> | undefined;
  for (let i = 1; i <= MAX_IP_FAILURES; i++) {
    last = await web(i % 2 ? app : app2).signIn(`guess-${i}@example.com`, 'wrong');
    assert.equal(last.status, 401, `attempt ${i}`);
  }
  last = await web().signIn('spread@example.com', PW);
  assert.equal(last.status, 429);
  assert.match(last.text, /from your network/);
  await db.query(`DELETE FROM login_failures`);
  assert.equal((await web().signIn('spread@example.com', PW)).status, 303);
});

test('behind a proxy (TRUST_PROXY=1) the per-address limit counts the forwarded address, and a spoofed entry does not escape it', async () => {
  const proxied = await startTestApp(db, { TRUST_PROXY: '1' });
  try {
    const from = (xff: string) => new WebClient(`http://127.0.0.1:${proxied.port}`, { 'x-forwarded-for': xff });
    for (let i = 1; i <= MAX_IP_FAILURES; i++) assert.equal((await from('203.0.113.50').signIn(`proxy-guess-${i}@example.com`, 'wrong')).status, 401);
    assert.equal((await from('203.0.113.50').signIn('spread@example.com', PW)).status, 429, 'that address is throttled');
    assert.equal((await from('198.18.0.9, 203.0.113.50').signIn('spread@example.com', PW)).status, 429, 'a client-written entry changes nothing');
    assert.equal((await from('203.0.113.51').signIn('spread@example.com', PW)).status, 303, 'another client behind the same proxy signs in');
  } finally {
    await proxied.close();
    await db.query(`DELETE FROM login_failures`);
  }
});

test('one email in several workspaces: the password picks the workspace', async () => {
  const a = web();
  await a.signIn('sam@example.com', 'password-for-alpha');
  assert.equal(a.cookies.get('tl_session')!.split('.')[0], wsA.id);
  assert.match((await a.get('/tasks')).text, /Alpha Repairs/);
  const b = web();
  await b.signIn('Sam@Example.com', 'password-for-beta');
  assert.equal(b.cookies.get('tl_session')!.split('.')[0], wsB.id);
  assert.match((await b.get('/tasks')).text, /Beta Plumbing/);
});

test('one email and password in several workspaces: the person chooses', async () => {
  const c = web();
  const res = await c.signIn('kim@example.com', PW);
  assert.equal(res.status, 200);
  assert.match(res.text, /several workspaces/);
  assert.match(res.text, /Alpha Repairs/);
  assert.match(res.text, /Beta Plumbing/);
  assert.ok(!c.cookies.has('tl_session'));
  const chosen = await c.post('/signin', { _csrf: csrfFrom(res.text), email: 'kim@example.com', password: PW, workspace: wsB.id });
  assert.equal(chosen.status, 303);
  assert.equal(c.cookies.get('tl_session')!.split('.')[0], wsB.id);
  // Choosing a workspace does not skip the password check.
  const d = web();
  const page = await d.get('/signin');
  const bad = await d.post('/signin', { _csrf: csrfFrom(page.text), email: 'kim@example.com', password: 'wrong', workspace: wsB.id });
  assert.equal(bad.status, 401);
});

test('behind https (PUBLIC_URL https://…) cookies are Secure with the __Host- prefix, plus HSTS', async () => {
  const https = await startTestApp(db, { PUBLIC_URL: 'https://taskline.example' });
  try {
    const c = new WebClient(`http://127.0.0.1:${https.port}`, { origin: 'https://taskline.example' });
    const page = await c.get('/signin');
    assert.match(page.setCookies.join('\n'), /^__Host-tl_pre=.*; Secure/m);
    assert.match(page.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
    const res = await c.signIn('ana@example.com', PW);
    const set = res.setCookies.find((s) => s.startsWith('__Host-tl_session='))!;
    assert.match(set, /HttpOnly/);
    assert.match(set, /Secure/);
    assert.match(set, /SameSite=Lax/);
    assert.equal((await c.get('/tasks')).status, 200);
  } finally {
    await https.close();
  }
});
