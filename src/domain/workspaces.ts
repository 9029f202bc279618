import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../platform/db/client.ts';
import { appendAudit } from './audit.ts';
import { invalid, notFound } from './errors.ts';
import { authChanged } from './authevents.ts';
import type { WorkspaceSettings } from './policy.ts';

export interface Workspace extends WorkspaceSettings {
  id: string;
  name: string;
  createdAt: Date;
}

const COLS = `id, name, mcp_enabled AS "mcpEnabled", allow_customer_comments AS "allowCustomerComments",
  min_verification_factors AS "minVerificationFactors", created_at AS "createdAt"`;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID_RE.test(s);

export async function createWorkspace(db: Queryable, input: { name: string } & Partial<WorkspaceSettings>): Promise<Workspace> {
  const name = input.name.trim();
  if (!name || name.length > 200) throw invalid('workspace name must be 1–200 characters');
  const r = await db.query<Workspace>(
    `INSERT INTO workspaces (id, name, mcp_enabled, allow_customer_comments, min_verification_factors)
     VALUES ($1, $2, $3, $4, $5) RETURNING ${COLS}`,
    [randomUUID(), name, input.mcpEnabled ?? true, input.allowCustomerComments ?? false, input.minVerificationFactors ?? 2],
  );
  return r.rows[0]!;
}

export async function getWorkspace(db: Queryable, id: string): Promise<Workspace | null> {
  if (!isUuid(id)) return null;
  const r = await db.query<Workspace>(`SELECT ${COLS} FROM workspaces WHERE id = $1`, [id]);
  return r.rows[0] ?? null;
}

export async function requireWorkspace(db: Queryable, id: string): Promise<Workspace> {
  const ws = await getWorkspace(db, id);
  if (!ws) throw notFound(`no workspace with id ${id} — list them with \`taskline workspace list\``);
  return ws;
}

export async function listWorkspaces(db: Queryable): Promise<(Workspace & { taskCount: number })[]> {
  const r = await db.query<Workspace & { taskCount: number }>(`SELECT ${COLS}, task_seq AS "taskCount" FROM workspaces ORDER BY created_at, id`);
  return r.rows;
}

/** Who made a change, for its audit row: a signed-in staff member, or nobody (the CLI, setup). */
export interface Actor {
  userId?: string | null;
}

/**
 * Change a workspace's name or MCP settings: validated, written and audited (workspace.update, with the actor) in one
 * transaction; then, after the commit, this process forgets the workspace's remembered token checks — before, a
 * lookup running between the write and the commit could read the old row and remember it past the commit.
 */
export async function updateWorkspace(
  db: Db,
  id: string,
  patch: Partial<WorkspaceSettings> & { name?: string },
  actor: Actor = {},
): Promise<Workspace> {
  if (patch.minVerificationFactors !== undefined && ![1, 2, 3].includes(patch.minVerificationFactors))
    throw invalid('minimum verification factors must be 1, 2 or 3');
  if (patch.name !== undefined && (!patch.name.trim() || patch.name.length > 200)) throw invalid('workspace name must be 1–200 characters');
  const ws = await db.tx(async (q) => {
    const r = await q.query<Workspace>(
      `UPDATE workspaces SET
         name = coalesce($2, name),
         mcp_enabled = coalesce($3, mcp_enabled),
         allow_customer_comments = coalesce($4, allow_customer_comments),
         min_verification_factors = coalesce($5, min_verification_factors),
         updated_at = now()
       WHERE id = $1 RETURNING ${COLS}`,
      [id, patch.name?.trim() ?? null, patch.mcpEnabled ?? null, patch.allowCustomerComments ?? null, patch.minVerificationFactors ?? null],
    );
    if (!r.rows[0]) throw notFound(`no workspace with id ${id}`);
    await appendAudit(q, id, { action: 'workspace.update', outcome: 'ok', userId: actor.userId ?? null });
    return r.rows[0];
  });
  authChanged(id);
  return ws;
}
