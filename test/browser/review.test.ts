// Security and correctness rules that live on pages, in real Chromium on the demo workspace: customers found by phone
// and email, a bad page link answered with a notice instead of a 500, and the verification policy as the settings
// page explains and enforces it. HTTP-level versions: test/hardening/review-web.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { testDb, type TestDb } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { bootstrapDemo, DEMO_ADMIN_EMAIL, type DemoCreated } from '../../src/app/demo.ts';
import { listCredentials } from '../../src/domain/credentials.ts';
import { encodeCursor } from '../../src/domain/tasks.ts';
import { launchBrowser, screenshot, signInWithKeyboard, watchConsole } from './browser.ts';

let db: TestDb;
let app: TestApp;
let demo: DemoCreated;
let browser: Browser;
let page: Page;
let base: string;
let consoleProblems: string[];

before(async () => {
  db = await testDb();
  demo = (await bootstrapDemo(db))!;
  app = await startTestApp(db);
  base = `http://127.0.0.1:${app.port}`;
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  consoleProblems = watchConsole(page);
  await signInWithKeyboard(page, base, DEMO_ADMIN_EMAIL, demo.adminPassword);
});
after(async () => {
  await browser?.close();
  await app?.close();
  await db?.cleanup();
});

test('the customers search box and the new-task picker find a customer by phone and by email', async () => {
  for (const q of ['703-597-4534', '(703) 597 4534', 'russ@example.com']) {
    await page.goto(`${base}/customers`);
    await page.fill('#cq', q);
    const [res] = await Promise.all([page.waitForNavigation(), page.press('#cq', 'Enter')]);
    assert.equal(res?.status(), 200, `customers search "${q}"`);
    assert.match((await page.locator('section[aria-label="Customer list"]').textContent()) ?? '', /Russell Hale/, `"${q}" finds Russell Hale`);
    if (q.includes('@')) await screenshot(page, 'customers-search-email');

    await page.goto(`${base}/tasks/new`);
    await page.fill('#customerQuery', q);
    const [picked] = await Promise.all([page.waitForNavigation(), page.press('#customerQuery', 'Enter')]);
    assert.equal(picked?.status(), 200, `picker "${q}"`);
    const match = page.locator('ul[aria-label="Matching customers"] a', { hasText: 'Russell Hale' });
    assert.ok((await match.count()) >= 1, `picker "${q}" lists Russell Hale`);
  }
  // Choosing him from the picker carries on to the task form.
  await Promise.all([page.waitForNavigation(), page.locator('ul[aria-label="Matching customers"] a', { hasText: 'Russell Hale' }).first().click()]);
  assert.match((await page.locator('main').textContent()) ?? '', /703-597-4534/);
});

test('a page link with an out-of-range cursor shows the first page and says so', async () => {
  const res = await page.goto(`${base}/tasks?cursor=${encodeCursor(['99999999999999999999', '1'])}`);
  assert.equal(res?.status(), 200);
  assert.match((await page.locator('.notice').first().textContent()) ?? '', /no longer valid/);
  assert.ok((await page.locator('table.data tbody tr').count()) > 0, 'the newest tasks are shown');
});

test('the settings page explains caller verification, and refuses a credential that could read the phone it verifies with', async () => {
  await page.goto(`${base}/settings/mcp`);
  const select = page.locator('#minFactors');
  assert.equal(await select.locator('option:checked').textContent(), 'Phone number + full name (recommended)');
  const options = await select.locator('option').allTextContents();
  assert.ok(
    options.every((o) => o.startsWith('Phone number')),
    options.join(' | '),
  );
  assert.match((await page.locator('#minFactors-hint').textContent()) ?? '', /cannot look up/);
  await screenshot(page, 'settings-verification');

  const before = (await listCredentials(db, demo.workspaceId)).length;
  await page.fill('#cred-name', 'Both at once');
  await page.check('#create input[name="allowCustomerComments"]');
  await page.check('#create input[name="revealCustomerContact"]');
  const [res] = await Promise.all([page.waitForNavigation(), page.click('#create button[type="submit"]')]);
  assert.equal(res?.status(), 400);
  assert.match((await page.locator('#create .notice').textContent()) ?? '', /cannot both reveal contact details and add customer comments/);
  assert.equal((await listCredentials(db, demo.workspaceId)).length, before, 'nothing was created');
  assert.equal(await page.inputValue('#cred-name'), 'Both at once', 'what was typed is kept');
});

test('no console errors or CSP violations (beyond the one 400 the refused form asserted above)', () => {
  assert.deepEqual(
    consoleProblems.filter((m) => !/status of 400/.test(m)),
    [],
  );
  assert.ok(consoleProblems.length <= 1, consoleProblems.join('\n'));
});
