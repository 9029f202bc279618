/**
 * The Team and account pages over real HTTP, and the mail they send through a real SMTP server on 127.0.0.1:
 * invitations and resets arrive with a link that works; "forgot password" mails a known address and answers an
 * unknown one the same; a server without SMTP_URL sends nothing and says how to pass links on.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDb, type TestDb } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { linkIn, startSmtpServer } from '../helpers/smtp.ts';
import { createWorkspace, type Workspace } from '../../src/domain/workspaces.ts';
import { createUser } from '../../src/domain/users.ts';
import { listAudit } from '../../src/domain/audit.ts';
import { WebClient, csrfFrom } from './client.ts';

const PW = 'owner password here';
let db: TestDb;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let mailApp: TestApp;
let plainApp: TestApp;
let ws: Workspace;

const client = (a: TestApp) => new WebClient(`http://127.0.0.1:${a.port}`);
const pathOf = (u: URL) => u.pathname + u.search;

before(async () => {
  db = await testDb();
  smtp = await startSmtpServer();
  mailApp = await startTestApp(db, { SMTP_URL: smtp.url, MAIL_FROM: 'Taskline <taskline@shop.example>' });
  plainApp = await startTestApp(db);
  ws = await createWorkspace(db, { name: 'Mail Shop' });
  await createUser(db, ws.id, { email: 'owner@shop.example', name: 'Oona Owner', role: 'owner', password: PW });
  await createUser(db, ws.id, { email: 'member@shop.example', name: 'Max Member', role: 'member', password: 'member password here' });
});
after(async () => {
  await mailApp?.close();
  await plainApp?.close();
  await smtp?.close();
  await db?.cleanup();
});

async function signedIn(a: TestApp, email: string, password: string): Promise<WebClient> {
  const w = client(a);
  const r = await w.signIn(email, password);
  assert.equal(r.status, 303, `sign-in of ${email}`);
  return w;
}

test('members cannot open the Team page; owners see staff with role, status and open tasks', async () => {
  const member = await signedIn(plainApp, 'member@shop.example', 'member password here');
  assert.equal((await member.get('/settings/team')).status, 403);
  assert.doesNotMatch((await member.get('/tasks')).text, /href="\/settings\/team"/, 'no Team link for members');
  const owner = await signedIn(plainApp, 'owner@shop.example', PW);
  const page = await owner.get('/settings/team');
  assert.equal(page.status, 200);
  assert.match(page.text, /Max Member/);
  assert.match(page.text, /<option value="owner">Owner<\/option>/, 'an owner may invite owners');
});

test('an invitation is emailed with a link that works once; the new member is signed in and sees no settings', async () => {
  const owner = await signedIn(mailApp, 'owner@shop.example', PW);
  const r = await owner.post('/settings/team/invite', { _csrf: await owner.csrf('/settings/team'), email: 'tech@shop.example', role: 'member' });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.match(r.text, /It was also emailed to them/);
  const shown = /<code id="one-time-link">([^<]+)<\/code>/.exec(r.text)![1]!.replaceAll('&amp;', '&');
  const mail = await smtp.next('tech@shop.example');
  assert.equal(mail.subject, 'You are invited to Mail Shop on Taskline');
  assert.match(mail.text, /Oona Owner invited you to join Mail Shop on Taskline as Member/);
  const link = linkIn(mail.text);
  assert.equal(link.href, shown, 'the emailed link is the one shown');

  const tech = client(mailApp);
  const form = await tech.get(pathOf(link));
  assert.equal(form.status, 200);
  assert.match(form.text, /Join Mail Shop/);
  const weak = await tech.post('/invite', {
    _csrf: csrfFrom(form.text),
    token: link.searchParams.get('token')!,
    name: 'Tao Tech',
    password: 'password1234',
  });
  assert.equal(weak.status, 400);
  assert.match(weak.text, /most common/);
  const ok = await tech.post('/invite', {
    _csrf: csrfFrom(form.text),
    token: link.searchParams.get('token')!,
    name: 'Tao Tech',
    password: 'wrench lantern harbor',
  });
  assert.equal(ok.status, 303);
  assert.equal(ok.location, '/tasks');
  assert.equal((await tech.get('/tasks')).status, 200, 'signed in as the new member');
  assert.equal((await tech.get('/settings/mcp')).status, 403);
  const again = await client(mailApp).get(pathOf(link));
  assert.equal(again.status, 410);
  assert.match(again.text, /This invitation was used already/);
  const audit = await listAudit(db, ws.id, { category: 'account', limit: 5 });
  assert.ok(audit.some((e) => e.action === 'account.accept' && e.subjectName === 'Tao Tech'));
});

test('a reset link from the Team page is emailed; forgot-password mails a known address and answers an unknown one alike', async () => {
  const owner = await signedIn(mailApp, 'owner@shop.example', PW);
  const team = await owner.get('/settings/team');
  const memberId = /href="\/settings\/team\/([0-9a-f-]{36})">Max Member/.exec(team.text)![1]!;
  const r = await owner.post(`/settings/team/${memberId}/reset-link`, { _csrf: csrfFrom(team.text) });
  assert.equal(r.status, 200);
  const mail = await smtp.next('member@shop.example');
  assert.match(mail.subject, /Choose a new Taskline password \(Mail Shop\)/);
  const link = linkIn(mail.text);
  const max = client(mailApp);
  const form = await max.get(pathOf(link));
  assert.equal(form.status, 200);
  const done = await max.post('/reset', { _csrf: csrfFrom(form.text), token: link.searchParams.get('token')!, password: 'member password two' });
  assert.equal(done.status, 303);
  assert.match(done.location ?? '', /^\/signin\?reset=1/);
  assert.equal((await max.signIn('member@shop.example', 'member password two')).status, 303);

  const stranger = client(mailApp);
  const forgot = await stranger.get('/forgot');
  assert.match(forgot.text, /We send a link/);
  const known = await stranger.post('/forgot', { _csrf: csrfFrom(forgot.text), email: 'Member@Shop.example' });
  const unknown = await stranger.post('/forgot', { _csrf: csrfFrom(forgot.text), email: 'nobody@shop.example' });
  assert.equal(known.status, 200);
  assert.equal(unknown.status, 200);
  const strip = (t: string) => t.replace(/name="_csrf" value="[^"]+"/, '');
  assert.equal(strip(known.text), strip(unknown.text), 'the answer does not say whether the address has an account');
  const emailed = await smtp.next('member@shop.example');
  const reset = linkIn(emailed.text);
  assert.equal(reset.pathname, '/reset');
  assert.match(emailed.text, /asked to reset the password/);
  assert.equal((await client(mailApp).get(pathOf(reset))).status, 200, 'the emailed link opens');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(smtp.received.filter((m) => m.to.includes('nobody@shop.example')).length, 0, 'nothing is sent to an address without an account');
});

test('without SMTP_URL nothing is sent: the link is shown to pass on, and forgot-password says to ask an admin', async () => {
  const before = smtp.received.length;
  const owner = await signedIn(plainApp, 'owner@shop.example', PW);
  const r = await owner.post('/settings/team/invite', { _csrf: await owner.csrf('/settings/team'), email: 'quiet@shop.example', role: 'admin' });
  assert.equal(r.status, 200);
  assert.match(r.text, /one-time-link/);
  assert.doesNotMatch(r.text, /emailed/);
  const forgot = await client(plainApp).get('/forgot');
  assert.match(forgot.text, /does not send email/);
  assert.match(forgot.text, /Ask an owner or admin/);
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(smtp.received.length, before, 'no mail went out');
});

/** The id of the session the page was rendered for (the row marked "this browser"). */
const thisSession = (html: string) =>
  /<span class="cell-sub">this browser<\/span><\/td>[\s\S]*?action="\/account\/sessions\/([0-9a-f-]{36})\/end"/.exec(html)![1]!;

test('the account page: change the name, list sessions, sign another one out; a wrong current password changes nothing', async () => {
  const a = await signedIn(plainApp, 'owner@shop.example', PW);
  const b = await signedIn(plainApp, 'owner@shop.example', PW);
  const page = await a.get('/account');
  assert.equal(page.status, 200);
  const idA = thisSession(page.text);
  const idB = thisSession((await b.get('/account')).text);
  assert.notEqual(idA, idB);
  assert.match(page.text, new RegExp(`/account/sessions/${idB}/end`), 'b is listed on a’s page');
  const ended = await a.post(`/account/sessions/${idB}/end`, { _csrf: csrfFrom(page.text) });
  assert.equal(ended.status, 303);
  assert.equal((await b.get('/tasks')).status, 303, 'b is signed out');
  assert.equal((await a.get('/tasks')).status, 200, 'a stays');
  assert.doesNotMatch((await a.get('/account')).text, new RegExp(idB));

  const wrong = await a.post('/account/password', { _csrf: csrfFrom(page.text), current: 'not my password', next: 'whatever new password' });
  assert.equal(wrong.status, 400);
  assert.match(wrong.text, /current password is not right/);
  assert.equal((await client(plainApp).signIn('owner@shop.example', PW)).status, 303, 'the password did not change');
  const renamed = await a.post('/account/name', { _csrf: csrfFrom(page.text), name: 'Oona O.' });
  assert.equal(renamed.status, 303);
  assert.match((await a.get('/account')).text, /value="Oona O\."/);
  await a.post('/account/name', { _csrf: csrfFrom(page.text), name: 'Oona Owner' });

  const self = await a.post(`/account/sessions/${idA}/end`, { _csrf: csrfFrom(page.text) });
  assert.equal(self.location, '/signin?signedout=1', 'ending this browser’s own session signs it out');
  assert.equal((await a.get('/tasks')).status, 303);
});

test('the audit log filters account events and exports who they were about', async () => {
  const owner = await signedIn(plainApp, 'owner@shop.example', PW);
  const page = await owner.get('/settings/mcp/audit?category=account');
  assert.equal(page.status, 200);
  assert.match(page.text, /Invitation sent/);
  assert.doesNotMatch(page.text, /Tool call/);
  const csv = await owner.get('/settings/mcp/audit.csv?category=account');
  const [header, ...rows] = csv.text.trim().split('\r\n');
  assert.match(header!, /"subject_user","detail"$/);
  assert.ok(rows.some((r) => r.includes('"account.invite"') && r.includes('quiet@shop.example as admin')));
  assert.ok(rows.every((r) => r.includes('"account.')));
});
