import { prepared, type Queryable } from '../platform/db/client.ts';
import { conflict, invalid } from './errors.ts';
import { decodeCursor, keysetPage } from './tasks.ts';

export const AUTHOR_KINDS = ['staff', 'customer', 'assistant'] as const;
export type AuthorKind = (typeof AUTHOR_KINDS)[number];

export interface Comment {
  id: number;
  taskId: number;
  authorKind: AuthorKind;
  authorName: string;
  body: string;
  createdAt: Date;
}

const COLS = `id, task_id AS "taskId", author_kind AS "authorKind", author_name AS "authorName", body, created_at AS "createdAt"`;

export interface CommentInput {
  taskId: number;
  authorKind: AuthorKind;
  authorName: string;
  body: string;
  userId?: string | null;
  credentialId?: string | null;
  /** With credentialId: a repeated key returns the first comment instead of adding another. */
  idempotencyKey?: string | null;
}

/**
 * Add a comment and touch the task's updated_at, in one statement. With an idempotency key, concurrent or
 * repeated calls create exactly one comment; `created` tells whether this call made it.
 */
export async function addComment(db: Queryable, workspaceId: string, c: CommentInput): Promise<{ comment: Comment; created: boolean }> {
  const body = c.body.trim();
  if (!body || body.length > 5000) throw invalid('comment must be 1–5000 characters');
  if (!AUTHOR_KINDS.includes(c.authorKind)) throw invalid(`author kind must be one of ${AUTHOR_KINDS.join(', ')}`);
  if (c.idempotencyKey && !c.credentialId) throw invalid('an idempotency key needs a credential');
  const params = [workspaceId, c.taskId, c.authorKind, c.userId ?? null, c.credentialId ?? null, c.authorName, body, c.idempotencyKey ?? null];
  const r = await db.query<Comment>(
    `WITH ins AS (
       INSERT INTO comments (workspace_id, task_id, author_kind, author_user_id, author_credential_id, author_name, body, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (workspace_id, author_credential_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING ${COLS}
     ), touch AS (
       UPDATE tasks SET updated_at = now() WHERE workspace_id = $1 AND id = $2 AND EXISTS (SELECT 1 FROM ins)
     )
     SELECT * FROM ins`,
    params,
  );
  if (r.rows[0]) return { comment: r.rows[0], created: true };
  // The key was used before (or by a concurrent call that committed first): that comment, if it is this one.
  const prev = await db.query<Comment>(COMMENT_BY_KEY, [workspaceId, c.credentialId, c.idempotencyKey]);
  if (!prev.rows[0]) throw new Error('idempotent comment insert returned nothing and no earlier comment exists');
  if (!sameComment(prev.rows[0], c)) throw keyReused();
  return { comment: prev.rows[0], created: false };
}

/** Is `earlier` (found under an idempotency key) the comment this input asks for: same task, same text? */
export function sameComment(earlier: Comment, c: Pick<CommentInput, 'taskId' | 'body'>): boolean {
  return earlier.taskId === c.taskId && earlier.body === c.body.trim();
}

/** A key names one comment: reusing it for another task or other text adds nothing and must say so. */
export const keyReused = () =>
  conflict(
    'this idempotencyKey was already used for a different comment (another task or other text), so nothing was added — use a new idempotencyKey for a new comment',
  );

// One task's comments are few, so the generic plan (index on workspace_id, task_id) is the right one for every cursor.
const LIST_COMMENTS = prepared(
  'list_comments',
  `SELECT ${COLS}, (extract(epoch FROM created_at) * 1000000)::bigint::text AS us FROM comments
   WHERE workspace_id = $1 AND task_id = $2
     AND ($3::bigint IS NULL OR (created_at, id) > (timestamptz 'epoch' + $3::bigint * interval '1 microsecond', $4::int))
   ORDER BY created_at, id LIMIT $5`,
);
const COMMENT_BY_KEY = prepared(
  'comment_by_key',
  `SELECT ${COLS} FROM comments WHERE workspace_id = $1 AND author_credential_id = $2 AND idempotency_key = $3`,
);

/** Comments oldest → newest, keyset on (created_at µs, id). */
export async function listComments(
  db: Queryable,
  workspaceId: string,
  taskId: number,
  opts: { limit?: number; cursor?: string } = {},
): Promise<{ comments: Comment[]; nextCursor: string | null }> {
  const limit = opts.limit ?? 20;
  let after: { us: string; id: number } | null = null;
  if (opts.cursor) {
    after = decodeCursor(opts.cursor);
    if (!after) throw invalid('cursor is not valid — pass the nextCursor value from the previous page unchanged, or omit it');
  }
  const r = await db.query<Comment & { us: string }>(LIST_COMMENTS, [workspaceId, taskId, after?.us ?? null, after?.id ?? null, limit + 1]);
  const { page, nextCursor } = keysetPage(r.rows, limit);
  return { comments: page, nextCursor };
}

/** The comment an earlier call made with this credential's idempotency key, if any. */
export async function findCommentByKey(db: Queryable, workspaceId: string, credentialId: string, key: string): Promise<Comment | null> {
  const r = await db.query<Comment>(COMMENT_BY_KEY, [workspaceId, credentialId, key]);
  return r.rows[0] ?? null;
}
