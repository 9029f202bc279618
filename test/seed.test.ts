import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/platform/db/client.ts';
import { openPglite } from '../src/platform/db/client.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { createWorkspace } from '../src/domain/workspaces.ts';
import { normalizeName } from '../src/domain/normalize.ts';
import { seedWorkspace } from '../src/seed/seed.ts';
import { Rng } from '../src/seed/random.ts';

// Minimal local database helper; to be replaced by the shared test helper.
let db: Db;
before(async () => {
  db = await openPglite(null);
  await migrate(db);
});
after(async () => {
  await db?.close();
});

async function newWorkspace(name = 'Acme Repair'): Promise<string> {
  return (await createWorkspace(db, { name })).id;
}

/** Everything the seed decides, without ids: tasks by number, customers by id, comments by task and time. */
async function projection(ws: string) {
  const tasks = await db.query(
    `SELECT t.number, t.title, t.description, t.status, t.priority, t.customer_name, c.name AS cname, c.phone, c.email,
            u.name AS assignee, t.due_at, t.created_at, t.updated_at
     FROM tasks t LEFT JOIN customers c ON c.workspace_id = t.workspace_id AND c.id = t.customer_id
     LEFT JOIN users u ON u.workspace_id = t.workspace_id AND u.id = t.assignee_id
     WHERE t.workspace_id = $1 ORDER BY t.number`,
    [ws],
  );
  const customers = await db.query(
    'SELECT name, name_norm, phone, phone_digits, phone_rev, email, email_lower, created_at FROM customers WHERE workspace_id = $1 ORDER BY id',
    [ws],
  );
  const comments = await db.query(
    `SELECT t.number, k.author_kind, k.author_name, u.name AS user_name, k.body, k.created_at
     FROM comments k JOIN tasks t ON t.workspace_id = k.workspace_id AND t.id = k.task_id
     LEFT JOIN users u ON u.workspace_id = k.workspace_id AND u.id = k.author_user_id
     WHERE k.workspace_id = $1 ORDER BY t.number, k.created_at, k.id`,
    [ws],
  );
  const users = await db.query('SELECT name, email, role FROM users WHERE workspace_id = $1 ORDER BY email_lower', [ws]);
  return { tasks: tasks.rows, customers: customers.rows, comments: comments.rows, users: users.rows };
}

test('Rng is deterministic and seeds differ', () => {
  const a = new Rng(1, 'x');
  const b = new Rng(1, 'x');
  const c = new Rng(2, 'x');
  const d = new Rng(1, 'y');
  const sa = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(
    sa,
    Array.from({ length: 5 }, () => b.next()),
  );
  assert.notDeepEqual(
    sa,
    Array.from({ length: 5 }, () => c.next()),
  );
  assert.notDeepEqual(
    sa,
    Array.from({ length: 5 }, () => d.next()),
  );
  const r = new Rng(7);
  for (let i = 0; i < 1000; i++) {
    const f = r.float();
    assert.ok(f >= 0 && f < 1);
  }
});

test('seeds counts, contiguous numbers, realistic data', async () => {
  const ws = await newWorkspace();
  const progress: [number, number][] = [];
  const r = await seedWorkspace(db, ws, { tasks: 1500, customers: 400, seed: 42, batchSize: 400, onProgress: (d, t) => progress.push([d, t]) });
  assert.equal(r.tasks, 1500);
  assert.equal(r.customers, 400);
  assert.equal(r.firstNumber, 1);
  assert.equal(r.lastNumber, 1500);
  assert.ok(r.users >= 4 && r.users <= 8, `users ${r.users}`);
  assert.deepEqual(progress.at(-1), [1500, 1500]);
  assert.ok(progress.length >= 4, 'progress reported per batch');

  const counts = (
    await db.query<{ t: number; c: number; k: number; u: number; mn: number; mx: number; dn: number }>(
      `SELECT (SELECT count(*)::int FROM tasks WHERE workspace_id = $1) AS t,
              (SELECT count(*)::int FROM customers WHERE workspace_id = $1) AS c,
              (SELECT count(*)::int FROM comments WHERE workspace_id = $1) AS k,
              (SELECT count(*)::int FROM users WHERE workspace_id = $1) AS u,
              (SELECT min(number) FROM tasks WHERE workspace_id = $1) AS mn,
              (SELECT max(number) FROM tasks WHERE workspace_id = $1) AS mx,
              (SELECT count(DISTINCT number)::int FROM tasks WHERE workspace_id = $1) AS dn`,
      [ws],
    )
  ).rows[0]!;
  assert.deepEqual(counts, { t: 1500, c: 400, k: r.comments, u: r.users, mn: 1, mx: 1500, dn: 1500 });
  const avg = r.comments / r.tasks;
  assert.ok(avg > 1 && avg < 2.2, `average comments per task ${avg}`);

  const p = await projection(ws);
  // Denormalized customer name matches the customer; normalized columns are consistent.
  for (const t of p.tasks as { customer_name: string | null; cname: string | null }[]) assert.equal(t.customer_name, t.cname);
  for (const c of p.customers as {
    name: string;
    name_norm: string;
    phone: string | null;
    phone_digits: string | null;
    phone_rev: string | null;
    email: string | null;
    email_lower: string | null;
  }[]) {
    assert.equal(c.name_norm, normalizeName(c.name));
    assert.equal(c.phone_digits, c.phone ? c.phone.replace(/\D/g, '') : null);
    assert.equal(c.phone_rev, c.phone_digits ? [...c.phone_digits].reverse().join('') : null);
    assert.equal(c.email_lower, c.email ? c.email.toLowerCase() : null);
  }

  // Phones in several real-world formats, some missing.
  const phones = (p.customers as { phone: string | null }[]).map((c) => c.phone);
  const shapes = new Set(phones.filter((x): x is string => x !== null).map((x) => x.replace(/\d/g, '9')));
  for (const shape of ['(999) 999-9999', '999-999-9999', '+9 (999) 999-9999', '999.999.9999', '9999999999']) {
    assert.ok(shapes.has(shape), `phone format ${shape} present (have ${[...shapes].join(' | ')})`);
  }
  assert.ok(
    phones.some((x) => x === null),
    'some customers without phone',
  );
  const emails = (p.customers as { email: string | null }[]).map((c) => c.email);
  assert.ok(
    emails.some((x) => x === null),
    'some customers without email',
  );
  assert.ok(
    emails.some((x) => x !== null && x !== x.toLowerCase()),
    'some mixed-case emails',
  );

  // Accented names (in customers and on tasks).
  const names = (p.customers as { name: string }[]).map((c) => c.name);
  assert.ok(
    names.some((n) => n !== n.normalize('NFKD').replace(/\p{M}/gu, '') || /[øłßØŁ]/.test(n)),
    'an accented name',
  );
  assert.ok(
    names.some((n) => n.includes("'")),
    'a name with an apostrophe',
  );

  // Some customers have many tasks, and every customer has at least one (customers < tasks).
  const perCustomer = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM tasks WHERE workspace_id = $1 AND customer_id IS NOT NULL GROUP BY customer_id ORDER BY n DESC',
    [ws],
  );
  assert.equal(perCustomer.rows.length, 400);
  assert.ok(perCustomer.rows[0]!.n >= 10, `busiest customer has ${perCustomer.rows[0]!.n} tasks`);

  // Status/priority skew.
  const by = async (col: string) =>
    Object.fromEntries(
      (
        await db.query<{ k: string; n: number }>(`SELECT ${col} AS k, count(*)::int AS n FROM tasks WHERE workspace_id = $1 GROUP BY 1`, [ws])
      ).rows.map((x) => [x.k, x.n]),
    ) as Record<string, number>;
  const st = await by('status');
  assert.ok((st.done ?? 0) > 1500 / 2, `most tasks done: ${JSON.stringify(st)}`);
  for (const s of ['open', 'in_progress', 'waiting', 'cancelled']) assert.ok((st[s] ?? 0) > 0, `some ${s}`);
  assert.ok((st.cancelled ?? 0) < (st.done ?? 0) / 5);
  const pr = await by('priority');
  assert.ok((pr.normal ?? 0) > 1500 / 2, `mostly normal priority: ${JSON.stringify(pr)}`);
  for (const s of ['low', 'high', 'urgent']) assert.ok((pr[s] ?? 0) > 0, `some ${s}`);

  // Dates: two years before the reference date; updated ≥ created; some open tasks overdue.
  const dates = (
    await db.query<{ bad: number; minc: Date; maxu: Date; overdue: number }>(
      `SELECT count(*) FILTER (WHERE updated_at < created_at)::int AS bad, min(created_at) AS minc, max(updated_at) AS maxu,
              count(*) FILTER (WHERE status IN ('open','in_progress','waiting') AND due_at < '2026-11-01T00:00:00Z')::int AS overdue
       FROM tasks WHERE workspace_id = $1`,
      [ws],
    )
  ).rows[0]!;
  assert.equal(dates.bad, 0);
  assert.ok(new Date(dates.minc) >= new Date('2024-11-01T00:00:00Z'));
  assert.ok(new Date(dates.maxu) <= new Date('2026-11-01T00:00:00Z'));
  assert.ok(dates.overdue > 0, 'some open tasks are overdue');

  // Comments: all three author kinds, after the task was created, staff comments carry the user.
  const kinds = new Set((p.comments as { author_kind: string }[]).map((c) => c.author_kind));
  assert.deepEqual([...kinds].sort(), ['assistant', 'customer', 'staff']);
  const cm = (
    await db.query<{ early: number; staffNoUser: number; assistant: string }>(
      `SELECT count(*) FILTER (WHERE k.created_at <= t.created_at)::int AS early,
              count(*) FILTER (WHERE k.author_kind = 'staff' AND k.author_user_id IS NULL)::int AS "staffNoUser",
              min(k.author_name) FILTER (WHERE k.author_kind = 'assistant') AS assistant
       FROM comments k JOIN tasks t ON t.workspace_id = k.workspace_id AND t.id = k.task_id WHERE k.workspace_id = $1`,
      [ws],
    )
  ).rows[0]!;
  assert.equal(cm.early, 0);
  assert.equal(cm.staffNoUser, 0);
  assert.match(cm.assistant, /Claude/);
  // Customer comments are by that task's customer.
  for (const c of p.comments as { number: number; author_kind: string; author_name: string }[]) {
    if (c.author_kind !== 'customer') continue;
    const t = (p.tasks as { number: number; customer_name: string | null }[])[c.number - 1]!;
    assert.equal(c.author_name, t.customer_name);
  }
});

test('same seed and options give identical data, whatever the batch size; another seed differs', async () => {
  const a = await newWorkspace('Determinism');
  const b = await newWorkspace('Determinism');
  const c = await newWorkspace('Determinism');
  await seedWorkspace(db, a, { tasks: 700, seed: 7, batchSize: 700 });
  await seedWorkspace(db, b, { tasks: 700, seed: 7, batchSize: 123 });
  await seedWorkspace(db, c, { tasks: 700, seed: 8 });
  const pa = await projection(a);
  const pb = await projection(b);
  assert.equal(pa.tasks.length, 700);
  assert.deepEqual(pb, pa);
  const pc = await projection(c);
  assert.notDeepEqual(
    pc.tasks.map((t) => (t as { title: string }).title),
    pa.tasks.map((t) => (t as { title: string }).title),
  );
});

test('seeding twice continues numbering and reuses staff', async () => {
  const ws = await newWorkspace();
  const r1 = await seedWorkspace(db, ws, { tasks: 300, seed: 3 });
  const r2 = await seedWorkspace(db, ws, { tasks: 200, seed: 4, customers: 50 });
  assert.deepEqual([r1.firstNumber, r1.lastNumber], [1, 300]);
  assert.deepEqual([r2.firstNumber, r2.lastNumber], [301, 500]);
  assert.equal(r2.users, 0, 'existing staff reused');
  const q = (
    await db.query<{ n: number; d: number; mn: number; mx: number; seq: number; u: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT number)::int AS d, min(number) AS mn, max(number) AS mx,
              (SELECT task_seq FROM workspaces WHERE id = $1) AS seq,
              (SELECT count(*)::int FROM users WHERE workspace_id = $1) AS u
       FROM tasks WHERE workspace_id = $1`,
      [ws],
    )
  ).rows[0]!;
  assert.deepEqual(q, { n: 500, d: 500, mn: 1, mx: 500, seq: 500, u: r1.users });
});

test('edge cases: zero tasks, more customers than tasks', async () => {
  const ws = await newWorkspace();
  const r0 = await seedWorkspace(db, ws, { tasks: 0 });
  assert.deepEqual({ ...r0, users: 0 }, { tasks: 0, customers: 1, comments: 0, users: 0, firstNumber: 1, lastNumber: 0 });
  const r = await seedWorkspace(db, ws, { tasks: 5, customers: 12 });
  assert.equal(r.customers, 12);
  assert.deepEqual([r.firstNumber, r.lastNumber], [1, 5]);
  const n = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM customers WHERE workspace_id = $1', [ws])).rows[0]!.n;
  assert.equal(n, 13);
  await assert.rejects(seedWorkspace(db, '00000000-0000-4000-8000-000000000000', { tasks: 1 }), /no workspace/);
});
