import type { Queryable } from '../db/client.ts';

export const OUTCOMES = ['ok', 'denied', 'error', 'verification_failed', 'locked'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What an audit row may hold: ids, names of tools, outcome, timing and factor *types* — never customer data. */
export interface AuditInput {
  action: string;
  outcome: Outcome;
  credentialId?: string | null;
  userId?: string | null;
  tool?: string | null;
  latencyMs?: number | null;
  taskId?: number | null;
  factorTypes?: string[] | null;
}

export interface AuditEvent extends Required<AuditInput> {
  id: number;
  credentialName: string | null;
  createdAt: Date;
}

export async function appendAudit(db: Queryable, workspaceId: string, e: AuditInput): Promise<void> {
  await db.query(
    `INSERT INTO audit_events (workspace_id, action, outcome, credential_id, user_id, tool, latency_ms, task_id, factor_types)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      workspaceId,
      e.action,
      e.outcome,
      e.credentialId ?? null,
      e.userId ?? null,
      e.tool ?? null,
      e.latencyMs == null ? null : Math.round(e.latencyMs),
      e.taskId ?? null,
      e.factorTypes ?? null,
    ],
  );
}

export interface AuditFilter {
  credentialId?: string;
  tool?: string;
  outcome?: Outcome;
  from?: Date;
  to?: Date;
  limit?: number;
  beforeId?: number;
}

/** Newest first. */
export async function listAudit(db: Queryable, workspaceId: string, f: AuditFilter = {}): Promise<AuditEvent[]> {
  const r = await db.query<AuditEvent>(
    `SELECT a.id, a.action, a.outcome, a.credential_id AS "credentialId", c.name AS "credentialName", a.user_id AS "userId",
       a.tool, a.latency_ms AS "latencyMs", a.task_id AS "taskId", a.factor_types AS "factorTypes", a.created_at AS "createdAt"
     FROM audit_events a
     LEFT JOIN mcp_credentials c ON c.workspace_id = a.workspace_id AND c.id = a.credential_id
     WHERE a.workspace_id = $1
       AND ($2::uuid IS NULL OR a.credential_id = $2) AND ($3::text IS NULL OR a.tool = $3)
       AND ($4::text IS NULL OR a.outcome = $4) AND ($5::timestamptz IS NULL OR a.created_at >= $5)
       AND ($6::timestamptz IS NULL OR a.created_at < $6) AND ($7::bigint IS NULL OR a.id < $7)
     ORDER BY a.created_at DESC, a.id DESC LIMIT $8`,
    [workspaceId, f.credentialId ?? null, f.tool ?? null, f.outcome ?? null, f.from ?? null, f.to ?? null, f.beforeId ?? null, f.limit ?? 50],
  );
  return r.rows;
}
