/**
 * A hosted assistant connecting through OAuth, end to end: the official MCP client (v2, with its OAuth support)
 * meets a 401, discovers the metadata, registers — by Client ID Metadata Document (served on 127.0.0.1, allowed by
 * OAUTH_CIMD_ALLOW_LOOPBACK in this test only) and, separately, by Dynamic Client Registration — and real Chromium
 * signs in and approves the consent page; the client then lists and calls tools, refreshes, and is refused once the
 * admin disconnects it in the web app.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import {
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import { testDb, type TestDb } from '../helpers/db.ts';
import { startTestApp, workspaceWithToken, type TestApp } from '../helpers/app.ts';
import { freePort } from '../helpers/proc.ts';
import { startDocumentServer } from '../helpers/oauth.ts';
import { createUser } from '../../src/domain/users.ts';
import { createTask } from '../../src/domain/tasks.ts';
import { listCredentials } from '../../src/domain/credentials.ts';
import { launchBrowser, screenshot, watchConsole } from './browser.ts';

let db: TestDb;
let app: TestApp;
let base: string;
let browser: Browser;
let page: Page;
let consoleProblems: string[];
let docs: Awaited<ReturnType<typeof startDocumentServer>>;
let callback: Awaited<ReturnType<typeof startCallbackListener>>;
let fx: Awaited<ReturnType<typeof workspaceWithToken>>;
const PW = 'a-long-enough-password';

/** The assistant's redirect_uri: a listener that hands each callback's query to the test. */
async function startCallbackListener() {
  const waiting: ((q: URLSearchParams) => void)[] = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('You can close this window.');
    if (u.pathname === '/callback') waiting.shift()?.(u.searchParams);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
    next: () => new Promise<URLSearchParams>((r) => waiting.push(r)),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** What an assistant keeps between steps; the authorization URL is handed to the browser instead of opened. */
class TestProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  lastState: string | undefined;
  private client: StoredOAuthClientInformation | undefined;
  private stored: StoredOAuthTokens | undefined;
  private verifier: string | undefined;
  private discovery: OAuthDiscoveryState | undefined;
  constructor(
    readonly redirectUrl: string,
    readonly name: string,
    /** A metadata document URL used as the client_id (the client's own CIMD path insists on https). */
    documentUrl?: string,
  ) {
    if (documentUrl) this.client = { client_id: documentUrl };
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.name,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  state() {
    this.lastState = randomBytes(16).toString('base64url');
    return this.lastState;
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: StoredOAuthClientInformation) {
    this.client = info;
  }
  tokens() {
    return this.stored;
  }
  saveTokens(t: StoredOAuthTokens) {
    this.stored = t;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    if (!this.verifier) throw new Error('no code verifier saved');
    return this.verifier;
  }
  saveDiscoveryState(s: OAuthDiscoveryState) {
    this.discovery = s;
  }
  discoveryState() {
    return this.discovery;
  }
  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery') {
    if (scope === 'all' || scope === 'client') this.client = undefined;
    if (scope === 'all' || scope === 'tokens') this.stored = undefined;
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
    if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
  }
  /** The access token as the server will no longer take it: the next request is a 401, and the client refreshes. */
  spoilAccessToken() {
    if (this.stored) this.stored = { ...this.stored, access_token: 'expired' };
  }
}

before(async () => {
  db = await testDb();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  app = await startTestApp(db, { PORT: String(port), PUBLIC_URL: base, OAUTH_CIMD_ALLOW_LOOPBACK: '1' });
  fx = await workspaceWithToken(db, 'Harbor Appliance');
  await createUser(db, fx.ws.id, { email: 'owner@harbor.example', name: 'Hana Owner', role: 'owner', password: PW });
  await createTask(db, fx.ws.id, { title: 'Dryer squeaks' });
  docs = await startDocumentServer();
  callback = await startCallbackListener();
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
  consoleProblems = watchConsole(page);
});
after(async () => {
  await browser?.close();
  await callback?.close();
  await docs?.close();
  await app?.close();
  await db?.cleanup();
});

/** Open the authorization URL; sign in if asked; approve; the callback's query. */
async function approveInBrowser(authUrl: URL, shot: string): Promise<URLSearchParams> {
  await page.goto(authUrl.href);
  if (new URL(page.url()).pathname === '/signin') {
    await page.fill('#email', 'owner@harbor.example');
    await page.fill('#password', PW);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  }
  assert.match((await page.locator('h1').textContent()) ?? '', /^Connect .+ to Harbor Appliance\?$/);
  await screenshot(page, shot);
  const answered = callback.next();
  await Promise.all([page.waitForURL((u) => u.href.startsWith(callback.url)), page.click('button[value="allow"]')]);
  return answered;
}

/** connect → 401 → browser approval → finishAuth → a connected client. */
async function connectThroughOAuth(provider: TestProvider, shot: string): Promise<Client> {
  const url = new URL(app.mcpUrl(fx.ws.id));
  const first = new Client({ name: 'oauth-e2e', version: '1.0.0' });
  const firstTransport = new StreamableHTTPClientTransport(url, { authProvider: provider });
  await assert.rejects(first.connect(firstTransport), UnauthorizedError, 'the server asks for authorization');
  assert.ok(provider.authorizationUrl, 'the client found the authorization endpoint from the 401');
  assert.equal(provider.authorizationUrl.origin, base);
  assert.equal(provider.authorizationUrl.searchParams.get('resource'), app.mcpUrl(fx.ws.id));
  const q = await approveInBrowser(provider.authorizationUrl, shot);
  assert.equal(q.get('state'), provider.lastState, 'state comes back unchanged');
  assert.equal(q.get('iss'), base);
  await firstTransport.finishAuth(q);
  const client = new Client({ name: 'oauth-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
  return client;
}

test('claude.ai-style: a metadata document client connects, works, refreshes, and is refused once disconnected in the web app', async () => {
  const documentUrl = docs.publish('/claude-like.json', {
    client_name: 'Claude (test)',
    redirect_uris: [callback.url],
    token_endpoint_auth_method: 'none',
  });
  const provider = new TestProvider(callback.url, 'Claude (test)', documentUrl);
  const client = await connectThroughOAuth(provider, 'oauth-consent');
  const tools = await client.listTools();
  assert.deepEqual(
    tools.tools.map((t) => t.name),
    ['workspaceSummary', 'listWorkspaceTasks', 'searchWorkspaceTasks', 'getTaskDetails', 'listTaskComments'],
  );
  const summary = await client.callTool({ name: 'searchWorkspaceTasks', arguments: { query: 'dryer' } });
  assert.equal(summary.isError, undefined);
  assert.match(JSON.stringify(summary.content), /Dryer squeaks/);

  const before = provider.tokens()!;
  provider.spoilAccessToken();
  await client.listTools();
  const after = provider.tokens()!;
  assert.notEqual(after.access_token, 'expired', 'refreshed after the 401');
  assert.notEqual(after.refresh_token, before.refresh_token, 'and the refresh token rotated');

  // The admin disconnects it on the AI assistants page.
  await page.goto(`${base}/settings/mcp`);
  const row = page.locator('section[aria-labelledby="apps-h"] tbody tr', { hasText: 'Claude (test)' });
  assert.equal(await row.count(), 1, 'listed under Connected apps');
  assert.match((await row.textContent()) ?? '', /127\.0\.0\.1/);
  assert.match((await row.textContent()) ?? '', /Hana Owner/);
  await screenshot(page, 'oauth-connected-apps');
  await Promise.all([page.waitForNavigation(), row.locator('a', { hasText: 'Revoke' }).click()]);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Disconnect app")')]);
  assert.equal(new URL(page.url()).pathname, '/settings/mcp');
  await assert.rejects(client.listTools(), 'the next request is refused (and the refresh token no longer works)');
  const [grant] = await listCredentials(db, fx.ws.id, 'oauth');
  assert.equal(grant?.state, 'revoked');
  await client.close().catch(() => {});
});

test('ChatGPT-style: dynamic client registration, then the same consent and tools', async () => {
  const provider = new TestProvider(callback.url, 'Registered (test)');
  const client = await connectThroughOAuth(provider, 'oauth-consent-registered');
  assert.match(String(provider.clientInformation()?.client_id), /^tlc_/, 'registered here');
  const r = await client.callTool({ name: 'workspaceSummary', arguments: {} });
  assert.equal(r.isError, undefined);
  await client.close();
  assert.deepEqual(consoleProblems, [], 'no console errors or CSP violations on the sign-in and consent pages');
});
