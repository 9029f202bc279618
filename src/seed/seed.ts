import type { Db, Queryable } from '../platform/db/client.ts';
import { generatePassword, hashPassword } from '../platform/crypto/password.ts';
import { normalizeEmail, normalizeName } from '../domain/normalize.ts';
import * as V from './vocabulary.ts';
import { deterministicUuid, Rng } from './random.ts';
import { Generator, type Batch, type SeedStaff } from './generate.ts';

export interface SeedOptions {
  tasks: number;
  /** Default ≈ tasks / 3, at least 1. */
  customers?: number;
  /** Default 1. */
  seed?: number;
  /** Called after each committed batch of tasks. */
  onProgress?: (done: number, total: number) => void;
  /** Tasks per batch (and per transaction); default 5000. Does not change the generated data. */
  batchSize?: number;
  /** Batches written at once on a PostgreSQL server (default 2; PGlite always 1). Does not change the data. */
  concurrency?: number;
  /** Dates are spread over the two years before this instant; default SEED_REFERENCE_DATE. */
  referenceDate?: Date | string;
}

export interface SeedResult {
  tasks: number;
  customers: number;
  comments: number;
  /** Staff users created by this call (0 when the workspace already had at least 3 users). */
  users: number;
  /** The reserved task number range (inclusive). With tasks = 0 the range is empty: lastNumber = firstNumber - 1. */
  firstNumber: number;
  lastNumber: number;
}

export const SEED_REFERENCE_DATE = new Date('2026-11-01T00:00:00Z');
export const INSERT_CUSTOMERS = `
  INSERT INTO customers (workspace_id, name, name_norm, phone, phone_digits, phone_rev, email, email_lower, created_at)
  SELECT $1, u.name, u.name_norm, u.phone, u.phone_digits, u.phone_rev, u.email, u.email_lower, u.created_at
  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
       WITH ORDINALITY AS u(name, name_norm, phone, phone_digits, phone_rev, email, email_lower, created_at, ord)
  ORDER BY u.ord
  RETURNING id`;

export const INSERT_TASKS = `
  INSERT INTO tasks (workspace_id, number, title, description, status, priority, customer_id, customer_name,
                     assignee_id, due_at, created_at, updated_at)
  SELECT $1, u.* FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[],
                             $9::uuid[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[]) AS u
  RETURNING id, number`;

export const INSERT_COMMENTS = `
  INSERT INTO comments (workspace_id, task_id, author_kind, author_user_id, author_name, body, created_at)
  SELECT $1, u.* FROM unnest($2::int[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::timestamptz[]) AS u`;

/** Insert a batch's new customers; record their ids by customer index. */
export async function insertCustomers(q: Queryable, workspaceId: string, b: Batch, custIds: Int32Array): Promise<void> {
  if (b.cIndex.length === 0) return;
  const r = await q.query<{ id: number }>(INSERT_CUSTOMERS, [
    workspaceId,
    b.cName,
    b.cNameNorm,
    b.cPhone,
    b.cPhoneDigits,
    b.cPhoneRev,
    b.cEmail,
    b.cEmailLower,
    b.cCreated,
  ]);
  if (r.rows.length !== b.cIndex.length) throw new Error(`seed: inserted ${r.rows.length} customers, expected ${b.cIndex.length}`);
  // Identity values are drawn in insertion (ord) order, so ascending ids line up with the batch order.
  const ids = r.rows.map((x) => Number(x.id)).sort((x, y) => x - y);
  for (let k = 0; k < ids.length; k++) custIds[b.cIndex[k]!] = ids[k]!;
}

/** Insert a batch's tasks and their comments (its new customers are already in). */
export async function insertTasks(q: Queryable, workspaceId: string, b: Batch, custIds: Int32Array): Promise<void> {
  const n = b.tNumber.length;
  if (n === 0) return;
  const customerIds = b.tCustomer.map((j) => (j < 0 ? null : custIds[j]!));
  const r = await q.query<{ id: number; number: number }>(INSERT_TASKS, [
    workspaceId,
    b.tNumber,
    b.tTitle,
    b.tDesc,
    b.tStatus,
    b.tPriority,
    customerIds,
    b.tCustomerName,
    b.tAssignee,
    b.tDue,
    b.tCreated,
    b.tUpdated,
  ]);
  if (r.rows.length !== n) throw new Error(`seed: inserted ${r.rows.length} tasks, expected ${n}`);
  if (b.kTaskNumber.length === 0) return;
  const idByNumber = new Int32Array(n);
  for (const row of r.rows) idByNumber[Number(row.number) - b.firstNumber] = Number(row.id);
  const taskIds = b.kTaskNumber.map((num) => idByNumber[num - b.firstNumber]!);
  await q.query(INSERT_COMMENTS, [workspaceId, taskIds, b.kKind, b.kUser, b.kName, b.kBody, b.kCreated]);
}

/** Staff for assignments: the workspace's users, plus 4–8 seeded staff when it has fewer than 3. */
export async function ensureStaff(
  db: Db,
  workspaceId: string,
  workspaceName: string,
  seed: number,
): Promise<{ staff: SeedStaff[]; created: number }> {
  const list = async () =>
    (await db.query<SeedStaff>('SELECT id, name FROM users WHERE workspace_id = $1 ORDER BY email_lower, id', [workspaceId])).rows;
  const existing = await list();
  if (existing.length >= 3) return { staff: existing, created: 0 };

  const rng = new Rng(seed, 'staff');
  const pool = [...V.STAFF];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const chosen = pool.slice(0, rng.between(4, 8));
  const domain = (normalizeName(workspaceName).replace(/ /g, '-').slice(0, 40) || 'acme-repair') + '.example';
  const emails = chosen.map(([, local]) => `${local}@${domain}`);
  // Seeded staff are not meant to sign in: one hash of a random password, shared.
  const hash = await hashPassword(generatePassword());
  const r = await db.query(
    `INSERT INTO users (workspace_id, id, email, email_lower, name, role, password_hash)
     SELECT $1, u.id, u.email, u.email_lower, u.name, 'member', $6
     FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS u(id, email, email_lower, name)
     ON CONFLICT (workspace_id, email_lower) DO NOTHING`,
    [
      workspaceId,
      emails.map((e) => deterministicUuid(`taskline-seed-user:${workspaceId}:${normalizeEmail(e)}`)),
      emails,
      emails.map(normalizeEmail),
      chosen.map(([name]) => name),
      hash,
    ],
  );
  return { staff: await list(), created: r.rowCount };
}

export async function seedWorkspace(db: Db, workspaceId: string, opts: SeedOptions): Promise<SeedResult> {
  const nTasks = Math.floor(opts.tasks);
  if (!Number.isFinite(nTasks) || nTasks < 0) throw new RangeError('tasks must be a non-negative integer');
  const nCustomers = Math.floor(opts.customers ?? Math.max(1, Math.round(nTasks / 3)));
  if (!Number.isFinite(nCustomers) || nCustomers < 0) throw new RangeError('customers must be a non-negative integer');
  const seed = opts.seed ?? 1;
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 5000));
  const concurrency = db.kind === 'pglite' ? 1 : Math.max(1, Math.floor(opts.concurrency ?? 2));
  const ref = opts.referenceDate === undefined ? SEED_REFERENCE_DATE.getTime() : new Date(opts.referenceDate).getTime();
  if (!Number.isFinite(ref)) throw new RangeError('referenceDate is not a valid date');

  const ws = await db.query<{ name: string }>('SELECT name FROM workspaces WHERE id = $1', [workspaceId]);
  if (!ws.rows[0]) throw new Error(`no workspace with id ${workspaceId}`);
  const { staff, created: usersCreated } = await ensureStaff(db, workspaceId, ws.rows[0].name, seed);

  // One atomic reservation: concurrent task creation gets numbers outside our range.
  let lastNumber: number;
  if (nTasks > 0) {
    const r = await db.query<{ task_seq: number }>('UPDATE workspaces SET task_seq = task_seq + $2 WHERE id = $1 RETURNING task_seq', [
      workspaceId,
      nTasks,
    ]);
    lastNumber = Number(r.rows[0]!.task_seq);
  } else {
    const r = await db.query<{ task_seq: number }>('SELECT task_seq FROM workspaces WHERE id = $1', [workspaceId]);
    lastNumber = Number(r.rows[0]!.task_seq);
  }
  const firstNumber = lastNumber - nTasks + 1;

  const gen = new Generator(seed, ref, nTasks, nCustomers, firstNumber, staff);
  const custIds = new Int32Array(nCustomers);
  let comments = 0;
  let done = 0;
  opts.onProgress?.(0, nTasks);

  // Pipeline: while the database writes batch k, generate batch k+1. With concurrency > 1 (PostgreSQL server), up to
  // that many batches are written at once on separate connections; a batch's new customers are then inserted and
  // committed before its transaction starts, so later batches can refer to them. Customer ids are resolved when a
  // batch is launched, after every batch that introduced those customers has at least inserted them.
  const inflight = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  const launch = async (b: Batch): Promise<void> => {
    if (concurrency > 1) await insertCustomers(db, workspaceId, b, custIds);
    const p = db
      .tx(async (q) => {
        if (concurrency === 1) await insertCustomers(q, workspaceId, b, custIds);
        await insertTasks(q, workspaceId, b, custIds);
      })
      .then(
        () => {
          comments += b.kTaskNumber.length;
          done += b.tNumber.length;
          if (b.tNumber.length > 0) opts.onProgress?.(done, nTasks);
        },
        (error: unknown) => {
          failure ??= { error };
        },
      )
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };
  const drain = async (max: number) => {
    while (inflight.size > max) await Promise.race(inflight);
    if (failure) {
      await Promise.all(inflight);
      throw failure.error;
    }
  };
  try {
    for (let from = 0; from < nTasks; from += batchSize) {
      const b = gen.tasks(from, Math.min(nTasks, from + batchSize));
      await drain(concurrency - 1);
      await launch(b);
    }
    for (let b = gen.leftoverCustomers(batchSize); b; b = gen.leftoverCustomers(batchSize)) {
      await drain(concurrency - 1);
      await launch(b);
    }
    await drain(0);
  } catch (err) {
    await Promise.all(inflight);
    throw err;
  }

  return { tasks: nTasks, customers: gen.customersUsed, comments, users: usersCreated, firstNumber, lastNumber };
}
