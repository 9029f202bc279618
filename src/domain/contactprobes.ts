/**
 * Phone and email lookups by a credential that sees contact details masked. The mask shows
 * the last four digits of a phone and the first letter and domain of an email; search must not confirm the rest one
 * guess at a time. Such a credential finds a customer only by the whole number or address (search.ts,
 * `wholeContactOnly`), and every lookup of that kind that matched nobody counts: `limit` of them within an hour pause
 * that credential's phone and email lookups (names and task numbers still work) until enough of them age out.
 *
 * Exact across instances and under parallel calls: a lookup runs in one transaction that first takes an advisory
 * lock per (workspace, credential) on PostgreSQL (PGlite runs one transaction at a time), then checks the pause, runs
 * the search and records a miss — so one credential's masked contact lookups run one at a time, and no burst of
 * parallel probes can test more numbers than the limit allows. At the default tool-call rate limit (600 a minute) a
 * credential never comes near the ~200 lookups a second that serializing them allows.
 */
import type { Db, Queryable } from '../platform/db/client.ts';

export const CONTACT_MISS_WINDOW_MS = 3_600_000;

/** The limit-th newest miss in the window: while it is there, the window holds `limit` misses. */
const PAUSED_UNTIL = `
SELECT created_at + $4::float8 * interval '1 millisecond' AS until FROM contact_lookup_misses
WHERE workspace_id = $1 AND credential_id = $2 AND created_at > now() - $4::float8 * interval '1 millisecond'
ORDER BY created_at DESC OFFSET $3::int - 1 LIMIT 1`;

/** A miss, and this credential's rows that no window will count again go. */
const RECORD_MISS = `
WITH old AS (
  DELETE FROM contact_lookup_misses WHERE workspace_id = $1 AND credential_id = $2 AND created_at < now() - interval '1 day'
)
INSERT INTO contact_lookup_misses (workspace_id, credential_id) VALUES ($1, $2)`;

export type ContactLookup<T> = { ok: true; value: T; missed: boolean } | { ok: false; retryAt: Date };

/**
 * Run one masked phone/email lookup (`search`, on the transaction it is given) unless the credential's lookups are
 * paused; `search` says whether it was a miss, and a miss is recorded.
 */
export async function contactLookup<T>(
  db: Db,
  workspaceId: string,
  credentialId: string,
  limit: number,
  search: (q: Queryable) => Promise<{ value: T; missed: boolean }>,
): Promise<ContactLookup<T>> {
  return db.tx(async (q): Promise<ContactLookup<T>> => {
    // Separate statement: the pause check must take its snapshot after the lock is held.
    if (db.kind === 'pg')
      await q.query(`SELECT pg_advisory_xact_lock(hashtextextended($1::text || ':' || $2::text, 11))`, [workspaceId, credentialId]);
    const paused = await q.query<{ until: Date }>(PAUSED_UNTIL, [workspaceId, credentialId, limit, CONTACT_MISS_WINDOW_MS]);
    if (paused.rows[0]) return { ok: false, retryAt: new Date(paused.rows[0].until) };
    const { value, missed } = await search(q);
    if (missed) await q.query(RECORD_MISS, [workspaceId, credentialId]);
    return { ok: true, value, missed };
  });
}
