/**
 * The machine side of the authorization server, straight on node:http: discovery (RFC 8414 authorization server
 * metadata, RFC 9728 protected resource metadata per workspace), the token endpoint, client registration (RFC 7591)
 * and revocation (RFC 7009). The person-facing side — authorize and the consent page — is part of the web app.
 * Every answer is JSON with the standard error shape; none of these endpoints uses cookies, so any origin may call
 * them (browser-based MCP clients do).
 */
import type http from 'node:http';
import type { AppContext } from '../platform/context.ts';
import { clientAddress } from '../platform/http/clientAddress.ts';
import { readBody, requestInfo, sendJson } from '../platform/http/request.ts';
import { registerClient } from '../domain/oauth/clients.ts';
import { OAuthError, invalidRequest } from '../domain/oauth/errors.ts';
import { exchangeCode, refreshTokens, revokeOAuthToken } from '../domain/oauth/grants.ts';
import {
  AS_METADATA_PATH,
  MCP_ENDPOINT_PATH,
  OAUTH_PATHS,
  PRM_PATH,
  authorizationServerMetadata,
  protectedResourceMetadata,
} from '../domain/oauth/urls.ts';
import { SharedRateLimiter } from '../domain/ratelimit.ts';
import { getWorkspace } from '../domain/workspaces.ts';

const MAX_BODY_BYTES = 16 * 1024;
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type, mcp-protocol-version',
  'access-control-max-age': '86400',
};

/** Does this handler serve the path? (The router asks before handing a request over.) */
export function isOAuthPath(path: string): boolean {
  return (
    path === AS_METADATA_PATH ||
    path.startsWith(`${AS_METADATA_PATH}/`) ||
    path === PRM_PATH ||
    path.startsWith(`${PRM_PATH}/`) ||
    path === OAUTH_PATHS.token ||
    path === OAUTH_PATHS.register ||
    path === OAUTH_PATHS.revoke
  );
}

const fail = (res: http.ServerResponse, err: OAuthError, headers: http.OutgoingHttpHeaders = {}) =>
  sendJson(res, err.error === 'invalid_client' ? 401 : err.status, { error: err.error, error_description: err.message }, { ...CORS, ...headers });

/** A form (RFC 6749 requires application/x-www-form-urlencoded) or, tolerated, a JSON object, as string fields. */
async function readParams(req: http.IncomingMessage): Promise<Record<string, string> | OAuthError> {
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === 'too_large') return invalidRequest(`The request body is larger than ${MAX_BODY_BYTES / 1024} KB.`);
  const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  const text = body.toString('utf8');
  if (type === 'application/x-www-form-urlencoded') {
    const p = new URLSearchParams(text);
    const out: Record<string, string> = {};
    for (const [k, v] of p) {
      if (Object.hasOwn(out, k)) return invalidRequest(`The parameter ${k.slice(0, 40)} appears more than once.`);
      out[k] = v;
    }
    return out;
  }
  if (type === 'application/json') {
    try {
      const j: unknown = JSON.parse(text);
      if (j && typeof j === 'object' && !Array.isArray(j))
        return Object.fromEntries(Object.entries(j).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])));
    } catch {
      // falls through to the error below
    }
    return invalidRequest('The body is not a JSON object.');
  }
  return invalidRequest('Send the parameters as application/x-www-form-urlencoded.');
}

/**
 * Who the client says it is. Every client here is public (PKCE proves it holds the code), so a client that
 * authenticates anyway is taken at its client_id: from the form, from HTTP Basic (RFC 6749 §2.3.1, the secret
 * ignored), or, without either, from a private_key_jwt assertion's subject (ChatGPT's document lists that method
 * first). The assertion is not verified: such a client is served as a public one, tied to its code by PKCE as any
 * other. Two that disagree are an error.
 */
function clientIdOf(req: http.IncomingMessage, p: Record<string, string>): string | undefined | OAuthError {
  const named: string[] = [];
  if (p.client_id) named.push(p.client_id);
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const user = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':', 1)[0]!;
    try {
      if (user) named.push(decodeURIComponent(user.replace(/\+/g, ' ')));
    } catch {
      return invalidRequest('The Authorization header is not valid HTTP Basic (RFC 6749 §2.3.1).');
    }
  }
  if (p.client_assertion && !p.client_id) {
    try {
      const claims = JSON.parse(Buffer.from(p.client_assertion.split('.')[1] ?? '', 'base64url').toString('utf8'));
      if (typeof claims?.sub === 'string' && claims.sub) named.push(claims.sub);
    } catch {
      // Not a JWT: nothing to learn from it, and it is ignored like any client authentication.
    }
  }
  if (new Set(named).size > 1) return invalidRequest('The request names two different clients.');
  return named[0];
}

export function createOAuthHandler(app: AppContext) {
  const { config, db, log } = app;
  const registrations = new SharedRateLimiter(db, config.rateLimitClientRegistrations, {
    windowMs: 3600_000,
    now: app.clock,
    onError: (err) => log.warn({ err: err.message }, 'rate limit sync failed'),
  });
  const asMetadata = authorizationServerMetadata({ issuer: config.issuer, oauthDcr: config.oauthDcr });

  async function token(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const p = await readParams(req);
    if (p instanceof OAuthError) return fail(res, p);
    const noStore = { pragma: 'no-cache' };
    const clientId = clientIdOf(req, p);
    if (clientId instanceof OAuthError) return fail(res, clientId, noStore);
    try {
      if (p.grant_type === 'authorization_code') {
        if (!p.code) throw invalidRequest('code is required.');
        const tokens = await exchangeCode(db, config.publicUrl, {
          code: p.code,
          clientId,
          redirectUri: p.redirect_uri,
          codeVerifier: p.code_verifier,
          resource: p.resource,
        });
        return sendJson(res, 200, tokens, { ...CORS, ...noStore });
      }
      if (p.grant_type === 'refresh_token') {
        if (!p.refresh_token) throw invalidRequest('refresh_token is required.');
        const tokens = await refreshTokens(db, config.publicUrl, { refreshToken: p.refresh_token, clientId, resource: p.resource });
        return sendJson(res, 200, tokens, { ...CORS, ...noStore });
      }
      throw new OAuthError(
        p.grant_type ? 'unsupported_grant_type' : 'invalid_request',
        p.grant_type
          ? `grant_type "${p.grant_type.slice(0, 60)}" is not supported: use authorization_code or refresh_token.`
          : 'grant_type is required.',
      );
    } catch (err) {
      if (err instanceof OAuthError) return fail(res, err, noStore);
      throw err;
    }
  }

  async function register(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!config.oauthDcr)
      return fail(
        res,
        new OAuthError(
          'access_denied',
          'Client registration is turned off on this server. Use an assistant that supports Client ID Metadata Documents (claude.ai, ChatGPT do).',
          403,
        ),
      );
    const d = registrations.hit(`dcr:${clientAddress(req, config.trustProxy)}`);
    if (!d.ok)
      return fail(res, new OAuthError('slow_down', `Too many client registrations from this address. Retry after ${d.retryAfterSeconds} s.`, 429), {
        'retry-after': String(d.retryAfterSeconds),
      });
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === 'too_large')
      return fail(res, new OAuthError('invalid_client_metadata', `The registration is larger than ${MAX_BODY_BYTES / 1024} KB.`));
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return fail(res, new OAuthError('invalid_client_metadata', 'The registration must be a JSON object (RFC 7591).'));
    }
    try {
      return sendJson(res, 201, await registerClient(db, json), CORS);
    } catch (err) {
      if (err instanceof OAuthError) return fail(res, err);
      throw err;
    }
  }

  async function revoke(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const p = await readParams(req);
    if (p instanceof OAuthError) return fail(res, p);
    if (!p.token) return fail(res, invalidRequest('token is required.'));
    await revokeOAuthToken(db, p.token);
    return sendJson(res, 200, {}, CORS);
  }

  async function resourceMetadata(path: string, res: http.ServerResponse): Promise<void> {
    const prefix = `${PRM_PATH}${new URL(config.publicUrl).pathname.replace(/\/$/, '')}${MCP_ENDPOINT_PATH}`;
    const id = path.startsWith(prefix) ? path.slice(prefix.length).replace(/\/$/, '') : '';
    const ws = id ? await getWorkspace(db, id) : null;
    if (!ws)
      return sendJson(
        res,
        404,
        {
          error: 'not_found',
          message: `Protected resource metadata lives at ${PRM_PATH}${MCP_ENDPOINT_PATH}<workspace id>, for an existing workspace.`,
        },
        CORS,
      );
    return sendJson(res, 200, protectedResourceMetadata(config.publicUrl, config.issuer, ws.id), { ...CORS, 'cache-control': 'public, max-age=300' });
  }

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const info = requestInfo(req);
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const isMetadata = path.startsWith('/.well-known/');
    info.route = isMetadata ? (path.startsWith(PRM_PATH) ? PRM_PATH : AS_METADATA_PATH) : path;
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS);
      return void res.end();
    }
    const method = isMetadata ? 'GET' : 'POST';
    if (req.method !== method && !(isMetadata && req.method === 'HEAD'))
      return sendJson(res, 405, { error: 'invalid_request', error_description: `Use ${method} here.` }, { allow: `${method}, OPTIONS`, ...CORS });
    // The same authorization server metadata answers under any path suffix: some clients take the MCP endpoint's path for the issuer's.
    if (path.startsWith(AS_METADATA_PATH)) return sendJson(res, 200, asMetadata, { ...CORS, 'cache-control': 'public, max-age=300' });
    if (isMetadata) return resourceMetadata(path, res);
    if (path === OAUTH_PATHS.token) return token(req, res);
    if (path === OAUTH_PATHS.register) return register(req, res);
    return revoke(req, res);
  };

  return {
    handle,
    close: () => registrations.close(),
  };
}
