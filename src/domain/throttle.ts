/**
 * Sign-in throttling, kept in PostgreSQL so that it holds across instances. Every sign-in attempt is counted
 * *before* its password is checked, under a lock, as one row keyed by a hash of the account (the email typed,
 * whether or not it exists) and one keyed by the client IP: while either key has its limit of rows within the
 * window, sign-in is refused without checking the password, so parallel guesses cannot outrun the count. An attempt
 * whose password was right takes its rows back (and clears the account's failures); the rows that stay are the
 * failures.
 */
import { createHash } from 'node:crypto';
import type { Db, Queryable } from '../platform/db/client.ts';
import { normalizeEmail } from './normalize.ts';

export const LOGIN_WINDOW_MS = 15 * 60_000;
/** Failures allowed per account per window: the 11th attempt is refused. */
export const MAX_ACCOUNT_FAILURES = 10;
/** Failures allowed per client IP per window (higher: an office shares one address). */
export const MAX_IP_FAILURES = 50;

export type ThrottleKey = { kind: 'account' | 'reset-account'; email: string } | { kind: 'ip' | 'reset-ip'; ip: string };

const keyHash = (k: ThrottleKey) =>
  createHash('sha256')
    .update('email' in k ? `${k.kind}:${normalizeEmail(k.email)}` : `${k.kind}:${k.ip}`, 'utf8')
    .digest();

export interface ThrottleState {
  throttled: boolean;
  scope?: 'account' | 'ip';
  /** Seconds until the oldest failure in the window expires and another attempt is allowed. */
  retryAfterSeconds?: number;
}

/** An attempt allowed to check its password: its two rows, to take back if the password was right. */
export type LoginAttempt = { throttled: false; rowIds: string[] } | (ThrottleState & { throttled: true });

/**
 * Count one attempt against an account key and an address key, or refuse it when either already has `max` rows in
 * the window. One transaction: on PostgreSQL an advisory lock per key (account first, then address — always that
 * order, so two attempts cannot wait on each other) serializes attempts on the same keys across connections and
 * instances; PGlite runs one transaction at a time.
 */
async function countAttempt(
  db: Db,
  keys: { account: Buffer; ip: Buffer },
  max: { account: number; ip: number },
  windowMs: number,
): Promise<LoginAttempt> {
  const { account, ip: addr } = keys;
  return db.tx(async (q): Promise<LoginAttempt> => {
    if (db.kind === 'pg')
      for (const key of [account, addr]) await q.query(`SELECT pg_advisory_xact_lock(hashtextextended(encode($1::bytea, 'hex'), 7))`, [key]);
    const r = await q.query<{ k: Buffer | Uint8Array; n: number; oldest: Date }>(
      `SELECT key_hash AS k, count(*)::int AS n, min(created_at) AS oldest FROM login_failures
       WHERE key_hash IN ($1, $2) AND created_at > now() - $3 * interval '1 millisecond'
       GROUP BY key_hash`,
      [account, addr, windowMs],
    );
    for (const row of r.rows) {
      const isAccount = Buffer.from(row.k).equals(account);
      if (row.n >= (isAccount ? max.account : max.ip)) {
        // The window slides: once enough old failures age out the count drops below the limit. Report when the
        // oldest one does (a lower bound; at least a minute so the message is not "retry in 0 seconds").
        const retry = Math.max(60, Math.ceil((new Date(row.oldest).getTime() + windowMs - Date.now()) / 1000));
        return { throttled: true, scope: isAccount ? 'account' : 'ip', retryAfterSeconds: retry };
      }
    }
    const ins = await q.query<{ id: string }>(`INSERT INTO login_failures (key_hash) VALUES ($1), ($2) RETURNING id::text`, [account, addr]);
    // Keep the table small: forget these keys' failures that no window will count again.
    await q.query(`DELETE FROM login_failures WHERE key_hash IN ($1, $2) AND created_at < now() - interval '1 day'`, [account, addr]);
    return { throttled: false, rowIds: ins.rows.map((x) => x.id) };
  });
}

/** Count one sign-in attempt for this email and IP, or refuse it when either is at its limit. */
export function beginLoginAttempt(db: Db, email: string, ip: string): Promise<LoginAttempt> {
  return countAttempt(
    db,
    { account: keyHash({ kind: 'account', email }), ip: keyHash({ kind: 'ip', ip }) },
    { account: MAX_ACCOUNT_FAILURES, ip: MAX_IP_FAILURES },
    LOGIN_WINDOW_MS,
  );
}

export const RESET_WINDOW_MS = 3600_000;
/** "Forgot password" requests per email address (whether or not it has an account) per hour. */
export const MAX_RESET_REQUESTS_PER_EMAIL = 3;
/** "Forgot password" requests per client address per hour. */
export const MAX_RESET_REQUESTS_PER_IP = 20;

/** Count one "forgot password" request, or refuse it: every request counts (it sends mail), not only failures. */
export function countResetRequest(db: Db, email: string, ip: string): Promise<LoginAttempt> {
  return countAttempt(
    db,
    { account: keyHash({ kind: 'reset-account', email }), ip: keyHash({ kind: 'reset-ip', ip }) },
    { account: MAX_RESET_REQUESTS_PER_EMAIL, ip: MAX_RESET_REQUESTS_PER_IP },
    RESET_WINDOW_MS,
  );
}

/**
 * The password was right: this attempt was not a failure, so its rows go; with `clearAccount` (signed in) the
 * account's earlier failures go too — not the IP's: one good account must not unlock guessing from that address.
 */
export async function endLoginAttempt(
  db: Queryable,
  email: string,
  ip: string,
  attempt: { rowIds: string[] },
  opts: { clearAccount: boolean },
): Promise<void> {
  await db.query(`DELETE FROM login_failures WHERE key_hash IN ($1, $2) AND (id = ANY($3::bigint[]) OR (key_hash = $1 AND $4::boolean))`, [
    keyHash({ kind: 'account', email }),
    keyHash({ kind: 'ip', ip }),
    attempt.rowIds,
    opts.clearAccount,
  ]);
}
