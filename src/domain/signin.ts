/** Email + password sign-in across workspaces (one email may be a user in several workspaces). */
import type { Queryable } from '../platform/db/client.ts';
import { normalizeEmail } from './normalize.ts';
import { hashPassword, verifyPassword } from '../platform/crypto/password.ts';

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
     WHERE u.email_lower = $1 AND ($2::uuid IS NULL OR u.workspace_id = $2)
     ORDER BY w.name, w.id LIMIT $3`,
    [normalizeEmail(email), workspaceId ?? null, MAX_ACCOUNTS_PER_EMAIL],
  );
  if (!r.rows.length) {
    dummyHash ??= hashPassword('taskline-dummy-password');
    await verifyPassword(password, await dummyHash);
    return { kind: 'failed' };
  }
  const matches: SignInMatch[] = [];
  for (const row of r.rows) {
    if (await verifyPassword(password, row.passwordHash))
      matches.push({ workspaceId: row.workspaceId, workspaceName: row.workspaceName, userId: row.userId });
  }
  if (matches.length === 1) return { kind: 'ok', match: matches[0]! };
  if (matches.length > 1) return { kind: 'choose', matches };
  return { kind: 'failed' };
}
