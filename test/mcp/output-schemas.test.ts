/**
 * Every tool's listed outputSchema, compiled by the validators the official SDK clients use — the v1 client's
 * (classic Ajv, draft-07) and the v2 client's (Ajv2020 for a schema without `$schema`, as ours are) — accepts real
 * structured results, nulls included (unassigned task, task without a customer, masked and missing contacts), and
 * rejects wrong shapes. tools/list is compacted (src/mcp/tools/index.ts): this is what keeps the compaction honest.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { AjvJsonSchemaValidator as V1Validator } from '@modelcontextprotocol/sdk/validation/ajv';
import { AjvJsonSchemaValidator as V2Validator } from '@modelcontextprotocol/client/validators/ajv';
import { testDb, type TestDb } from '../helpers/db.ts';
import { connectClient, startTestApp, workspaceWithToken, type TestApp } from '../helpers/app.ts';
import { createCustomer } from '../../src/domain/customers.ts';
import { createTask } from '../../src/domain/tasks.ts';
import { addComment } from '../../src/domain/comments.ts';
import { createUser } from '../../src/domain/users.ts';
import { createCredential } from '../../src/domain/credentials.ts';

let db: TestDb;
let app: TestApp;
let masked: Client;
let revealing: Client;
let withCustomer: number;
let bare: number;
let noEmail: number;

type Validate = (v: unknown) => { valid: boolean; errorMessage?: string };
const validators = new Map<string, { v1: Validate; v2: Validate }>();

before(async () => {
  db = await testDb();
  app = await startTestApp(db);
  const fx = await workspaceWithToken(db, 'Schema Co', { allowCustomerComments: true }, { allowCustomerComments: true, minVerificationFactors: 2 });
  const pat = await createUser(db, fx.ws.id, { email: 'pat@schema.example', name: 'Pat Tech', role: 'member', password: 'a-long-password' });
  const russell = await createCustomer(db, fx.ws.id, { name: 'Russell Hale', phone: '703-597-4534', email: 'russ@example.com' });
  const ana = await createCustomer(db, fx.ws.id, { name: 'Ana Ruiz', phone: '555-010-2233' });
  const t = await createTask(db, fx.ws.id, {
    title: 'Dishwasher not draining',
    description: 'Standing water.',
    priority: 'urgent',
    status: 'in_progress',
    customerId: russell.id,
    assigneeId: pat.id,
    dueAt: new Date(Date.now() - 86_400_000),
  });
  withCustomer = t.number;
  bare = (await createTask(db, fx.ws.id, { title: 'Restock van' })).number; // no customer, no assignee, no due date, no comments
  noEmail = (await createTask(db, fx.ws.id, { title: 'Oven door hinge', customerId: ana.id, status: 'waiting' })).number;
  for (const [i, kind] of (['staff', 'customer', 'assistant'] as const).entries())
    await addComment(db, fx.ws.id, { taskId: t.id, authorKind: kind, authorName: ['Pat', 'Russell Hale', 'Claude'][i]!, body: `note ${i}` });
  masked = await connectClient(app.mcpUrl(fx.ws.id), fx.token);
  const { token } = await createCredential(db, fx.ws.id, { name: 'reveals', revealCustomerContact: true });
  revealing = await connectClient(app.mcpUrl(fx.ws.id), token);
  const v1 = new V1Validator();
  const v2 = new V2Validator();
  for (const tool of (await masked.listTools()).tools) {
    assert.ok(tool.outputSchema, `${tool.name} lists an outputSchema`);
    validators.set(tool.name, { v1: v1.getValidator(tool.outputSchema), v2: v2.getValidator(tool.outputSchema) });
  }
  assert.equal(validators.size, 6);
});
after(async () => {
  await masked?.close();
  await revealing?.close();
  await app.close();
  await db.cleanup();
});

const check = (tool: string, value: unknown) => {
  const v = validators.get(tool)!;
  return { v1: v.v1(value), v2: v.v2(value) };
};
const accepts = (tool: string, value: unknown) => {
  const r = check(tool, value);
  assert.ok(r.v1.valid, `${tool} (draft-07 Ajv, SDK v1): ${r.v1.errorMessage} in ${JSON.stringify(value)}`);
  assert.ok(r.v2.valid, `${tool} (Ajv2020, SDK v2): ${r.v2.errorMessage} in ${JSON.stringify(value)}`);
};
const rejects = (tool: string, value: unknown, what: string) => {
  const r = check(tool, value);
  assert.equal(r.v1.valid, false, `${tool} (draft-07 Ajv) accepts ${what}`);
  assert.equal(r.v2.valid, false, `${tool} (Ajv2020) accepts ${what}`);
};

/** A real result's structuredContent, checked by both validators. */
const structured = async (c: Client, name: string, args: Record<string, unknown> = {}) => {
  const r = (await c.callTool({ name, arguments: args })) as { isError?: boolean; structuredContent?: any; content: { text: string }[] };
  assert.ok(!r.isError, r.content.map((x) => x.text).join('\n'));
  accepts(name, r.structuredContent);
  return r.structuredContent;
};

test('real results validate against the listed outputSchemas, nulls and masked contacts included', async () => {
  for (const c of [masked, revealing]) {
    const summary = await structured(c, 'workspaceSummary');
    assert.ok(summary.recentlyUpdated.some((t: any) => t.customerName === null && t.assignee === null && t.dueAt === null));
    const list = await structured(c, 'listWorkspaceTasks', { limit: 2 });
    assert.equal(typeof list.nextCursor, 'string');
    assert.equal((await structured(c, 'listWorkspaceTasks', { cursor: list.nextCursor })).nextCursor, null);
    const hits = (await structured(c, 'searchWorkspaceTasks', { query: 'Russell' })).hits;
    assert.ok(hits.length > 0);
    await structured(c, 'searchWorkspaceTasks', { query: 'Ana Ruiz' });
    await structured(c, 'searchWorkspaceTasks', { query: 'nothing like this anywhere' });
    const details = await structured(c, 'getTaskDetails', { taskNumber: `#${withCustomer}` });
    assert.ok(details.customer && details.assignee && details.dueAt);
    const none = await structured(c, 'getTaskDetails', { taskNumber: bare });
    assert.equal(none.customer, null);
    assert.equal(none.assignee, null);
    assert.equal((await structured(c, 'getTaskDetails', { taskNumber: noEmail })).customer.email, null);
    assert.equal((await structured(c, 'listTaskComments', { taskNumber: withCustomer, limit: 2 })).comments.length, 2);
    assert.deepEqual((await structured(c, 'listTaskComments', { taskNumber: bare })).comments, []);
  }
  const maskedHit = (await structured(masked, 'getTaskDetails', { taskNumber: withCustomer })).customer;
  assert.match(maskedHit.phone, /•/);
  const added = await structured(masked, 'addCustomerComment', {
    taskNumber: withCustomer,
    comment: 'Please come after 9am.',
    verification: { customerName: 'Russell Hale', phone: '703 597 4534' },
    idempotencyKey: 'schema-1',
  });
  assert.equal(added.created, true);
});

test('wrong shapes are rejected: unknown enum values, missing fields, wrong types, non-objects where objects belong', async () => {
  const row = {
    number: 7,
    title: 'T',
    status: 'open',
    priority: 'high',
    customerName: null,
    assignee: null,
    dueAt: null,
    updatedAt: '2026-11-30T09:00:00.000Z',
  };
  accepts('listWorkspaceTasks', { tasks: [row], nextCursor: null });
  rejects('listWorkspaceTasks', { tasks: [{ ...row, status: 'bogus' }], nextCursor: null }, 'status "bogus"');
  rejects('listWorkspaceTasks', { tasks: [{ ...row, priority: 'whenever' }], nextCursor: null }, 'priority "whenever"');
  const { number: _n, ...noNumber } = row;
  rejects('listWorkspaceTasks', { tasks: [noNumber], nextCursor: null }, 'a task without its number');
  rejects('listWorkspaceTasks', { tasks: [{ ...row, number: '7' }], nextCursor: null }, 'a number as a string');
  rejects('listWorkspaceTasks', { tasks: [{ ...row, number: 7.5 }], nextCursor: null }, 'a fractional number');
  rejects('listWorkspaceTasks', { tasks: ['#7'], nextCursor: null }, 'a string where a task belongs');
  rejects('listWorkspaceTasks', { tasks: [row] }, 'a missing nextCursor');
  rejects('listWorkspaceTasks', { tasks: row, nextCursor: null }, 'an object where the list belongs');

  const hit = { ...row, matchedOn: 'phone', customerPhone: '•••-•••-4534', customerEmail: null };
  accepts('searchWorkspaceTasks', { hits: [hit] });
  rejects('searchWorkspaceTasks', { hits: [{ ...hit, matchedOn: 'vibes' }] }, 'matchedOn "vibes"');
  rejects('searchWorkspaceTasks', { hits: [{ ...hit, customerPhone: 7035974534 }] }, 'a phone as a number');

  const details = {
    number: 7,
    title: 'T',
    description: '',
    status: 'done',
    priority: 'low',
    customer: { name: 'Ana', phone: null, email: null },
    assignee: null,
    commentCount: 0,
    dueAt: null,
    createdAt: 'x',
    updatedAt: 'x',
  };
  accepts('getTaskDetails', details);
  accepts('getTaskDetails', { ...details, customer: null });
  rejects('getTaskDetails', { ...details, status: 'bogus' }, 'status "bogus"');
  rejects('getTaskDetails', { ...details, customer: 'Ana' }, 'a string where the customer object belongs');
  rejects('getTaskDetails', { ...details, customer: { phone: null, email: null } }, 'a customer without a name');
  rejects('getTaskDetails', { ...details, assignee: { name: 'Pat' } }, 'an assignee without an email');
  const { number: _d, ...detailsNoNumber } = details;
  rejects('getTaskDetails', detailsNoNumber, 'task details without a number');

  const comment = { id: 1, authorKind: 'customer', authorName: 'Ana', body: 'hi', createdAt: 'x' };
  accepts('listTaskComments', { taskNumber: 7, comments: [comment], nextCursor: null });
  rejects('listTaskComments', { taskNumber: 7, comments: [{ ...comment, authorKind: 'robot' }], nextCursor: null }, 'authorKind "robot"');
  accepts('addCustomerComment', { taskNumber: 7, comment, created: false });
  rejects('addCustomerComment', { taskNumber: 7, comment, created: 'yes' }, 'created as a string');

  const summary = {
    workspace: 'W',
    totalTasks: 1,
    byStatus: { open: 1 },
    byPriority: { high: 1 },
    createdLast7Days: 1,
    createdLast30Days: 1,
    overdueOpen: 0,
  };
  accepts('workspaceSummary', { ...summary, recentlyUpdated: [row] });
  rejects('workspaceSummary', { ...summary, recentlyUpdated: [row], byStatus: { open: 'one' } }, 'a count as a string');
  rejects('workspaceSummary', summary, 'a missing recentlyUpdated');
});
