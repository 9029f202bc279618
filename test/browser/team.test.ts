/**
 * Team accounts in real Chromium: the owner invites a technician and passes the link on; the technician joins in a
 * browser of their own and works, without settings; the owner demotes an admin, deactivates the technician — whose
 * open page then asks them to sign in — and reactivates them; a member changes their password and their other
 * browser is signed out; a reset link works once; an expired invitation gets a clear page.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { testDb, type TestDb } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { freePort } from '../helpers/proc.ts';
import { createWorkspace, type Workspace } from '../../src/domain/workspaces.ts';
import { createUser } from '../../src/domain/users.ts';
import { createTask } from '../../src/domain/tasks.ts';
import { inviteStaff } from '../../src/domain/team.ts';
import { launchBrowser, screenshot, signInWithKeyboard, watchConsole } from './browser.ts';

const OWNER_PW = 'owner password for the team';
const MEMBER_PW = 'member password for the team';
let db: TestDb;
let app: TestApp;
let base: string;
let browser: Browser;
let ws: Workspace;
let owner: Page;
/** The technician's browser, kept open from joining to being deactivated. */
let techPage: Page;
let consoleProblems: string[];
const contexts: BrowserContext[] = [];

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  consoleProblems.push(...watchConsole(page));
  return page;
}

before(async () => {
  db = await testDb();
  // Links are built from PUBLIC_URL: the browser must be on the same origin, or their cookies go elsewhere.
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  app = await startTestApp(db, { PORT: String(port), PUBLIC_URL: base });
  ws = await createWorkspace(db, { name: 'Riverside Repairs' });
  await createUser(db, ws.id, { email: 'owner@riverside.example', name: 'Rita Owner', role: 'owner', password: OWNER_PW });
  await createUser(db, ws.id, { email: 'admin@riverside.example', name: 'Arno Admin', role: 'admin', password: OWNER_PW });
  await createUser(db, ws.id, { email: 'member@riverside.example', name: 'Mara Member', role: 'member', password: MEMBER_PW });
  browser = await launchBrowser();
  consoleProblems = [];
  owner = await newPage();
  await signInWithKeyboard(owner, base, 'owner@riverside.example', OWNER_PW);
});
after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await app?.close();
  await db?.cleanup();
});

const click = (page: Page, selector: string) => Promise.all([page.waitForNavigation(), page.click(selector)]);

test('invite a technician: the link from the page, accepted in another browser; they see tasks but no settings', async () => {
  await click(owner, 'nav.mainnav a[href="/settings/team"]');
  assert.equal(await owner.locator('h1').textContent(), 'Team');
  await owner.fill('#invite-email', 'tech@riverside.example');
  await owner.selectOption('#invite-role', 'member');
  await click(owner, 'button:has-text("Create invitation")');
  const link = (await owner.locator('#one-time-link').textContent())!.trim();
  assert.match(link, /\/invite\?token=/);
  assert.ok(await owner.locator('button[data-copy="one-time-link"]').isVisible(), 'a copy button');
  await screenshot(owner, 'team-invitation-link');

  const tech = await newPage();
  await tech.goto(link);
  assert.equal(await tech.locator('h1').textContent(), 'Join Riverside Repairs');
  await tech.fill('#name', 'Theo Tech');
  await tech.fill('#password', 'copper kettle morning');
  await click(tech, 'button:has-text("Join Riverside Repairs")');
  assert.equal(new URL(tech.url()).pathname, '/tasks');
  assert.match((await tech.locator('.userbox').textContent()) ?? '', /Theo Tech/);
  assert.equal(await tech.locator('nav.mainnav a[href="/settings/team"]').count(), 0, 'no Team link');
  assert.equal(await tech.locator('nav.mainnav a[href="/settings/mcp"]').count(), 0, 'no AI assistants link');
  const settings = await tech.goto(`${base}/settings/mcp`);
  assert.equal(settings?.status(), 403);

  // Signing in again works with the chosen password.
  const again = await newPage();
  await signInWithKeyboard(again, base, 'tech@riverside.example', 'copper kettle morning');
  assert.equal(new URL(again.url()).pathname, '/tasks');

  // The link worked once.
  const reused = await (await newPage()).goto(link);
  assert.equal(reused?.status(), 410);
  techPage = tech;
});

test('the owner demotes an admin, deactivates the technician (their page then asks to sign in) and reactivates them', async () => {
  await owner.goto(`${base}/settings/team`);
  await click(owner, 'a:has-text("Arno Admin")');
  await owner.selectOption('#role', 'member');
  await click(owner, 'button:has-text("Change role")');
  assert.match((await owner.locator('.notice').textContent()) ?? '', /Role changed/);
  assert.match((await owner.locator('.sub').textContent()) ?? '', /Member/);

  const tech = techPage;
  const { rows } = await db.query<{ id: string }>("SELECT id FROM users WHERE email_lower = 'tech@riverside.example'");
  const task = await createTask(db, ws.id, { title: 'Replace oven thermostat', assigneeId: rows[0]!.id });

  await owner.goto(`${base}/settings/team`);
  await click(owner, 'a:has-text("Theo Tech")');
  await click(owner, 'button:has-text("Deactivate Theo Tech")');
  assert.match((await owner.locator('.notice').textContent()) ?? '', /Deactivated/);
  assert.match(
    (await owner.locator('#tasks-h + p + ul').textContent()) ?? '',
    new RegExp(`#${task.number} Replace oven thermostat`),
    'open tasks listed for reassignment',
  );
  await screenshot(owner, 'team-member-deactivated');

  await tech.reload();
  assert.equal(new URL(tech.url()).pathname, '/signin', 'the technician’s open page asks to sign in');
  await signInWithKeyboard(tech, base, 'tech@riverside.example', 'copper kettle morning');
  assert.equal(new URL(tech.url()).pathname, '/signin', 'and sign-in is refused');
  assert.match((await tech.locator('.notice').textContent()) ?? '', /Wrong email or password/);

  await click(owner, 'button:has-text("Reactivate Theo Tech")');
  assert.match((await owner.locator('.notice').textContent()) ?? '', /Reactivated/);
  await signInWithKeyboard(tech, base, 'tech@riverside.example', 'copper kettle morning');
  assert.equal(new URL(tech.url()).pathname, '/tasks');
});

test('a member changes their password on the account page; their other browser is signed out', async () => {
  const first = await newPage();
  const second = await newPage();
  await signInWithKeyboard(first, base, 'member@riverside.example', MEMBER_PW);
  await signInWithKeyboard(second, base, 'member@riverside.example', MEMBER_PW);
  await click(first, '.userbox a.who');
  assert.equal(await first.locator('h1').textContent(), 'Your account');
  assert.ok((await first.locator('#sessions-h + .table-wrap tbody tr').count()) >= 2, 'both browsers listed');
  await first.fill('#current', MEMBER_PW);
  await first.fill('#next', 'a brand new member passphrase');
  await click(first, 'button:has-text("Change password")');
  assert.match((await first.locator('.notice').textContent()) ?? '', /Password changed/);
  await screenshot(first, 'account-page');
  await second.reload();
  assert.equal(new URL(second.url()).pathname, '/signin', 'the other browser was signed out');
  await first.goto(`${base}/tasks`);
  assert.equal(new URL(first.url()).pathname, '/tasks', 'this one stays signed in');
});

test('a reset link works once, then is refused; an expired invitation gets a clear page', async () => {
  await owner.goto(`${base}/settings/team`);
  await click(owner, 'a:has-text("Mara Member")');
  await click(owner, 'button:has-text("Create a reset link")');
  const link = (await owner.locator('#one-time-link').textContent())!.trim();
  const member = await newPage();
  await member.goto(link);
  assert.equal(await member.locator('h1').textContent(), 'Choose a new password');
  await member.fill('#password', 'reset member passphrase');
  await click(member, 'button:has-text("Set the new password")');
  assert.equal(new URL(member.url()).pathname, '/signin');
  assert.match((await member.locator('.notice').textContent()) ?? '', /password was changed/);
  assert.equal(await member.locator('#email').inputValue(), 'member@riverside.example', 'the email is filled in');
  await signInWithKeyboard(member, base, 'member@riverside.example', 'reset member passphrase');
  assert.equal(new URL(member.url()).pathname, '/tasks');
  const reused = await member.goto(link);
  assert.equal(reused?.status(), 410);
  assert.equal(await member.locator('h1').textContent(), 'This reset link was used already');

  const late = await inviteStaff(db, ws.id, { email: 'late@riverside.example', role: 'member' }, {});
  await db.query(`UPDATE account_links SET expires_at = now() - interval '1 minute' WHERE id = $1`, [late.id]);
  const stranger = await newPage();
  const res = await stranger.goto(`${base}/invite?token=${encodeURIComponent(late.token)}`);
  assert.equal(res?.status(), 410);
  assert.equal(await stranger.locator('h1').textContent(), 'This invitation has expired');
  assert.match((await stranger.locator('main').textContent()) ?? '', /Ask whoever invited you to send a new one/);
  await screenshot(stranger, 'invitation-expired');
  assert.deepEqual(consoleProblems, [], 'no console errors or CSP violations');
});
