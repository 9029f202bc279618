import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = 'mcp_live_';
const SECRET_LEN = 43; // 32 bytes, base64url without padding
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

/** Classify a presented token before touching the database. */
export function tokenShape(token: string | undefined | null): TokenShape {
  if (!token) return 'missing';
  if (/…|\.\.\.|\*/.test(token)) return 'preview';
  if (!TOKEN_RE.test(token) || token.length !== TOKEN_PREFIX.length + SECRET_LEN) return 'malformed';
  return 'ok';
}

export function hashesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
