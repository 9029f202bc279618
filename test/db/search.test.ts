import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorkspace, type Workspace } from '../../src/domain/workspaces.ts';
import { createCustomer, type Customer } from '../../src/domain/customers.ts';
import { createTask, getTaskByNumber, type Task } from '../../src/domain/tasks.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { classifyQuery, searchTasks, type MatchedOn, type SearchHit } from '../../src/domain/search.ts';
import { seedWorkspace } from '../../src/seed/seed.ts';
import { testDb, type TestDb } from '../helpers/db.ts';

// ---------------------------------------------------------------------------------------------------------------
// classifyQuery (no database)

const cq = (taskNumber: number | null, phoneDigits: string | null, email: string | null, words: string) => ({
  taskNumber,
  phoneDigits,
  email,
  words,
});

test('classifyQuery: task numbers, with the words that introduce them', () => {
  for (const q of ['#1042', 'task 1042', 'Task #1042', 'ticket 1042', 'ticket no. 1042', 'job # 1042', 'order 1042', '1042', ' 1042. '])
    assert.deepEqual(classifyQuery(q), cq(1042, null, null, ''), q);
  assert.deepEqual(classifyQuery('123456'), cq(123456, null, null, ''));
  // Longer numbers are phones unless something says they are task numbers.
  for (const q of ['#1000001', 'task 1000001', 'ticket no. 1000001', 'job #1000001'])
    assert.deepEqual(classifyQuery(q), cq(1000001, null, null, ''), q);
  assert.deepEqual(classifyQuery('1000001'), cq(null, '1000001', null, ''));
  assert.deepEqual(classifyQuery('ticket 1042 dishwasher'), cq(1042, null, null, 'dishwasher'));
  // "task" that introduces nothing is text; a word glued to digits is text too.
  assert.deepEqual(classifyQuery('dishwasher task'), cq(null, null, null, 'dishwasher task'));
  assert.deepEqual(classifyQuery('unit 4B'), cq(null, null, null, 'unit 4b'));
});

test('classifyQuery: phone numbers in any format (7+ digits)', () => {
  for (const q of ['703-597-4534', '(703) 597 4534', '703.597.4534', '7035974534'])
    assert.deepEqual(classifyQuery(q), cq(null, '7035974534', null, ''), q);
  assert.deepEqual(classifyQuery('+1 703 597 4534'), cq(null, '17035974534', null, ''));
  assert.deepEqual(classifyQuery('+1 (703) 597-4534'), cq(null, '17035974534', null, ''));
  assert.deepEqual(classifyQuery('597-4534'), cq(null, '5974534', null, ''));
  assert.deepEqual(classifyQuery('1234567'), cq(null, '1234567', null, ''));
  assert.deepEqual(classifyQuery('russell 703-597-4534'), cq(null, '7035974534', null, 'russell'));
  assert.deepEqual(classifyQuery('ticket 1042, 703-597-4534'), cq(1042, '7035974534', null, ''));
  assert.deepEqual(classifyQuery('ticket 1042 703 597 4534'), cq(1042, '7035974534', null, ''));
  assert.deepEqual(classifyQuery('russell #12 (703) 597-4534'), cq(12, '7035974534', null, 'russell'));
});

test('classifyQuery: emails (any case; digits inside are not numbers)', () => {
  assert.deepEqual(classifyQuery('russ@example.com'), cq(null, null, 'russ@example.com', ''));
  assert.deepEqual(classifyQuery('RUSS@EXAMPLE.COM'), cq(null, null, 'russ@example.com', ''));
  assert.deepEqual(classifyQuery('<Russ@Example.com>,'), cq(null, null, 'russ@example.com', ''));
  assert.deepEqual(classifyQuery('russ@ex'), cq(null, null, 'russ@ex', ''));
  assert.deepEqual(classifyQuery('john.smith55@gmail.com'), cq(null, null, 'john.smith55@gmail.com', ''));
  assert.deepEqual(classifyQuery('hale russ@example.com'), cq(null, null, 'russ@example.com', 'hale'));
});

test('classifyQuery: names and text are normalized like customers.name_norm', () => {
  assert.deepEqual(classifyQuery('José Núñez'), cq(null, null, null, 'jose nunez'));
  assert.deepEqual(classifyQuery('  RUSSELL   HALE '), cq(null, null, null, 'russell hale'));
  assert.deepEqual(classifyQuery("Zoë O'Brien"), cq(null, null, null, 'zoe o brien'));
  assert.deepEqual(classifyQuery('broken dishwasher Russell'), cq(null, null, null, 'broken dishwasher russell'));
  assert.deepEqual(classifyQuery('???'), cq(null, null, null, ''));
});

// ---------------------------------------------------------------------------------------------------------------
// searchTasks on a seeded workspace

let db: TestDb;
let ws: Workspace;
let other: Workspace;
let russ: Customer;
let russFurnace: Task;
let russDone: Task;
let russDish: Task;
let joseTask: Task;
let zoeTask: Task;
let t1042: Task;
const otherTaskIds = new Set<number>();

before(async () => {
  db = await testDb();
  ws = await createWorkspace(db, { name: 'Search Fixture Repairs' });
  await seedWorkspace(db, ws.id, { tasks: 2000, seed: 3 });
  russ = await createCustomer(db, ws.id, { name: 'Russell Hale', phone: '+1 (703) 597-4534', email: 'Russ@Example.com' });
  russFurnace = await createTask(db, ws.id, { title: 'Furnace annual service', customerId: russ.id });
  russDone = await createTask(db, ws.id, { title: 'Replace garage door opener', customerId: russ.id, status: 'done' });
  russDish = await createTask(db, ws.id, {
    title: 'Dishwasher not draining',
    description: 'Standing water at the bottom after every cycle.',
    customerId: russ.id,
  });
  const jose = await createCustomer(db, ws.id, { name: 'José Núñez', phone: '703.555.0199' });
  joseTask = await createTask(db, ws.id, { title: 'Kitchen faucet dripping', customerId: jose.id });
  const zoe = await createCustomer(db, ws.id, { name: "Zoë O'Brien" });
  zoeTask = await createTask(db, ws.id, { title: 'Water heater pilot keeps going out', customerId: zoe.id });
  const found = await getTaskByNumber(db, ws.id, 1042);
  assert.ok(found, 'the seeded workspace has a task #1042');
  t1042 = found;

  // Another business with the same customer: never visible from the first workspace.
  other = await createWorkspace(db, { name: 'Other Business' });
  const otherRuss = await createCustomer(db, other.id, { name: 'Russell Hale', phone: '+1 (703) 597-4534', email: 'russ@example.com' });
  for (const title of ['Dishwasher not draining', 'Broken dishwasher door', 'Furnace annual service'])
    otherTaskIds.add((await createTask(db, other.id, { title, customerId: otherRuss.id })).id);
  await db.query('ANALYZE');
});
after(() => db?.cleanup());

const search = (query: string, opts: Partial<Parameters<typeof searchTasks>[3]> = {}) => searchTasks(db, ws.id, query, { limit: 10, ...opts });

function describe(hits: SearchHit[]): string {
  return hits.map((h) => `#${h.number} ${h.matchedOn} ${h.score} ${h.customerName} · ${h.title}`).join('\n');
}

function assertFirst(hits: SearchHit[], task: Task, matchedOn: MatchedOn, query: string) {
  assert.ok(hits.length > 0, `${query}: no hits`);
  assert.equal(hits[0]!.id, task.id, `${query}: expected #${task.number} first, got\n${describe(hits)}`);
  assert.equal(hits[0]!.matchedOn, matchedOn, `${query}: matchedOn`);
}

function assertHas(hits: SearchHit[], task: Task, query: string) {
  assert.ok(
    hits.some((h) => h.id === task.id),
    `${query}: expected #${task.number} among the hits, got\n${describe(hits)}`,
  );
}

function assertNoOtherWorkspace(hits: SearchHit[], query: string) {
  for (const h of hits) assert.ok(!otherTaskIds.has(h.id), `${query}: hit #${h.number} belongs to another workspace`);
}

test('names: case, accents, misspelling and word order', async () => {
  for (const q of ['Russell', 'russel', 'RUSSELL HALE', 'hale russell', 'Hale', 'rusell hale']) {
    const { hits } = await search(q);
    assertFirst(hits, russDish, 'customerName', q);
    assertNoOtherWorkspace(hits, q);
  }
  const full = await search('RUSSELL HALE');
  for (const t of [russFurnace, russDone, russDish]) assertHas(full.hits, t, 'RUSSELL HALE');
  assert.ok(full.hits[0]!.score > 0.5 && full.hits[0]!.score <= 0.8, 'name scores rank below contact matches');
  assert.equal(full.hits[0]!.customerPhone, '+1 (703) 597-4534');
  assert.equal(full.hits[0]!.customerEmail, 'Russ@Example.com');

  for (const q of ['José', 'jose nunez', 'JOSE NÚÑEZ', 'nunez jose', 'jose nunes']) assertFirst((await search(q)).hits, joseTask, 'customerName', q);
  for (const q of ["Zoë O'Brien", 'zoe obrien', "O'Brien"]) assertHas((await search(q, { limit: 50 })).hits, zoeTask, q);
  assertFirst((await search("Zoë O'Brien")).hits, zoeTask, 'customerName', "Zoë O'Brien");
});

test('phone numbers: any format, country code, or the last 7 digits', async () => {
  for (const q of ['703-597-4534', '(703) 597 4534', '+1 703 597 4534', '7035974534', '17035974534']) {
    const { hits, query } = await search(q);
    assert.ok(query.phoneDigits, q);
    assertFirst(hits, russDish, 'phone', q);
    assert.equal(hits[0]!.score, 0.95, `${q}: an exact phone match`);
    for (const t of [russFurnace, russDone]) assertHas(hits, t, q);
    assertNoOtherWorkspace(hits, q);
  }
  const suffix = await search('597-4534');
  assertFirst(suffix.hits, russDish, 'phone', '597-4534');
  assert.equal(suffix.hits[0]!.score, 0.85, 'a suffix match ranks below an exact one');
  assertFirst((await search('703 555 0199')).hits, joseTask, 'phone', '703 555 0199');
});

test('task numbers: #1042, task 1042, ticket 1042, 1042', async () => {
  for (const q of ['#1042', 'task 1042', 'ticket 1042', '1042', 'job no. 1042']) {
    const { hits } = await search(q);
    assertFirst(hits, t1042, 'taskNumber', q);
    assert.equal(hits[0]!.score, 1);
    assert.equal(hits.length, 1, `${q}: only the task`);
  }
  assert.deepEqual((await search('#999999')).hits, []);
});

test('emails: any case, exact or prefix', async () => {
  for (const q of ['russ@example.com', 'RUSS@EXAMPLE.COM']) {
    const { hits } = await search(q);
    assertFirst(hits, russDish, 'email', q);
    assert.equal(hits[0]!.score, 0.95);
    assertNoOtherWorkspace(hits, q);
  }
  const prefix = await search('russ@ex');
  assertFirst(prefix.hits, russDish, 'email', 'russ@ex');
  assert.equal(prefix.hits[0]!.score, 0.85);
  // LIKE metacharacters are literal.
  assert.deepEqual((await search('%@%')).hits, []);
  assert.deepEqual((await search('r_ss@example.com')).hits, []);
});

test('text: title, description and customer name (all words)', async () => {
  assertFirst((await search('dishwasher russell')).hits, russDish, 'text', 'dishwasher russell');
  assertFirst((await search('russell dishwasher draining')).hits, russDish, 'text', 'russell dishwasher draining');
  assertFirst((await search('standing water cycle hale')).hits, russDish, 'text', 'standing water cycle hale');
  // Three words and no task has all of them: any two will do.
  assertFirst((await search('broken dishwasher Russell')).hits, russDish, 'text', 'broken dishwasher Russell');
  const common = await search('dishwasher', { limit: 5 });
  assert.equal(common.hits.length, 5);
  for (const h of common.hits) assert.equal(h.matchedOn, 'text');
  for (let i = 1; i < common.hits.length; i++) assert.ok(common.hits[i - 1]!.updatedAt >= common.hits[i]!.updatedAt, 'text hits are newest first');
  assert.deepEqual((await search('xylophone quartz')).hits, []);
  assert.deepEqual((await search('xylophone quartz zeppelin')).hits, []);
  assert.deepEqual((await search('???')).hits, [], 'nothing searchable: no hits');
});

test('mixed queries combine classes, best match first', async () => {
  const a = await search('russell 703-597-4534');
  assertFirst(a.hits, russDish, 'phone', 'russell 703-597-4534');
  const b = await search('ticket 1042 dishwasher');
  assertFirst(b.hits, t1042, 'taskNumber', 'ticket 1042 dishwasher');
  assert.ok(b.hits.length > 1 && b.hits.slice(1).every((h) => h.matchedOn === 'text'), describe(b.hits));
  const c = await search('Hale russ@example.com');
  assertFirst(c.hits, russDish, 'email', 'Hale russ@example.com');
  // A task reached by several classes appears once, with its best match.
  const ids = c.hits.map((h) => h.id);
  assert.equal(new Set(ids).size, ids.length);
  // Scores never increase down the list.
  for (const r of [a, b, c]) for (let i = 1; i < r.hits.length; i++) assert.ok(r.hits[i - 1]!.score >= r.hits[i]!.score);
});

test('status filter applies to every class', async () => {
  for (const q of ['Russell Hale', '703-597-4534', 'russ@example.com', 'hale garage door']) {
    const { hits } = await search(q, { status: 'done' });
    assertHas(hits, russDone, q);
    assert.ok(
      hits.every((h) => h.status === 'done'),
      `${q}: only done tasks\n${describe(hits)}`,
    );
  }
  const open = await search('703-597-4534', { status: 'open' });
  assert.deepEqual(open.hits.map((h) => h.id).sort(), [russFurnace.id, russDish.id].sort());
  assert.deepEqual((await search('#1042', { status: t1042.status === 'done' ? 'open' : 'done' })).hits, []);
  const dish = await search('dishwasher', { status: 'waiting', limit: 50 });
  assert.ok(dish.hits.every((h) => h.status === 'waiting'));
});

test('limit applies to every class', async () => {
  assert.equal((await search('703-597-4534', { limit: 2 })).hits.length, 2);
  assert.equal((await search('Russell', { limit: 1 })).hits.length, 1);
  assert.equal((await search('dishwasher', { limit: 50 })).hits.length, 50);
  await assert.rejects(search('Russell', { limit: 0 }), DomainError);
  await assert.rejects(search('Russell', { limit: 51 }), /limit/);
});

test('another workspace never leaks in', async () => {
  for (const q of ['Russell Hale', '703-597-4534', 'russ@example.com', 'dishwasher russell', 'broken dishwasher door', 'rusell hale']) {
    const { hits } = await search(q, { limit: 50 });
    assertNoOtherWorkspace(hits, q);
  }
  // And from the other side: only its own three tasks.
  const theirs = await searchTasks(db, other.id, 'Russell Hale', { limit: 50 });
  assert.deepEqual(theirs.hits.map((h) => h.id).sort(), [...otherTaskIds].sort());
  assert.deepEqual((await searchTasks(db, other.id, '1042', { limit: 10 })).hits, []);
});

test('a blank query is rejected with what to pass instead', async () => {
  for (const q of ['', '   ', '\t\n']) {
    await assert.rejects(search(q), (err: unknown) => {
      assert.ok(err instanceof DomainError);
      assert.equal(err.code, 'invalid');
      assert.match(err.message, /task number.*phone.*email.*name/);
      return true;
    });
  }
  await assert.rejects(search('x'.repeat(201)), /200 characters/);
});
