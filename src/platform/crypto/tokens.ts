import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = 'mcp_live_';
/** The prefix and 32 random bytes in base64url (43 characters, no padding). */
const TOKEN_RE = /^mcp_live_[A-Za-z0-9_-]{43}$/;

export interface MintedToken {
  token: string;
  hash: Buffer;
  prefix: string;
  last4: string;
}

export function mintToken(): MintedToken {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token), prefix: token.slice(0, TOKEN_PREFIX.length + 4), last4: token.slice(-4) };
}

/** SHA-256 of the token (one-shot crypto.hash: a quarter of createHash's cost on the per-request path). */
export function hashToken(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}

/** The same digest in base64, as an in-memory key (AuthCache). */
export function tokenKey(token: string): string {
  return hash('sha256', token, 'base64');
}

export function tokenPreview(prefix: string, last4: string): string {
  return `${prefix}…${last4}`;
}

export type TokenShape = 'ok' | 'missing' | 'preview' | 'malformed';

/** Classify a presented token before touching the database: an mcp_live_ token or an OAuth access token is 'ok'. */
export function tokenShape(token: string | undefined | null): TokenShape {
  if (!token) return 'missing';
  if (/…|\.\.\.|\*/.test(token)) return 'preview';
  if (TOKEN_RE.test(token) || parseOAuthToken(token)?.kind === 'access') return 'ok';
  return 'malformed';
}

/**
 * OAuth tokens: a visible prefix by kind, the workspace they belong to (22 base64url characters of its UUID: not a
 * secret, it is in the MCP URL too) and 32 random bytes. The workspace lets every lookup stay within one workspace
 * and tells a token presented to another workspace's endpoint apart without a query.
 */
export const OAUTH_PREFIXES = { code: 'tl_ac_', access: 'tl_at_', refresh: 'tl_rt_' } as const;
export type OAuthTokenKind = keyof typeof OAUTH_PREFIXES;
const OAUTH_RE = /^tl_(ac|at|rt)_([A-Za-z0-9_-]{22})([A-Za-z0-9_-]{43})$/;
const KIND_BY_TAG = { ac: 'code', at: 'access', rt: 'refresh' } as const;

export function mintOAuthToken(kind: OAuthTokenKind, workspaceId: string): { token: string; hash: Buffer } {
  const token =
    OAUTH_PREFIXES[kind] + Buffer.from(workspaceId.replace(/-/g, ''), 'hex').toString('base64url') + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** The kind and workspace of a well-formed OAuth token, or null. Says nothing about whether it is valid. */
export function parseOAuthToken(token: string): { kind: OAuthTokenKind; workspaceId: string } | null {
  const m = OAUTH_RE.exec(token);
  if (!m) return null;
  const hex = Buffer.from(m[2]!, 'base64url').toString('hex');
  if (hex.length !== 32 || Buffer.from(hex, 'hex').toString('base64url') !== m[2]) return null;
  const workspaceId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { kind: KIND_BY_TAG[m[1] as keyof typeof KIND_BY_TAG], workspaceId };
}

export function hashesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
