import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorkspace } from '../../src/domain/workspaces.ts';
import { createCustomer, updateCustomer } from '../../src/domain/customers.ts';
import { createTask, getTaskByNumber, listTasks, updateTask } from '../../src/domain/tasks.ts';
import { addComment, listComments } from '../../src/domain/comments.ts';
import { createUser } from '../../src/domain/users.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { testDb, type TestDb } from '../helpers/db.ts';

let db: TestDb;
before(async () => {
  db = await testDb();
});
after(() => db.cleanup());

test('200 concurrent task creations get numbers 1..200 with no duplicates or gaps', async () => {
  const ws = await createWorkspace(db, { name: 'Concurrency' });
  const other = await createWorkspace(db, { name: 'Other' });
  const made = await Promise.all(Array.from({ length: 200 }, (_, i) => createTask(db, i % 10 === 0 ? other.id : ws.id, { title: `Task ${i}` })));
  const nums = made
    .filter((_, i) => i % 10 !== 0)
    .map((t) => t.number)
    .sort((a, b) => a - b);
  assert.deepEqual(
    nums,
    Array.from({ length: 180 }, (_, i) => i + 1),
  );
  const otherNums = made
    .filter((_, i) => i % 10 === 0)
    .map((t) => t.number)
    .sort((a, b) => a - b);
  assert.deepEqual(
    otherNums,
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
});

test('a failed insert does not consume a number', async () => {
  const ws = await createWorkspace(db, { name: 'Gaps' });
  await createTask(db, ws.id, { title: 'one' });
  await assert.rejects(createTask(db, ws.id, { title: 'bad customer', customerId: 999_999 }), DomainError);
  const t = await createTask(db, ws.id, { title: 'two' });
  assert.equal(t.number, 2);
});

test('tasks carry customer name for search; renaming the customer follows through', async () => {
  const ws = await createWorkspace(db, { name: 'Rename' });
  const c = await createCustomer(db, ws.id, { name: 'José Núñez', phone: '+1 (703) 597-4534', email: 'Jose@Example.com' });
  const t = await createTask(db, ws.id, { title: 'Broken dishwasher', customerId: c.id });
  assert.equal(t.customerName, 'José Núñez');
  const cols = await db.query<{ name_norm: string; phone_digits: string; phone_rev: string; email_lower: string }>(
    'SELECT name_norm, phone_digits, phone_rev, email_lower FROM customers WHERE workspace_id = $1 AND id = $2',
    [ws.id, c.id],
  );
  assert.deepEqual(cols.rows[0], { name_norm: 'jose nunez', phone_digits: '17035974534', phone_rev: '43547953071', email_lower: 'jose@example.com' });
  const hit = await db.query("SELECT 1 FROM tasks WHERE workspace_id = $1 AND search_tsv @@ plainto_tsquery('english', 'nunez dishwashers')", [
    ws.id,
  ]);
  assert.equal(hit.rows.length, 1);
  await updateCustomer(db, ws.id, c.id, { name: 'Joseph Nunez', phone: '7035974534' });
  assert.equal((await getTaskByNumber(db, ws.id, t.number))!.customerName, 'Joseph Nunez');
  await assert.rejects(createCustomer(db, ws.id, { name: 'x', phone: '12' }), /not a phone number/);
});

test('listTasks pages by updatedAt desc with an opaque keyset cursor and filters', async () => {
  const ws = await createWorkspace(db, { name: 'Paging' });
  const user = await createUser(db, ws.id, { email: 'pat@example.com', name: 'Pat Tech', role: 'member', password: 'long-enough-pw' });
  for (let i = 0; i < 25; i++)
    await createTask(db, ws.id, {
      title: `T${i}`,
      status: i % 5 === 0 ? 'done' : 'open',
      priority: i % 2 ? 'high' : 'normal',
      assigneeId: i < 3 ? user.id : null,
    });
  const seen: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await listTasks(db, ws.id, { limit: 7, cursor });
    assert.ok(page.tasks.length <= 7);
    seen.push(...page.tasks.map((t) => t.number));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  assert.equal(seen.length, 25);
  assert.equal(new Set(seen).size, 25);
  assert.deepEqual(
    seen,
    [...seen].sort((a, b) => b - a),
    'newest first',
  );
  assert.equal((await listTasks(db, ws.id, { status: 'done', limit: 50 })).tasks.length, 5);
  assert.equal((await listTasks(db, ws.id, { priority: 'high', limit: 50 })).tasks.length, 12);
  const mine = await listTasks(db, ws.id, { assigneeId: user.id, limit: 50 });
  assert.equal(mine.tasks.length, 3);
  assert.equal(mine.tasks[0]!.assigneeName, 'Pat Tech');
  await assert.rejects(listTasks(db, ws.id, { cursor: 'not-a-cursor' }), /cursor is not valid/);
  // Updating moves a task to the front.
  await updateTask(db, ws.id, 1, { status: 'in_progress' });
  assert.equal((await listTasks(db, ws.id, { limit: 1 })).tasks[0]!.number, 1);
  await assert.rejects(updateTask(db, ws.id, 999, { status: 'done' }), /no task #999/);
});

test('comments: oldest first with cursor, idempotent per credential key, 20 concurrent calls → one comment', async () => {
  const ws = await createWorkspace(db, { name: 'Comments' });
  const t = await createTask(db, ws.id, { title: 'x' });
  for (let i = 0; i < 5; i++) await addComment(db, ws.id, { taskId: t.id, authorKind: 'staff', authorName: 'Pat', body: `c${i}` });
  const p1 = await listComments(db, ws.id, t.id, { limit: 3 });
  const p2 = await listComments(db, ws.id, t.id, { limit: 3, cursor: p1.nextCursor! });
  assert.deepEqual(
    [...p1.comments, ...p2.comments].map((c) => c.body),
    ['c0', 'c1', 'c2', 'c3', 'c4'],
  );
  assert.equal(p2.nextCursor, null);

  const credentialId = '00000000-0000-4000-8000-000000000001';
  const results = await Promise.all(
    Array.from({ length: 20 }, () =>
      addComment(db, ws.id, {
        taskId: t.id,
        authorKind: 'customer',
        authorName: 'Russell',
        body: 'Call me after 9',
        credentialId,
        idempotencyKey: 'k1',
      }),
    ),
  );
  assert.equal(results.filter((r) => r.created).length, 1);
  assert.equal(new Set(results.map((r) => r.comment.id)).size, 1);
  const n = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM comments WHERE workspace_id = $1 AND idempotency_key = $2', [ws.id, 'k1']);
  assert.equal(n.rows[0]!.n, 1);
  await assert.rejects(addComment(db, ws.id, { taskId: t.id, authorKind: 'staff', authorName: 'x', body: '   ' }), /1–5000/);
});
