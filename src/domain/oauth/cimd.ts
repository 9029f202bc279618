/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): a client_id that is an https URL
 * names a JSON document the client publishes. Fetching a URL a stranger chose is an SSRF risk, so the fetch refuses
 * special-use addresses (after DNS, pinned), redirects, more than 5 KB and more than 5 s (platform/http/safeFetch).
 * Documents are cached in PostgreSQL for every instance, for as long as their cache headers say (1 minute to 1 day);
 * when a refetch fails, the last good copy serves for up to a week, so a client's outage does not lock its users out.
 */
import { z } from 'zod';
import type { Queryable } from '../../platform/db/client.ts';
import { SafeFetchError, safeFetch } from '../../platform/http/safeFetch.ts';
import { invalidClient } from './errors.ts';

export const MAX_DOCUMENT_BYTES = 5 * 1024;
const FETCH_TIMEOUT_MS = 5000;
const MIN_FRESH_S = 60;
const MAX_FRESH_S = 24 * 3600;
const DEFAULT_FRESH_S = 3600;
const STALE_S = 7 * 24 * 3600;
const SHARED_SECRET_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);

export interface ClientDocument {
  clientName: string | null;
  redirectUris: string[];
}

/**
 * Whether a client_id is a metadata document URL: https, a path, no userinfo, no fragment, no dot segments, and
 * written the way the URL parser would write it (so that string comparison — the draft's rule — is safe).
 */
export function isDocumentClientId(clientId: string, allowLoopback: boolean): boolean {
  if (!URL.canParse(clientId)) return false;
  const u = new URL(clientId);
  const scheme = u.protocol === 'https:' || (allowLoopback && u.protocol === 'http:');
  return scheme && u.pathname !== '/' && !u.username && !u.password && !u.hash && u.href === clientId && !/\/\.\.?(\/|$)/.test(clientId);
}

const Document = z.object({
  client_id: z.string(),
  client_name: z.string().trim().max(200).optional(),
  redirect_uris: z.array(z.string().max(2000)).min(1).max(20),
  token_endpoint_auth_method: z.string().optional(),
  client_secret: z.unknown().optional(),
});

/** The document's contents if it is a valid metadata document for `url`, else the reason it is not. */
export function checkDocument(url: string, json: unknown): ClientDocument | string {
  const parsed = Document.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    return `its ${i.path.join('.') || 'content'} is not valid (${i.message})`;
  }
  const d = parsed.data;
  if (d.client_id !== url) return 'its client_id is not the URL it was fetched from';
  if (d.client_secret !== undefined || SHARED_SECRET_METHODS.has(d.token_endpoint_auth_method ?? ''))
    return 'it asks for a shared client secret, which a public document cannot hold';
  const bad = d.redirect_uris.find((r) => !URL.canParse(r));
  if (bad) return `its redirect URI "${bad.slice(0, 100)}" is not an absolute URI`;
  return { clientName: d.client_name || null, redirectUris: d.redirect_uris };
}

/** Seconds the document may be used without asking again, from Cache-Control (or Expires), within 1 minute to 1 day. */
export function freshSeconds(headers: Record<string, string>): number {
  const cc = headers['cache-control'] ?? '';
  if (/\b(no-store|no-cache)\b/i.test(cc)) return MIN_FRESH_S;
  const maxAge = /\bs-maxage\s*=\s*(\d+)/i.exec(cc) ?? /\bmax-age\s*=\s*(\d+)/i.exec(cc);
  let s = maxAge ? Number(maxAge[1]) : Number.NaN;
  if (Number.isNaN(s) && headers.expires) {
    const base = headers.date ? Date.parse(headers.date) : Date.now();
    s = (Date.parse(headers.expires) - (Number.isNaN(base) ? Date.now() : base)) / 1000;
  }
  if (Number.isNaN(s)) return DEFAULT_FRESH_S;
  return Math.min(MAX_FRESH_S, Math.max(MIN_FRESH_S, Math.floor(s)));
}

/** One fetch per URL at a time in this process: a burst of authorizations for one client asks its server once. */
const inFlight = new Map<string, Promise<ClientDocument>>();

/** The client's document: cached if fresh, fetched otherwise, the last good copy if that fails. */
export async function clientDocument(db: Queryable, url: string, opts: { allowLoopback: boolean }): Promise<ClientDocument> {
  const r = await db.query<{ document: unknown; fresh: boolean; usable: boolean }>(
    'SELECT document, fresh_until > now() AS fresh, stale_until > now() AS usable FROM oauth_client_documents WHERE url = $1',
    [url],
  );
  const cached = r.rows[0];
  const stored = cached?.usable ? checkDocument(url, cached.document) : null;
  if (cached?.fresh && stored && typeof stored !== 'string') return stored;
  let pending = inFlight.get(url);
  if (!pending) {
    pending = fetchDocument(db, url, opts).finally(() => inFlight.delete(url));
    inFlight.set(url, pending);
  }
  try {
    return await pending;
  } catch (err) {
    if (stored && typeof stored !== 'string') return stored;
    throw err;
  }
}

async function fetchDocument(db: Queryable, url: string, opts: { allowLoopback: boolean }): Promise<ClientDocument> {
  let res: Awaited<ReturnType<typeof safeFetch>>;
  try {
    res = await safeFetch(url, { maxBytes: MAX_DOCUMENT_BYTES, timeoutMs: FETCH_TIMEOUT_MS, allowLoopback: opts.allowLoopback });
  } catch (err) {
    if (!(err instanceof SafeFetchError)) throw err;
    const why: Record<string, string> = {
      address: 'its address is a private, loopback or otherwise special-use address',
      too_large: `it is larger than ${MAX_DOCUMENT_BYTES / 1024} KB`,
      redirect: 'it answered with a redirect (documents must be served directly)',
      timeout: `it did not answer within ${FETCH_TIMEOUT_MS / 1000} s`,
    };
    throw invalidClient(`The assistant's client metadata document at ${url.slice(0, 200)} could not be used: ${why[err.reason] ?? err.message}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(res.body.toString('utf8'));
  } catch {
    throw invalidClient(`The assistant's client metadata document at ${url.slice(0, 200)} is not JSON.`);
  }
  const doc = checkDocument(url, json);
  if (typeof doc === 'string') throw invalidClient(`The assistant's client metadata document at ${url.slice(0, 200)} is not valid: ${doc}.`);
  const fresh = freshSeconds(res.headers);
  await db.query(
    `INSERT INTO oauth_client_documents (url, document, fetched_at, fresh_until, stale_until)
     VALUES ($1, $2, now(), now() + make_interval(secs => $3), now() + make_interval(secs => $4))
     ON CONFLICT (url) DO UPDATE SET document = excluded.document, fetched_at = excluded.fetched_at,
       fresh_until = excluded.fresh_until, stale_until = excluded.stale_until`,
    [url, JSON.stringify(json), fresh, STALE_S],
  );
  return doc;
}
