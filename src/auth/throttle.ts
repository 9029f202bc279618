/**
 * Sign-in throttling, kept in PostgreSQL so that it holds across instances: every failed sign-in is a row keyed by
 * a hash of the account (the email typed, whether or not it exists) and one keyed by the client IP. While either key
 * has too many failures within the window, sign-in is refused without checking the password.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/client.ts';
import { normalizeEmail } from '../domain/normalize.ts';

export const LOGIN_WINDOW_MS = 15 * 60_000;
/** Failures allowed per account per window: the 11th attempt is refused. */
export const MAX_ACCOUNT_FAILURES = 10;
/** Failures allowed per client IP per window (higher: an office shares one address). */
export const MAX_IP_FAILURES = 50;

export type ThrottleKey = { kind: 'account'; email: string } | { kind: 'ip'; ip: string };

const keyHash = (k: ThrottleKey) =>
  createHash('sha256')
    .update(k.kind === 'account' ? `account:${normalizeEmail(k.email)}` : `ip:${k.ip}`, 'utf8')
    .digest();

export interface ThrottleState {
  throttled: boolean;
  scope?: 'account' | 'ip';
  /** Seconds until the oldest failure in the window expires and another attempt is allowed. */
  retryAfterSeconds?: number;
}

/** Is sign-in currently refused for this email or this IP? */
export async function loginThrottle(db: Queryable, email: string, ip: string): Promise<ThrottleState> {
  const account = keyHash({ kind: 'account', email });
  const addr = keyHash({ kind: 'ip', ip });
  const r = await db.query<{ k: Buffer | Uint8Array; n: number; oldest: Date }>(
    `SELECT key_hash AS k, count(*)::int AS n, min(created_at) AS oldest FROM login_failures
     WHERE key_hash IN ($1, $2) AND created_at > now() - $3 * interval '1 millisecond'
     GROUP BY key_hash`,
    [account, addr, LOGIN_WINDOW_MS],
  );
  for (const row of r.rows) {
    const isAccount = Buffer.from(row.k).equals(account);
    const max = isAccount ? MAX_ACCOUNT_FAILURES : MAX_IP_FAILURES;
    if (row.n >= max) {
      // The window slides: once enough old failures age out the count drops below the limit. Report when the oldest
      // one does (a lower bound; at least a minute so the message is not "retry in 0 seconds").
      const retry = Math.max(60, Math.ceil((row.oldest.getTime() + LOGIN_WINDOW_MS - Date.now()) / 1000));
      return { throttled: true, scope: isAccount ? 'account' : 'ip', retryAfterSeconds: retry };
    }
  }
  return { throttled: false };
}

export async function recordLoginFailure(db: Queryable, email: string, ip: string): Promise<void> {
  const keys = [keyHash({ kind: 'account', email }), keyHash({ kind: 'ip', ip })];
  await db.query(`INSERT INTO login_failures (key_hash) VALUES ($1), ($2)`, keys);
  // Keep the table small: forget this key's failures that no window will count again.
  await db.query(`DELETE FROM login_failures WHERE key_hash IN ($1, $2) AND created_at < now() - interval '1 day'`, keys);
}

/** A successful sign-in clears the account's failures (not the IP's: one good account must not unlock guessing). */
export async function clearAccountFailures(db: Queryable, email: string): Promise<void> {
  await db.query(`DELETE FROM login_failures WHERE key_hash = $1`, [keyHash({ kind: 'account', email })]);
}
