/**
 * Property-based fuzzing of the staff web app: every GET route with random path parameters and query
 * values, every form POST with random fields (the real field names, scraped from the app's own forms, plus junk) —
 * signed in as an owner with a valid CSRF token most of the time, so the requests reach the handlers. Oracle: never a
 * 5xx, and no failure logged. The routes come from the app itself, so a new route is fuzzed without being listed here.
 * Fixed seed: a failure reproduces; change FUZZ_SEED to explore further.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDb, type TestDb } from '../helpers/db.ts';
import { startTestApp, workspaceWithToken, type TestApp } from '../helpers/app.ts';
import { createUser } from '../../src/domain/users.ts';
import { createCustomer } from '../../src/domain/customers.ts';
import { createTask, encodeCursor } from '../../src/domain/tasks.ts';
import { addComment } from '../../src/domain/comments.ts';
import { createWebApp } from '../../src/web/app.ts';
import { WebClient, csrfFrom } from '../web/client.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const FC = { endOnFailure: true, includeErrorInReport: true, interruptAfterTimeLimit: 150_000, markInterruptAsFailure: true } as const;
const PW = 'fuzzing-password-1234';

let db: TestDb;
let app: TestApp;
let owner: WebClient;
let anon: WebClient;
let csrf = '';
let fx: Awaited<ReturnType<typeof workspaceWithToken>>;
const numbers: number[] = [];
const customerIds: number[] = [];
let getRoutes: string[] = [];
let postRoutes: string[] = [];
const fieldNames = new Set<string>();
let sent = 0;
const statuses = new Map<number, number>();

async function signIn(): Promise<void> {
  owner = new WebClient(`http://127.0.0.1:${app.port}`);
  assert.equal((await owner.signIn('owner@fuzz.example', PW)).status, 303);
  csrf = await owner.csrf('/tasks');
}

before(async () => {
  db = await testDb();
  app = await startTestApp(db, { LOG_LEVEL: 'warn' });
  fx = await workspaceWithToken(db, 'Web Fuzz Co', { allowCustomerComments: true });
  await createUser(db, fx.ws.id, { email: 'owner@fuzz.example', name: 'Fuzz Owner', role: 'owner', password: PW });
  for (const [name, phone, email] of [
    ['Zoë Ångström', '+1 (703) 597-4534', 'zoe@example.com'],
    ["O'Brien, Ann", '020 7946 0958', 'ann@example.org'],
  ] as const) {
    const c = await createCustomer(db, fx.ws.id, { name, phone, email });
    customerIds.push(c.id);
    const t = await createTask(db, fx.ws.id, { title: `Fix dishwasher for ${name}`, description: 'Leaks\u200b at night', customerId: c.id });
    await addComment(db, fx.ws.id, { taskId: t.id, authorKind: 'staff', authorName: 'Sam', body: 'note' });
    numbers.push(t.number);
  }
  anon = new WebClient(`http://127.0.0.1:${app.port}`);
  await signIn();
  // Every route the app registers (not its middleware), with its path parameters.
  const routes = createWebApp(app.ctx).routes.filter((r) => r.path !== '/*' && r.path !== '*');
  getRoutes = [...new Set(routes.filter((r) => r.method === 'GET').map((r) => r.path))];
  // Signing out would end the session the fuzzer works in; /signout is covered by the auth tests.
  postRoutes = [...new Set(routes.filter((r) => r.method === 'POST' && r.path !== '/signout').map((r) => r.path))];
  // Field names from the app's own forms.
  for (const page of [
    '/tasks',
    '/tasks/new',
    `/tasks/${numbers[0]}`,
    '/customers',
    '/customers/new',
    `/customers/${customerIds[0]}`,
    '/settings/mcp',
    `/settings/mcp/credentials/${fx.credentialId}`,
    '/settings/mcp/audit',
  ]) {
    const html = (await owner.get(page)).text;
    for (const m of html.matchAll(/\bname="([\w-]+)"/g)) fieldNames.add(m[1]!);
  }
  for (const m of (await anon.get('/signin')).text.matchAll(/\bname="([\w-]+)"/g)) fieldNames.add(m[1]!);
  fieldNames.delete('_csrf');
});
after(async () => {
  await app?.close();
  await db?.cleanup();
  const byStatus = [...statuses]
    .sort(([a], [b]) => a - b)
    .map(([k, n]) => `${k}×${n}`)
    .join(' ');
  console.log(
    `web fuzz: ${sent} requests (seed ${SEED}); ${getRoutes.length} GET and ${postRoutes.length} POST routes; ${fieldNames.size} form fields; ${byStatus}`,
  );
});

// ---- values ------------------------------------------------------------------------------------------------------

const SPECIALS = [
  '',
  ' ',
  '0',
  '-1',
  '1.5',
  '1e3',
  'NaN',
  'null',
  'undefined',
  'true',
  'on',
  'off',
  '2147483648',
  '99999999999999999999',
  '9'.repeat(400),
  '\u0000',
  '\ud800',
  '\u200b',
  '\u202e',
  '\u{e0041}',
  'Ä',
  'ß',
  'İ',
  '%',
  '_',
  '\\',
  '"',
  "'",
  '<script>alert(1)</script>',
  '</customer_content>',
  "'; DROP TABLE tasks; --",
  '../../etc/passwd',
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  '#1',
  'task 1',
  '703-597-4534',
  'zoe@',
  'zoe@example.com',
  '2026-11-30',
  '2026-13-45',
  '9999-12-31',
  '0000-00-00',
  'open',
  'done',
  'urgent',
  'owner',
  'admin',
  'addCustomerComment',
  '00000000-0000-0000-0000-000000000000',
  'not-a-uuid',
  'x'.repeat(5000),
  'é'.repeat(3000),
];
const oddString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIALS) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...SPECIALS), { maxLength: 3 }).map((a) => a.join('')) },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);
const cursor = fc.oneof(
  fc.constantFrom(encodeCursor(['1', '1']), encodeCursor(['99999999999999999999', '1']), encodeCursor(['1', '2147483648']), 'eyJ9', '!!!'),
  fc
    .tuple(fc.bigInt({ min: -(10n ** 21n), max: 10n ** 21n }), fc.bigInt({ min: -(10n ** 21n), max: 10n ** 21n }))
    .map(([a, b]) => encodeCursor([String(a), String(b)])),
  fc.string({ maxLength: 40 }).map((s) => Buffer.from(JSON.stringify([s, 1e20])).toString('base64url')),
  oddString,
);
const value = fc.oneof({ weight: 5, arbitrary: oddString }, { weight: 1, arbitrary: cursor });

/** A path parameter: a real one most of the time, else something odd (URL-encoded, or raw broken encodings). */
const param = (name: string): fc.Arbitrary<string> => {
  const real =
    name === 'number'
      ? fc.constantFrom(...numbers.map(String), '999999')
      : name === 'id'
        ? fc.constantFrom(...customerIds.map(String), fx.credentialId)
        : fc.constantFrom('app.css', 'app.js', 'favicon.svg');
  return fc.oneof(
    { weight: 3, arbitrary: real },
    { weight: 2, arbitrary: oddString.map((s) => enc(s) || 'x') },
    { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '%00', '..', '%2e%2e') },
  );
};
const pathFor = (route: string) =>
  fc.tuple(...route.split('/').map((seg) => (seg.startsWith(':') ? param(seg.slice(1)) : fc.constant(seg)))).map((segs) => segs.join('/'));

const QUERY_NAMES = [
  'q',
  'status',
  'priority',
  'assignee',
  'cursor',
  'after',
  'notice',
  'credential',
  'tool',
  'outcome',
  'from',
  'to',
  'customer',
  'customerQuery',
  'next',
  'signedout',
];
const query = fc
  .array(fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...QUERY_NAMES) }, { weight: 1, arbitrary: oddString }), value), { maxLength: 5 })
  .chain((pairs) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')) },
      { weight: 1, arbitrary: fc.constantFrom('%', 'q=%E0%A4%A', 'q', '=', '&&', 'q=1&q=2&q=3', `cursor=${'A'.repeat(3000)}`) },
    ),
  );

/** URL-encoded; a lone surrogate cannot be encoded, so it goes as U+FFFD (what a browser would send). */
const enc = (s: string): string => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

function check(what: string, res: { status: number; text: string }) {
  sent++;
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  if (res.status >= 500) throw new Error(`${res.status} for ${what.slice(0, 600)}\n${res.text.slice(0, 300)}`);
}

// ---- properties --------------------------------------------------------------------------------------------------

test('every GET route with random path parameters and query values: no 5xx (signed in and out)', async () => {
  const request = fc.constantFrom(...getRoutes).chain((r) => fc.tuple(pathFor(r), query, fc.integer({ min: 0, max: 5 })));
  await fc.assert(
    fc.asyncProperty(fc.array(request, { minLength: 3, maxLength: 3 }), async (batch) => {
      await Promise.all(
        batch.map(async ([path, q, who]) => {
          const url = q ? `${path}?${q}` : path;
          check(`GET ${url}`, await (who === 0 ? anon : owner).get(url));
        }),
      );
    }),
    { ...FC, seed: SEED, numRuns: 800 },
  );
});

test('every form POST with random fields (real names, odd values, repeats, junk): no 5xx', async () => {
  const names = [...fieldNames];
  const field = fc.tuple(
    fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: oddString }),
    fc.oneof(value, fc.array(value, { maxLength: 3 })),
  );
  const request = fc
    .constantFrom(...postRoutes)
    .chain((r) =>
      fc.tuple(
        pathFor(r),
        fc.array(field, { maxLength: 8 }),
        fc.constantFrom('valid', 'valid', 'valid', 'valid', 'missing', 'wrong'),
        fc.constantFrom('form', 'form', 'form', 'multipart', 'json', 'none'),
      ),
    );
  await fc.assert(
    fc.asyncProperty(fc.array(request, { minLength: 3, maxLength: 3 }), async (batch) => {
      await Promise.all(
        batch.map(async ([path, fields, token, encoding]) => {
          const form: Record<string, string[]> = Object.create(null); // field names like "constructor" included
          for (const [k, v] of fields) {
            form[k] ??= [];
            form[k].push(...(Array.isArray(v) ? v : [v]));
          }
          if (token !== 'missing') form._csrf = [token === 'valid' ? csrf : 'x'.repeat(43)];
          let res: { status: number; text: string };
          if (encoding === 'form') res = await owner.request(path, { method: 'POST', form });
          else if (encoding === 'multipart') {
            const fd = new FormData();
            for (const [k, vs] of Object.entries(form)) for (const v of vs) fd.append(k, v);
            const r = await fetch(owner.base + path, { method: 'POST', body: fd, headers: { cookie: owner.cookieHeader() }, redirect: 'manual' });
            res = { status: r.status, text: await r.text() };
          } else
            res = await owner.request(path, {
              method: 'POST',
              body: encoding === 'json' ? JSON.stringify(form) : '',
              headers: encoding === 'json' ? { 'content-type': 'application/json' } : {},
            });
          check(`POST ${path} ${encoding} ${JSON.stringify(form).slice(0, 300)}`, res);
        }),
      );
      // A POST may have changed the session's world (e.g. the workspace switched MCP off); the session itself stays.
      if ((await owner.get('/tasks')).status !== 200) await signIn();
    }),
    { ...FC, seed: SEED + 1, numRuns: 700 },
  );
});

test('afterwards the app still serves pages, and logged no failure', async () => {
  const res = await owner.get('/tasks');
  assert.equal(res.status, 200);
  assert.ok(csrfFrom(res.text));
  const bad = app
    .logs()
    .split('\n')
    .filter((l) => /"msg":"(web request failed|unhandled error)"/.test(l));
  assert.equal(bad.length, 0, `failures were logged:\n${bad.slice(0, 3).join('\n')}`);
  assert.ok(sent >= 4000, `only ${sent} requests fuzzed`);
});
