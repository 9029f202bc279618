import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mintOAuthToken, parseOAuthToken, tokenShape } from '../../src/platform/crypto/tokens.ts';
import { redirectMatches, redirectUriProblem } from '../../src/domain/oauth/clients.ts';
import { checkDocument, freshSeconds, isDocumentClientId } from '../../src/domain/oauth/cimd.ts';
import { protectedResourceMetadataUrl, workspaceOfResource } from '../../src/domain/oauth/urls.ts';

const WS = '3f2c8a9e-1b7d-4c55-9a0e-2d4f6b8c0a1e';

test('OAuth tokens carry their kind and workspace; anything else is not one', () => {
  for (const kind of ['code', 'access', 'refresh'] as const) {
    const { token, hash } = mintOAuthToken(kind, WS);
    assert.deepEqual(parseOAuthToken(token), { kind, workspaceId: WS });
    assert.equal(hash.length, 32);
  }
  const access = mintOAuthToken('access', WS).token;
  assert.match(access, /^tl_at_[A-Za-z0-9_-]{65}$/);
  assert.notEqual(access, mintOAuthToken('access', WS).token, 'random');
  assert.equal(tokenShape(access), 'ok', 'an access token is a bearer token');
  assert.equal(tokenShape(mintOAuthToken('refresh', WS).token), 'malformed', 'a refresh token is not');
  assert.equal(tokenShape(mintOAuthToken('code', WS).token), 'malformed');
  assert.equal(parseOAuthToken(`${access}x`), null);
  assert.equal(parseOAuthToken(access.replace('tl_at_', 'tl_xx_')), null);
  assert.equal(parseOAuthToken('tl_at_' + '_'.repeat(65)), null, 'a workspace part that is not a canonical UUID encoding');
});

test('redirect URIs match exactly — except a loopback http port, which a desktop app picks at run time', () => {
  const reg = ['https://claude.ai/api/mcp/auth_callback', 'http://localhost/callback', 'http://127.0.0.1:33418/cb'];
  assert.ok(redirectMatches(reg, 'https://claude.ai/api/mcp/auth_callback'));
  assert.ok(!redirectMatches(reg, 'https://claude.ai/api/mcp/auth_callback/'));
  assert.ok(!redirectMatches(reg, 'https://claude.ai/api/mcp/auth_callback?x=1'));
  assert.ok(!redirectMatches(reg, 'https://CLAUDE.ai/api/mcp/auth_callback'));
  assert.ok(redirectMatches(reg, 'http://localhost:51234/callback'));
  assert.ok(redirectMatches(reg, 'http://127.0.0.1:9/cb'));
  assert.ok(!redirectMatches(reg, 'http://localhost:51234/other'));
  assert.ok(!redirectMatches(reg, 'http://127.0.0.1:51234/callback'), 'the host must match too');
  assert.ok(!redirectMatches(['https://a.example/cb'], 'https://a.example:8443/cb'), 'ports count for everything else');
  assert.ok(!redirectMatches(reg, 'not a url'));
});

test('registrable redirect URIs: https, loopback http, an app’s own scheme — never http elsewhere, javascript: or fragments', () => {
  for (const ok of [
    'https://chatgpt.com/connector/oauth/x',
    'http://127.0.0.1:1234/cb',
    'http://localhost/cb',
    'http://[::1]:80/cb',
    'cursor://anysphere/oauth',
  ])
    assert.equal(redirectUriProblem(ok), null, ok);
  for (const bad of [
    'http://example.com/cb',
    'javascript:alert(1)',
    'data:text/html,x',
    'https://a.example/cb#frag',
    'file:///etc/passwd',
    'relative/path',
  ])
    assert.notEqual(redirectUriProblem(bad), null, bad);
});

test('client metadata document URLs: https with a path, written canonically; http only on loopback in tests', () => {
  assert.ok(isDocumentClientId('https://claude.ai/oauth/mcp-oauth-client-metadata', false));
  assert.ok(!isDocumentClientId('https://claude.ai/', false), 'a path is required');
  assert.ok(!isDocumentClientId('https://claude.ai', false));
  assert.ok(!isDocumentClientId('https://user@claude.ai/x', false));
  assert.ok(!isDocumentClientId('https://claude.ai/x#y', false));
  assert.ok(!isDocumentClientId('https://claude.ai/a/../x', false), 'no dot segments');
  assert.ok(!isDocumentClientId('https://CLAUDE.ai/x', false), 'not canonical: string comparison would be unsafe');
  assert.ok(!isDocumentClientId('http://127.0.0.1:8080/x.json', false));
  assert.ok(isDocumentClientId('http://127.0.0.1:8080/x.json', true));
  assert.ok(!isDocumentClientId('tlc_abcdef', false), 'a registered client id');
});

test('a metadata document must name itself, list redirect URIs, and hold no shared secret', () => {
  const url = 'https://a.example/client.json';
  assert.deepEqual(checkDocument(url, { client_id: url, client_name: 'A', redirect_uris: ['https://a.example/cb'] }), {
    clientName: 'A',
    redirectUris: ['https://a.example/cb'],
  });
  assert.deepEqual(checkDocument(url, { client_id: url, redirect_uris: ['https://a.example/cb'], token_endpoint_auth_method: 'private_key_jwt' }), {
    clientName: null,
    redirectUris: ['https://a.example/cb'],
  });
  assert.match(String(checkDocument(url, { client_id: 'https://b.example/client.json', redirect_uris: ['https://a.example/cb'] })), /client_id/);
  assert.match(String(checkDocument(url, { client_id: url, redirect_uris: [] })), /redirect_uris/);
  assert.match(String(checkDocument(url, { client_id: url, redirect_uris: ['https://a.example/cb'], client_secret: 's' })), /secret/);
  assert.match(String(checkDocument(url, { client_id: url, redirect_uris: ['x'] })), /absolute/);
  assert.match(String(checkDocument(url, ['not', 'an', 'object'])), /not valid/);
});

test('cache lifetime of a document: its Cache-Control or Expires, between a minute and a day', () => {
  assert.equal(freshSeconds({ 'cache-control': 'public, max-age=600' }), 600);
  assert.equal(freshSeconds({ 'cache-control': 'max-age=5' }), 60);
  assert.equal(freshSeconds({ 'cache-control': 'max-age=9999999' }), 86400);
  assert.equal(freshSeconds({ 'cache-control': 'no-store' }), 60);
  assert.equal(freshSeconds({ 'cache-control': 'max-age=100, s-maxage=900' }), 900);
  assert.equal(freshSeconds({ date: 'Mon, 30 Nov 2026 10:00:00 GMT', expires: 'Mon, 30 Nov 2026 12:00:00 GMT' }), 7200);
  assert.equal(freshSeconds({}), 3600);
});

test('a resource names a workspace of this server: scheme and host in any case, one trailing slash, nothing else', () => {
  const pub = 'https://tasks.example.com';
  assert.equal(workspaceOfResource(pub, `${pub}/app/api/mcp/server/${WS}`), WS);
  assert.equal(workspaceOfResource(pub, `${pub}/app/api/mcp/server/${WS}/`), WS);
  assert.equal(workspaceOfResource(pub, `HTTPS://TASKS.example.com:443/app/api/mcp/server/${WS}`), WS);
  assert.equal(workspaceOfResource(pub, `${pub}/app/api/mcp/server/${WS.toUpperCase()}`), WS);
  assert.equal(workspaceOfResource(pub, `https://evil.example/app/api/mcp/server/${WS}`), null);
  assert.equal(workspaceOfResource(pub, `${pub}/app/api/mcp/server/${WS}?x=1`), null);
  assert.equal(workspaceOfResource(pub, `${pub}/app/api/mcp/server/${WS}#f`), null);
  assert.equal(workspaceOfResource(pub, `${pub}/app/api/mcp/server/not-a-uuid`), null);
  assert.equal(workspaceOfResource(pub, 'not a url'), null);
  assert.equal(
    protectedResourceMetadataUrl(pub, WS),
    `${pub}/.well-known/oauth-protected-resource/app/api/mcp/server/${WS}`,
    'RFC 9728 §3.1: the well-known segment between host and path',
  );
});
