/** Email + password sign-in across workspaces (one email may be a user in several workspaces). */
import type { Queryable } from '../platform/db/client.ts';
import { normalizeEmail } from './normalize.ts';
import { hashPassword, needsRehash, verifyPassword } from '../platform/crypto/password.ts';

export interface SignInMatch {
  workspaceId: string;
  workspaceName: string;
  userId: string;
}

export type SignInResult =
  | { kind: 'ok'; match: SignInMatch }
  /** The password is right in several workspaces: the person picks one. */
  | { kind: 'choose'; matches: SignInMatch[] }
  | { kind: 'failed' };

/** A hash to verify against when the email is unknown, so that the answer takes as long as for a real user. */
let dummyHash: Promise<string> | undefined;

/** At most this many workspaces are tried for one email (bounds the scrypt work per attempt). */
const MAX_ACCOUNTS_PER_EMAIL = 10;

/**
 * Check an email and password. With `workspaceId`, only that workspace's user is considered (the chooser's second
 * step). Never says whether the email exists.
 */
export async function checkPassword(db: Queryable, email: string, password: string, workspaceId?: string): Promise<SignInResult> {
  const r = await db.query<{ workspaceId: string; workspaceName: string; userId: string; passwordHash: string }>(
    `SELECT u.workspace_id AS "workspaceId", w.name AS "workspaceName", u.id AS "userId", u.password_hash AS "passwordHash"
     FROM users u JOIN workspaces w ON w.id = u.workspace_id
     WHERE u.email_lower = $1 AND ($2::uuid IS NULL OR u.workspace_id = $2) AND u.deactivated_at IS NULL
     ORDER BY w.name, w.id LIMIT $3`,
    [normalizeEmail(email), workspaceId ?? null, MAX_ACCOUNTS_PER_EMAIL],
  );
  if (!r.rows.length) {
    dummyHash ??= hashPassword('taskline-dummy-password');
    await verifyPassword(password, await dummyHash);
    return { kind: 'failed' };
  }
  const matches: SignInMatch[] = [];
  // Accounts that joined with an existing password share its hash: each distinct hash is checked once.
  const verdicts = new Map<string, boolean>();
  for (const row of r.rows) {
    let ok = verdicts.get(row.passwordHash);
    if (ok === undefined) {
      ok = await verifyPassword(password, row.passwordHash);
      verdicts.set(row.passwordHash, ok);
    }
    if (ok) matches.push({ workspaceId: row.workspaceId, workspaceName: row.workspaceName, userId: row.userId });
  }
  if (matches.length === 1) return { kind: 'ok', match: matches[0]! };
  if (matches.length > 1) return { kind: 'choose', matches };
  return { kind: 'failed' };
}

/**
 * After a successful sign-in: note when, and store the password again with today's hashing parameters if its hash
 * was made with older ones (only if it is still the hash that was checked — a password changed meanwhile stays).
 */
export async function recordSignIn(db: Queryable, match: SignInMatch, password: string): Promise<void> {
  const r = await db.query<{ passwordHash: string }>(
    `UPDATE users SET last_signin_at = now() WHERE workspace_id = $1 AND id = $2 RETURNING password_hash AS "passwordHash"`,
    [match.workspaceId, match.userId],
  );
  const old = r.rows[0]?.passwordHash;
  if (!old || !needsRehash(old)) return;
  await db.query('UPDATE users SET password_hash = $3 WHERE workspace_id = $1 AND id = $2 AND password_hash = $4', [
    match.workspaceId,
    match.userId,
    await hashPassword(password),
    old,
  ]);
}
