/**
 * The authorization code flow, from the consent page's answer to refresh and revocation (OAuth 2.1 with PKCE S256,
 * RFC 8707 resources, RFC 7009 revocation). A grant is a credential of kind 'oauth'; its codes and tokens are rows of
 * oauth_tokens holding only hashes. Codes live 60 s and work once — a second use revokes the grant, since someone
 * else holds the code. Access tokens live an hour. Refresh tokens rotate on every use: the previous one still answers
 * for a minute (a client that lost the answer to a refresh must not be logged out in a loop); after that, its use
 * means two parties hold it, and the grant is revoked.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db, Queryable } from '../../platform/db/client.ts';
import { hashToken, mintOAuthToken, parseOAuthToken } from '../../platform/crypto/tokens.ts';
import { appendAudit } from '../audit.ts';
import { authChanged } from '../authevents.ts';
import { insertGrant, revokeCredential, type Credential } from '../credentials.ts';
import type { Workspace } from '../workspaces.ts';
import type { OAuthClient } from './clients.ts';
import { invalidGrant, invalidRequest, invalidTarget } from './errors.ts';
import { workspaceOfResource } from './urls.ts';

export const CODE_TTL_S = 60;
export const ACCESS_TTL_S = 3600;
export const REFRESH_TTL_S = 30 * 24 * 3600;
export const REFRESH_GRACE_S = 60;
export const REQUEST_TTL_S = 600;

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
}

export interface PendingAuthorization {
  clientId: string;
  clientName: string;
  redirectUri: string;
  state: string | null;
  codeChallenge: string;
}

/** Keep an authorization request for the consent page; the page's form carries only the returned id. */
export async function saveAuthorizationRequest(
  db: Queryable,
  workspaceId: string,
  userId: string,
  client: OAuthClient,
  req: { redirectUri: string; state: string | null; codeChallenge: string },
): Promise<string> {
  const id = randomBytes(24).toString('base64url');
  await db.query(
    `INSERT INTO oauth_requests (workspace_id, id_hash, user_id, client_id, client_name, redirect_uri, state, code_challenge, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9))`,
    [workspaceId, hashToken(id), userId, client.id, client.name, req.redirectUri, req.state, req.codeChallenge, REQUEST_TTL_S],
  );
  if (Math.random() < 0.05) await db.query('DELETE FROM oauth_requests WHERE workspace_id = $1 AND expires_at < now()', [workspaceId]);
  return id;
}

/** The request, still waiting for its answer — or null when it is unknown, expired, answered, or someone else's. */
export async function peekAuthorizationRequest(db: Queryable, workspaceId: string, userId: string, id: string): Promise<PendingAuthorization | null> {
  if (!/^[A-Za-z0-9_-]{32}$/.test(id)) return null;
  const r = await db.query<PendingAuthorization>(
    `SELECT client_id AS "clientId", client_name AS "clientName", redirect_uri AS "redirectUri", state, code_challenge AS "codeChallenge"
     FROM oauth_requests WHERE workspace_id = $1 AND id_hash = $2 AND user_id = $3 AND expires_at > now()`,
    [workspaceId, hashToken(id), userId],
  );
  return r.rows[0] ?? null;
}

/** The request, taken (it answers once) — or null when it is unknown, expired, answered, or someone else's. */
export async function takeAuthorizationRequest(db: Queryable, workspaceId: string, userId: string, id: string): Promise<PendingAuthorization | null> {
  if (!/^[A-Za-z0-9_-]{32}$/.test(id)) return null;
  const r = await db.query<PendingAuthorization & { live: boolean }>(
    `DELETE FROM oauth_requests WHERE workspace_id = $1 AND id_hash = $2 AND user_id = $3
     RETURNING client_id AS "clientId", client_name AS "clientName", redirect_uri AS "redirectUri", state,
       code_challenge AS "codeChallenge", expires_at > now() AS live`,
    [workspaceId, hashToken(id), userId],
  );
  const row = r.rows[0];
  if (!row?.live) return null;
  const { live: _live, ...req } = row;
  return req;
}

/**
 * The staff member approved: record the grant with the policy they chose and issue its one-time code, audited as
 * oauth.authorize — one transaction.
 */
export async function approveAuthorization(
  db: Db,
  ws: Workspace,
  req: PendingAuthorization,
  userId: string,
  policy: Pick<Credential, 'tools' | 'allowCustomerComments' | 'verificationFactors' | 'revealCustomerContact'>,
): Promise<{ code: string; grant: Credential }> {
  return db.tx(async (q) => {
    const grant = await insertGrant(q, ws, {
      name: req.clientName,
      clientId: req.clientId,
      redirectUri: req.redirectUri,
      userId,
      tools: [...policy.tools],
      allowCustomerComments: policy.allowCustomerComments,
      verificationFactors: policy.verificationFactors,
      revealCustomerContact: policy.revealCustomerContact,
    });
    const code = mintOAuthToken('code', ws.id);
    await q.query(
      `INSERT INTO oauth_tokens (workspace_id, token_hash, kind, credential_id, expires_at, redirect_uri, code_challenge)
       VALUES ($1, $2, 'code', $3, now() + make_interval(secs => $4), $5, $6)`,
      [ws.id, code.hash, grant.id, CODE_TTL_S, req.redirectUri, req.codeChallenge],
    );
    await appendAudit(q, ws.id, { action: 'oauth.authorize', outcome: 'ok', credentialId: grant.id, userId });
    return { code: code.token, grant };
  });
}

/** A refusal on the consent page (the staff member said no, or may not connect assistants): audited. */
export async function recordRefusal(db: Queryable, workspaceId: string, userId: string): Promise<void> {
  await appendAudit(db, workspaceId, { action: 'oauth.authorize', outcome: 'denied', userId });
}

async function issueTokens(q: Queryable, workspaceId: string, credentialId: string): Promise<TokenResponse> {
  const access = mintOAuthToken('access', workspaceId);
  const refresh = mintOAuthToken('refresh', workspaceId);
  await q.query(
    `INSERT INTO oauth_tokens (workspace_id, token_hash, kind, credential_id, expires_at) VALUES
       ($1, $2, 'access', $4, now() + make_interval(secs => $5)),
       ($1, $3, 'refresh', $4, now() + make_interval(secs => $6))`,
    [workspaceId, access.hash, refresh.hash, credentialId, ACCESS_TTL_S, REFRESH_TTL_S],
  );
  return { access_token: access.token, token_type: 'Bearer', expires_in: ACCESS_TTL_S, refresh_token: refresh.token };
}

/** Revoke a grant whose code or refresh token turned up twice, audited as what happened; after the commit, forgotten. */
async function revokeForReuse(db: Db, workspaceId: string, credentialId: string, action: string): Promise<void> {
  await db.tx(async (q) => {
    await q.query('UPDATE mcp_credentials SET revoked_at = coalesce(revoked_at, now()) WHERE workspace_id = $1 AND id = $2', [
      workspaceId,
      credentialId,
    ]);
    await appendAudit(q, workspaceId, { action, outcome: 'denied', credentialId });
  });
  authChanged(workspaceId);
}

function checkResource(publicUrl: string, resource: string | undefined, workspaceId: string): void {
  if (resource === undefined) return;
  if (workspaceOfResource(publicUrl, resource) !== workspaceId)
    throw invalidTarget('resource is not the MCP endpoint this grant was made for. Use the endpoint URL you connected to.');
}

const VERIFIER_RE = /^[A-Za-z0-9\-._~]{43,128}$/;

/** RFC 7636: BASE64URL(SHA-256(verifier)) equals the challenge, compared in constant time. */
function pkceMatches(verifier: string, challenge: string): boolean {
  const a = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface CodeExchange {
  code: string;
  clientId: string | undefined;
  redirectUri: string | undefined;
  codeVerifier: string | undefined;
  resource: string | undefined;
}

/** grant_type=authorization_code. */
export async function exchangeCode(db: Db, publicUrl: string, x: CodeExchange): Promise<TokenResponse> {
  const parsed = parseOAuthToken(x.code);
  if (parsed?.kind !== 'code') throw invalidGrant('The authorization code is not valid. Start the connection again.');
  if (!x.codeVerifier) throw invalidRequest('code_verifier is required: this server accepts only PKCE (S256) authorization codes.');
  if (!VERIFIER_RE.test(x.codeVerifier)) throw invalidRequest('code_verifier must be 43–128 characters of A–Z, a–z, 0–9 and "-._~" (RFC 7636).');
  if (!x.clientId) throw invalidRequest('client_id is required.');
  const ws = parsed.workspaceId;
  checkResource(publicUrl, x.resource, ws);
  const outcome = await db.tx(async (q) => {
    const r = await q.query<{
      credentialId: string;
      used: boolean;
      live: boolean;
      redirectUri: string;
      codeChallenge: string;
      clientId: string;
      revoked: boolean;
    }>(
      `SELECT t.credential_id AS "credentialId", t.used_at IS NOT NULL AS used, t.expires_at > now() AS live,
         t.redirect_uri AS "redirectUri", t.code_challenge AS "codeChallenge", c.client_id AS "clientId", c.revoked_at IS NOT NULL AS revoked
       FROM oauth_tokens t JOIN mcp_credentials c ON c.workspace_id = t.workspace_id AND c.id = t.credential_id
       WHERE t.workspace_id = $1 AND t.token_hash = $2 AND t.kind = 'code'
       FOR UPDATE OF t`,
      [ws, hashToken(x.code)],
    );
    const row = r.rows[0];
    if (!row) throw invalidGrant('The authorization code is not valid. Start the connection again.');
    if (row.clientId !== x.clientId) throw invalidGrant('The authorization code was issued to another client.');
    if (row.used) return { reused: true, credentialId: row.credentialId } as const;
    if (!row.live) throw invalidGrant(`The authorization code expired (codes last ${CODE_TTL_S} s). Start the connection again.`);
    if (row.revoked) throw invalidGrant('This connection was revoked. Start the connection again.');
    if (x.redirectUri !== row.redirectUri) throw invalidGrant('redirect_uri is not the one the authorization code was issued for.');
    if (!pkceMatches(x.codeVerifier!, row.codeChallenge))
      throw invalidGrant('code_verifier does not match the code_challenge of the authorization request.');
    await q.query('UPDATE oauth_tokens SET used_at = now() WHERE workspace_id = $1 AND token_hash = $2', [ws, hashToken(x.code)]);
    return { reused: false, tokens: await issueTokens(q, ws, row.credentialId) } as const;
  });
  if (!outcome.reused) return outcome.tokens;
  await revokeForReuse(db, ws, outcome.credentialId, 'oauth.code_reuse');
  throw invalidGrant('This authorization code was already used. For safety the connection it made was revoked; connect again.');
}

/** grant_type=refresh_token. */
export async function refreshTokens(
  db: Db,
  publicUrl: string,
  x: { refreshToken: string; clientId: string | undefined; resource: string | undefined },
): Promise<TokenResponse> {
  const parsed = parseOAuthToken(x.refreshToken);
  if (parsed?.kind !== 'refresh') throw invalidGrant('The refresh token is not valid. Connect again.');
  const ws = parsed.workspaceId;
  checkResource(publicUrl, x.resource, ws);
  const hash = hashToken(x.refreshToken);
  const outcome = await db.tx(async (q) => {
    const r = await q.query<{
      credentialId: string;
      used: boolean;
      inGrace: boolean;
      live: boolean;
      clientId: string;
      revoked: boolean;
      role: string | null;
    }>(
      `SELECT t.credential_id AS "credentialId", t.used_at IS NOT NULL AS used,
         coalesce(t.used_at > now() - make_interval(secs => $3), false) AS "inGrace", t.expires_at > now() AS live,
         c.client_id AS "clientId", c.revoked_at IS NOT NULL AS revoked, CASE WHEN u.deactivated_at IS NULL THEN u.role END AS role
       FROM oauth_tokens t JOIN mcp_credentials c ON c.workspace_id = t.workspace_id AND c.id = t.credential_id
       LEFT JOIN users u ON u.workspace_id = c.workspace_id AND u.id = c.created_by
       WHERE t.workspace_id = $1 AND t.token_hash = $2 AND t.kind = 'refresh'
       FOR UPDATE OF t`,
      [ws, hash, REFRESH_GRACE_S],
    );
    const row = r.rows[0];
    if (!row?.live) throw invalidGrant('The refresh token is not valid or has expired. Connect again.');
    if (x.clientId !== undefined && x.clientId !== row.clientId) throw invalidGrant('The refresh token was issued to another client.');
    if (row.revoked || (row.role !== 'owner' && row.role !== 'admin'))
      throw invalidGrant('This connection was revoked in Taskline (or whoever approved it may no longer). Connect again.');
    if (row.used && !row.inGrace) return { reused: true, credentialId: row.credentialId } as const;
    if (!row.used) await q.query('UPDATE oauth_tokens SET used_at = now() WHERE workspace_id = $1 AND token_hash = $2', [ws, hash]);
    return { reused: false, tokens: await issueTokens(q, ws, row.credentialId) } as const;
  });
  if (!outcome.reused) return outcome.tokens;
  await revokeForReuse(db, ws, outcome.credentialId, 'oauth.refresh_reuse');
  throw invalidGrant('This refresh token was already used. For safety the connection was revoked; connect again.');
}

/**
 * RFC 7009: an access token stops working at once (on every instance); a refresh token ends its grant, since a
 * client revokes it when it disconnects. Unknown or malformed tokens are not an error (the client's job is done).
 */
export async function revokeOAuthToken(db: Db, token: string): Promise<void> {
  const parsed = parseOAuthToken(token);
  if (!parsed || parsed.kind === 'code') return;
  const r = await db.query<{ credentialId: string }>(
    `SELECT credential_id AS "credentialId" FROM oauth_tokens WHERE workspace_id = $1 AND token_hash = $2 AND kind = $3`,
    [parsed.workspaceId, hashToken(token), parsed.kind],
  );
  const row = r.rows[0];
  if (!row) return;
  if (parsed.kind === 'refresh') {
    await revokeCredential(db, row.credentialId, { workspaceId: parsed.workspaceId });
    return;
  }
  await db.query('DELETE FROM oauth_tokens WHERE workspace_id = $1 AND token_hash = $2', [parsed.workspaceId, hashToken(token)]);
  authChanged(parsed.workspaceId);
}
