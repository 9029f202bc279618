import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openPg, type Db } from '../../src/platform/db/client.ts';
import { createWorkspace } from '../../src/domain/workspaces.ts';
import { createCustomer } from '../../src/domain/customers.ts';
import { createTask, type Task } from '../../src/domain/tasks.ts';
import {
  VERIFICATION_LIMITS,
  verificationMessage,
  verifyCaller,
  type FactorType,
  type VerificationFactors,
  type VerificationResult,
} from '../../src/domain/verification.ts';
import { requiredFactorTypes } from '../../src/domain/policy.ts';
import { STORE, testDb, type TestDb } from '../helpers/db.ts';

let db: TestDb;
let wsId: string;
const tasks: Task[] = [];
let orphan: Task; // a task without a customer
let phoneless: Task; // its customer has no phone on file

const NAME = 'Russell Hale';
const PHONE = '+1 (703) 597-4534';

before(async () => {
  db = await testDb();
  const ws = await createWorkspace(db, { name: 'Verification' });
  wsId = ws.id;
  const c = await createCustomer(db, ws.id, { name: NAME, phone: PHONE, email: 'russ@example.com' });
  // A second customer, so a wrong name/phone could plausibly belong to someone else in the workspace.
  const other = await createCustomer(db, ws.id, { name: 'Russell Hall', phone: '703-597-4535' });
  const noPhone = await createCustomer(db, ws.id, { name: 'Nora Nophone', email: 'nora@example.com' });
  phoneless = await createTask(db, ws.id, { title: 'Fridge', customerId: noPhone.id });
  for (let i = 0; i < 8; i++) tasks.push(await createTask(db, ws.id, { title: `Dishwasher ${i}`, customerId: c.id }));
  await createTask(db, ws.id, { title: 'Other customer', customerId: other.id });
  orphan = await createTask(db, ws.id, { title: 'No customer' });
});
after(() => db.cleanup());

const task = (i: number) => {
  const t = tasks[i]!;
  return { id: t.id, number: t.number, customerId: t.customerId };
};

/** `required` is a verification level (1–3, as the policy has it: phone; + name; + task number). */
function verify(opts: { cred?: string; t?: number | Task; factors: VerificationFactors; required?: number; on?: Db }) {
  const t =
    opts.t === undefined
      ? task(0)
      : typeof opts.t === 'number'
        ? task(opts.t)
        : { id: opts.t.id, number: opts.t.number, customerId: opts.t.customerId };
  return verifyCaller(opts.on ?? db, {
    workspaceId: wsId,
    credentialId: opts.cred ?? randomUUID(),
    task: t,
    factors: opts.factors,
    requiredFactors: requiredFactorTypes(opts.required ?? 1),
  });
}

const right = (i = 0): Required<VerificationFactors> => ({ taskNumber: task(i).number, customerName: NAME, phone: '703-597-4534' });
const wrong = (i = 0): Required<VerificationFactors> => ({ taskNumber: task(i).number + 1000, customerName: 'Russell Hall', phone: '703-597-4535' });

async function attemptRows(cred: string, taskId?: number) {
  const r = await db.query<{ success: boolean; factor_types: string[] }>(
    `SELECT success, factor_types FROM verification_attempts
     WHERE workspace_id = $1 AND credential_id = $2 AND ($3::int IS NULL OR task_id = $3) ORDER BY id`,
    [wsId, cred, taskId ?? null],
  );
  return r.rows;
}

async function dbNow(): Promise<number> {
  const r = await db.query<{ now: Date }>('SELECT now() AS now');
  return new Date(r.rows[0]!.now).getTime();
}

function assertNear(actual: Date, expectedMs: number, label: string) {
  assert.ok(Math.abs(actual.getTime() - expectedMs) < 30_000, `${label}: ${actual.toISOString()} vs ${new Date(expectedMs).toISOString()}`);
}

function expectReason(r: VerificationResult, reason: string) {
  assert.equal(r.ok ? 'ok' : r.reason, reason, JSON.stringify(r));
}

// ---------------------------------------------------------------------------------------------------------------
// The rule, written independently of the implementation: level 1 needs the phone, 2 the phone and the name, 3 all
// three; every required factor must be given, and every given factor (required or not) must match.

type State = 'absent' | 'match' | 'mismatch';
const FACTORS: FactorType[] = ['taskNumber', 'customerName', 'phone'];
const STATES: State[] = ['absent', 'match', 'mismatch'];
const LEVEL_NEEDS: Record<number, FactorType[]> = { 1: ['phone'], 2: ['customerName', 'phone'], 3: ['taskNumber', 'customerName', 'phone'] };

function expected(level: number, combo: State[]): 'ok' | 'failed' | 'insufficient' {
  if (LEVEL_NEEDS[level]!.some((f) => combo[FACTORS.indexOf(f)] === 'absent')) return 'insufficient';
  return combo.includes('mismatch') ? 'failed' : 'ok';
}

test('the rule: concrete examples', () => {
  // level 2: name + phone matching → ok; name matching + phone wrong → failed; only name → insufficient
  assert.equal(expected(2, ['absent', 'match', 'match']), 'ok');
  assert.equal(expected(2, ['absent', 'match', 'mismatch']), 'failed');
  assert.equal(expected(2, ['absent', 'match', 'absent']), 'insufficient');
  assert.equal(expected(1, ['match', 'mismatch', 'match']), 'failed', 'a wrong extra factor fails even when the required ones match');
  assert.equal(expected(3, ['match', 'match', 'absent']), 'insufficient');
  assert.equal(expected(1, ['absent', 'absent', 'absent']), 'insufficient');
  // What search hands an assistant — the task number and the name — never verifies.
  for (const level of [1, 2, 3]) {
    assert.equal(expected(level, ['match', 'match', 'absent']), 'insufficient');
    assert.equal(expected(level, ['match', 'absent', 'absent']), 'insufficient');
  }
});

test('concrete examples through verifyCaller', async () => {
  const ok = await verify({ required: 2, factors: { customerName: NAME, phone: PHONE } });
  assert.deepEqual(ok, { ok: true, factorTypes: ['customerName', 'phone'] });

  const cred = randomUUID();
  const failed = await verify({ cred, required: 2, factors: { customerName: NAME, phone: '703-597-4535' } });
  assert.deepEqual(failed, { ok: false, reason: 'failed', factorTypes: ['customerName', 'phone'], attemptsLeft: 4 });
  assert.deepEqual(await attemptRows(cred), [{ success: false, factor_types: ['customerName', 'phone'] }]);

  const cred2 = randomUUID();
  const insufficient = await verify({ cred: cred2, required: 2, factors: { customerName: NAME } });
  assert.deepEqual(insufficient, { ok: false, reason: 'insufficient', factorTypes: ['customerName'], missing: ['phone'] });
  assert.deepEqual(await attemptRows(cred2), [], 'insufficient is not recorded');
  assert.equal(
    verificationMessage(insufficient as Exclude<VerificationResult, { ok: true }>),
    'Before a customer comment can be added, the caller must give 1 more detail: phone (the phone number on file, as the caller says it, any format). Nothing was checked. ' +
      'Ask the caller and pass exactly what they say; never fill these in from search results or task details — only what the caller says proves who they are. Then call again.',
  );

  // What an assistant can copy from a search result — the task number and the name on it — is never enough.
  for (const required of [1, 2, 3]) {
    const copied = await verify({ cred: cred2, required, factors: { taskNumber: task(0).number, customerName: 'hale, RUSSELL' } });
    assert.ok(!copied.ok && copied.reason === 'insufficient' && copied.missing.includes('phone'), JSON.stringify(copied));
    const numberOnly = await verify({ cred: cred2, required, factors: { taskNumber: task(0).number } });
    assert.ok(!numberOnly.ok && numberOnly.reason === 'insufficient', JSON.stringify(numberOnly));
  }
  assert.deepEqual(await attemptRows(cred2), []);

  // Empty and whitespace-only values are not supplied.
  const blank = await verify({ required: 2, factors: { customerName: '   ', phone: '', taskNumber: task(0).number } });
  assert.deepEqual(blank, { ok: false, reason: 'insufficient', factorTypes: ['taskNumber'], missing: ['customerName', 'phone'] });
  const blankOk = await verify({ required: 1, factors: { customerName: ' ', phone: PHONE } });
  assert.deepEqual(blankOk, { ok: true, factorTypes: ['phone'] });

  // No customer on the task.
  const cred3 = randomUUID();
  const none = await verify({ cred: cred3, t: orphan, required: 1, factors: { taskNumber: orphan.number, customerName: NAME } });
  assert.deepEqual(none, { ok: false, reason: 'no_customer', factorTypes: ['taskNumber', 'customerName'] });
  assert.deepEqual(await attemptRows(cred3), []);
  assert.match(verificationMessage(none as Exclude<VerificationResult, { ok: true }>), /no customer linked/);

  // No phone on file: nobody can be verified for that customer; nothing is recorded, the message offers a follow-up.
  const cred4 = randomUUID();
  const nophone = await verify({ cred: cred4, t: phoneless, required: 2, factors: { customerName: 'Nora Nophone', phone: '703-597-4534' } });
  assert.deepEqual(nophone, { ok: false, reason: 'no_phone', factorTypes: ['customerName', 'phone'] });
  assert.deepEqual(await attemptRows(cred4), []);
  assert.match(verificationMessage(nophone as Exclude<VerificationResult, { ok: true }>), /no phone number on file.*staff follow-up/);

  await assert.rejects(
    verifyCaller(db, {
      workspaceId: wsId,
      credentialId: randomUUID(),
      task: task(0),
      factors: { customerName: NAME },
      requiredFactors: ['customerName'],
    }),
    /must include phone/,
  );
});

test('the full matrix: required 1–3 × 27 factor combinations', async () => {
  const values = { match: right(1), mismatch: wrong(1) };
  let n = 0;
  for (const required of [1, 2, 3]) {
    for (const a of STATES)
      for (const b of STATES)
        for (const c of STATES) {
          const combo = [a, b, c];
          const factors: VerificationFactors = {};
          const types: FactorType[] = [];
          combo.forEach((s, i) => {
            const f = FACTORS[i]!;
            if (s === 'absent') return;
            types.push(f);
            (factors as Record<string, unknown>)[f] = values[s][f];
          });
          const cred = randomUUID(); // fresh credential: no lockout interference
          const r = await verify({ cred, t: 1, required, factors });
          const want = expected(required, combo);
          const label = `required ${required}, ${FACTORS.map((f, i) => `${f}=${combo[i]}`).join(' ')}`;
          expectReason(r, want);
          assert.deepEqual(r.factorTypes, types, label);
          if (want === 'failed') assert.equal((r as { attemptsLeft: number }).attemptsLeft, 4, label);
          if (want === 'insufficient')
            assert.deepEqual(
              (r as { missing: FactorType[] }).missing,
              FACTORS.filter((f, i) => LEVEL_NEEDS[required]!.includes(f) && combo[i] === 'absent'),
              label,
            );
          const rows = await attemptRows(cred);
          assert.deepEqual(rows, want === 'insufficient' ? [] : [{ success: want === 'ok', factor_types: types }], label);
          n++;
        }
  }
  assert.equal(n, 81);
});

test('name and phone normalization', async () => {
  // Case, spacing, word order, punctuation and accents are ignored ('Rüssell' ≡ 'Russell').
  for (const customerName of ['Russell Hale', 'hale russell', 'RUSSELL  HALE', '  Russell Hale  ', 'Rüssell Hale', 'Hale, Russell', 'HALE RÜSSELL']) {
    const r = await verify({ required: 2, factors: { customerName, phone: PHONE } });
    assert.equal(r.ok, true, customerName);
  }
  // A partial or different name is a mismatch.
  for (const customerName of ['Russell', 'Russ Hale', 'Russell Hale Jr', 'Russell Hall', '!!!']) {
    expectReason(await verify({ required: 2, factors: { customerName, phone: PHONE } }), 'failed');
  }
  // Any formatting, with or without the country code: compared on the last 10 digits.
  for (const phone of ['703-597-4534', '(703) 597 4534', '+1 703 597 4534', '7035974534', '17035974534', '+1 (703) 597-4534', '703.597.4534']) {
    const r = await verify({ factors: { phone } });
    assert.equal(r.ok, true, phone);
  }
  // Decision: the last 10 digits must be equal, so a 7-digit local number is not enough for a stored
  // 10/11-digit number, and fewer than 7 digits never match.
  for (const phone of ['597-4534', '03-597-4534', '4534', 'call me', '703-597-4535', '+1 703 597 4534 1']) {
    expectReason(await verify({ factors: { phone } }), 'failed');
  }
  // Decision (documented): the country code is not compared — another prefix with the same 10 digits matches.
  assert.equal((await verify({ factors: { phone: '+44 703 597 4534' } })).ok, true);
});

test('the failure text is identical whichever factor was wrong', async () => {
  const variants: Record<string, VerificationFactors> = {
    taskNumber: { ...right(2), taskNumber: wrong(2).taskNumber },
    customerName: { ...right(2), customerName: wrong(2).customerName },
    phone: { ...right(2), phone: wrong(2).phone },
    all: wrong(2),
  };
  const creds = Object.fromEntries(Object.keys(variants).map((k) => [k, randomUUID()]));
  for (let attempt = 1; attempt <= VERIFICATION_LIMITS.pairFailures; attempt++) {
    const msgs = new Map<string, string>();
    const results: VerificationResult[] = [];
    for (const [k, factors] of Object.entries(variants)) {
      const r = await verify({ cred: creds[k], t: 2, required: 3, factors });
      assert.ok(!r.ok && r.reason === 'failed', JSON.stringify(r));
      results.push(r);
      msgs.set(k, verificationMessage(r));
    }
    const distinct = new Set(msgs.values());
    if (attempt < VERIFICATION_LIMITS.pairFailures) {
      assert.equal(distinct.size, 1, [...distinct].join('\n'));
      // The structured result is identical too.
      for (const r of results) assert.deepEqual(r, results[0]);
      assert.deepEqual(results[0], {
        ok: false,
        reason: 'failed',
        factorTypes: ['taskNumber', 'customerName', 'phone'],
        attemptsLeft: VERIFICATION_LIMITS.pairFailures - attempt,
      });
    }
    const msg = [...distinct][0]!;
    for (const leak of ['Russell', 'Hale', 'Hall', '4534', '4535', 'name', 'phone', 'number']) assert.ok(!msg.includes(leak), `${leak} in ${msg}`);
    if (attempt === 1)
      assert.equal(
        msg,
        "Verification failed: the details given do not all match this task's customer, so the comment was not added. " +
          'Do not tell the caller which detail was wrong and do not read out any details on file. ' +
          'Ask the caller to confirm their details and try again (4 attempts left before verification is locked).',
      );
    if (attempt === 2) assert.match(msg, /\(3 attempts left before/);
    if (attempt === 4) assert.match(msg, /\(1 attempt left before/);
    if (attempt === VERIFICATION_LIMITS.pairFailures) {
      // The last failure starts the lock; its text may differ only by the lock time, never by which factor was wrong.
      for (const m of distinct)
        assert.match(
          m,
          /No attempts left: comment verification for this task is locked until \d{4}-\d\d-\d\dT[\d:.]+Z \(about 15 minutes from now\)/,
        );
      const normalized = new Set([...distinct].map((m) => m.replace(/until \S+/, 'until T')));
      assert.equal(normalized.size, 1);
    }
  }
});

test('lockout after 5 failures per (credential, task); other tasks stay open; it expires', async () => {
  const cred = randomUUID();
  const t = task(3);
  for (let i = 1; i <= 5; i++) {
    const r = await verify({ cred, t: 3, required: 2, factors: { customerName: NAME, phone: '555-123-4567' } });
    assert.ok(!r.ok && r.reason === 'failed');
    assert.equal(r.attemptsLeft, 5 - i);
    if (i === 5) {
      assert.equal(r.scope, 'task');
      assertNear(r.retryAt!, (await dbNow()) + 15 * 60_000, 'retryAt of the failure that locks');
    } else assert.equal(r.retryAt, undefined);
  }
  // 6th attempt, even with the correct factors: refused without evaluation, not counted.
  const locked = await verify({ cred, t: 3, required: 2, factors: right(3) });
  assert.ok(!locked.ok && locked.reason === 'locked', JSON.stringify(locked));
  assert.equal(locked.scope, 'task');
  assert.deepEqual(locked.factorTypes, ['taskNumber', 'customerName', 'phone']);
  assertNear(locked.retryAt, (await dbNow()) + 15 * 60_000, 'locked retryAt');
  const msg = verificationMessage(locked);
  assert.ok(msg.includes(locked.retryAt.toISOString()), msg);
  assert.match(
    msg,
    /^Too many failed verification attempts: comment verification for this task is locked until \S+ \(about 15 minutes from now\)\. Nothing was checked/,
  );
  expectReason(await verify({ cred, t: 3, required: 1, factors: wrong(3) }), 'locked');
  assert.equal((await attemptRows(cred, t.id)).length, 5, 'locked attempts are not recorded');

  // The same credential on another task, and another credential on this task, are still allowed.
  expectReason(await verify({ cred, t: 4, required: 2, factors: right(4) }), 'ok');
  expectReason(await verify({ t: 3, required: 2, factors: right(3) }), 'ok');

  // 16 minutes later (moved in the database): allowed again, and the old failures are out of the window.
  await db.query(
    `UPDATE verification_attempts SET created_at = created_at - interval '16 minutes' WHERE workspace_id = $1 AND credential_id = $2 AND task_id = $3`,
    [wsId, cred, t.id],
  );
  expectReason(await verify({ cred, t: 3, required: 2, factors: right(3) }), 'ok');
  const again = await verify({ cred, t: 3, required: 2, factors: wrong(3) });
  assert.ok(!again.ok && again.reason === 'failed');
  assert.equal(again.attemptsLeft, 4);
});

test('credential-wide: more than 20 failures in an hour lock every task of that credential', async () => {
  const cred = randomUUID();
  let n = 0;
  // 4 failures on each of tasks 0..4 (20, no pair reaches 5), then the 21st on task 5.
  for (let i = 0; i < 5; i++)
    for (let k = 0; k < 4; k++) {
      const r = await verify({ cred, t: i, factors: { phone: '555-000-0000' } });
      n++;
      assert.ok(!r.ok && r.reason === 'failed', `failure ${n}: ${JSON.stringify(r)}`);
      assert.equal(r.attemptsLeft, Math.min(4 - k, 21 - n), `failure ${n}`);
    }
  assert.equal(n, 20);
  // 20 failures do not lock yet.
  expectReason(await verify({ cred, t: 6, factors: { customerName: NAME, phone: PHONE } }), 'ok');
  const last = await verify({ cred, t: 5, factors: { customerName: 'Nobody', phone: PHONE } });
  assert.ok(!last.ok && last.reason === 'failed');
  assert.equal(last.attemptsLeft, 0);
  assert.equal(last.scope, 'credential');
  assertNear(last.retryAt!, (await dbNow()) + 3_600_000, 'credential retryAt');
  assert.match(
    verificationMessage(last),
    /No attempts left: comment verification for this credential \(all tasks\) is locked until \S+ \(about 60 minutes from now\)/,
  );

  for (let i = 0; i < tasks.length; i++) {
    const r = await verify({ cred, t: i, required: 3, factors: right(i) });
    assert.ok(!r.ok && r.reason === 'locked', `task ${i}: ${JSON.stringify(r)}`);
    assert.equal(r.scope, 'credential');
    assertNear(r.retryAt, (await dbNow()) + 3_600_000, 'locked retryAt');
    assert.match(verificationMessage(r), /for this credential \(all tasks\) is locked until/);
  }
  const rows = await attemptRows(cred);
  assert.equal(rows.filter((r) => !r.success).length, 21);
  assert.equal(rows.length, 22);
  // Another credential is unaffected.
  expectReason(await verify({ t: 5, factors: right(5) }), 'ok');
  // An hour and a minute later the credential works again.
  await db.query(`UPDATE verification_attempts SET created_at = created_at - interval '61 minutes' WHERE workspace_id = $1 AND credential_id = $2`, [
    wsId,
    cred,
  ]);
  expectReason(await verify({ cred, t: 5, required: 3, factors: right(5) }), 'ok');
});

test('concurrency: 20 concurrent wrong attempts on one pair record exactly 5 failures', async () => {
  const cred = randomUUID();
  const results = await Promise.all(Array.from({ length: 20 }, () => verify({ cred, t: 6, factors: wrong(6) })));
  const failed = results.filter((r) => !r.ok && r.reason === 'failed');
  const locked = results.filter((r) => !r.ok && r.reason === 'locked');
  assert.equal(failed.length, 5);
  assert.equal(locked.length, 15);
  assert.deepEqual(failed.map((r) => (r as { attemptsLeft: number }).attemptsLeft).sort(), [0, 1, 2, 3, 4]);
  const rows = await attemptRows(cred, task(6).id);
  assert.equal(rows.length, 5);
  assert.ok(rows.every((r) => !r.success));
});

test(`two app instances share lockouts (${STORE === 'pg' ? 'two pools on one PostgreSQL database' : 'PGlite: the same db twice'})`, async () => {
  const a: Db = db;
  const b: Db = db.url ? await openPg(db.url, { max: 10 }) : db;
  try {
    const cred = randomUUID();
    for (let i = 0; i < 3; i++) expectReason(await verify({ on: a, cred, t: 7, factors: wrong(7) }), 'failed');
    const r4 = await verify({ on: b, cred, t: 7, factors: wrong(7) });
    assert.ok(!r4.ok && r4.reason === 'failed');
    assert.equal(r4.attemptsLeft, 1, 'instance B counts the failures made through A');
    expectReason(await verify({ on: a, cred, t: 7, factors: wrong(7) }), 'failed');
    const seen = await verify({ on: b, cred, t: 7, factors: right(7) });
    assert.ok(!seen.ok && seen.reason === 'locked' && seen.scope === 'task', JSON.stringify(seen));

    // Concurrent guesses split over both instances still stop at the limit.
    const cred2 = randomUUID();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => verify({ on: i % 2 ? a : b, cred: cred2, t: 7, factors: wrong(7) })));
    assert.equal(results.filter((r) => !r.ok && r.reason === 'failed').length, 5);
    assert.equal(results.filter((r) => !r.ok && r.reason === 'locked').length, 15);
    assert.equal((await attemptRows(cred2)).length, 5);
  } finally {
    if (b !== a) await b.close();
  }
});

test('stored attempts carry factor types only, never values', async () => {
  const cred = randomUUID();
  expectReason(
    await verify({ cred, t: 5, required: 3, factors: { taskNumber: task(5).number, customerName: 'Rüssell  HALE', phone: '(703) 597 4534' } }),
    'ok',
  );
  expectReason(
    await verify({ cred, t: 5, required: 3, factors: { taskNumber: 987654, customerName: 'Zebediah Quux', phone: '+1 202 555 0199' } }),
    'failed',
  );
  const cols = await db.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'verification_attempts'`,
  );
  const textCols = cols.rows.filter((c) => ['text', 'ARRAY', 'character varying', 'jsonb', 'bytea'].includes(c.data_type)).map((c) => c.column_name);
  assert.deepEqual(textCols.sort(), ['factor_types']);
  const rows = await db.query<Record<string, unknown> & { whole: string }>(
    // The whole row as text, minus the ids and timestamp (random hex/digits could contain a needle by chance).
    `SELECT v.*, (to_jsonb(v) - 'workspace_id' - 'credential_id' - 'created_at')::text AS whole FROM verification_attempts v WHERE workspace_id = $1 AND credential_id = $2 ORDER BY id`,
    [wsId, cred],
  );
  assert.equal(rows.rows.length, 2);
  for (const row of rows.rows) {
    assert.deepEqual(row.factor_types, ['taskNumber', 'customerName', 'phone']);
    for (const col of [...textCols, 'whole']) {
      const v = JSON.stringify(row[col]).toLowerCase();
      for (const secret of ['russell', 'rüssell', 'hale', 'zebediah', 'quux', '4534', '5974534', '0199', '987654'])
        assert.ok(!v.includes(secret), `${col} contains ${secret}: ${v}`);
    }
  }
});
