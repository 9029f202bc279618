/**
 * Team accounts: invitations, roles, deactivation, password resets and password changes — one domain command each,
 * called alike by the web app and the CLI, each written and audited in one transaction.
 *
 * The rules: owners and admins manage the team; only an owner makes, demotes, deactivates or resets an owner (the
 * CLI, run by whoever runs the server, acts as the operator and may do all of it); the last active owner cannot be
 * demoted or deactivated; nobody deactivates themselves. Account changes of one workspace are serialized by a lock
 * on its row, so two owners demoting each other at once cannot leave the workspace without one.
 *
 * One-time links (invitations for 7 days, resets for 24 hours, or 1 hour when asked for by email) carry
 * "<workspace id>.<secret>"; only SHA-256(secret) is stored, a link works once, and a newer link of the same kind for
 * the same person replaces the older one.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../platform/db/client.ts';
import { hashPassword, verifyPassword } from '../platform/crypto/password.ts';
import { hashToken } from '../platform/crypto/tokens.ts';
import { appendAudit } from './audit.ts';
import { authChanged } from './authevents.ts';
import { DomainError, conflict, invalid, notFound } from './errors.ts';
import { normalizeEmail } from './normalize.ts';
import { passwordProblem } from './passwords.ts';
import { deleteUserSessions, newSecret, parseWorkspaceSecret } from './sessions.ts';
import { checkPassword } from './signin.ts';
import { ROLES, type Role, type User, EMAIL_RE, USER_COLS } from './users.ts';
import { isUuid, type Actor } from './workspaces.ts';

export const INVITE_TTL_S = 7 * 24 * 3600;
export const RESET_TTL_S = 24 * 3600;
export const EMAILED_RESET_TTL_S = 3600;

const forbidden = (msg: string) => new DomainError('forbidden', msg);

export interface TeamMember extends User {
  status: 'active' | 'deactivated';
  deactivatedAt: Date | null;
  lastSignInAt: Date | null;
  /** Tasks assigned to them that are not done or cancelled. */
  openTasks: number;
}

/** The team (or with `userId`, one member of it), active first, then by name. */
async function teamRows(db: Queryable, workspaceId: string, userId: string | null): Promise<TeamMember[]> {
  const r = await db.query<TeamMember>(
    `SELECT ${USER_COLS}, CASE WHEN u.deactivated_at IS NULL THEN 'active' ELSE 'deactivated' END AS status,
       u.deactivated_at AS "deactivatedAt", u.last_signin_at AS "lastSignInAt",
       (SELECT count(*)::int FROM tasks t WHERE t.workspace_id = u.workspace_id AND t.assignee_id = u.id
          AND t.status NOT IN ('done', 'cancelled')) AS "openTasks"
     FROM users u WHERE u.workspace_id = $1 AND ($2::uuid IS NULL OR u.id = $2)
     ORDER BY u.deactivated_at IS NOT NULL, u.name, u.id`,
    [workspaceId, userId],
  );
  return r.rows;
}

/** Everyone on the team, active first, then by name. */
export function listTeam(db: Queryable, workspaceId: string): Promise<TeamMember[]> {
  return teamRows(db, workspaceId, null);
}

export async function getTeamMember(db: Queryable, workspaceId: string, userId: string): Promise<TeamMember | null> {
  if (!isUuid(userId)) return null;
  return (await teamRows(db, workspaceId, userId))[0] ?? null;
}

/** A member's open tasks (for reassignment when they leave), newest activity first. */
export async function openTasksOf(db: Queryable, workspaceId: string, userId: string): Promise<{ number: number; title: string; status: string }[]> {
  const r = await db.query<{ number: number; title: string; status: string }>(
    `SELECT number, title, status FROM tasks WHERE workspace_id = $1 AND assignee_id = $2 AND status NOT IN ('done', 'cancelled')
     ORDER BY updated_at DESC, id DESC LIMIT 200`,
    [workspaceId, userId],
  );
  return r.rows;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
  invitedByName: string | null;
}

/** Invitations not yet accepted, withdrawn or expired. */
export async function listInvitations(db: Queryable, workspaceId: string): Promise<Invitation[]> {
  const r = await db.query<Invitation>(
    `SELECT l.id, l.email, l.role, l.created_at AS "createdAt", l.expires_at AS "expiresAt", u.name AS "invitedByName"
     FROM account_links l LEFT JOIN users u ON u.workspace_id = l.workspace_id AND u.id = l.created_by
     WHERE l.workspace_id = $1 AND l.kind = 'invite' AND l.used_at IS NULL AND l.revoked_at IS NULL AND l.expires_at > now()
     ORDER BY l.created_at DESC`,
    [workspaceId],
  );
  return r.rows;
}

/** A one-time link as handed out: the token (shown once, or mailed) and when it stops working. */
export interface IssuedLink {
  id: string;
  token: string;
  expiresAt: Date;
}

/** Lock the workspace's account changes and read the acting staff member's role (null: the operator, via the CLI). */
async function begin(q: Queryable, workspaceId: string, actor: Actor): Promise<Role | null> {
  const ws = await q.query('SELECT 1 FROM workspaces WHERE id = $1 FOR UPDATE', [workspaceId]);
  if (!ws.rows.length) throw notFound(`no workspace with id ${workspaceId}`);
  if (!actor.userId) return null;
  const r = await q.query<{ role: Role }>('SELECT role FROM users WHERE workspace_id = $1 AND id = $2 AND deactivated_at IS NULL', [
    workspaceId,
    actor.userId,
  ]);
  const role = r.rows[0]?.role;
  if (role !== 'owner' && role !== 'admin') throw forbidden('Only owners and admins manage the team.');
  return role;
}

async function lockedUser(q: Queryable, workspaceId: string, userId: string): Promise<User & { deactivatedAt: Date | null }> {
  if (!isUuid(userId)) throw notFound('No such staff member in this workspace.');
  const r = await q.query<User & { deactivatedAt: Date | null }>(
    `SELECT ${USER_COLS}, deactivated_at AS "deactivatedAt" FROM users WHERE workspace_id = $1 AND id = $2 FOR UPDATE`,
    [workspaceId, userId],
  );
  if (!r.rows[0]) throw notFound('No such staff member in this workspace.');
  return r.rows[0];
}

async function activeOwners(q: Queryable, workspaceId: string): Promise<number> {
  const r = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM users WHERE workspace_id = $1 AND role = 'owner' AND deactivated_at IS NULL`,
    [workspaceId],
  );
  return r.rows[0]!.n;
}

const onlyOwners = (actorRole: Role | null, what: string) => {
  if (actorRole !== null && actorRole !== 'owner') throw forbidden(`Only an owner can ${what}.`);
};

async function issueLink(
  q: Queryable,
  workspaceId: string,
  link: { kind: 'invite' | 'reset'; email?: string; role?: Role; userId?: string; createdBy: string | null; ttlS: number },
): Promise<IssuedLink> {
  const secret = newSecret();
  const id = randomUUID();
  const r = await q.query<{ expiresAt: Date }>(
    `INSERT INTO account_links (workspace_id, id, kind, token_hash, email, email_lower, role, user_id, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + make_interval(secs => $10)) RETURNING expires_at AS "expiresAt"`,
    [
      workspaceId,
      id,
      link.kind,
      hashToken(secret),
      link.email ?? null,
      link.email ? normalizeEmail(link.email) : null,
      link.role ?? null,
      link.userId ?? null,
      link.createdBy,
      link.ttlS,
    ],
  );
  return { id, token: `${workspaceId}.${secret}`, expiresAt: r.rows[0]!.expiresAt };
}

/**
 * Invite someone by email and role. An earlier pending invitation for the same address is withdrawn (the newest
 * link is the one that works). Someone who already has an account here is not invited again.
 */
export async function inviteStaff(db: Db, workspaceId: string, input: { email: string; role: string }, actor: Actor): Promise<IssuedLink> {
  const email = input.email.trim();
  if (!EMAIL_RE.test(email) || email.length > 320) throw invalid(`"${email.slice(0, 80)}" is not an email address.`);
  if (!ROLES.includes(input.role as Role)) throw invalid(`The role must be one of ${ROLES.join(', ')}.`);
  const role = input.role as Role;
  return db.tx(async (q) => {
    const actorRole = await begin(q, workspaceId, actor);
    if (role === 'owner') onlyOwners(actorRole, 'invite an owner');
    const existing = await q.query<{ deactivated: boolean }>(
      'SELECT deactivated_at IS NOT NULL AS deactivated FROM users WHERE workspace_id = $1 AND email_lower = $2',
      [workspaceId, normalizeEmail(email)],
    );
    if (existing.rows[0])
      throw conflict(
        existing.rows[0].deactivated
          ? `${email} has a deactivated account in this workspace: reactivate it on the Team page instead.`
          : `${email} is already on the team.`,
      );
    await q.query(
      `UPDATE account_links SET revoked_at = now()
       WHERE workspace_id = $1 AND kind = 'invite' AND email_lower = $2 AND used_at IS NULL AND revoked_at IS NULL`,
      [workspaceId, normalizeEmail(email)],
    );
    const link = await issueLink(q, workspaceId, { kind: 'invite', email, role, createdBy: actor.userId ?? null, ttlS: INVITE_TTL_S });
    await appendAudit(q, workspaceId, { action: 'account.invite', outcome: 'ok', userId: actor.userId ?? null, detail: `${email} as ${role}` });
    return link;
  });
}

/** Withdraw a pending invitation: its link stops working. */
export async function revokeInvitation(db: Db, workspaceId: string, invitationId: string, actor: Actor): Promise<void> {
  if (!isUuid(invitationId)) throw notFound('No such invitation.');
  await db.tx(async (q) => {
    const actorRole = await begin(q, workspaceId, actor);
    const r = await q.query<{ email: string; role: Role }>(
      `UPDATE account_links SET revoked_at = now()
       WHERE workspace_id = $1 AND id = $2 AND kind = 'invite' AND used_at IS NULL AND revoked_at IS NULL RETURNING email, role`,
      [workspaceId, invitationId],
    );
    const inv = r.rows[0];
    if (!inv) throw notFound('No such pending invitation (it may have been accepted or withdrawn already).');
    if (inv.role === 'owner') onlyOwners(actorRole, 'withdraw an invitation to an owner');
    await appendAudit(q, workspaceId, {
      action: 'account.invite_revoke',
      outcome: 'ok',
      userId: actor.userId ?? null,
      detail: `${inv.email} as ${inv.role}`,
    });
  });
}

export type LinkProblem = 'unknown' | 'expired' | 'used';

export interface LinkInfo {
  workspaceId: string;
  workspaceName: string;
  kind: 'invite' | 'reset';
  email: string;
  role: Role | null;
  userId: string | null;
  /** An invitation for an address that already signs in to another workspace: it joins with that password. */
  existingAccount: boolean;
  expiresAt: Date;
}

/** A link's token has the form of a session cookie: its workspace, and the hash of its secret as stored. */
function parseLinkToken(token: string): { workspaceId: string; hash: Buffer } | null {
  const parsed = parseWorkspaceSecret(token);
  return parsed && { workspaceId: parsed.workspaceId, hash: hashToken(parsed.secret) };
}

async function readLink(q: Queryable, token: string, kind: 'invite' | 'reset', lock: boolean): Promise<LinkInfo | LinkProblem> {
  const parsed = parseLinkToken(token);
  if (!parsed) return 'unknown';
  const r = await q.query<LinkInfo & { used: boolean; revoked: boolean; live: boolean; userActive: boolean | null }>(
    `SELECT l.workspace_id AS "workspaceId", w.name AS "workspaceName", l.kind, coalesce(l.email, u.email) AS email, l.role,
       l.user_id AS "userId", l.expires_at AS "expiresAt", l.used_at IS NOT NULL AS used, l.revoked_at IS NOT NULL AS revoked,
       l.expires_at > now() AS live, u.deactivated_at IS NULL AS "userActive",
       EXISTS (SELECT 1 FROM users o WHERE o.email_lower = l.email_lower AND o.deactivated_at IS NULL) AS "existingAccount"
     FROM account_links l JOIN workspaces w ON w.id = l.workspace_id
     LEFT JOIN users u ON u.workspace_id = l.workspace_id AND u.id = l.user_id
     WHERE l.workspace_id = $1 AND l.token_hash = $2 AND l.kind = $3${lock ? ' FOR UPDATE OF l' : ''}`,
    [parsed.workspaceId, parsed.hash, kind],
  );
  const row = r.rows[0];
  if (!row || row.revoked || (kind === 'reset' && row.userActive === false)) return 'unknown';
  if (row.used) return 'used';
  if (!row.live) return 'expired';
  const { used: _u, revoked: _r, live: _l, userActive: _a, ...info } = row;
  return info;
}

/** What a link is for, to show its page — or why it cannot be used. Reading it uses nothing up. */
export function peekLink(db: Queryable, token: string, kind: 'invite' | 'reset'): Promise<LinkInfo | LinkProblem> {
  return readLink(db, token, kind, false);
}

export class LinkError extends DomainError {
  constructor(readonly problem: LinkProblem) {
    super(
      'invalid',
      problem === 'used' ? 'This link was used already.' : problem === 'expired' ? 'This link has expired.' : 'This link is not valid.',
    );
  }
}

/**
 * Accept an invitation: the account is created with the name and password given — or, for an address that already
 * signs in to another workspace, with that account's password, which must be given (the same password then opens
 * both, and sign-in lets the person choose). Audited as account.accept by the new member.
 */
export async function acceptInvitation(
  db: Db,
  token: string,
  input: { name: string; password: string },
): Promise<{ user: User; workspaceId: string }> {
  const info = await peekLink(db, token, 'invite');
  if (typeof info === 'string') throw new LinkError(info);
  let passwordHash: string;
  let name = input.name.trim().slice(0, 200);
  if (info.existingAccount) {
    // The same check as sign-in (each distinct hash once): any of this email's accounts whose password it is.
    const checked = await checkPassword(db, info.email, input.password);
    const match = checked.kind === 'ok' ? checked.match : checked.kind === 'choose' ? checked.matches[0] : undefined;
    if (!match) throw invalid('That is not the password of your existing Taskline account. Use the password you sign in with today.');
    const existing = (
      await db.query<{ passwordHash: string; name: string }>(
        'SELECT password_hash AS "passwordHash", name FROM users WHERE workspace_id = $1 AND id = $2',
        [match.workspaceId, match.userId],
      )
    ).rows[0]!;
    passwordHash = existing.passwordHash;
    name ||= existing.name;
  } else {
    if (!name) throw invalid('Enter your name, as your colleagues will see it.');
    const problem = passwordProblem(input.password, { email: info.email, name });
    if (problem) throw invalid(problem);
    passwordHash = await hashPassword(input.password);
  }
  return db.tx(async (q) => {
    const locked = await readLink(q, token, 'invite', true);
    if (typeof locked === 'string') throw new LinkError(locked);
    const r = await q.query<User>(
      `INSERT INTO users (workspace_id, id, email, email_lower, name, role, password_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (workspace_id, email_lower) DO NOTHING
       RETURNING ${USER_COLS}`,
      [locked.workspaceId, randomUUID(), locked.email, normalizeEmail(locked.email), name || locked.email.split('@')[0]!, locked.role, passwordHash],
    );
    const user = r.rows[0];
    if (!user) throw conflict(`${locked.email} already has an account in ${locked.workspaceName}. Sign in instead.`);
    await q.query('UPDATE account_links SET used_at = now() WHERE workspace_id = $1 AND token_hash = $2', [
      locked.workspaceId,
      parseLinkToken(token)!.hash,
    ]);
    await appendAudit(q, locked.workspaceId, {
      action: 'account.accept',
      outcome: 'ok',
      userId: user.id,
      subjectUserId: user.id,
      detail: `as ${user.role}`,
    });
    return { user, workspaceId: locked.workspaceId };
  });
}

/** Change a staff member's role. */
export async function changeRole(db: Db, workspaceId: string, userId: string, role: string, actor: Actor): Promise<User> {
  if (!ROLES.includes(role as Role)) throw invalid(`The role must be one of ${ROLES.join(', ')}.`);
  const user = await db.tx(async (q) => {
    const actorRole = await begin(q, workspaceId, actor);
    const target = await lockedUser(q, workspaceId, userId);
    if (target.role === role) return target;
    if (role === 'owner') onlyOwners(actorRole, 'make someone an owner');
    if (target.role === 'owner') {
      onlyOwners(actorRole, 'change an owner’s role');
      if (!target.deactivatedAt && (await activeOwners(q, workspaceId)) <= 1)
        throw conflict(`${target.name} is the last active owner. Make someone else an owner first.`);
    }
    await q.query('UPDATE users SET role = $3 WHERE workspace_id = $1 AND id = $2', [workspaceId, userId, role]);
    await appendAudit(q, workspaceId, {
      action: 'account.role',
      outcome: 'ok',
      userId: actor.userId ?? null,
      subjectUserId: userId,
      detail: `${target.role} → ${role}`,
    });
    return { ...target, role: role as Role };
  });
  authChanged(workspaceId);
  return user;
}

/**
 * Deactivate a staff member: they cannot sign in, their sessions end at once, their pending reset links stop working
 * and OAuth grants they approved are refused. Nothing is unassigned: their open tasks are returned for reassignment.
 */
export async function deactivateUser(
  db: Db,
  workspaceId: string,
  userId: string,
  actor: Actor,
): Promise<{ number: number; title: string; status: string }[]> {
  await db.tx(async (q) => {
    const actorRole = await begin(q, workspaceId, actor);
    const target = await lockedUser(q, workspaceId, userId);
    if (target.deactivatedAt) return;
    if (actor.userId === userId) throw forbidden('You cannot deactivate yourself. Ask another owner or admin.');
    if (target.role === 'owner') {
      onlyOwners(actorRole, 'deactivate an owner');
      if ((await activeOwners(q, workspaceId)) <= 1) throw conflict(`${target.name} is the last active owner and cannot be deactivated.`);
    }
    await q.query('UPDATE users SET deactivated_at = now() WHERE workspace_id = $1 AND id = $2', [workspaceId, userId]);
    await deleteUserSessions(q, workspaceId, userId);
    await q.query(`UPDATE account_links SET revoked_at = now() WHERE workspace_id = $1 AND user_id = $2 AND used_at IS NULL AND revoked_at IS NULL`, [
      workspaceId,
      userId,
    ]);
    await appendAudit(q, workspaceId, { action: 'account.deactivate', outcome: 'ok', userId: actor.userId ?? null, subjectUserId: userId });
  });
  authChanged(workspaceId);
  return openTasksOf(db, workspaceId, userId);
}

/** Let a deactivated staff member sign in again (with their old password, or a reset link). */
export async function reactivateUser(db: Db, workspaceId: string, userId: string, actor: Actor): Promise<void> {
  await db.tx(async (q) => {
    const actorRole = await begin(q, workspaceId, actor);
    const target = await lockedUser(q, workspaceId, userId);
    if (!target.deactivatedAt) return;
    if (target.role === 'owner') onlyOwners(actorRole, 'reactivate an owner');
    await q.query('UPDATE users SET deactivated_at = NULL WHERE workspace_id = $1 AND id = $2', [workspaceId, userId]);
    await appendAudit(q, workspaceId, { action: 'account.reactivate', outcome: 'ok', userId: actor.userId ?? null, subjectUserId: userId });
  });
  authChanged(workspaceId);
}

/** A one-time password reset link for a staff member, made by an owner or admin (24 hours). */
export async function createResetLink(db: Db, workspaceId: string, userId: string, actor: Actor): Promise<IssuedLink & { email: string }> {
  return db.tx(async (q) => {
    const actorRole = await begin(q, workspaceId, actor);
    const target = await lockedUser(q, workspaceId, userId);
    if (target.deactivatedAt) throw conflict(`${target.name} is deactivated. Reactivate them first.`);
    if (target.role === 'owner' && actor.userId !== userId) onlyOwners(actorRole, 'reset an owner’s password');
    const link = await replaceResetLink(q, workspaceId, userId, actor.userId ?? null, RESET_TTL_S);
    await appendAudit(q, workspaceId, { action: 'account.reset_link', outcome: 'ok', userId: actor.userId ?? null, subjectUserId: userId });
    return { ...link, email: target.email };
  });
}

async function replaceResetLink(q: Queryable, workspaceId: string, userId: string, createdBy: string | null, ttlS: number): Promise<IssuedLink> {
  await q.query(
    `UPDATE account_links SET revoked_at = now()
     WHERE workspace_id = $1 AND kind = 'reset' AND user_id = $2 AND used_at IS NULL AND revoked_at IS NULL`,
    [workspaceId, userId],
  );
  return issueLink(q, workspaceId, { kind: 'reset', userId, createdBy, ttlS });
}

/**
 * "Forgot password": a reset link (1 hour) for every active account with this email — one per workspace — for the
 * caller to email. Returns nothing for an unknown address; the caller must answer the same either way.
 */
export async function requestPasswordReset(db: Db, email: string): Promise<{ to: string; workspaceName: string; token: string; expiresAt: Date }[]> {
  const accounts = await db.query<{ workspaceId: string; workspaceName: string; userId: string; email: string }>(
    `SELECT u.workspace_id AS "workspaceId", w.name AS "workspaceName", u.id AS "userId", u.email
     FROM users u JOIN workspaces w ON w.id = u.workspace_id
     WHERE u.email_lower = $1 AND u.deactivated_at IS NULL ORDER BY w.name LIMIT 10`,
    [normalizeEmail(email)],
  );
  const out: { to: string; workspaceName: string; token: string; expiresAt: Date }[] = [];
  for (const a of accounts.rows) {
    const link = await db.tx(async (q) => {
      const l = await replaceResetLink(q, a.workspaceId, a.userId, null, EMAILED_RESET_TTL_S);
      await appendAudit(q, a.workspaceId, { action: 'account.reset_request', outcome: 'ok', subjectUserId: a.userId });
      return l;
    });
    out.push({ to: a.email, workspaceName: a.workspaceName, token: link.token, expiresAt: link.expiresAt });
  }
  return out;
}

/** Set a new password through a reset link: the link is used up and every session of that person ends. */
export async function resetPasswordWithLink(db: Db, token: string, password: string): Promise<{ workspaceId: string; email: string }> {
  const info = await peekLink(db, token, 'reset');
  if (typeof info === 'string') throw new LinkError(info);
  const problem = passwordProblem(password, { email: info.email });
  if (problem) throw invalid(problem);
  const hash = await hashPassword(password);
  return db.tx(async (q) => {
    const locked = await readLink(q, token, 'reset', true);
    if (typeof locked === 'string') throw new LinkError(locked);
    await q.query('UPDATE users SET password_hash = $3 WHERE workspace_id = $1 AND id = $2', [locked.workspaceId, locked.userId, hash]);
    await q.query('UPDATE account_links SET used_at = now() WHERE workspace_id = $1 AND token_hash = $2', [
      locked.workspaceId,
      parseLinkToken(token)!.hash,
    ]);
    await deleteUserSessions(q, locked.workspaceId, locked.userId!);
    await appendAudit(q, locked.workspaceId, {
      action: 'account.password_reset',
      outcome: 'ok',
      userId: locked.userId,
      subjectUserId: locked.userId,
    });
    return { workspaceId: locked.workspaceId, email: locked.email };
  });
}

/** The current password given to change it was wrong (a password guess, counted like a failed sign-in). */
export class WrongPasswordError extends DomainError {
  constructor() {
    super('invalid', 'Your current password is not right. Nothing was changed.');
  }
}

/**
 * Change one's own password: the current one is required; every other session of this person ends (the one they
 * are using stays).
 */
export async function changeOwnPassword(
  db: Db,
  workspaceId: string,
  userId: string,
  input: { current: string; next: string; keepSessionId?: string },
): Promise<void> {
  const r = await db.query<{ passwordHash: string; email: string; name: string }>(
    'SELECT password_hash AS "passwordHash", email, name FROM users WHERE workspace_id = $1 AND id = $2 AND deactivated_at IS NULL',
    [workspaceId, userId],
  );
  const me = r.rows[0];
  if (!me) throw notFound('No such staff member in this workspace.');
  if (!(await verifyPassword(input.current, me.passwordHash))) throw new WrongPasswordError();
  const problem = passwordProblem(input.next, me);
  if (problem) throw invalid(problem);
  if (input.next === input.current) throw invalid('The new password is the same as the current one.');
  const hash = await hashPassword(input.next);
  await db.tx(async (q) => {
    const u = await q.query('UPDATE users SET password_hash = $3 WHERE workspace_id = $1 AND id = $2 AND password_hash = $4', [
      workspaceId,
      userId,
      hash,
      me.passwordHash,
    ]);
    if (!u.rowCount) throw conflict('Your password was changed elsewhere a moment ago. Reload the page and try again.');
    await deleteUserSessions(q, workspaceId, userId, input.keepSessionId);
    await appendAudit(q, workspaceId, { action: 'account.password_change', outcome: 'ok', userId, subjectUserId: userId });
  });
}

/** Change one's own display name. */
export async function renameSelf(db: Queryable, workspaceId: string, userId: string, name: string): Promise<void> {
  const n = name.trim();
  if (!n || n.length > 200) throw invalid('Your name must be 1–200 characters.');
  await db.query('UPDATE users SET name = $3 WHERE workspace_id = $1 AND id = $2', [workspaceId, userId, n]);
}
