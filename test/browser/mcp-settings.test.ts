// The staff web app in real Chromium: the demo admin signs in, creates a credential, an MCP client uses its token,
// the admin revokes it; comment permissions toggled in the UI reach tools/list; screenshots of the main pages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { testDb, type TestDb } from '../helpers/db.ts';
import { connectClient, rpc, startTestApp, type TestApp } from '../helpers/app.ts';
import { bootstrapDemo, DEMO_ADMIN_EMAIL, type DemoCreated } from '../../src/app/demo.ts';
import { listAudit } from '../../src/domain/audit.ts';
import { getWorkspace } from '../../src/domain/workspaces.ts';
import { launchBrowser, screenshot, signInWithKeyboard, watchConsole } from './browser.ts';

let db: TestDb;
let app: TestApp;
let demo: DemoCreated;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;
let consoleProblems: string[];

before(async () => {
  db = await testDb();
  demo = (await bootstrapDemo(db))!;
  app = await startTestApp(db);
  base = `http://127.0.0.1:${app.port}`;
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  consoleProblems = watchConsole(page);
});
after(async () => {
  await browser?.close();
  await app?.close();
  await db?.cleanup();
});

test('the demo admin signs in with the keyboard and sees the demo tasks', async () => {
  const res = await signInWithKeyboard(page, base, DEMO_ADMIN_EMAIL, demo.adminPassword);
  assert.equal(res?.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/tasks');
  assert.equal(await page.locator('h1').textContent(), 'Tasks');
  assert.equal(await page.locator('table.data tbody tr').count(), 25, 'a full first page');
  assert.ok(await page.locator('a[rel="next"]').isVisible(), 'a next-page link');
  await screenshot(page, 'task-list');

  // Keyset pages: the second page continues where the first ended.
  const firstPage = await page.locator('table.data tbody tr td.num').allTextContents();
  await Promise.all([page.waitForNavigation(), page.click('a[rel="next"]')]);
  const secondPage = await page.locator('table.data tbody tr td.num').allTextContents();
  assert.equal(secondPage.length, 25);
  assert.equal(secondPage.filter((n) => firstPage.includes(n)).length, 0, 'the second page does not repeat the first');

  // Filters.
  await page.goto(`${base}/tasks`);
  await page.selectOption('#status', 'done');
  await page.selectOption('#priority', 'high');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button[type="submit"]')]);
  const rows = page.locator('table.data tbody tr');
  assert.ok((await rows.count()) > 0);
  assert.equal(await page.locator('table.data tbody .badge.b-done').count(), await rows.count(), 'only done tasks');
  assert.equal(await page.locator('table.data tbody .badge.b-high').count(), await rows.count(), 'only high priority');

  // The search box uses the MCP search: a phone number in another format finds Russell Hale's tasks.
  await page.goto(`${base}/tasks`);
  await page.fill('#q', '(703) 597 4534');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  const hits = await page.locator('table.data tbody tr').count();
  assert.ok(hits >= 5, `Russell's tasks found (${hits})`);
  assert.match((await page.locator('table.data tbody').textContent()) ?? '', /Russell Hale/);
  assert.match((await page.locator('table.data tbody').textContent()) ?? '', /matched on phone/);
});

test('task page: details, customer, comments with author badges; staff comment and status change', async () => {
  await page.goto(`${base}/tasks?q=${encodeURIComponent('dishwasher not draining russell')}`);
  await Promise.all([page.waitForNavigation(), page.locator('table.data tbody tr td.title-cell a').first().click()]);
  assert.match(page.url(), /\/tasks\/\d+$/);
  assert.match((await page.locator('h1').textContent()) ?? '', /Dishwasher not draining/);
  assert.match((await page.locator('#cust-h + dl').textContent()) ?? '', /Russell Hale.*703-597-4534/s);
  assert.equal(await page.locator('.comment .badge.b-customer').count(), 1, 'the customer comment is badged "Customer"');

  await page.fill('#body', 'Called back; arriving Tuesday 9–11am.');
  await Promise.all([page.waitForNavigation(), page.click('#comments button[type="submit"]')]);
  assert.match((await page.locator('.notice').textContent()) ?? '', /Comment added/);
  const last = page.locator('.comment').last();
  assert.match((await last.textContent()) ?? '', /Called back; arriving Tuesday/);
  assert.equal(await last.locator('.badge').textContent(), 'Staff');

  await page.selectOption('#t-status', 'in_progress');
  await page.selectOption('#t-priority', 'urgent');
  await Promise.all([page.waitForNavigation(), page.click('#update-h + form button[type="submit"]')]);
  assert.match((await page.locator('.page-head .kv').textContent()) ?? '', /In progress.*Urgent/s);
  await screenshot(page, 'task-page');
});

let token: string;
let credentialName: string;

test('create a credential in the UI → the token shown once works with the official MCP SDK client → revoke → 401', async () => {
  await page.goto(`${base}/settings/mcp`);
  assert.equal(await page.locator('h1').textContent(), 'AI assistants (MCP)');
  assert.match((await page.locator('#endpoint-url').textContent()) ?? '', new RegExp(`/app/api/mcp/server/${demo.workspaceId}$`));
  // The demo's credential is listed by preview only.
  const table = (await page.locator('table.data').first().textContent()) ?? '';
  assert.match(table, /Demo assistant/);
  assert.match(table, /mcp_live_[\w-]{4}…[\w-]{4}/);
  assert.ok(!table.includes(demo.token), 'the full token is never shown again');
  await screenshot(page, 'mcp-settings');

  credentialName = 'Front desk voice agent';
  await page.fill('#cred-name', credentialName);
  await page.selectOption('#cred-expires', '90');
  await Promise.all([page.waitForNavigation(), page.click('#create button[type="submit"]')]);
  assert.match((await page.locator('#token-h').textContent()) ?? '', /Copy the token/);
  assert.match((await page.locator('.token-dialog .notice-warn').textContent()) ?? '', /shown only once/);
  token = ((await page.locator('#token').textContent()) ?? '').trim();
  assert.match(token, /^mcp_live_[A-Za-z0-9_-]{43}$/);
  // Ready-to-paste configurations carry the endpoint and the token.
  const configs = (await page.locator('.config pre').allTextContents()).join('\n');
  for (const needle of ['claude mcp add --transport http taskline', 'mcp-remote', '"mcpServers"', '"servers"', `Bearer ${token}`])
    assert.ok(configs.includes(needle), `configs include ${needle}`);
  // The copy button works (clipboard in a secure context; 127.0.0.1 is one).
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await page.click('button[data-copy="token"]');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
  await screenshot(page, 'token-dialog');

  const client = await connectClient(app.mcpUrl(demo.workspaceId), token);
  try {
    const { tools } = await client.listTools();
    assert.ok(tools.some((t) => t.name === 'searchWorkspaceTasks'));
    assert.ok(!tools.some((t) => t.name === 'addCustomerComment'));

    // The token is not shown again: the settings page lists its preview.
    await page.goto(`${base}/settings/mcp`);
    assert.ok(!(await page.content()).includes(token));
    const row = page.locator('table.data tbody tr', { hasText: credentialName });
    assert.match((await row.textContent()) ?? '', new RegExp(`${token.slice(0, 13)}…${token.slice(-4)}`));
    assert.match((await row.textContent()) ?? '', /Alex Admin/);

    // Revoke, with a confirmation step.
    await Promise.all([page.waitForNavigation(), row.locator('a', { hasText: 'Revoke' }).click()]);
    assert.match((await page.locator('h1').textContent()) ?? '', /Revoke “Front desk voice agent”\?/);
    await Promise.all([page.waitForNavigation(), page.click('button.btn-danger')]);
    assert.match((await page.locator('.notice').textContent()) ?? '', /revoked/i);
    assert.match((await page.locator('table.data tbody tr', { hasText: credentialName }).textContent()) ?? '', /Revoked/);

    await assert.rejects(client.listTools(), (err: { code?: number; message: string }) => err.code === 401 && /revoked/.test(err.message));
  } finally {
    await client.close().catch(() => {});
  }
  const raw = await rpc(app.mcpUrl(demo.workspaceId), { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { token });
  assert.equal(raw.status, 401);
  assert.match(raw.text, /revoked/);

  const audit = await listAudit(db, demo.workspaceId, { limit: 20 });
  assert.ok(audit.some((a) => a.action === 'credential.create' && a.outcome === 'ok'));
  assert.ok(audit.some((a) => a.action === 'credential.revoke' && a.userId));
});

test('allow customer comments on the workspace and the credential → addCustomerComment appears in tools/list', async () => {
  await page.goto(`${base}/settings/mcp`);
  await page.fill('#cred-name', 'Comments assistant');
  await Promise.all([page.waitForNavigation(), page.click('#create button[type="submit"]')]);
  const t = ((await page.locator('#token').textContent()) ?? '').trim();
  const client = await connectClient(app.mcpUrl(demo.workspaceId), t);
  try {
    const names = async () => (await client.listTools()).tools.map((x) => x.name);
    assert.ok(!(await names()).includes('addCustomerComment'));

    // Workspace switch first: not enough on its own.
    await page.goto(`${base}/settings/mcp`);
    assert.equal(await page.isChecked('#ws-h ~ form input[name="allowCustomerComments"]'), false);
    await page.check('#ws-h ~ form input[name="allowCustomerComments"]');
    await Promise.all([page.waitForNavigation(), page.click('#ws-h ~ form button[type="submit"]')]);
    assert.match((await page.locator('.notice').textContent()) ?? '', /Workspace settings saved/);
    assert.equal((await getWorkspace(db, demo.workspaceId))!.allowCustomerComments, true);
    assert.ok(!(await names()).includes('addCustomerComment'), 'the credential does not allow it yet');

    // Then the credential.
    await Promise.all([
      page.waitForNavigation(),
      page.locator('table.data tbody tr', { hasText: 'Comments assistant' }).locator('a', { hasText: 'Manage' }).click(),
    ]);
    await page.check('#policy-h + form input[name="allowCustomerComments"]');
    await Promise.all([page.waitForNavigation(), page.click('#policy-h + form button[type="submit"]')]);
    assert.match((await page.locator('.notice').textContent()) ?? '', /Credential saved/);
    assert.match((await page.locator('#eff-h + ul').textContent()) ?? '', /addCustomerComment/);
    await screenshot(page, 'credential-page');
    assert.ok((await names()).includes('addCustomerComment'));

    const audit = await listAudit(db, demo.workspaceId, { limit: 10 });
    const ws = audit.find((a) => a.action === 'workspace.update');
    assert.ok(ws && ws.outcome === 'ok' && ws.userId, 'workspace.update audited with the user');
  } finally {
    await client.close();
  }
});

test('audit log: filters, pages and CSV export', async () => {
  await page.goto(`${base}/settings/mcp/audit`);
  const rows = await page.locator('table.data tbody tr').count();
  assert.ok(rows >= 5, `audit rows (${rows})`);
  assert.match((await page.locator('table.data').textContent()) ?? '', /searchWorkspaceTasks|tools|Credential created/);
  await page.selectOption('#a-outcome', 'ok');
  await page.selectOption('#a-cred', { label: 'Comments assistant' });
  await Promise.all([page.waitForNavigation(), page.click('form[aria-label="Filter the audit log"] button[type="submit"]')]);
  const filtered = (await page.locator('table.data tbody').textContent()) ?? '';
  assert.ok(!filtered.includes('Front desk voice agent'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href^="/settings/mcp/audit.csv"]')]);
  const stream = await download.createReadStream();
  let csv = '';
  for await (const chunk of stream) csv += chunk;
  assert.match(csv.split('\r\n')[0]!, /^"time_utc","action","outcome","credential"/);
  assert.ok(csv.includes('Comments assistant'));
  assert.ok(!csv.includes('Front desk voice agent'), 'the export uses the same filters');
  await screenshot(page, 'audit-log');
});

test('customers list and customer page; create a task for a new customer', async () => {
  await page.goto(`${base}/customers`);
  assert.ok((await page.locator('table.data tbody tr').count()) > 10);
  await page.fill('#cq', 'russel hale');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  await Promise.all([page.waitForNavigation(), page.locator('table.data a', { hasText: 'Russell Hale' }).first().click()]);
  assert.equal(await page.locator('h1').textContent(), 'Russell Hale');
  assert.ok((await page.locator('table.data tbody tr').count()) >= 5);
  await screenshot(page, 'customer-page');

  await page.goto(`${base}/tasks/new`);
  await page.check('input[name="customerMode"][value="new"]');
  await page.fill('#customerName', 'Zoë O’Brien');
  await page.fill('#customerPhone', '+1 (555) 010-2233');
  await page.fill('#title', 'Range hood fan rattles');
  await screenshot(page, 'task-new');
  await page.fill('#description', 'Noise at high speed.\nLoose blade?');
  await page.selectOption('#n-priority', 'high');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/tasks"] button[type="submit"]')]);
  assert.match((await page.locator('.notice').textContent()) ?? '', /Task created/);
  assert.match((await page.locator('h1').textContent()) ?? '', /Range hood fan rattles/);
  assert.match((await page.locator('#cust-h + dl').textContent()) ?? '', /Zoë O’Brien/);
  assert.equal(await page.locator('.description').textContent(), 'Noise at high speed.\nLoose blade?');
  await screenshot(page, 'task-new-result');
});

test('at 390 px the task list fits the screen (no sideways scrolling)', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await phone.addCookies(await context.cookies());
  const p = await phone.newPage();
  try {
    for (const path of ['/tasks', '/settings/mcp', '/customers']) {
      await p.goto(`${base}${path}`);
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${path} overflows by ${overflow}px at 390 px`);
    }
    await p.goto(`${base}/tasks`);
    await screenshot(p, 'task-list-390px', { fullPage: false });
    await p.goto(`${base}${new URL(page.url()).pathname}`);
    await screenshot(p, 'task-page-390px', { fullPage: false });
    await p.goto(`${base}/settings/mcp`);
    await screenshot(p, 'mcp-settings-390px', { fullPage: false });
  } finally {
    await phone.close();
  }
});

test('no console errors or CSP violations on any page visited', () => {
  assert.deepEqual(consoleProblems, []);
});
