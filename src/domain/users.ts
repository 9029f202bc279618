import { randomUUID } from 'node:crypto';
import type { Queryable } from '../platform/db/client.ts';
import { hashPassword } from '../platform/crypto/password.ts';
import { conflict, invalid } from './errors.ts';
import { normalizeEmail } from './normalize.ts';
import { passwordProblem } from './passwords.ts';

export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  workspaceId: string;
  email: string;
  name: string;
  role: Role;
  createdAt: Date;
}

export const USER_COLS = `id, workspace_id AS "workspaceId", email, name, role, created_at AS "createdAt"`;
const COLS = USER_COLS;
export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export async function createUser(
  db: Queryable,
  workspaceId: string,
  input: { email: string; name?: string; role: Role; password: string },
): Promise<User> {
  const email = input.email.trim();
  if (!EMAIL_RE.test(email)) throw invalid(`"${email}" is not an email address`);
  if (!ROLES.includes(input.role)) throw invalid(`role must be one of ${ROLES.join(', ')}`);
  const name = input.name?.trim() || email.split('@')[0]!;
  const problem = passwordProblem(input.password, { email, name });
  if (problem) throw invalid(problem);
  const r = await db.query<User>(
    `INSERT INTO users (workspace_id, id, email, email_lower, name, role, password_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (workspace_id, email_lower) DO NOTHING RETURNING ${COLS}`,
    [workspaceId, randomUUID(), email, normalizeEmail(email), name, input.role, await hashPassword(input.password)],
  );
  if (!r.rows[0]) throw conflict(`a user with email ${email} already exists in this workspace`);
  return r.rows[0];
}

/** The workspace's staff by name; `assignable`: only those who can be given tasks (active), plus `keep` if given. */
export async function listUsers(db: Queryable, workspaceId: string, opts: { assignable?: boolean; keep?: string | null } = {}): Promise<User[]> {
  const r = await db.query<User>(
    `SELECT ${COLS} FROM users WHERE workspace_id = $1 AND (NOT $2::boolean OR deactivated_at IS NULL OR id = $3::uuid) ORDER BY name, id`,
    [workspaceId, opts.assignable ?? false, opts.keep ?? null],
  );
  return r.rows;
}

/** Find a staff member by email (exact, case-insensitive) or name (case/accent-insensitive prefix). */
export async function findUser(db: Queryable, workspaceId: string, who: string): Promise<User | null> {
  const r = await db.query<User>(
    `SELECT ${COLS} FROM users WHERE workspace_id = $1 AND (email_lower = $2 OR lower(tl_unaccent(name)) LIKE $3)
     ORDER BY (email_lower = $2) DESC, name LIMIT 1`,
    [
      workspaceId,
      normalizeEmail(who),
      who
        .trim()
        .toLowerCase()
        .normalize('NFKD')
        .replace(/\p{M}+/gu, '')
        .replace(/[%_\\]/g, '\\$&') + '%',
    ],
  );
  return r.rows[0] ?? null;
}

export async function getUser(db: Queryable, workspaceId: string, id: string): Promise<User | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  const r = await db.query<User>(`SELECT ${COLS} FROM users WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  return r.rows[0] ?? null;
}
