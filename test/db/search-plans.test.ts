/**
 * Query plans of every search class. On real PostgreSQL (TEST_DATABASE_URL) the workspace holds 200k seeded tasks
 * and the test asserts that no statement plans a sequential scan on tasks or customers and that each class uses its
 * index. On PGlite (a small fixture, where sequential scans are the right plan) the same statements are EXPLAINed
 * and executed, so they are at least known to run there.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createWorkspace } from '../../src/domain/workspaces.ts';
import { createCustomer } from '../../src/domain/customers.ts';
import { createTask } from '../../src/domain/tasks.ts';
import {
  commonLexemes,
  loadTextStats,
  parseQuery,
  searchStatement,
  searchStatements,
  searchTasks,
  textStats,
  type SearchClass,
  type SearchOptions,
} from '../../src/domain/search.ts';
import { seedWorkspace } from '../../src/seed/seed.ts';
import { prepared } from '../../src/platform/db/client.ts';
import { STORE, testDb, type TestDb } from '../helpers/db.ts';

const PG = STORE === 'pg';
const TASKS = PG ? 200_000 : 2_000;

let db: TestDb;
let wsId: string;

before(async () => {
  db = await testDb();
  const ws = await createWorkspace(db, { name: 'Search Plans' });
  wsId = ws.id;
  await seedWorkspace(db, ws.id, { tasks: TASKS, seed: 11 });
  const russ = await createCustomer(db, ws.id, { name: 'Russell Hale', phone: '+1 (703) 597-4534', email: 'Russ@Example.com' });
  await createTask(db, ws.id, { title: 'Dishwasher not draining', customerId: russ.id });
  await createTask(db, ws.id, { title: 'Furnace annual service', customerId: russ.id, status: 'done' });
  const zoe = await createCustomer(db, ws.id, { name: "Zoë O'Brien", phone: '703.555.0199' });
  await createTask(db, ws.id, { title: 'Water heater pilot keeps going out', customerId: zoe.id });
  // A second workspace, so that workspace_id is a real filter.
  const other = await createWorkspace(db, { name: 'Other' });
  await seedWorkspace(db, other.id, { tasks: 500, seed: 12 });
  await db.query('ANALYZE');
});
after(() => db?.cleanup());

/** Queries that between them reach every class (and the gated fallbacks), with and without a status filter. */
const CASES: { query: string; opts?: Partial<SearchOptions>; expect: SearchClass[] }[] = [
  { query: '#1042', expect: ['taskNumber'] },
  { query: '703-597-4534', expect: ['phone'] },
  { query: '597-4534', opts: { status: 'open' }, expect: ['phone'] },
  { query: 'russ@example.com', expect: ['email'] },
  { query: 'russ@ex', opts: { status: 'done' }, expect: ['email'] },
  { query: 'Russell', expect: ['customerName', 'text', 'customerNameFuzzy'] },
  { query: 'hale russell', opts: { status: 'open' }, expect: ['customerName', 'text', 'customerNameFuzzy', 'customerNameEdit', 'customerNameLoose'] },
  { query: 'rusell hale', expect: ['customerName', 'text', 'customerNameFuzzy', 'customerNameEdit', 'customerNameLoose'] },
  { query: 'zoe obrien', expect: ['customerName', 'text', 'customerNameFuzzy', 'customerNameEdit', 'customerNameLoose'] },
  { query: 'O’Brien', expect: ['customerName', 'text', 'customerNameFuzzy'] },
  { query: 'dishwasher', expect: ['customerName', 'text', 'customerNameFuzzy'] },
  { query: 'water', opts: { status: 'done' }, expect: ['customerName', 'text', 'customerNameFuzzy'] },
  { query: 'dishwasher russell', expect: ['customerName', 'text', 'customerNameFuzzy', 'customerNameEdit', 'customerNameLoose'] },
  { query: 'xylophone quartz', expect: ['customerName', 'text', 'customerNameFuzzy', 'customerNameEdit', 'customerNameLoose'] },
  {
    query: 'broken dishwasher russell',
    opts: { status: 'waiting' },
    expect: ['customerName', 'text', 'customerNameFuzzy', 'customerNameLoose', 'textRelaxed'],
  },
  {
    query: 'ticket 1042 russell 703-597-4534 russ@example.com',
    expect: ['taskNumber', 'phone', 'email', 'customerName', 'text', 'customerNameFuzzy'],
  },
];

/** The index each class must use on a big workspace. */
const INDEXES: Record<SearchClass, string[]> = {
  taskNumber: ['tasks_workspace_id_number_key'],
  phone: ['customers_phone_rev', 'tasks_customer'],
  email: ['customers_email', 'tasks_customer'],
  customerName: ['customers_name_prefix', 'customers_name_rotated_prefix', 'tasks_customer'],
  customerNameFuzzy: ['customers_name_keys', 'tasks_customer'],
  // name_tokens holds one workspace's few hundred words here, which the planner rightly reads whole; with many
  // workspaces it is read through its primary key (workspace_id, token).
  customerNameEdit: ['customers_name_prefix', 'tasks_customer'],
  customerNameLoose: ['customers_name_trgm', 'tasks_customer'],
  text: ['tasks_search'],
  textRelaxed: ['tasks_search'],
};

interface PlanNode {
  'Node Type': string;
  'Subplan Name'?: string;
  'Actual Loops'?: number;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function walk(node: PlanNode, out: PlanNode[] = []): PlanNode[] {
  out.push(node);
  for (const child of node.Plans ?? []) walk(child, out);
  return out;
}

/** The nodes of an `EXPLAIN (FORMAT JSON)` result (pg gives the JSON parsed, PGlite as text). */
function planNodes(rows: { 'QUERY PLAN': unknown }[]): PlanNode[] {
  const raw = rows[0]!['QUERY PLAN'];
  const doc = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  return walk(doc[0]!.Plan);
}

async function explain(sql: string, params: unknown[]): Promise<PlanNode[]> {
  return planNodes((await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params)).rows);
}

/**
 * The plan searchTasks actually runs on PostgreSQL: a prepared statement's generic plan (plan_cache_mode
 * force_generic_plan, as on the client's generic pool), planned without the values.
 */
async function explainGeneric(sql: string, params: unknown[]): Promise<PlanNode[]> {
  return db.tx(async (tx) => {
    await tx.exec('SET LOCAL plan_cache_mode = force_generic_plan');
    await tx.exec('SET LOCAL max_parallel_workers_per_gather = 0');
    await tx.exec(`PREPARE generic_plan AS ${sql}`);
    try {
      // EXECUTE takes no bind parameters: the values as literals (the plan is generic, they only run it).
      const literal = (v: unknown): string =>
        v === null
          ? 'NULL'
          : Array.isArray(v)
            ? `ARRAY[${v.map(literal).join(', ')}]`
            : typeof v === 'number'
              ? String(v)
              : pg.escapeLiteral(String(v));
      return planNodes(
        (await tx.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) EXECUTE generic_plan(${params.map(literal).join(', ')})`)).rows,
      );
    } finally {
      await tx.exec('DEALLOCATE generic_plan');
    }
  });
}

test('search statements run on connections that plan them once, generically, never in parallel and never JIT-compiled', {
  skip: PG ? false : 'PostgreSQL only: PGlite plans every statement',
}, async () => {
  const settings = prepared(
    'test_generic_settings',
    "SELECT current_setting('plan_cache_mode') AS mode, current_setting('max_parallel_workers_per_gather') AS workers, current_setting('jit') AS jit",
    { generic: true },
  );
  const r = await db.query<{ mode: string; workers: string; jit: string }>(settings);
  assert.deepEqual(r.rows[0], { mode: 'force_generic_plan', workers: '0', jit: 'off' });
  // and the ordinary pool keeps PostgreSQL's own choice
  const plain = await db.query<{ mode: string }>("SELECT current_setting('plan_cache_mode') AS mode");
  assert.equal(plain.rows[0]!.mode, 'auto');
});

test(`every search class is index-backed (${STORE}, ${TASKS} tasks)`, async () => {
  let statements = 0;
  for (const c of CASES) {
    const opts: SearchOptions = { limit: 10, ...c.opts };
    const sts = searchStatements(wsId, c.query, opts);
    const classes = [...new Set(sts.flatMap((s) => s.classes))];
    assert.deepEqual(classes, c.expect, `${c.query}: classes`);
    for (const st of sts) {
      const what = `${c.query} [${st.classes.join('+')}]${c.opts?.status ? ` status=${c.opts.status}` : ''}`;
      const nodes = await explain(st.sql, st.params);
      assert.ok(nodes.length > 0, `${what}: a plan`);
      await db.query(st.sql, st.params); // and it runs
      statements++;
      if (!PG) continue;
      const generic = await explainGeneric(st.sql, st.params);
      // Planned without the values: the workspace is compared with a parameter, not with a constant.
      assert.ok(JSON.stringify(generic).includes('workspace_id = $1'), `${what}: a generic plan`);
      for (const [plan, planNodes] of [
        ['custom plan', nodes],
        ['generic plan', generic],
      ] as const) {
        const seq = planNodes.filter((n) => n['Node Type'] === 'Seq Scan' && (n['Relation Name'] === 'tasks' || n['Relation Name'] === 'customers'));
        assert.deepEqual(
          seq.map((n) => `Seq Scan on ${n['Relation Name']}`),
          [],
          `${what} (${plan}): no sequential scan on tasks or customers`,
        );
        const used = new Set(planNodes.map((n) => n['Index Name']).filter(Boolean));
        for (const cls of st.classes)
          for (const index of INDEXES[cls]) assert.ok(used.has(index), `${what} (${plan}): ${cls} uses ${index} (plan uses ${[...used].join(', ')})`);
        if (st.classes.includes('text') || st.classes.includes('textRelaxed'))
          assert.ok(
            used.has(opts.status ? 'tasks_status_recent' : 'tasks_recent'),
            `${what} (${plan}): the newest-first window walks the recency index`,
          );
      }
    }
  }
  assert.ok(statements >= CASES.length);
});

test(`misspelt names go through the workspace's name words and the name-word index, even on a small workspace (${STORE}, ${TASKS} tasks)`, async () => {
  // pg_trgm prices its operators like `=`; without 0007_trgm_operator_cost.sql a table of a few hundred customers
  // is scanned, computing word similarity for each (tens of ms on a few thousand customers).
  const st = searchStatement(wsId, parseQuery('rusell hale'), { limit: 10 }, ['customerNameFuzzy', 'customerNameLoose']);
  const nodes = await explain(st.sql, st.params);
  const seq = nodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'customers');
  assert.equal(seq.length, 0, 'no sequential scan on customers');
  assert.equal(nodes.filter((n) => n['Index Name'] === 'customers_name_keys').length, 1, 'the fuzzy lookup uses customers_name_keys');
  assert.equal(nodes.filter((n) => n['Index Name'] === 'customers_name_trgm').length, 1, 'the loose lookup uses customers_name_trgm');
  const r = await searchTasks(db, wsId, 'rusell hale', { limit: 10 });
  assert.ok(
    r.hits.some((h) => h.customerName === 'Russell Hale'),
    'and the misspelt name is found',
  );
});

test(`search latency (${STORE}, ${TASKS} tasks; reported, not asserted)`, async (t) => {
  const lines: string[] = [];
  for (const c of CASES) {
    const opts: SearchOptions = { limit: 10, ...c.opts };
    await searchTasks(db, wsId, c.query, opts);
    const ms: number[] = [];
    let hits = 0;
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      hits = (await searchTasks(db, wsId, c.query, opts)).hits.length;
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    lines.push(
      `${JSON.stringify(c.query)}${c.opts?.status ? ` status=${c.opts.status}` : ''}: ${hits} hits, median ${ms[10]!.toFixed(2)} ms, max ${ms[19]!.toFixed(2)} ms`,
    );
  }
  for (const l of lines) t.diagnostic(l);
});

test(`text search returns the newest matches whichever step finds them (recent window, wider walk, GIN) (${STORE})`, async () => {
  // Words from the workspace itself, from everyday to rare: the first window holds ≥ 10 matches for the common ones,
  // a few for the middling ones (the wider walk) and none for the rare ones (the GIN index).
  const stats = await db.query<{ word: string; ndoc: number }>(
    `SELECT word, ndoc FROM ts_stat($$SELECT search_tsv FROM tasks WHERE workspace_id = '${wsId}'$$)
     WHERE length(word) >= 4 AND word ~ '^[a-z]+$' ORDER BY ndoc DESC`,
  );
  const pick = (share: number) => stats.rows.find((r) => r.ndoc <= Math.max(1, TASKS * share))?.word;
  const words = [...new Set([pick(0.05), pick(0.004), pick(0.0015), pick(0.0004), pick(0.0001)].filter((w): w is string => !!w))];
  assert.ok(words.length >= 3, `words of several frequencies (${words.join(', ')})`);
  for (const word of words)
    for (const status of [undefined, 'open'] as const) {
      const q = { taskNumber: null, phoneDigits: null, email: null, words: word };
      const st = searchStatement(wsId, q, { limit: 10, status }, ['text']);
      const got = (await db.query<{ id: number }>(st.sql, st.params)).rows.map((r) => r.id);
      const want = (
        await db.query<{ id: number }>(
          `SELECT id FROM tasks WHERE workspace_id = $1 AND search_tsv @@ plainto_tsquery('english', $2)
             AND ($3::text IS NULL OR status = $3) ORDER BY updated_at DESC, id DESC LIMIT 10`,
          [wsId, word, status ?? null],
        )
      ).rows.map((r) => r.id);
      assert.deepEqual(got, want, `"${word}"${status ? ` status=${status}` : ''}: the 10 newest matches`);
    }
});

test(`words rarer than every common lexeme skip the newest-first walk; common ones walk; the hits are the same (${STORE})`, async () => {
  const common = await loadTextStats(db);
  assert.ok(common, 'ANALYZE left statistics on tasks.search_tsv (most_common_elems) and the table is small enough to use them');
  assert.equal(textStats(db), common, 'and searchTasks reuses them');
  const stats = await db.query<{ word: string; ndoc: number }>(
    `SELECT word, ndoc FROM ts_stat($$SELECT search_tsv FROM tasks WHERE workspace_id = '${wsId}'$$)
     WHERE word ~ '^[a-z]{4,}$' ORDER BY ndoc DESC, word`,
  );
  const listed = new Set(common.slice(1, -1).split(','));
  const everyday = stats.rows.find((r) => listed.has(r.word))!.word;
  const rare = [...stats.rows].reverse().find((r) => !listed.has(r.word))!.word;
  const cases = [
    { words: everyday, walks: true },
    { words: `${everyday} ${rare}`, walks: false }, // all words must match: one rare word makes the whole query rare
    { words: 'xylophonequartz', walks: false },
  ];
  for (const c of cases)
    for (const status of [undefined, 'open'] as const) {
      const q = { taskNumber: null, phoneDigits: null, email: null, words: c.words };
      const what = `"${c.words}"${status ? ` status=${status}` : ''}`;
      const st = searchStatement(wsId, q, { limit: 10, status }, ['text'], common);
      const nodes = planNodes((await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${st.sql}`, st.params)).rows);
      const cte = nodes.find((n) => n['Subplan Name'] === 'CTE h_text_recent');
      assert.ok(cte, `${what}: the plan has the walk`);
      const reads = walk(cte).filter((n) => n['Relation Name'] === 'tasks');
      assert.ok(reads.length > 0, `${what}: the walk reads tasks`);
      assert.equal(
        reads.some((n) => (n['Actual Loops'] ?? 0) > 0),
        c.walks,
        `${what}: the walk ${c.walks ? 'runs' : 'is skipped'}`,
      );
      const got = (await db.query<{ id: number }>(st.sql, st.params)).rows.map((r) => r.id);
      const always = searchStatement(wsId, q, { limit: 10, status }, ['text'], null);
      assert.deepEqual(
        got,
        (await db.query<{ id: number }>(always.sql, always.params)).rows.map((r) => r.id),
        `${what}: the same hits as the walk`,
      );
    }
  // The relaxed text (all but one word) is rare only when two words are: each subset keeps one of them.
  for (const [words, walks] of [
    [`${everyday} ${everyday} ${rare}`, true],
    [`${everyday} ${rare} xylophonequartz`, false],
  ] as const) {
    const q = { taskNumber: null, phoneDigits: null, email: null, words };
    const st = searchStatement(wsId, q, { limit: 10 }, ['textRelaxed'], common);
    const nodes = planNodes((await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${st.sql}`, st.params)).rows);
    const reads = walk(nodes.find((n) => n['Subplan Name'] === 'CTE h_relaxed_recent')!).filter((n) => n['Relation Name'] === 'tasks');
    assert.equal(
      reads.some((n) => (n['Actual Loops'] ?? 0) > 0),
      walks,
      `relaxed "${words}": the walk ${walks ? 'runs' : 'is skipped'}`,
    );
  }
});

test('the walk is skipped only with statistics, and only while a rare word cannot match more tasks than the widest walk reads', () => {
  assert.equal(commonLexemes(undefined), null, 'no statistics row');
  assert.equal(commonLexemes({ common: null, minFreq: null, rows: 1000 }), null, 'not analyzed');
  assert.equal(commonLexemes({ common: '{a,b}', minFreq: 0.0015, rows: 1_000_000 }), '{a,b}', '1M tasks: a rare word matches < 1,500');
  assert.equal(commonLexemes({ common: '{a,b}', minFreq: 0.0015, rows: 10_000_000 }), null, '10M tasks: it may match 15,000');
  assert.equal(commonLexemes({ common: '{a,b}', minFreq: 0.01, rows: 0 }), null, 'an empty table');
});
