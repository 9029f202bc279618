/**
 * The authorization server over real HTTP, step by step: discovery, authorize → sign-in → consent → code → tokens,
 * the MCP endpoint with an OAuth access token (same policy, audit and limits as an mcp_live_ token), refresh
 * rotation with its grace window, revocation, and every refusal with its OAuth error. Client metadata documents come
 * from a local server (OAUTH_CIMD_ALLOW_LOOPBACK=1, test configuration only).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDb, type TestDb } from '../helpers/db.ts';
import { INIT, rpc, startTestApp, workspaceWithToken, type TestApp } from '../helpers/app.ts';
import { freePort } from '../helpers/proc.ts';
import { answerConsent, authorizePath, oauthPost, pkce, startDocumentServer, type AuthorizeParams } from '../helpers/oauth.ts';
import { WebClient } from '../web/client.ts';
import { createUser } from '../../src/domain/users.ts';
import { listAudit } from '../../src/domain/audit.ts';
import { getCredential } from '../../src/domain/credentials.ts';
import { updateWorkspace } from '../../src/domain/workspaces.ts';

let db: TestDb;
let app: TestApp;
let base: string;
let docs: Awaited<ReturnType<typeof startDocumentServer>>;
let A: Awaited<ReturnType<typeof workspaceWithToken>>;
let B: Awaited<ReturnType<typeof workspaceWithToken>>;
let admin: WebClient;
let member: WebClient;
let clientId: string;
const REDIRECT = 'https://assistant.example/oauth/callback';
const PW = 'a-long-enough-password';
const CALL = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'workspaceSummary', arguments: {} } };

before(async () => {
  db = await testDb();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  app = await startTestApp(db, {
    PORT: String(port),
    PUBLIC_URL: base,
    OAUTH_CIMD_ALLOW_LOOPBACK: '1',
    RATE_LIMIT_CLIENT_REGISTRATIONS: '3',
    TRUST_PROXY: '1',
  });
  docs = await startDocumentServer();
  clientId = docs.publish('/assistant.json', { client_name: 'Test Assistant', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' });
  A = await workspaceWithToken(db, 'OAuth A');
  B = await workspaceWithToken(db, 'OAuth B');
  await createUser(db, A.ws.id, { email: 'owner@a.example', name: 'Olive Owner', role: 'owner', password: PW });
  await createUser(db, A.ws.id, { email: 'member@a.example', name: 'Max Member', role: 'member', password: PW });
  admin = new WebClient(base);
  assert.equal((await admin.signIn('owner@a.example', PW)).status, 303);
  member = new WebClient(base);
  assert.equal((await member.signIn('member@a.example', PW)).status, 303);
});
after(async () => {
  await docs?.close();
  await app?.close();
  await db?.cleanup();
});

const resourceOf = (wsId: string) => `${base}/app/api/mcp/server/${wsId}`;

/** authorize → consent (allowed) → the code; the PKCE verifier to redeem it with. */
async function authorizeCode(over: Partial<AuthorizeParams> = {}, policy?: Record<string, string | string[]>) {
  const { verifier, challenge } = pkce();
  const page = await admin.get(
    authorizePath({
      client_id: clientId,
      redirect_uri: REDIRECT,
      state: 'st-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      resource: resourceOf(A.ws.id),
      ...over,
    }),
  );
  assert.equal(page.status, 200, page.text.slice(0, 1000));
  const { query } = await answerConsent(admin, page, 'allow', policy);
  const code = query.get('code');
  assert.ok(code, `a code: ${query}`);
  return { code, verifier, query };
}

async function connect(over: Partial<AuthorizeParams> = {}, policy?: Record<string, string | string[]>) {
  const { code, verifier } = await authorizeCode(over, policy);
  const t = await oauthPost(base, '/oauth/token', {
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    client_id: clientId,
    redirect_uri: REDIRECT,
    resource: resourceOf(A.ws.id),
  });
  assert.equal(t.status, 200, JSON.stringify(t.json));
  return t.json as { access_token: string; refresh_token: string; expires_in: number; token_type: string };
}

test('discovery: authorization server metadata at the root, protected resource metadata per workspace, and every 401 points at it', async () => {
  const as = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json();
  assert.equal(as.issuer, base);
  assert.equal(as.authorization_endpoint, `${base}/oauth/authorize`);
  assert.equal(as.token_endpoint, `${base}/oauth/token`);
  assert.equal(as.registration_endpoint, `${base}/oauth/register`);
  assert.equal(as.revocation_endpoint, `${base}/oauth/revoke`);
  assert.deepEqual(as.code_challenge_methods_supported, ['S256']);
  assert.deepEqual(as.token_endpoint_auth_methods_supported, ['none']);
  assert.deepEqual(as.grant_types_supported, ['authorization_code', 'refresh_token']);
  assert.equal(as.client_id_metadata_document_supported, true);
  assert.equal(as.authorization_response_iss_parameter_supported, true);
  // The same document under a path suffix (clients that take the endpoint's path for the issuer's).
  assert.deepEqual(await (await fetch(`${base}/.well-known/oauth-authorization-server/app/api/mcp/server/${A.ws.id}`)).json(), as);

  const r401 = await rpc(app.mcpUrl(A.ws.id), INIT());
  assert.equal(r401.status, 401);
  const www = r401.headers.get('www-authenticate') ?? '';
  assert.match(www, /^Bearer realm="taskline", error="invalid_token", resource_metadata="([^"]+)"$/);
  const prmUrl = /resource_metadata="([^"]+)"/.exec(www)![1]!;
  assert.equal(prmUrl, `${base}/.well-known/oauth-protected-resource/app/api/mcp/server/${A.ws.id}`);
  const prm = await fetch(prmUrl);
  assert.equal(prm.status, 200);
  assert.equal(prm.headers.get('access-control-allow-origin'), '*');
  const doc = await prm.json();
  assert.equal(doc.resource, resourceOf(A.ws.id), 'exactly the endpoint URL, no trailing slash');
  assert.deepEqual(doc.authorization_servers, [base]);
  assert.equal((await fetch(`${base}/.well-known/oauth-protected-resource/app/api/mcp/server/00000000-0000-4000-8000-000000000000`)).status, 404);
  // A pasted mcp_live_ token works exactly as before.
  assert.equal((await rpc(app.mcpUrl(A.ws.id), INIT(), { token: A.token })).status, 200);
  const preflight = await fetch(`${base}/oauth/token`, { method: 'OPTIONS' });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
});

test('the whole flow: sign-in on the way, consent with a policy, code with state and iss, tokens, and the MCP endpoint under that policy', async () => {
  const web = new WebClient(base);
  const { verifier, challenge } = pkce();
  const path = authorizePath({
    client_id: clientId,
    redirect_uri: REDIRECT,
    state: 'xyz',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    resource: `${resourceOf(A.ws.id)}/`,
    scope: 'claudeai offline_access',
    prompt: 'consent',
  });
  const first = await web.get(path);
  assert.equal(first.status, 303, 'not signed in: off to sign in');
  const signin = new URL(first.location!, base);
  assert.equal(signin.pathname, '/signin');
  assert.equal(signin.searchParams.get('next'), path, 'and back to the very same request afterwards');
  const signed = await web.signIn('owner@a.example', PW, { next: path });
  assert.equal(signed.location, path);
  const page = await web.get(path);
  assert.equal(page.status, 200);
  assert.match(page.text, /Connect Test Assistant to OAuth A\?/);
  assert.match(page.text, /identified by <code>127\.0\.0\.1:\d+<\/code>/, 'the document host, not just its claimed name');
  assert.match(page.text, /<code>assistant\.example<\/code>/, 'where the answer goes');
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /form-action 'self' https:\/\/assistant\.example;/, 'the form may lead back to the assistant, nowhere else');
  assert.match(csp, /frame-ancestors 'none'/);

  const { query, target } = await answerConsent(web, page, 'allow', { tools: ['workspaceSummary'] });
  assert.equal(`${target.origin}${target.pathname}`, REDIRECT);
  assert.equal(query.get('state'), 'xyz');
  assert.equal(query.get('iss'), base, 'RFC 9207');
  const code = query.get('code')!;
  assert.match(code, /^tl_ac_/);

  const t = await oauthPost(base, '/oauth/token', {
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    client_id: clientId,
    redirect_uri: REDIRECT,
  });
  assert.equal(t.status, 200, JSON.stringify(t.json));
  assert.equal(t.headers.get('cache-control'), 'no-store');
  assert.equal(t.json.token_type, 'Bearer');
  assert.equal(t.json.expires_in, 3600);
  assert.match(t.json.access_token, /^tl_at_/);
  assert.match(t.json.refresh_token, /^tl_rt_/);

  const url = app.mcpUrl(A.ws.id);
  const list = await rpc(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { token: t.json.access_token });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(
    list.json.result.tools.map((x: { name: string }) => x.name),
    ['workspaceSummary'],
    'the policy chosen on the consent page',
  );
  const call = await rpc(url, CALL, { token: t.json.access_token });
  assert.equal(call.json.result.isError, undefined, call.text);
  const denied = await rpc(url, { ...CALL, params: { name: 'getTaskDetails', arguments: { taskNumber: 1 } } }, { token: t.json.access_token });
  assert.equal(denied.json.error.code, -32602, 'a tool outside the grant is refused like any credential’s');

  const audit = await listAudit(db, A.ws.id, { limit: 20 });
  const authorized = audit.find((e) => e.action === 'oauth.authorize' && e.outcome === 'ok');
  assert.ok(authorized?.credentialId && authorized.userId, 'the authorization is audited with who approved it');
  assert.ok(audit.some((e) => e.action === 'tool_call' && e.credentialId === authorized.credentialId && e.outcome === 'ok'));
  const grant = await getCredential(db, authorized.credentialId!, A.ws.id);
  assert.equal(grant?.kind, 'oauth');
  assert.equal(grant?.name, 'Test Assistant');
  const settings = await admin.get('/settings/mcp');
  assert.match(settings.text, /Connected apps/);
  assert.match(settings.text, new RegExp(`/settings/mcp/credentials/${grant!.id}"`));
});

test('refresh rotates; the previous refresh token still answers within the grace window; after it, reuse revokes the grant', async () => {
  const t = await connect();
  const r1 = await oauthPost(base, '/oauth/token', { grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: clientId });
  assert.equal(r1.status, 200, JSON.stringify(r1.json));
  assert.notEqual(r1.json.refresh_token, t.refresh_token, 'rotated');
  assert.notEqual(r1.json.access_token, t.access_token);
  assert.equal((await rpc(app.mcpUrl(A.ws.id), CALL, { token: r1.json.access_token })).status, 200);
  // The client lost the answer and retries with the old token, within the minute: answered, not logged out.
  const retry = await oauthPost(base, '/oauth/token', { grant_type: 'refresh_token', refresh_token: t.refresh_token });
  assert.equal(retry.status, 200, JSON.stringify(retry.json));
  // A minute later the old token turns up again: two parties hold it. The grant ends.
  await db.query("UPDATE oauth_tokens SET used_at = now() - interval '2 minutes' WHERE used_at IS NOT NULL AND kind = 'refresh'");
  const stolen = await oauthPost(base, '/oauth/token', { grant_type: 'refresh_token', refresh_token: t.refresh_token });
  assert.equal(stolen.status, 400);
  assert.equal(stolen.json.error, 'invalid_grant');
  assert.match(stolen.json.error_description, /already used.*revoked/);
  const after = await rpc(app.mcpUrl(A.ws.id), CALL, { token: retry.json.access_token });
  assert.equal(after.status, 401, 'every token of the grant is refused');
  assert.match(after.json.message, /revoked/);
  const next = await oauthPost(base, '/oauth/token', { grant_type: 'refresh_token', refresh_token: retry.json.refresh_token });
  assert.equal(next.json.error, 'invalid_grant');
  const audit = await listAudit(db, A.ws.id, { limit: 10 });
  assert.ok(audit.some((e) => e.action === 'oauth.refresh_reuse' && e.outcome === 'denied'));
});

test('negative matrix at the token endpoint: wrong verifier, reused code, another client’s code, another workspace, expired access token; client_id by Basic or assertion', async () => {
  const wrong = await authorizeCode();
  const bad = await oauthPost(base, '/oauth/token', {
    grant_type: 'authorization_code',
    code: wrong.code,
    code_verifier: pkce().verifier,
    client_id: clientId,
    redirect_uri: REDIRECT,
  });
  assert.deepEqual([bad.status, bad.json.error], [400, 'invalid_grant']);
  assert.match(bad.json.error_description, /code_verifier does not match/);
  const noVerifier = await oauthPost(base, '/oauth/token', {
    grant_type: 'authorization_code',
    code: wrong.code,
    client_id: clientId,
    redirect_uri: REDIRECT,
  });
  assert.deepEqual([noVerifier.status, noVerifier.json.error], [400, 'invalid_request']);

  const other = docs.publish('/other.json', { client_name: 'Other', redirect_uris: [REDIRECT] });
  const stolen = await oauthPost(base, '/oauth/token', {
    grant_type: 'authorization_code',
    code: wrong.code,
    code_verifier: wrong.verifier,
    client_id: other,
    redirect_uri: REDIRECT,
  });
  assert.deepEqual([stolen.json.error, stolen.json.error_description], ['invalid_grant', 'The authorization code was issued to another client.']);

  const target = await oauthPost(base, '/oauth/token', {
    grant_type: 'authorization_code',
    code: wrong.code,
    code_verifier: wrong.verifier,
    client_id: clientId,
    redirect_uri: REDIRECT,
    resource: resourceOf(B.ws.id),
  });
  assert.deepEqual([target.status, target.json.error], [400, 'invalid_target']);

  const ok = await oauthPost(base, '/oauth/token', {
    grant_type: 'authorization_code',
    code: wrong.code,
    code_verifier: wrong.verifier,
    client_id: clientId,
    redirect_uri: REDIRECT,
  });
  assert.equal(ok.status, 200, 'the code still works for its own client, verifier and resource');
  const replay = await oauthPost(base, '/oauth/token', {
    grant_type: 'authorization_code',
    code: wrong.code,
    code_verifier: wrong.verifier,
    client_id: clientId,
    redirect_uri: REDIRECT,
  });
  assert.deepEqual([replay.status, replay.json.error], [400, 'invalid_grant']);
  assert.match(replay.json.error_description, /already used/);
  assert.equal((await rpc(app.mcpUrl(A.ws.id), CALL, { token: ok.json.access_token })).status, 401, 'a replayed code revokes what it made');
  assert.ok((await listAudit(db, A.ws.id, { limit: 5 })).some((e) => e.action === 'oauth.code_reuse'));

  const t = await connect();
  const elsewhere = await rpc(app.mcpUrl(B.ws.id), CALL, { token: t.access_token });
  assert.equal(elsewhere.status, 403, 'a token for workspace A at workspace B’s endpoint');
  await db.query("UPDATE oauth_tokens SET expires_at = now() - interval '1 second' WHERE kind = 'access' AND workspace_id = $1", [A.ws.id]);
  const expired = await rpc(app.mcpUrl(A.ws.id), CALL, { token: t.access_token });
  assert.equal(expired.status, 401);
  assert.match(expired.headers.get('www-authenticate') ?? '', /error="invalid_token", resource_metadata=/);
  assert.match(expired.json.message, /access token has expired/);
  // A client that authenticates anyway is taken at its client_id: HTTP Basic (the secret ignored), a JWT assertion's subject.
  const basic = (id: string) => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:unused`).toString('base64')}` });
  const viaBasic = await authorizeCode();
  const exchange = { grant_type: 'authorization_code', code: viaBasic.code, code_verifier: viaBasic.verifier, redirect_uri: REDIRECT };
  const twoClients = await oauthPost(base, '/oauth/token', { ...exchange, client_id: clientId }, basic(other));
  assert.deepEqual([twoClients.status, twoClients.json.error], [400, 'invalid_request']);
  const basicOk = await oauthPost(base, '/oauth/token', exchange, basic(clientId));
  assert.equal(basicOk.status, 200, JSON.stringify(basicOk.json));
  const jwt = (sub: string) =>
    ['{"alg":"RS256"}', JSON.stringify({ sub, iss: sub })].map((x) => Buffer.from(x).toString('base64url')).join('.') + '.sig';
  const viaJwt = await authorizeCode();
  const jwtOk = await oauthPost(base, '/oauth/token', {
    grant_type: 'authorization_code',
    code: viaJwt.code,
    code_verifier: viaJwt.verifier,
    redirect_uri: REDIRECT,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: jwt(clientId),
  });
  assert.equal(jwtOk.status, 200, JSON.stringify(jwtOk.json));

  const unsupported = await oauthPost(base, '/oauth/token', { grant_type: 'password', username: 'x', password: 'y' });
  assert.deepEqual([unsupported.status, unsupported.json.error], [400, 'unsupported_grant_type']);
});

test('negative matrix at authorize: unregistered redirect URI (never redirected), plain or missing PKCE, another workspace, a member, a denial', async () => {
  const { challenge } = pkce();
  const base0 = { client_id: clientId, redirect_uri: REDIRECT, state: 's', code_challenge: challenge, code_challenge_method: 'S256' };
  const evil = await admin.get(authorizePath({ ...base0, redirect_uri: 'https://evil.example/cb' }));
  assert.equal(evil.status, 400);
  assert.equal(evil.location, null, 'no redirect to an address the client did not register');
  assert.match(evil.text, /not one of Test Assistant&#39;s registered addresses/);
  assert.match(evil.text, /invalid_request/);

  for (const over of [{ code_challenge_method: 'plain' }, { code_challenge_method: undefined }, { code_challenge: undefined }]) {
    const r = await admin.get(authorizePath({ ...base0, ...over }));
    assert.equal(r.status, 303, JSON.stringify(over));
    const q = new URL(r.location!).searchParams;
    assert.equal(q.get('error'), 'invalid_request');
    assert.match(q.get('error_description')!, /PKCE/);
    assert.equal(q.get('state'), 's');
    assert.equal(q.get('iss'), base);
  }
  const foreign = await admin.get(authorizePath({ ...base0, resource: 'https://elsewhere.example/mcp' }));
  assert.equal(new URL(foreign.location!).searchParams.get('error'), 'invalid_target');
  const otherWs = await admin.get(authorizePath({ ...base0, resource: resourceOf(B.ws.id) }));
  assert.equal(otherWs.status, 403);
  assert.match(otherWs.text, /signed in to another workspace/);
  const none = await admin.get(authorizePath({ ...base0, prompt: 'none' }));
  assert.equal(new URL(none.location!).searchParams.get('error'), 'consent_required');

  const byMember = await member.get(authorizePath(base0));
  assert.equal(byMember.status, 403);
  assert.match(byMember.text, /Only owners and admins can connect an assistant/);
  assert.doesNotMatch(byMember.text, /name="request"/);
  const audit = await listAudit(db, A.ws.id, { limit: 5 });
  assert.ok(audit.some((e) => e.action === 'oauth.authorize' && e.outcome === 'denied'));

  const page = await admin.get(authorizePath(base0));
  const { query } = await answerConsent(admin, page, 'deny');
  assert.equal(query.get('error'), 'access_denied');
  assert.equal(query.get('state'), 's');
  assert.equal(query.get('iss'), base);
  assert.equal(query.get('code'), null);
  // The request answered once: the same form again is refused.
  const again = await admin.post('/oauth/authorize', {
    _csrf: await admin.csrf(),
    request: /name="request" value="([^"]+)"/.exec(page.text)![1]!,
    decision: 'allow',
  });
  assert.equal(again.status, 400);
  assert.match(again.text, /expired/);
  // A policy the workspace does not allow is explained on the consent page, and the request stays answerable.
  const page2 = await admin.get(authorizePath(base0));
  const wide = await admin.post('/oauth/authorize', {
    _csrf: await admin.csrf(),
    request: /name="request" value="([^"]+)"/.exec(page2.text)![1]!,
    decision: 'allow',
    tools: ['workspaceSummary'],
    allowCustomerComments: 'on',
    revealCustomerContact: 'on',
  });
  assert.equal(wide.status, 400);
  assert.match(wide.text, /Connect Test Assistant/);
  assert.match(wide.text, /class="notice notice-error"/);
});

test('client metadata documents: a private address, an oversize document, a wrong client_id, and a stale copy when the client’s server fails', async () => {
  const { challenge } = pkce();
  const ask = (id: string) =>
    admin.get(authorizePath({ client_id: id, redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256' }));
  const priv = await ask('https://10.1.2.3/client.json');
  assert.equal(priv.status, 400);
  assert.equal(priv.location, null);
  assert.match(priv.text, /private, loopback or otherwise special-use address/);
  assert.match(priv.text, /invalid_client/);
  const big = docs.publish('/big.json', { client_name: 'Big', redirect_uris: [REDIRECT], padding: 'x'.repeat(6000) });
  const bigR = await ask(big);
  assert.equal(bigR.status, 400);
  assert.match(bigR.text, /larger than 5 KB/);
  const liar = docs.publish('/liar.json', {
    client_id: 'https://claude.ai/oauth/mcp-oauth-client-metadata',
    client_name: 'Claude',
    redirect_uris: [REDIRECT],
  });
  assert.match((await ask(liar)).text, /client_id is not the URL it was fetched from/);
  const secret = docs.publish('/secret.json', { client_name: 'S', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_basic' });
  assert.match((await ask(secret)).text, /shared client secret/);

  // Cached for as long as the document says, served from the cache meanwhile, and the last good copy when a refetch fails.
  const flaky = docs.publish('/flaky.json', { client_name: 'Flaky', redirect_uris: [REDIRECT] }, { headers: { 'cache-control': 'max-age=600' } });
  assert.equal((await ask(flaky)).status, 200);
  const hits = docs.hits;
  assert.equal((await ask(flaky)).status, 200);
  assert.equal(docs.hits, hits, 'fresh: not fetched again');
  docs.publish('/flaky.json', {}, { status: 500, raw: 'down' });
  await db.query("UPDATE oauth_client_documents SET fresh_until = now() - interval '1 second' WHERE url = $1", [flaky]);
  const stale = await ask(flaky);
  assert.equal(stale.status, 200, 'the last good copy serves while the client’s server is down');
  assert.equal(docs.hits, hits + 1, 'after trying to fetch it again');
  await db.query("UPDATE oauth_client_documents SET stale_until = now() - interval '1 second' WHERE url = $1", [flaky]);
  assert.equal((await ask(flaky)).status, 400, 'and not for ever');
});

test('dynamic client registration: registers a public client, rate-limited per address; its code flow works', async () => {
  const reg = await fetch(`${base}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.9' },
    body: JSON.stringify({
      client_name: 'ChatGPT',
      redirect_uris: ['https://chatgpt.com/connector/oauth/abc'],
      token_endpoint_auth_method: 'private_key_jwt',
    }),
  });
  assert.equal(reg.status, 201);
  const client = await reg.json();
  assert.match(client.client_id, /^tlc_/);
  assert.equal(client.token_endpoint_auth_method, 'none', 'private_key_jwt is served as a public client with PKCE');
  assert.deepEqual(client.redirect_uris, ['https://chatgpt.com/connector/oauth/abc']);

  const { verifier, challenge } = pkce();
  const page = await admin.get(
    authorizePath({
      client_id: client.client_id,
      redirect_uri: 'https://chatgpt.com/connector/oauth/abc',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }),
  );
  assert.equal(page.status, 200);
  assert.match(page.text, /registered itself with this server/);
  const { query } = await answerConsent(admin, page, 'allow');
  const t = await oauthPost(base, '/oauth/token', {
    grant_type: 'authorization_code',
    code: query.get('code')!,
    code_verifier: verifier,
    client_id: client.client_id,
    redirect_uri: 'https://chatgpt.com/connector/oauth/abc',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: 'ignored.for.public.clients',
  });
  assert.equal(t.status, 200, JSON.stringify(t.json));

  const bad = await fetch(`${base}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: ['http://evil.example/cb'] }),
  });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error, 'invalid_redirect_uri');

  // RATE_LIMIT_CLIENT_REGISTRATIONS=3 an hour per address: the fourth is refused; another address is not.
  const register = (ip: string) =>
    fetch(`${base}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify({ redirect_uris: ['https://x.example/cb'] }),
    });
  const flood: number[] = [];
  for (let i = 0; i < 3; i++) flood.push((await register('203.0.113.50')).status);
  const refused = await register('203.0.113.50');
  assert.deepEqual([...flood, refused.status], [201, 201, 201, 429]);
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  assert.match((await refused.json()).error_description, /Too many client registrations/);
  assert.equal((await register('203.0.113.51')).status, 201);
});

test('revocation: an access token at once, a refresh token ends the grant, revoke in the UI, MCP turned off, a lost role and a deactivated approver refuse the next request', async () => {
  const t1 = await connect();
  assert.equal((await oauthPost(base, '/oauth/revoke', { token: t1.access_token })).status, 200);
  assert.equal((await rpc(app.mcpUrl(A.ws.id), CALL, { token: t1.access_token })).status, 401);
  assert.equal((await oauthPost(base, '/oauth/revoke', { token: 'tl_at_nonsense' })).status, 200, 'unknown tokens are not an error (RFC 7009)');
  assert.equal((await oauthPost(base, '/oauth/revoke', { token: t1.refresh_token })).status, 200);
  assert.equal((await oauthPost(base, '/oauth/token', { grant_type: 'refresh_token', refresh_token: t1.refresh_token })).json.error, 'invalid_grant');

  const t2 = await connect();
  assert.equal((await rpc(app.mcpUrl(A.ws.id), CALL, { token: t2.access_token })).status, 200);
  const grants = (await listAudit(db, A.ws.id, { limit: 3 })).filter((e) => e.action === 'oauth.authorize');
  const grantId = grants[0]!.credentialId!;
  const revoked = await admin.post(`/settings/mcp/credentials/${grantId}/revoke`, { _csrf: await admin.csrf('/settings/mcp') });
  assert.equal(revoked.status, 303);
  const refused = await rpc(app.mcpUrl(A.ws.id), CALL, { token: t2.access_token });
  assert.equal(refused.status, 401);
  assert.match(refused.json.message, /revoked/);
  assert.ok((await listAudit(db, A.ws.id, { limit: 3 })).some((e) => e.action === 'oauth.revoke' && e.credentialId === grantId));

  // MCP turned off for the workspace: a live grant is refused like any credential, and works again when it is back on.
  const t4 = await connect();
  await updateWorkspace(db, A.ws.id, { mcpEnabled: false });
  try {
    assert.equal((await rpc(app.mcpUrl(A.ws.id), CALL, { token: t4.access_token })).status, 403);
  } finally {
    await updateWorkspace(db, A.ws.id, { mcpEnabled: true });
  }
  assert.equal((await rpc(app.mcpUrl(A.ws.id), CALL, { token: t4.access_token })).status, 200);

  // The owner who approved a grant becomes a member: the grant stops at once.
  const t3 = await connect();
  assert.equal((await rpc(app.mcpUrl(A.ws.id), CALL, { token: t3.access_token })).status, 200);
  await db.query("UPDATE users SET role = 'member' WHERE workspace_id = $1 AND email_lower = 'owner@a.example'", [A.ws.id]);
  try {
    assert.equal((await rpc(app.mcpUrl(A.ws.id), CALL, { token: t3.access_token })).status, 401);
    assert.equal(
      (await oauthPost(base, '/oauth/token', { grant_type: 'refresh_token', refresh_token: t3.refresh_token })).json.error,
      'invalid_grant',
    );
  } finally {
    await db.query("UPDATE users SET role = 'owner' WHERE workspace_id = $1 AND email_lower = 'owner@a.example'", [A.ws.id]);
  }

  // The same when the approver is deactivated (and again when reactivated: the grant was not revoked, only refused).
  const t5 = await connect();
  await db.query("UPDATE users SET deactivated_at = now() WHERE workspace_id = $1 AND email_lower = 'owner@a.example'", [A.ws.id]);
  try {
    assert.equal((await rpc(app.mcpUrl(A.ws.id), CALL, { token: t5.access_token })).status, 401);
  } finally {
    await db.query("UPDATE users SET deactivated_at = NULL WHERE workspace_id = $1 AND email_lower = 'owner@a.example'", [A.ws.id]);
  }
  assert.equal((await rpc(app.mcpUrl(A.ws.id), CALL, { token: t5.access_token })).status, 200);
});
