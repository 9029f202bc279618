import { prepared, type Db, type Queryable } from '../platform/db/client.ts';
import { createCustomer, getCustomer, type CustomerInput } from './customers.ts';
import { invalid, notFound } from './errors.ts';

export const STATUSES = ['open', 'in_progress', 'waiting', 'done', 'cancelled'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const OPEN_STATUSES = ['open', 'in_progress', 'waiting'] as const;
export type Status = (typeof STATUSES)[number];
export type Priority = (typeof PRIORITIES)[number];

export interface Task {
  id: number;
  number: number;
  title: string;
  description: string;
  status: Status;
  priority: Priority;
  customerId: number | null;
  customerName: string | null;
  assigneeId: string | null;
  assigneeName: string | null;
  assigneeEmail: string | null;
  dueAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Task columns joined with the assignee; use with `FROM tasks t LEFT JOIN users u ON …`. */
export const TASK_COLS = `t.id, t.number, t.title, t.description, t.status, t.priority, t.customer_id AS "customerId",
  t.customer_name AS "customerName", t.assignee_id AS "assigneeId", u.name AS "assigneeName", u.email AS "assigneeEmail",
  t.due_at AS "dueAt", t.created_at AS "createdAt", t.updated_at AS "updatedAt"`;
export const TASK_FROM = `tasks t LEFT JOIN users u ON u.workspace_id = t.workspace_id AND u.id = t.assignee_id`;

export interface TaskInput {
  title: string;
  description?: string;
  status?: Status;
  priority?: Priority;
  customerId?: number | null;
  assigneeId?: string | null;
  dueAt?: Date | null;
}

function check(input: Partial<TaskInput>) {
  if (input.title !== undefined && (!input.title.trim() || input.title.length > 200)) throw invalid('title must be 1–200 characters');
  if (input.description !== undefined && input.description.length > 20_000) throw invalid('description must be at most 20,000 characters');
  if (input.status !== undefined && !STATUSES.includes(input.status)) throw invalid(`status must be one of ${STATUSES.join(', ')}`);
  if (input.priority !== undefined && !PRIORITIES.includes(input.priority)) throw invalid(`priority must be one of ${PRIORITIES.join(', ')}`);
}

/** A task can be given only to someone who can sign in: a deactivated staff member keeps their tasks, gets no new ones. */
async function checkAssignable(db: Queryable, workspaceId: string, assigneeId: string | null | undefined): Promise<void> {
  if (!assigneeId) return;
  const r = await db.query<{ name: string }>('SELECT name FROM users WHERE workspace_id = $1 AND id = $2 AND deactivated_at IS NOT NULL', [
    workspaceId,
    assigneeId,
  ]);
  if (r.rows[0]) throw invalid(`${r.rows[0].name} is deactivated and cannot be given tasks. Choose someone on the team.`);
}

/**
 * Create a task with the next per-workspace number. One statement: the counter row is locked by the UPDATE,
 * so concurrent creates get consecutive numbers and a failed insert rolls the counter back (no visible gaps).
 */
export async function createTask(db: Queryable, workspaceId: string, input: TaskInput): Promise<Task> {
  check(input);
  await checkAssignable(db, workspaceId, input.assigneeId);
  const r = await db
    .query<{ id: number }>(
      `WITH n AS (UPDATE workspaces SET task_seq = task_seq + 1 WHERE id = $1 RETURNING task_seq)
     INSERT INTO tasks (workspace_id, number, title, description, status, priority, customer_id, customer_name, assignee_id, due_at)
     SELECT $1, n.task_seq, $2, $3, $4, $5, $6,
            (SELECT name FROM customers WHERE workspace_id = $1 AND id = $6), $7, $8
     FROM n RETURNING id`,
      [
        workspaceId,
        input.title.trim(),
        input.description ?? '',
        input.status ?? 'open',
        input.priority ?? 'normal',
        input.customerId ?? null,
        input.assigneeId ?? null,
        input.dueAt ?? null,
      ],
    )
    .catch((err: { code?: string; constraint?: string }) => {
      if (err.code === '23503') throw invalid('the customer or assignee does not exist in this workspace');
      throw err;
    });
  if (!r.rows[0]) throw notFound(`no workspace with id ${workspaceId}`);
  return (await getTaskById(db, workspaceId, r.rows[0].id))!;
}

/** Whose task it is: nobody, a customer on file, or a new customer created with the task. */
export type TaskCustomer = { kind: 'none' } | { kind: 'existing'; id: number } | { kind: 'new'; customer: CustomerInput };

/**
 * Create a task for no customer, an existing one (which must be in this workspace) or a new one: the customer and
 * the task are written in one transaction, so a task that fails validation leaves no orphan customer behind.
 */
export async function createTaskWithCustomer(
  db: Db,
  workspaceId: string,
  input: Omit<TaskInput, 'customerId'>,
  customer: TaskCustomer,
): Promise<Task> {
  check(input);
  if (customer.kind === 'existing' && !(await getCustomer(db, workspaceId, customer.id)))
    throw invalid('that customer is not in this workspace — find them again');
  if (customer.kind === 'new' && !customer.customer.name.trim()) throw invalid('enter the new customer’s name, or choose “No customer”');
  return db.tx(async (q) => {
    const customerId =
      customer.kind === 'existing' ? customer.id : customer.kind === 'new' ? (await createCustomer(q, workspaceId, customer.customer)).id : null;
    return createTask(q, workspaceId, { ...input, customerId });
  });
}

const TASK_BY_ID = prepared('task_by_id', `SELECT ${TASK_COLS} FROM ${TASK_FROM} WHERE t.workspace_id = $1 AND t.id = $2`);
const TASK_BY_NUMBER = prepared('task_by_number', `SELECT ${TASK_COLS} FROM ${TASK_FROM} WHERE t.workspace_id = $1 AND t.number = $2`);
/** Exported for bench/sql-cost.ts, which measures this statement's cost. */
export const TASK_DETAIL = prepared(
  'task_detail',
  `SELECT ${TASK_COLS}, c.phone AS "customerPhone", c.email AS "customerEmail",
     (SELECT count(*)::int FROM comments k WHERE k.workspace_id = t.workspace_id AND k.task_id = t.id) AS "commentCount"
   FROM ${TASK_FROM} LEFT JOIN customers c ON c.workspace_id = t.workspace_id AND c.id = t.customer_id
   WHERE t.workspace_id = $1 AND t.number = $2`,
);

export async function getTaskById(db: Queryable, workspaceId: string, id: number): Promise<Task | null> {
  const r = await db.query<Task>(TASK_BY_ID, [workspaceId, id]);
  return r.rows[0] ?? null;
}

export async function getTaskByNumber(db: Queryable, workspaceId: string, number: number): Promise<Task | null> {
  const r = await db.query<Task>(TASK_BY_NUMBER, [workspaceId, number]);
  return r.rows[0] ?? null;
}

export interface TaskDetail extends Task {
  customerPhone: string | null;
  customerEmail: string | null;
  commentCount: number;
}

/** A task with its customer's contact and its comment count, in one statement (the getTaskDetails hot path). */
export function getTaskDetail(db: Queryable, workspaceId: string, number: number): Promise<TaskDetail | null> {
  return db.query<TaskDetail>(TASK_DETAIL, [workspaceId, number]).then((r) => r.rows[0] ?? null);
}

export async function updateTask(
  db: Queryable,
  workspaceId: string,
  number: number,
  patch: Partial<Pick<TaskInput, 'status' | 'priority' | 'assigneeId' | 'title' | 'description'>>,
): Promise<Task> {
  check(patch);
  await checkAssignable(db, workspaceId, patch.assigneeId);
  const r = await db
    .query<{ id: number }>(
      `UPDATE tasks SET
       status = coalesce($3, status), priority = coalesce($4, priority),
       assignee_id = CASE WHEN $5::boolean THEN $6::uuid ELSE assignee_id END,
       title = coalesce($7, title), description = coalesce($8, description), updated_at = now()
     WHERE workspace_id = $1 AND number = $2 RETURNING id`,
      [
        workspaceId,
        number,
        patch.status ?? null,
        patch.priority ?? null,
        patch.assigneeId !== undefined,
        patch.assigneeId ?? null,
        patch.title?.trim() ?? null,
        patch.description ?? null,
      ],
    )
    .catch((err: { code?: string }) => {
      if (err.code === '23503') throw invalid('the assignee does not exist in this workspace');
      throw err;
    });
  if (!r.rows[0]) throw notFound(`no task #${number} in this workspace`);
  return (await getTaskById(db, workspaceId, r.rows[0].id))!;
}

/** An opaque keyset cursor: the sort key of the last row of a page, as base64url JSON. One format for every list. */
export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

/** The parts of a cursor, or null when it is not base64url JSON of an array (each list checks its own parts). */
export function cursorParts(cursor: string): unknown[] | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/** Largest id of an `integer` column (tasks, comments, customers); audit events have bigint ids. */
export const INT_MAX = 2_147_483_647;

/**
 * A (µs since the epoch, id) cursor back — tasks by updated_at, comments and audit events by created_at — or null
 * when it is not one this server could have written, including numbers out of range for the columns (µs past year
 * 5000, an id past maxId): PostgreSQL would reject those with an error, and a client's bad cursor is not a server error.
 */
export function decodeCursor(cursor: string, maxId = INT_MAX): { us: string; id: number } | null {
  const p = cursorParts(cursor);
  if (p?.length !== 2) return null;
  const [us, id] = p;
  if (typeof us !== 'string' || !/^\d{1,17}$/.test(us) || typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0 || id > maxId) return null;
  return { us, id };
}

/**
 * A page from `limit + 1` rows fetched in keyset order (each with `us`, its key's timestamp in µs as text): the
 * first `limit` rows without `us`, and the cursor after the last of them when there is more.
 */
export function keysetPage<T extends { us: string; id: number }>(rows: T[], limit: number): { page: Omit<T, 'us'>[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page: page.map(({ us: _us, ...row }) => row), nextCursor: rows.length > limit && last ? encodeCursor([last.us, last.id]) : null };
}

export interface ListTasksFilter {
  status?: Status;
  priority?: Priority;
  assigneeId?: string;
  customerId?: number;
  updatedSince?: Date;
  limit?: number;
  cursor?: string;
}

/** Tasks by updated_at desc, id desc, with an opaque keyset cursor. */
export async function listTasks(db: Queryable, workspaceId: string, f: ListTasksFilter = {}): Promise<{ tasks: Task[]; nextCursor: string | null }> {
  const limit = f.limit ?? 20;
  let after: { us: string; id: number } | null = null;
  if (f.cursor) {
    after = decodeCursor(f.cursor);
    if (!after) throw invalid('cursor is not valid — pass the nextCursor value from the previous page unchanged, or omit it');
  }
  const r = await db.query<Task & { us: string }>(
    `SELECT ${TASK_COLS}, (extract(epoch FROM t.updated_at) * 1000000)::bigint::text AS us
     FROM ${TASK_FROM}
     WHERE t.workspace_id = $1
       AND ($2::text IS NULL OR t.status = $2) AND ($3::text IS NULL OR t.priority = $3)
       AND ($4::uuid IS NULL OR t.assignee_id = $4) AND ($5::int IS NULL OR t.customer_id = $5)
       AND ($6::timestamptz IS NULL OR t.updated_at >= $6)
       AND ($7::bigint IS NULL OR (t.updated_at, t.id) < (timestamptz 'epoch' + $7::bigint * interval '1 microsecond', $8::int))
     ORDER BY t.updated_at DESC, t.id DESC LIMIT $9`,
    [
      workspaceId,
      f.status ?? null,
      f.priority ?? null,
      f.assigneeId ?? null,
      f.customerId ?? null,
      f.updatedSince ?? null,
      after?.us ?? null,
      after?.id ?? null,
      limit + 1,
    ],
  );
  const { page, nextCursor } = keysetPage(r.rows, limit);
  return { tasks: page, nextCursor };
}
