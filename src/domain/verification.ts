/**
 * Customer verification for `addCustomerComment` (SECURITY.md "Verifying callers"): the server, not the
 * assistant, decides whether the caller is the task's customer.
 *
 * - Required factors come from the policy (REQUIRED_FACTORS): always the phone number on file — the one detail an
 *   assistant cannot read for itself — then the name, then the task number. The task number the assistant targets and
 *   the name on it are in every search result, so on their own they prove nothing.
 * - A factor counts when it matches the task's customer: `taskNumber` = the task's number; `customerName` = the
 *   customer's name compared with `nameKey` (case, accents, punctuation/spaces and word order ignored); `phone` =
 *   at least 7 digits whose last 10 equal the last 10 stored digits (so "597-4534" does not match a stored
 *   "+1 (703) 597-4534": a local-number suffix is not enough).
 * - Empty / whitespace-only values (and a non-finite task number) count as not supplied.
 * - Pass iff every required factor is supplied and every supplied factor (required or not) matches.
 * - A required factor missing → 'insufficient': nothing evaluated, nothing recorded. A customer without a phone on
 *   file → 'no_phone': nobody can be verified for that task (after the lockout check; nothing recorded).
 * - Lockouts live in `verification_attempts` (factor *types* only) and use the database clock, so they hold across
 *   app instances: ≥ 5 failures of one (credential, task) within 15 min lock that pair for 15 min after the failure
 *   that reached the limit; > 20 failures of one credential within an hour lock all its verifications for an hour.
 *   While locked nothing is evaluated or recorded. Successes are recorded but do not reset the counters.
 * - Check + evaluate + record run in one transaction; on PostgreSQL an advisory lock per (workspace, credential)
 *   serializes concurrent attempts of that credential across connections and instances (PGlite has one connection,
 *   so its transaction already serializes).
 */
import type { Db } from '../platform/db/client.ts';
import { nameKey, phoneDigits } from './normalize.ts';
import { FACTOR_TYPES, type FactorType } from './policy.ts';

export { FACTOR_TYPES, type FactorType };

export interface VerificationFactors {
  taskNumber?: number;
  customerName?: string;
  phone?: string;
}

export type VerificationResult =
  | { ok: true; factorTypes: FactorType[] }
  /**
   * `attemptsLeft` counts down to the nearer of the pair and credential limits. When this failure reached a limit,
   * `attemptsLeft` is 0 and `retryAt`/`scope` say which lock it started and until when.
   */
  | { ok: false; reason: 'failed'; factorTypes: FactorType[]; attemptsLeft: number; retryAt?: Date; scope?: 'task' | 'credential' }
  | { ok: false; reason: 'insufficient'; factorTypes: FactorType[]; missing: FactorType[] }
  | { ok: false; reason: 'locked'; factorTypes: FactorType[]; retryAt: Date; scope: 'task' | 'credential' }
  | { ok: false; reason: 'no_customer'; factorTypes: FactorType[] }
  | { ok: false; reason: 'no_phone'; factorTypes: FactorType[] };

export const VERIFICATION_LIMITS = {
  /** Failures of one (credential, task) within pairWindowMs that lock the pair (≥). */
  pairFailures: 5,
  pairWindowMs: 15 * 60_000,
  pairLockMs: 15 * 60_000,
  /** Failures of one credential within credentialWindowMs above which the credential is locked (>). */
  credentialFailures: 20,
  credentialWindowMs: 3_600_000,
  credentialLockMs: 3_600_000,
};

export interface VerifyInput {
  workspaceId: string;
  credentialId: string;
  task: { id: number; number: number; customerId: number | null };
  factors: VerificationFactors;
  /** From the policy (REQUIRED_FACTORS): must include 'phone'. */
  requiredFactors: readonly FactorType[];
}

/** The factors the caller actually supplied, in canonical order, with values trimmed. */
function supplied(f: VerificationFactors): { types: FactorType[]; name: string | null; phone: string | null; taskNumber: number | null } {
  const taskNumber = typeof f.taskNumber === 'number' && Number.isFinite(f.taskNumber) ? f.taskNumber : null;
  const name = typeof f.customerName === 'string' && f.customerName.trim() ? f.customerName.trim() : null;
  const phone = typeof f.phone === 'string' && f.phone.trim() ? f.phone.trim() : null;
  const types: FactorType[] = [];
  if (taskNumber !== null) types.push('taskNumber');
  if (name !== null) types.push('customerName');
  if (phone !== null) types.push('phone');
  return { types, name, phone, taskNumber };
}

function phoneMatches(given: string, storedDigits: string | null): boolean {
  const digits = phoneDigits(given);
  if (digits.length < 7 || !storedDigits) return false;
  return digits.slice(-10) === storedDigits.slice(-10);
}

function nameMatches(given: string, storedName: string): boolean {
  const key = nameKey(given);
  return key !== '' && key === nameKey(storedName);
}

interface AttemptState {
  name: string | null;
  phone_digits: string | null;
  customer_found: boolean;
  pair_locked_until: Date | null;
  cred_locked_until: Date | null;
  pair_recent: number;
  cred_recent: number;
}

const MS = `* interval '1 millisecond'`;

/**
 * One statement: the customer's name/phone and the lockout state of this (credential, task) and credential.
 * A lock is active when the latest failure brought the failures within the window before it to the limit
 * (nothing is recorded while locked, so the latest failure is the one that started the lock) and the lock
 * period since that failure has not passed. `*_recent` count failures in the window ending now.
 */
const STATE_SQL = `
WITH clock AS (SELECT statement_timestamp() AS now),
f AS (
  SELECT a.task_id, a.created_at FROM verification_attempts a, clock
  WHERE a.workspace_id = $1 AND a.credential_id = $2 AND NOT a.success
    AND a.created_at > clock.now - greatest($5::float8 + $6::float8, $7::float8 + $8::float8) ${MS}
),
last AS (SELECT max(created_at) AS cred_last, max(created_at) FILTER (WHERE task_id = $3) AS pair_last FROM f)
SELECT c.name, c.phone_digits, c.id IS NOT NULL AS customer_found,
  CASE WHEN last.pair_last + $6::float8 ${MS} > clock.now
        AND (SELECT count(*) FROM f WHERE f.task_id = $3 AND f.created_at > last.pair_last - $5::float8 ${MS}) >= $9::int
       THEN last.pair_last + $6::float8 ${MS} END AS pair_locked_until,
  CASE WHEN last.cred_last + $8::float8 ${MS} > clock.now
        AND (SELECT count(*) FROM f WHERE f.created_at > last.cred_last - $7::float8 ${MS}) > $10::int
       THEN last.cred_last + $8::float8 ${MS} END AS cred_locked_until,
  (SELECT count(*)::int FROM f WHERE f.task_id = $3 AND f.created_at > clock.now - $5::float8 ${MS}) AS pair_recent,
  (SELECT count(*)::int FROM f WHERE f.created_at > clock.now - $7::float8 ${MS}) AS cred_recent
FROM clock CROSS JOIN last
LEFT JOIN customers c ON c.workspace_id = $1 AND c.id = $4`;

export async function verifyCaller(db: Db, input: VerifyInput): Promise<VerificationResult> {
  const { workspaceId, credentialId, task, requiredFactors } = input;
  // The last line of defence: whatever a policy says, the phone number on file is required.
  if (!requiredFactors.includes('phone') || requiredFactors.some((t) => !FACTOR_TYPES.includes(t)))
    throw new Error(`requiredFactors must include phone and only factor types (got ${JSON.stringify(requiredFactors)})`);
  const given = supplied(input.factors);
  const factorTypes = given.types;
  if (task.customerId === null) return { ok: false, reason: 'no_customer', factorTypes };
  // A required factor not given: says nothing about correctness, so it is neither evaluated nor counted.
  const missing = FACTOR_TYPES.filter((t) => requiredFactors.includes(t) && !factorTypes.includes(t));
  if (missing.length) return { ok: false, reason: 'insufficient', factorTypes, missing };

  const L = VERIFICATION_LIMITS;
  return db.tx(async (q): Promise<VerificationResult> => {
    if (db.kind === 'pg') {
      // Separate statement: the state query below must take its snapshot after the lock is held.
      await q.query(`SELECT pg_advisory_xact_lock(hashtextextended($1::text || ':' || $2::text, 0))`, [workspaceId, credentialId]);
    }
    const st = (
      await q.query<AttemptState>(STATE_SQL, [
        workspaceId,
        credentialId,
        task.id,
        task.customerId,
        L.pairWindowMs,
        L.pairLockMs,
        L.credentialWindowMs,
        L.credentialLockMs,
        L.pairFailures,
        L.credentialFailures,
      ])
    ).rows[0]!;
    if (!st.customer_found || st.name === null) return { ok: false, reason: 'no_customer', factorTypes };

    const credUntil = st.cred_locked_until ? new Date(st.cred_locked_until) : null;
    const pairUntil = st.pair_locked_until ? new Date(st.pair_locked_until) : null;
    if (credUntil || pairUntil) {
      const retryAt = new Date(Math.max(credUntil?.getTime() ?? 0, pairUntil?.getTime() ?? 0));
      return { ok: false, reason: 'locked', factorTypes, retryAt, scope: credUntil ? 'credential' : 'task' };
    }
    // Without a phone on file there is nothing an assistant could not have looked up: nobody can be verified.
    if (!st.phone_digits) return { ok: false, reason: 'no_phone', factorTypes };

    const ok =
      (given.taskNumber === null || given.taskNumber === task.number) &&
      (given.name === null || nameMatches(given.name, st.name)) &&
      (given.phone === null || phoneMatches(given.phone, st.phone_digits));
    // Every required factor was supplied, so "no supplied factor mismatches" means every required one matches.

    const ins = await q.query<{ created_at: Date }>(
      `INSERT INTO verification_attempts (workspace_id, credential_id, task_id, success, factor_types)
       VALUES ($1, $2, $3, $4, $5::text[]) RETURNING created_at`,
      [workspaceId, credentialId, task.id, ok, factorTypes],
    );
    if (ok) return { ok: true, factorTypes };

    const at = new Date(ins.rows[0]!.created_at).getTime();
    const pairCount = st.pair_recent + 1;
    const credCount = st.cred_recent + 1;
    const pairLeft = L.pairFailures - pairCount;
    const credLeft = L.credentialFailures + 1 - credCount;
    const attemptsLeft = Math.max(0, Math.min(pairLeft, credLeft));
    if (attemptsLeft > 0) return { ok: false, reason: 'failed', factorTypes, attemptsLeft };
    const credLocked = credLeft <= 0;
    const retryAt = new Date(Math.max(credLocked ? at + L.credentialLockMs : 0, pairLeft <= 0 ? at + L.pairLockMs : 0));
    return { ok: false, reason: 'failed', factorTypes, attemptsLeft: 0, retryAt, scope: credLocked ? 'credential' : 'task' };
  });
}

const FACTOR_HELP: Record<FactorType, string> = {
  taskNumber: 'taskNumber (the task number, as the caller quotes it)',
  customerName: "customerName (the caller's full name, as they say it)",
  phone: 'phone (the phone number on file, as the caller says it, any format)',
};

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function lockText(retryAt: Date, scope: 'task' | 'credential'): string {
  const minutes = Math.max(1, Math.ceil((retryAt.getTime() - Date.now()) / 60_000));
  const what = scope === 'task' ? 'for this task' : 'for this credential (all tasks)';
  return `comment verification ${what} is locked until ${retryAt.toISOString()} (about ${plural(minutes, 'minute', 'minutes')} from now)`;
}

const FAILED =
  "Verification failed: the details given do not all match this task's customer, so the comment was not added. " +
  'Do not tell the caller which detail was wrong and do not read out any details on file.';

/**
 * Text for the assistant. The 'failed' text depends only on attemptsLeft (and, once a lock starts, its time and
 * scope) — never on which factor was wrong — and no message ever echoes a supplied or stored value.
 */
export function verificationMessage(r: Exclude<VerificationResult, { ok: true }>): string {
  switch (r.reason) {
    case 'failed':
      if (r.attemptsLeft > 0 || !r.retryAt)
        return `${FAILED} Ask the caller to confirm their details and try again (${plural(r.attemptsLeft, 'attempt', 'attempts')} left before verification is locked).`;
      return `${FAILED} No attempts left: ${lockText(r.retryAt, r.scope ?? 'task')}. Offer the caller a staff follow-up instead.`;
    case 'locked': {
      const t = lockText(r.retryAt, r.scope);
      return `Too many failed verification attempts: ${t}. Nothing was checked and the comment was not added. Do not ask the caller for more details now; try again after that time or offer a staff follow-up.`;
    }
    case 'insufficient':
      return (
        `Before a customer comment can be added, the caller must give ${plural(r.missing.length, 'more detail', 'more details')}: ` +
        `${r.missing.map((t) => FACTOR_HELP[t]).join('; ')}. Nothing was checked. ` +
        'Ask the caller and pass exactly what they say; never fill these in from search results or task details — only what the caller says proves who they are. Then call again.'
      );
    case 'no_customer':
      return 'This task has no customer linked, so nobody can be verified and no customer comment can be added. Ask a staff member to link the customer to the task first.';
    case 'no_phone':
      return "This task's customer has no phone number on file, so the caller cannot be verified and no customer comment can be added. Offer the caller a staff follow-up instead.";
  }
}
