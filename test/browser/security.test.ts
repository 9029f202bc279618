// Security behaviour seen from a real browser: escaping (no script runs), CSRF and cross-origin forms refused,
// members kept out of settings, sign-in throttled after repeated wrong passwords, sign-out.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { testDb, type TestDb } from '../helpers/db.ts';
import { startTestApp, workspaceWithToken, type TestApp } from '../helpers/app.ts';
import { createUser } from '../../src/domain/users.ts';
import { createCustomer } from '../../src/domain/customers.ts';
import { createTask } from '../../src/domain/tasks.ts';
import { addComment, listComments } from '../../src/domain/comments.ts';
import { getWorkspace } from '../../src/domain/workspaces.ts';
import { launchBrowser, screenshot, watchConsole } from './browser.ts';

const XSS = '<img src=x onerror=alert(1)>';

let db: TestDb;
let app: TestApp;
let browser: Browser;
let base: string;
let fx: Awaited<ReturnType<typeof workspaceWithToken>>;
let taskNumber: number;
let taskId: number;
const ADMIN = { email: 'owner@xss.example', password: 'owner-password-1' };
const MEMBER = { email: 'member@xss.example', password: 'member-password-1' };

async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto(`${base}/signin`);
  await page.fill('#email', who.email);
  await page.fill('#password', who.password);
  const [res] = await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  return res;
}

before(async () => {
  db = await testDb();
  app = await startTestApp(db);
  base = `http://127.0.0.1:${app.port}`;
  fx = await workspaceWithToken(db, 'Escaping & Co <b>bold</b>');
  await createUser(db, fx.ws.id, { ...ADMIN, name: 'Olive Owner', role: 'owner' });
  await createUser(db, fx.ws.id, { ...MEMBER, name: 'Mel <i>Member</i>', role: 'member' });
  const customer = await createCustomer(db, fx.ws.id, { name: `Eve ${XSS}`, phone: '555-010-9999', email: 'eve@example.com' });
  const task = await createTask(db, fx.ws.id, {
    title: `<script>alert("title")</script> Fridge`,
    description: `Line one\n${XSS}\n<a href="javascript:alert(3)">click</a>`,
    customerId: customer.id,
  });
  taskNumber = task.number;
  taskId = task.id;
  await addComment(db, fx.ws.id, { taskId, authorKind: 'assistant', authorName: `Claude ${XSS}`, body: `From the assistant: ${XSS}` });
  await addComment(db, fx.ws.id, { taskId, authorKind: 'customer', authorName: 'Eve', body: '"><svg onload=alert(4)>' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.close();
  await db?.cleanup();
});

test('user content renders as text: no element injected, no dialog fires', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const problems = watchConsole(page);
  try {
    await signIn(page, ADMIN);
    await page.goto(`${base}/tasks/${taskNumber}`);
    await page.fill('#body', `Staff says ${XSS}`);
    await Promise.all([page.waitForNavigation(), page.click('#comments button[type="submit"]')]);

    const bodies = await page.locator('.comment-body').allTextContents();
    assert.deepEqual(bodies, [`From the assistant: ${XSS}`, '"><svg onload=alert(4)>', `Staff says ${XSS}`]);
    assert.deepEqual(await page.locator('.comment .badge').allTextContents(), ['Assistant', 'Customer', 'Staff']);
    assert.equal(await page.locator('main img, main svg, main script').count(), 0, 'no element was injected');
    assert.equal(await page.locator('h1 .tnum + span').textContent(), '<script>alert("title")</script> Fridge');
    assert.match((await page.locator('.description').textContent()) ?? '', /<img src=x onerror=alert\(1\)>/);
    assert.equal(await page.locator('.description a').count(), 0);
    assert.match((await page.locator('#cust-h + dl').textContent()) ?? '', /Eve <img src=x onerror=alert\(1\)>/);
    await screenshot(page, 'xss-task-page');

    // The same content in lists and search results.
    for (const path of ['/tasks', `/tasks?q=${encodeURIComponent('fridge')}`, '/customers', `/customers?q=eve`]) {
      await page.goto(`${base}${path}`);
      assert.equal(await page.locator('main img, main svg, main script').count(), 0, `${path}: no element injected`);
    }
    await page.goto(`${base}/tasks?q=${encodeURIComponent(XSS)}`);
    assert.equal(await page.locator('main img').count(), 0, 'the echoed query is text');
    assert.equal(await page.locator('.ws-name').textContent(), 'Escaping & Co <b>bold</b>');
    await page.waitForTimeout(200);
    assert.deepEqual(dialogs, [], 'no alert() ran');
    assert.deepEqual(problems, []);
  } finally {
    await ctx.close();
  }
});

test('a form POST without its CSRF token, or with a wrong one, gets 403 and changes nothing', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  try {
    await signIn(page, ADMIN);
    const before = (await listComments(db, fx.ws.id, taskId, { limit: 100 })).comments.length;
    await page.goto(`${base}/tasks/${taskNumber}`);
    await page.fill('#body', 'should not be saved');
    await page.evaluate(() => document.querySelector('#comments input[name="_csrf"]')!.remove());
    const [res] = await Promise.all([page.waitForNavigation(), page.click('#comments button[type="submit"]')]);
    assert.equal(res?.status(), 403);
    assert.match((await page.locator('h1').textContent()) ?? '', /could not be accepted/);
    assert.match((await page.locator('main').textContent()) ?? '', /reload the page/);
    await screenshot(page, 'csrf-403');

    await page.goto(`${base}/settings/mcp`);
    await page.evaluate(() => {
      (document.querySelector('#ws-h ~ form input[name="_csrf"]') as HTMLInputElement).value = 'forged';
      (document.querySelector('#ws-h ~ form input[name="mcpEnabled"]') as HTMLInputElement).checked = false;
    });
    const [res2] = await Promise.all([page.waitForNavigation(), page.click('#ws-h ~ form button[type="submit"]')]);
    assert.equal(res2?.status(), 403);
    assert.equal((await getWorkspace(db, fx.ws.id))!.mcpEnabled, true);
    assert.equal((await listComments(db, fx.ws.id, taskId, { limit: 100 })).comments.length, before);
  } finally {
    await ctx.close();
  }
});

test('a form on another origin posting to the app is refused even with the session cookie', async () => {
  // Another port on the same host is the same *site*, so SameSite=Lax still sends the cookie: the Origin check stops it.
  const evil = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><form method="post" action="${base}/settings/mcp/workspace">
      <input type="hidden" name="_csrf" value="guess"><input type="hidden" name="minVerificationFactors" value="1">
      <button id="go">Win a prize</button></form>`);
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  try {
    await signIn(page, ADMIN);
    await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    const [res] = await Promise.all([page.waitForNavigation(), page.click('#go')]);
    assert.equal(res?.status(), 403);
    assert.match((await page.locator('main').textContent()) ?? '', /another website/);
    const ws = (await getWorkspace(db, fx.ws.id))!;
    assert.equal(ws.mcpEnabled, true);
    assert.equal(ws.minVerificationFactors, 2);
  } finally {
    await ctx.close();
    evil.close();
  }
});

test('a member sees tasks but gets 403 on settings', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  try {
    const res = await signIn(page, MEMBER);
    assert.equal(res?.status(), 200);
    assert.equal(await page.locator('h1').textContent(), 'Tasks');
    assert.equal(await page.locator('.mainnav a', { hasText: 'AI assistants' }).count(), 0, 'no settings link for members');
    assert.equal(await page.locator('.userbox .who').textContent(), 'Mel <i>Member</i> Member');
    for (const path of ['/settings/mcp', '/settings/mcp/audit', '/settings/mcp/audit.csv', `/settings/mcp/credentials/${fx.credentialId}`]) {
      const r = await page.goto(`${base}${path}`);
      assert.equal(r?.status(), 403, path);
    }
    await page.goto(`${base}/settings/mcp`);
    assert.match((await page.locator('main').textContent()) ?? '', /owners and admins/);
    await screenshot(page, 'member-403');
  } finally {
    await ctx.close();
  }
});

test('wrong password 11 times → sign-in throttled (429), even for the right password', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  try {
    await page.goto(`${base}/signin`);
    await screenshot(page, 'signin');
    for (let i = 1; i <= 11; i++) {
      await page.fill('#email', MEMBER.email);
      await page.fill('#password', `wrong-${i}`);
      const [res] = await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
      const notice = (await page.locator('.notice-error').textContent()) ?? '';
      if (i <= 10) {
        assert.equal(res?.status(), 401, `attempt ${i}`);
        assert.match(notice, /Wrong email or password/);
      } else {
        assert.equal(res?.status(), 429, `attempt ${i}`);
        assert.match(notice, /Too many failed sign-in attempts/);
        assert.match(notice, /paused for about \d+ minutes/);
      }
    }
    assert.equal(await page.inputValue('#email'), MEMBER.email, 'the email stays filled in');
    await screenshot(page, 'signin-throttled');
    await page.fill('#password', MEMBER.password);
    const [res] = await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    assert.equal(res?.status(), 429, 'throttled even with the right password');
    // Another account from the same browser still signs in (the per-IP limit is higher).
    const ok = await signIn(page, ADMIN);
    assert.equal(ok?.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/tasks');
  } finally {
    await ctx.close();
  }
});

test('sign out ends the session; pages then ask to sign in again', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  try {
    await signIn(page, ADMIN);
    const cookie = (await ctx.cookies()).find((c) => c.name === 'tl_session');
    assert.ok(cookie?.httpOnly, 'HttpOnly session cookie');
    assert.equal(cookie?.sameSite, 'Lax');
    assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read the cookies');
    await Promise.all([page.waitForNavigation(), page.click('.userbox button')]);
    assert.equal(new URL(page.url()).pathname, '/signin');
    assert.match((await page.locator('.notice').textContent()) ?? '', /signed out/);
    await page.goto(`${base}/tasks/${taskNumber}`);
    assert.equal(new URL(page.url()).pathname, '/signin');
    assert.equal(new URL(page.url()).searchParams.get('next'), `/tasks/${taskNumber}`);
    // Signing in again returns to the page asked for.
    await page.fill('#email', ADMIN.email);
    await page.fill('#password', ADMIN.password);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    assert.equal(new URL(page.url()).pathname, `/tasks/${taskNumber}`);
    const r = await page.goto(`${base}/tasks/999999`);
    assert.equal(r?.status(), 404);
    assert.match((await page.locator('h1').textContent()) ?? '', /no task #999999/);
    await screenshot(page, 'not-found');
  } finally {
    await ctx.close();
  }
});
