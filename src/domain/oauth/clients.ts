/**
 * Who is asking: an OAuth client is either a Client ID Metadata Document (its client_id is the https URL of a JSON
 * document that names it and lists its redirect URIs — what claude.ai and ChatGPT use) or a client that registered
 * itself here (RFC 7591; deprecated by MCP, still used by ChatGPT, Copilot Studio and older clients).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from '../../platform/db/client.ts';
import { clientDocument, isDocumentClientId } from './cimd.ts';
import { invalidClient, OAuthError } from './errors.ts';

export interface OAuthClient {
  id: string;
  name: string;
  redirectUris: string[];
  /** true: registered here (RFC 7591); false: described by its metadata document. */
  registered: boolean;
  /** What a person can check on the consent page: the document's host, or for a registered client its redirect host. */
  host: string;
}

export interface ClientOptions {
  /** Tests only: metadata documents may live on loopback addresses (and over http there). */
  allowLoopback: boolean;
}

/** A client unused this long is forgotten. */
const REGISTERED_CLIENT_IDLE_DAYS = 30;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The client behind a client_id; an OAuthError('invalid_client') (never sent to a redirect URI) when there is none. */
export async function resolveClient(db: Queryable, clientId: string, opts: ClientOptions): Promise<OAuthClient> {
  if (!clientId) throw invalidClient('client_id is missing. The assistant must say who it is.');
  if (isDocumentClientId(clientId, opts.allowLoopback)) {
    const doc = await clientDocument(db, clientId, opts);
    return {
      id: clientId,
      name: doc.clientName ?? new URL(clientId).host,
      redirectUris: doc.redirectUris,
      registered: false,
      host: new URL(clientId).host,
    };
  }
  if (clientId.length > 100) throw invalidClient('client_id is not one this server knows.');
  const r = await db.query<{ name: string; redirectUris: string[] }>(
    `UPDATE oauth_clients SET last_used_at = now()
     WHERE id = $1 AND last_used_at > now() - make_interval(days => $2)
     RETURNING name, redirect_uris AS "redirectUris"`,
    [clientId, REGISTERED_CLIENT_IDLE_DAYS],
  );
  const row = r.rows[0];
  if (!row)
    throw invalidClient(
      `client_id "${clientId.slice(0, 60)}" is not registered here (or went unused for ${REGISTERED_CLIENT_IDLE_DAYS} days). Remove the connector in your assistant and add it again.`,
    );
  return { id: clientId, name: row.name, redirectUris: row.redirectUris, registered: true, host: hostOf(row.redirectUris[0] ?? '') };
}

function hostOf(uri: string): string {
  return URL.canParse(uri) ? new URL(uri).host || new URL(uri).protocol : uri;
}

function isLoopbackHttp(u: URL): boolean {
  return u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname === '::1' ? '[::1]' : u.hostname);
}

/**
 * Is `given` one of the client's redirect URIs? Exactly, character for character — except that a loopback http
 * redirect may use any port (RFC 8252 §7.3: a desktop app listens on whatever port it gets).
 */
export function redirectMatches(registered: readonly string[], given: string): boolean {
  if (registered.includes(given)) return true;
  if (!URL.canParse(given)) return false;
  const g = new URL(given);
  if (!isLoopbackHttp(g)) return false;
  return registered.some((r) => {
    if (!URL.canParse(r)) return false;
    const u = new URL(r);
    return isLoopbackHttp(u) && u.hostname === g.hostname && u.pathname === g.pathname && u.search === g.search;
  });
}

/** Why a redirect URI cannot be registered, or null: https, loopback http, or an app's private-use scheme (RFC 8252 §7.1). */
export function redirectUriProblem(uri: string): string | null {
  if (!URL.canParse(uri)) return `"${uri.slice(0, 100)}" is not an absolute URI`;
  const u = new URL(uri);
  if (u.hash) return `"${uri.slice(0, 100)}" has a fragment; redirect URIs may not`;
  if (u.protocol === 'https:' || isLoopbackHttp(u)) return null;
  if (u.protocol === 'http:') return `"${uri.slice(0, 100)}" uses http on a public host; use https (or a loopback address)`;
  if (['javascript:', 'data:', 'file:', 'vbscript:', 'blob:', 'about:', 'ftp:', 'ws:', 'wss:'].includes(u.protocol))
    return `"${uri.slice(0, 100)}" uses the ${u.protocol} scheme, which cannot be a redirect URI`;
  return null;
}

const Registration = z.object({
  redirect_uris: z.array(z.string().max(2000)).min(1, 'at least one redirect URI is required').max(10, 'at most 10 redirect URIs'),
  client_name: z.string().trim().max(100).optional(),
  token_endpoint_auth_method: z.string().max(100).optional(),
  grant_types: z.array(z.string().max(100)).max(10).optional(),
  response_types: z.array(z.string().max(100)).max(10).optional(),
  scope: z.string().max(1000).optional(),
});

/**
 * Register a client (RFC 7591). Every client here is public: whatever authentication method it asks for, it gets
 * `none` and proves itself with PKCE — which is what ChatGPT, asking for private_key_jwt first, falls back to.
 */
export async function registerClient(db: Queryable, body: unknown) {
  const parsed = Registration.safeParse(body);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new OAuthError('invalid_client_metadata', `${i.path.join('.') || 'body'}: ${i.message}`);
  }
  const m = parsed.data;
  for (const uri of m.redirect_uris) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new OAuthError('invalid_redirect_uri', problem);
  }
  if (m.response_types && !m.response_types.includes('code'))
    throw new OAuthError('invalid_client_metadata', 'response_types must include "code": this server issues authorization codes only');
  if (m.grant_types && !m.grant_types.includes('authorization_code'))
    throw new OAuthError('invalid_client_metadata', 'grant_types must include "authorization_code"');
  const id = `tlc_${randomBytes(18).toString('base64url')}`;
  const name = m.client_name || 'Unnamed assistant';
  const r = await db.query<{ createdAt: Date }>(
    'INSERT INTO oauth_clients (id, name, redirect_uris) VALUES ($1, $2, $3) RETURNING created_at AS "createdAt"',
    [id, name, m.redirect_uris],
  );
  // Forget clients nobody has used for a while (a registration per fresh connection is common).
  if (Math.random() < 0.05)
    await db.query('DELETE FROM oauth_clients WHERE last_used_at < now() - make_interval(days => $1)', [REGISTERED_CLIENT_IDLE_DAYS]);
  return {
    client_id: id,
    client_id_issued_at: Math.floor(r.rows[0]!.createdAt.getTime() / 1000),
    client_name: name,
    redirect_uris: m.redirect_uris,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  };
}
