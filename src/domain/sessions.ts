/**
 * Staff web sessions, stored in PostgreSQL so that any instance can serve any request.
 *
 * The cookie value is `<workspace id>.<secret>` (secret: 32 random bytes, base64url). The database keeps only
 * SHA-256(secret), keyed by (workspace_id, id_hash) — a single-shard lookup when distributed by workspace_id.
 * The CSRF token is HMAC-SHA256(secret, "taskline-csrf"): bound to the session, never stored, and useless to
 * someone who only has a copy of the table.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../platform/db/client.ts';
import { hashToken } from '../platform/crypto/tokens.ts';
import { isUuid } from './workspaces.ts';
import type { Role } from './users.ts';

/** Absolute lifetime of a session. */
export const SESSION_TTL_MS = 7 * 24 * 3600_000;
/** A session unused for this long is over. */
export const SESSION_IDLE_MS = 24 * 3600_000;
/** last_seen_at is written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;

const SECRET_RE = /^[A-Za-z0-9_-]{43}$/;

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  role: Role;
}

export interface SessionWorkspace {
  id: string;
  name: string;
}

export interface Session {
  /** The session's public id (shown on the account page; not its secret). */
  id: string;
  workspace: SessionWorkspace;
  user: SessionUser;
  /** The secret from the cookie (needed to derive the CSRF token); never logged, never stored. */
  secret: string;
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
}

export function csrfTokenFor(secret: string, purpose = 'taskline-csrf'): string {
  return createHmac('sha256', secret).update(purpose).digest('base64url');
}

/** Constant-time comparison of a submitted token with the expected one. */
export function tokensEqual(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * "<workspace id>.<secret>" — the form of a session cookie and of a one-time account link (src/domain/team.ts):
 * the workspace it belongs to, and a secret of which only the SHA-256 (hashToken) is stored.
 */
export function parseWorkspaceSecret(value: string | undefined): { workspaceId: string; secret: string } | null {
  if (!value) return null;
  const dot = value.indexOf('.');
  if (dot < 0) return null;
  const workspaceId = value.slice(0, dot);
  const secret = value.slice(dot + 1);
  if (!isUuid(workspaceId) || !SECRET_RE.test(secret)) return null;
  return { workspaceId, secret };
}

/** What a person needs to recognise a session of theirs later: the browser and the address it signed in from. */
export interface SessionOrigin {
  userAgent?: string;
  address?: string;
}

/** Start a session for a user; returns the cookie value (the only copy of the secret). */
export async function createSession(
  db: Queryable,
  workspaceId: string,
  userId: string,
  origin: SessionOrigin = {},
): Promise<{ cookie: string; expiresAt: Date }> {
  const secret = newSecret();
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db.query(`INSERT INTO web_sessions (workspace_id, id_hash, user_id, expires_at, user_agent, address) VALUES ($1, $2, $3, $4, $5, $6)`, [
    workspaceId,
    hashToken(secret),
    userId,
    expiresAt,
    origin.userAgent?.slice(0, 300) || null,
    origin.address?.slice(0, 100) || null,
  ]);
  // Opportunistic cleanup of this workspace's expired sessions (index-backed, usually nothing to do).
  await db.query(
    `DELETE FROM web_sessions WHERE workspace_id = $1 AND (expires_at < now() OR last_seen_at < now() - $2 * interval '1 millisecond')`,
    [workspaceId, SESSION_IDLE_MS],
  );
  return { cookie: `${workspaceId}.${secret}`, expiresAt };
}

/** The live session a cookie names, with its user and workspace; null when missing, unknown, expired or idle. */
export async function getSession(db: Queryable, cookie: string | undefined): Promise<Session | null> {
  const parsed = parseWorkspaceSecret(cookie);
  if (!parsed) return null;
  const r = await db.query<{
    id: string;
    uid: string;
    uname: string;
    email: string;
    role: Role;
    wname: string;
    createdAt: Date;
    expiresAt: Date;
    lastSeenAt: Date;
  }>(
    `SELECT s.id, u.id AS uid, u.name AS uname, u.email, u.role, w.name AS wname,
       s.created_at AS "createdAt", s.expires_at AS "expiresAt", s.last_seen_at AS "lastSeenAt"
     FROM web_sessions s
     JOIN users u ON u.workspace_id = s.workspace_id AND u.id = s.user_id
     JOIN workspaces w ON w.id = s.workspace_id
     WHERE s.workspace_id = $1 AND s.id_hash = $2 AND u.deactivated_at IS NULL
       AND s.expires_at > now() AND s.last_seen_at > now() - $3 * interval '1 millisecond'`,
    [parsed.workspaceId, hashToken(parsed.secret), SESSION_IDLE_MS],
  );
  const row = r.rows[0];
  if (!row) return null;
  if (Date.now() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db.query(`UPDATE web_sessions SET last_seen_at = now() WHERE workspace_id = $1 AND id_hash = $2`, [
      parsed.workspaceId,
      hashToken(parsed.secret),
    ]);
  }
  return {
    id: row.id,
    workspace: { id: parsed.workspaceId, name: row.wname },
    user: { id: row.uid, name: row.uname, email: row.email, role: row.role },
    secret: parsed.secret,
    csrfToken: csrfTokenFor(parsed.secret),
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  };
}

/** End the session a cookie names (sign-out, or rotation on sign-in). Unknown cookies are ignored. */
export async function deleteSession(db: Queryable, cookie: string | undefined): Promise<void> {
  const parsed = parseWorkspaceSecret(cookie);
  if (!parsed) return;
  await db.query(`DELETE FROM web_sessions WHERE workspace_id = $1 AND id_hash = $2`, [parsed.workspaceId, hashToken(parsed.secret)]);
}

/** Sign a user out everywhere (deactivation, a password reset) or everywhere but one session (a password change). */
export async function deleteUserSessions(db: Queryable, workspaceId: string, userId: string, exceptSessionId?: string): Promise<number> {
  const r = await db.query(`DELETE FROM web_sessions WHERE workspace_id = $1 AND user_id = $2 AND id IS DISTINCT FROM $3::uuid`, [
    workspaceId,
    userId,
    exceptSessionId ?? null,
  ]);
  return r.rowCount;
}

export interface SessionSummary {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  userAgent: string | null;
  address: string | null;
}

/** A user's live sessions, most recently used first. */
export async function listUserSessions(db: Queryable, workspaceId: string, userId: string): Promise<SessionSummary[]> {
  const r = await db.query<SessionSummary>(
    `SELECT id, created_at AS "createdAt", last_seen_at AS "lastSeenAt", user_agent AS "userAgent", address
     FROM web_sessions
     WHERE workspace_id = $1 AND user_id = $2 AND expires_at > now() AND last_seen_at > now() - $3 * interval '1 millisecond'
     ORDER BY last_seen_at DESC, id`,
    [workspaceId, userId, SESSION_IDLE_MS],
  );
  return r.rows;
}

/** End one of a user's own sessions by its public id; false when it is not theirs (or already over). */
export async function endUserSession(db: Queryable, workspaceId: string, userId: string, sessionId: string): Promise<boolean> {
  if (!isUuid(sessionId)) return false;
  const r = await db.query('DELETE FROM web_sessions WHERE workspace_id = $1 AND user_id = $2 AND id = $3', [workspaceId, userId, sessionId]);
  return r.rowCount > 0;
}

/** Cookie names and attributes: `__Host-` names and Secure behind https. */
export function cookieSettings(publicUrl: string) {
  const secure = publicUrl.startsWith('https://');
  return {
    secure,
    sessionName: secure ? '__Host-tl_session' : 'tl_session',
    preName: secure ? '__Host-tl_pre' : 'tl_pre',
  };
}
