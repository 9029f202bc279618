import { prepared, type Queryable } from '../platform/db/client.ts';
import { invalid } from './errors.ts';
import { decodeCursor, keysetPage } from './tasks.ts';

export const OUTCOMES = ['ok', 'denied', 'error', 'verification_failed', 'locked', 'no_match'] as const;
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
  /** Account events: the staff member the event is about (userId is who acted). */
  subjectUserId?: string | null;
  /** Account events: a short, safe description ("member → admin", the invited address). */
  detail?: string | null;
}

export interface AuditEvent extends Required<AuditInput> {
  id: number;
  credentialName: string | null;
  createdAt: Date;
}

/** The audit actions that are account events (filter "account events" on the audit page). */
export const ACCOUNT_ACTION_PREFIX = 'account.';

/** Exported for bench/sql-cost.ts, which measures this statement's cost. */
export const AUDIT_INSERT_ONE = prepared(
  'audit_insert_one',
  `INSERT INTO audit_events (workspace_id, action, outcome, credential_id, user_id, tool, latency_ms, task_id, factor_types)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
);

const AUDIT_INSERT_ACCOUNT = `INSERT INTO audit_events (workspace_id, action, outcome, user_id, subject_user_id, detail) VALUES ($1, $2, $3, $4, $5, $6)`;

/** Write one audit row now (in the caller's transaction, when given one). MCP tool calls go through AuditWriter. */
export async function appendAudit(db: Queryable, workspaceId: string, e: AuditInput): Promise<void> {
  if (e.subjectUserId !== undefined || e.detail !== undefined) {
    await db.query(AUDIT_INSERT_ACCOUNT, [workspaceId, e.action, e.outcome, e.userId ?? null, e.subjectUserId ?? null, e.detail ?? null]);
    return;
  }
  await db.query(AUDIT_INSERT_ONE, [
    workspaceId,
    e.action,
    e.outcome,
    e.credentialId ?? null,
    e.userId ?? null,
    e.tool ?? null,
    e.latencyMs == null ? null : Math.round(e.latencyMs),
    e.taskId ?? null,
    e.factorTypes ?? null,
  ]);
}

const AUDIT_INSERT = prepared(
  'audit_insert',
  `INSERT INTO audit_events (workspace_id, action, outcome, credential_id, user_id, tool, latency_ms, task_id, factor_types)
   SELECT w, a, o, c, u, t, l, k, CASE WHEN f IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(f)) END
   FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::int[], $8::int[], $9::jsonb[])
     AS x(w, a, o, c, u, t, l, k, f)`,
);

interface Pending {
  workspaceId: string;
  e: AuditInput;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Writes the audit rows of concurrent MCP calls together (group commit): one INSERT for every row that arrived while
 * the previous INSERT was running. append() resolves when its row is committed, so a call is still answered only
 * once it is audited — nothing is held in memory past the answer — while under load the database sees one
 * statement and one commit per batch instead of one per call. A batch that fails (a row the database rejects) is
 * retried row by row, so one bad row costs only its own call.
 */
export class AuditWriter {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  /** Rows written and INSERT statements used (tests check that concurrent rows share statements). */
  readonly stats = { rows: 0, batches: 0 };

  constructor(
    private readonly db: Queryable,
    private readonly maxBatch = 500,
  ) {}

  append(workspaceId: string, e: AuditInput): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ workspaceId, e, resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Resolves when every row appended so far is written (or has failed). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await insertMany(this.db, batch);
        this.stats.rows += batch.length;
        this.stats.batches++;
        for (const p of batch) p.resolve();
      } catch (err) {
        if (batch.length === 1) batch[0]!.reject(err);
        else
          for (const p of batch)
            await appendAudit(this.db, p.workspaceId, p.e).then(() => {
              this.stats.rows++;
              this.stats.batches++;
              p.resolve();
            }, p.reject);
      }
    }
    this.running = null;
  }
}

async function insertMany(db: Queryable, batch: Pending[]): Promise<void> {
  const col = <T>(f: (p: Pending) => T) => batch.map(f);
  await db.query(AUDIT_INSERT, [
    col((p) => p.workspaceId),
    col((p) => p.e.action),
    col((p) => p.e.outcome),
    col((p) => p.e.credentialId ?? null),
    col((p) => p.e.userId ?? null),
    col((p) => p.e.tool ?? null),
    col((p) => (p.e.latencyMs == null ? null : Math.round(p.e.latencyMs))),
    col((p) => p.e.taskId ?? null),
    col((p) => (p.e.factorTypes ? JSON.stringify(p.e.factorTypes) : null)),
  ]);
}

export interface AuditFilter {
  /** 'account': account events only (invitations, roles, (de)activations, passwords). */
  category?: 'account';
  credentialId?: string;
  tool?: string;
  outcome?: Outcome;
  from?: Date;
  to?: Date;
  limit?: number;
}

/** Newest first: the first page of listAuditPage (tests, the CLI). */
export async function listAudit(db: Queryable, workspaceId: string, f: AuditFilter = {}): Promise<AuditRow[]> {
  return (await listAuditPage(db, workspaceId, f)).events;
}

export interface AuditRow extends AuditEvent {
  userName: string | null;
  subjectName: string | null;
  taskNumber: number | null;
}

/**
 * One page of the audit log, newest first, with an opaque keyset cursor over (created_at, id) — the order of the
 * audit_events_recent index — plus the staff member's name and the task number for display.
 */
export async function listAuditPage(
  db: Queryable,
  workspaceId: string,
  f: AuditFilter & { cursor?: string } = {},
): Promise<{ events: AuditRow[]; nextCursor: string | null }> {
  const limit = f.limit ?? 50;
  const after = f.cursor ? decodeCursor(f.cursor, Number.MAX_SAFE_INTEGER) : null;
  if (f.cursor && !after) throw invalid('the page cursor is not valid — start from the first page');
  const r = await db.query<AuditRow & { us: string }>(
    `SELECT a.id, a.action, a.outcome, a.credential_id AS "credentialId", c.name AS "credentialName", a.user_id AS "userId",
       u.name AS "userName", a.tool, a.latency_ms AS "latencyMs", a.task_id AS "taskId", t.number AS "taskNumber",
       a.factor_types AS "factorTypes", a.created_at AS "createdAt", a.subject_user_id AS "subjectUserId", su.name AS "subjectName",
       a.detail,
       (extract(epoch FROM a.created_at) * 1000000)::bigint::text AS us
     FROM audit_events a
     LEFT JOIN mcp_credentials c ON c.workspace_id = a.workspace_id AND c.id = a.credential_id
     LEFT JOIN users u ON u.workspace_id = a.workspace_id AND u.id = a.user_id
     LEFT JOIN tasks t ON t.workspace_id = a.workspace_id AND t.id = a.task_id
     LEFT JOIN users su ON su.workspace_id = a.workspace_id AND su.id = a.subject_user_id
     WHERE a.workspace_id = $1 AND ($10::text IS NULL OR starts_with(a.action, $10))
       AND ($2::uuid IS NULL OR a.credential_id = $2) AND ($3::text IS NULL OR a.tool = $3)
       AND ($4::text IS NULL OR a.outcome = $4) AND ($5::timestamptz IS NULL OR a.created_at >= $5)
       AND ($6::timestamptz IS NULL OR a.created_at < $6)
       AND ($7::bigint IS NULL OR (a.created_at, a.id) < (timestamptz 'epoch' + $7::bigint * interval '1 microsecond', $8::bigint))
     ORDER BY a.created_at DESC, a.id DESC LIMIT $9`,
    [
      workspaceId,
      f.credentialId ?? null,
      f.tool ?? null,
      f.outcome ?? null,
      f.from ?? null,
      f.to ?? null,
      after?.us ?? null,
      after?.id ?? null,
      limit + 1,
      f.category === 'account' ? ACCOUNT_ACTION_PREFIX : null,
    ],
  );
  const { page, nextCursor } = keysetPage(r.rows, limit);
  return { events: page, nextCursor };
}
