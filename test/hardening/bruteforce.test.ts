/**
 * Brute force: a scripted verification guesser over the MCP endpoint hits the verification lockouts and
 * gains nothing — not even with the right answer once locked; tokens are looked up by SHA-256 and compared in
 * constant time (asserted on behaviour and on what reaches the database, not on timing).
 * Token guessing per address (401 → 429) and the shared per-credential limit are in test/mcp/ratelimit.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { testDb, type TestDb } from '../helpers/db.ts';
import { startTestApp, workspaceWithToken, type TestApp } from '../helpers/app.ts';
import { createCustomer } from '../../src/domain/customers.ts';
import { createTask } from '../../src/domain/tasks.ts';
import { authenticate } from '../../src/domain/credentials.ts';
import { hashesEqual } from '../../src/platform/crypto/tokens.ts';
import { VERIFICATION_LIMITS } from '../../src/domain/verification.ts';
import type { Queryable } from '../../src/platform/db/client.ts';
import { MCP_HEADERS, call, raw } from './lib.ts';

let db: TestDb;
let app: TestApp;
let fx: Awaited<ReturnType<typeof workspaceWithToken>>;
const tasks: number[] = [];
const PHONE = '+1 (703) 597-4534';
const NAME = 'Russell Hale';

before(async () => {
  db = await testDb();
  app = await startTestApp(db, { RATE_LIMIT_TOOL_CALLS: '100000' });
  fx = await workspaceWithToken(db, 'Guessing Co', { allowCustomerComments: true }, { allowCustomerComments: true, minVerificationFactors: 2 });
  const c = await createCustomer(db, fx.ws.id, { name: NAME, phone: PHONE });
  for (let i = 0; i < 8; i++) tasks.push((await createTask(db, fx.ws.id, { title: `Job ${i}`, customerId: c.id })).number);
});
after(async () => {
  await app.close();
  await db.cleanup();
});

/** One guess: the task number (known to the attacker) plus a phone number. */
async function guess(task: number, phone: string, name?: string) {
  const res = await raw({
    url: app.mcpUrl(fx.ws.id),
    headers: MCP_HEADERS(fx.token),
    body: JSON.stringify(
      call('addCustomerComment', {
        taskNumber: task,
        comment: 'let me in',
        verification: { taskNumber: task, phone, ...(name ? { customerName: name } : {}) },
      }),
    ),
  });
  assert.equal(res.status, 200, res.text);
  const r = res.json.result;
  return { ok: !r.isError, text: r.content[0].text as string };
}

test('a phone-number guesser is locked per task, then per credential, and never succeeds after the lock', async () => {
  const { pairFailures, credentialFailures } = VERIFICATION_LIMITS;
  let n = 5550000;
  const nextWrong = () => `+1 (703) ${String(n++).slice(0, 3)}-${String(n).slice(3)}`;
  let failures = 0;
  let pairLockAfter = 0;
  let credLockAfter = 0;
  let successes = 0;
  let rightAnswerRefused = 0;
  for (const [i, task] of tasks.entries()) {
    for (let attempt = 0; attempt < 12; attempt++) {
      const g = await guess(task, nextWrong(), NAME);
      if (g.ok) successes++;
      if (/Too many failed verification attempts|No attempts left/.test(g.text)) {
        if (/No attempts left/.test(g.text)) failures++;
        if (!pairLockAfter && /No attempts left/.test(g.text)) pairLockAfter = failures;
        if (/for an hour|all verifications|this credential/i.test(g.text) && !credLockAfter) credLockAfter = failures;
        // Locked: the right answer (all three factors) is refused too and nothing is written.
        const right = await guess(task, PHONE, NAME);
        assert.equal(right.ok, false, `the right answer got through a lock on #${task}: ${right.text}`);
        assert.match(right.text, /Too many failed verification attempts/);
        rightAnswerRefused++;
        break;
      }
      failures++;
    }
    if (i === tasks.length - 1 || credLockAfter) break;
  }
  const stored = await db.query<{ n: number; fails: number }>(
    `SELECT (SELECT count(*)::int FROM comments WHERE workspace_id = $1) AS n,
            (SELECT count(*)::int FROM verification_attempts WHERE workspace_id = $1 AND NOT success) AS fails`,
    [fx.ws.id],
  );
  console.log(
    `bruteforce: ${failures} failed guesses recorded (${stored.rows[0]!.fails} in the database); task lock after ${pairLockAfter} (limit ${pairFailures}); ` +
      `credential lock after ${credLockAfter} in total (limit > ${credentialFailures}); right answer refused while locked ${rightAnswerRefused}×; successes ${successes}`,
  );
  assert.equal(successes, 0);
  assert.equal(stored.rows[0]!.n, 0, 'no comment was added');
  assert.equal(pairLockAfter, pairFailures, 'the task locks at the 5th failure');
  assert.ok(credLockAfter > credentialFailures && credLockAfter <= credentialFailures + pairFailures, `credential lock after ${credLockAfter}`);
  // The credential lock covers every task, including ones never guessed at.
  const fresh = await guess(tasks[tasks.length - 1]!, PHONE, NAME);
  assert.equal(fresh.ok, false, fresh.text);
  // The audit trail records the attempts with factor types only — never the guessed numbers.
  const audit = await db.query<{ outcome: string; factor_types: string[] | null }>(
    "SELECT outcome, factor_types FROM audit_events WHERE workspace_id = $1 AND tool = 'addCustomerComment'",
    [fx.ws.id],
  );
  assert.ok(audit.rows.some((r) => r.outcome === 'locked'));
  assert.ok(audit.rows.some((r) => r.outcome === 'verification_failed'));
  assert.doesNotMatch(JSON.stringify(audit.rows), /703|555/);
});

test('tokens: the database sees only the SHA-256 of the token, and near-miss tokens are rejected', async () => {
  const sha = createHash('sha256').update(fx.token, 'utf8').digest();
  // What reaches the database during authentication: capture every statement's parameters.
  const seen: unknown[][] = [];
  const spy: Queryable = {
    query: (sql: string, params?: readonly unknown[]) => {
      seen.push([...(params ?? [])]);
      return db.query(sql, params as unknown[]);
    },
  } as Queryable;
  const ok = await authenticate(spy, fx.ws.id, fx.token);
  assert.equal(ok.ok, true);
  const flat = seen.flat();
  assert.ok(
    flat.some((p) => Buffer.isBuffer(p) && p.equals(sha)),
    'the lookup key is the SHA-256 of the token',
  );
  assert.ok(!flat.some((p) => typeof p === 'string' && p.includes(fx.token.slice(9))), 'the raw token never reaches the database');

  // Stored: the hash, a display prefix and last 4 — never the secret.
  const row = await db.query<Record<string, unknown>>('SELECT * FROM mcp_credentials WHERE id = $1', [fx.credentialId]);
  const stored = row.rows[0]!;
  assert.ok(Buffer.from(stored.token_hash as Uint8Array).equals(sha));
  assert.ok(!JSON.stringify(stored).includes(fx.token.slice(13, -4)), 'the secret part of the token is not stored');

  // A token differing only in the last character, or in the first secret character, is refused.
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  for (const bad of [flip(fx.token, fx.token.length - 1), flip(fx.token, 9)]) {
    const r = await authenticate(db, fx.ws.id, bad);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'unknown');
    const res = await raw({ url: app.mcpUrl(fx.ws.id), headers: MCP_HEADERS(bad), body: JSON.stringify(call('workspaceSummary', {})) });
    assert.equal(res.status, 401);
  }
  // The comparison of hashes is timingSafeEqual (length-checked first): equal and unequal digests of equal length.
  assert.equal(hashesEqual(sha, Buffer.from(sha)), true);
  assert.equal(hashesEqual(sha, Buffer.alloc(32)), false);
  assert.equal(hashesEqual(sha, sha.subarray(0, 31)), false, 'different lengths are unequal, not an exception');
  assert.match(hashesEqual.toString(), /timingSafeEqual/);
});
