/**
 * Names as callers say them — and as a voice agent's speech-to-text writes them: a letter dropped, doubled, swapped
 * or replaced in the first or the last name, and sound-alike spellings. Generated from the customers of a seeded
 * 20,000-task workspace with a fixed seed; each kind must find the customer (among the hits, and first) at a floor the
 * code meets with margin. The hit rates are printed, so a change that moves them shows.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDb, STORE, type TestDb } from '../helpers/db.ts';
import { createWorkspace } from '../../src/domain/workspaces.ts';
import { createCustomer } from '../../src/domain/customers.ts';
import { createTask } from '../../src/domain/tasks.ts';
import { seedWorkspace } from '../../src/seed/seed.ts';
import { parseQuery, searchStatement, searchTasks } from '../../src/domain/search.ts';
import { closeWord, fuzzyTerms } from '../../src/domain/searchSql.ts';

let db: TestDb;
let ws: string;
let customers: { id: number; name: string }[];

/** The customers the callers asked for, beside the seeded ones. */
const NAMED = [
  'Wei Zhang',
  'Léa Moreau',
  'Karen Adeyemi',
  'Aaron Jiménez',
  'Patricia Myers',
  'Patricia Miller',
  'Catherine Doyle',
  'John Okafor',
  // Look-alikes as many Levenshtein edits away as the customer meant, who is one swap away.
  'Joseph Mensah',
  'José Mensah',
  'Larry Price',
  'Mary Price',
  'Amara De la Cruz',
  'Omar De la Cruz',
];

before(async () => {
  db = await testDb();
  ws = (await createWorkspace(db, { name: 'Misspellings' })).id;
  await seedWorkspace(db, ws, { tasks: 20_000, seed: 7 });
  for (const name of NAMED) {
    const c = await createCustomer(db, ws, { name });
    await createTask(db, ws, { title: `Job for ${name}`, customerId: c.id });
  }
  customers = (
    await db.query<{ id: number; name: string }>(
      `SELECT id, name FROM customers WHERE workspace_id = $1 AND name ~ '^[A-Za-z]+ [A-Za-z]+$' ORDER BY id LIMIT 400`,
      [ws],
    )
  ).rows;
});
after(() => db.cleanup());

/** A small PRNG with a fixed seed: the same misspellings on every run. */
function prng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const r = prng(42);
const at = (w: string) => 1 + Math.floor(r() * (w.length - 1)); // never the first letter
const KINDS: Record<string, (w: string) => string | null> = {
  dropped: (w) => {
    if (w.length < 4) return null;
    const i = at(w);
    return w.slice(0, i) + w.slice(i + 1);
  },
  doubled: (w) => {
    const i = at(w);
    return w.slice(0, i) + w[i] + w.slice(i);
  },
  swapped: (w) => {
    if (w.length < 4) return null;
    const i = 1 + Math.floor(r() * (w.length - 2));
    return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
  },
  replaced: (w) => {
    const i = at(w);
    const vowel = 'aeiou'.includes(w[i]!.toLowerCase());
    const pool = (vowel ? 'aeiouy' : 'bcdfgklmnprstvz').replace(w[i]!.toLowerCase(), '');
    return w.slice(0, i) + pool[Math.floor(r() * pool.length)]! + w.slice(i + 1);
  },
};

/** Floors per kind (found among the hits / found first), below what the code reaches on both stores. */
const FLOORS: Record<string, { found: number; first: number }> = {
  dropped: { found: 0.9, first: 0.85 },
  doubled: { found: 0.95, first: 0.9 },
  swapped: { found: 0.95, first: 0.9 },
  replaced: { found: 0.9, first: 0.85 },
};

async function rate(kind: string, part: 0 | 1, n = 60) {
  let tried = 0;
  let found = 0;
  let first = 0;
  for (const c of customers) {
    if (tried >= n) break;
    const words = c.name.split(' ');
    const wrong = KINDS[kind]!(words[part]!);
    if (!wrong || wrong.toLowerCase() === words[part]!.toLowerCase()) continue;
    words[part] = wrong;
    const { hits } = await searchTasks(db, ws, words.join(' '), { limit: 10 });
    tried++;
    if (hits.some((h) => h.customerName === c.name)) found++;
    if (hits[0]?.customerName === c.name) first++;
  }
  return { tried, found: found / tried, first: first / tried };
}

for (const kind of Object.keys(KINDS))
  for (const part of [1, 0] as const)
    test(`a ${kind} letter in the ${part ? 'last' : 'first'} name still finds the customer (${STORE})`, async (t) => {
      const got = await rate(kind, part);
      t.diagnostic(
        `${kind} ${part ? 'last' : 'first'}: ${got.tried} names, found ${Math.round(got.found * 100)}%, first ${Math.round(got.first * 100)}%`,
      );
      assert.ok(got.tried >= 40, `enough names to measure (${got.tried})`);
      assert.ok(got.found >= FLOORS[kind]!.found, `found ${got.found} < ${FLOORS[kind]!.found}`);
      assert.ok(got.first >= FLOORS[kind]!.first, `first ${got.first} < ${FLOORS[kind]!.first}`);
    });

test(`what callers said that found nothing before: each customer now comes first (${STORE})`, async () => {
  const cases: [string, string][] = [
    ['Wei Zang', 'Wei Zhang'],
    ['Léa Mroeau', 'Léa Moreau'],
    ['Karen Aedyemi', 'Karen Adeyemi'],
    ['Aaron Jmiénez', 'Aaron Jiménez'],
    ['Patricia Miers', 'Patricia Myers'],
    ['Kathryn Doyle', 'Catherine Doyle'],
    ['Jon Okafor', 'John Okafor'],
    ['zang wei', 'Wei Zhang'],
    // A swap is one slip: José is as many Levenshtein edits from "Jospeh" as Joseph, Mary and Gary as Larry.
    ['Jospeh Mensah', 'Joseph Mensah'],
    ['Lrary Price', 'Larry Price'],
    ['Amaar De la Cruz', 'Amara De la Cruz'],
  ];
  const wrong: string[] = [];
  for (const [said, meant] of cases) {
    const { hits } = await searchTasks(db, ws, said, { limit: 10 });
    if (hits[0]?.customerName !== meant) wrong.push(`"${said}" → ${hits[0]?.customerName ?? 'nothing'} (wanted ${meant})`);
  }
  assert.deepEqual(wrong, []);
});

test(`the word-by-word fuzzy lookup finds exactly the customers a scan of every name finds (${STORE})`, async () => {
  // Brute force: every customer of the workspace whose name holds, for each word said (3+ letters), a word close to
  // it (closeWord) — the definition customerNameFuzzy implements through name_tokens and customers_name_keys.
  const said: string[] = [];
  for (const c of customers.slice(0, 60)) {
    const words = c.name.split(' ');
    const k = said.length % 3;
    if (k === 0) said.push(`${words[0]} ${KINDS.replaced!(words[1]!) ?? words[1]}`);
    else if (k === 1) said.push(`${KINDS.doubled!(words[0]!) ?? words[0]} ${words[1]}`);
    else if (words[1]!.length >= 5)
      said.push(KINDS.dropped!(words[1]!) ?? words[1]!); // a last name alone
    else said.push(`${words[1]} ${words[0]}`);
  }
  let compared = 0;
  for (const query of said) {
    const q = parseQuery(query);
    const terms = fuzzyTerms(q.words);
    if (!terms.length) continue;
    const want = (
      await db.query<{ id: number; tasks: number }>(
        `SELECT c.id, (SELECT count(*) FROM tasks t WHERE t.workspace_id = c.workspace_id AND t.customer_id = c.id)::int AS tasks
         FROM customers c
         WHERE c.workspace_id = $1
           AND (SELECT bool_and(EXISTS (SELECT 1 FROM unnest(string_to_array(c.name_norm, ' ')) AS w
                                        CROSS JOIN LATERAL (SELECT w AS token, dmetaphone(w) AS phonetic) n
                                        WHERE ${closeWord('n', 'x')}))
                FROM (SELECT t, length(t) AS len, dmetaphone(t) AS sound FROM unnest($2::text[]) AS t) x)`,
        [ws, terms],
      )
    ).rows.filter((x) => x.tasks > 0);
    const st = searchStatement(ws, q, { limit: 50 }, ['customerNameFuzzy']);
    const got = new Set((await db.query<{ customerId: number }>(st.sql, st.params)).rows.map((x) => x.customerId));
    const wantIds = new Set(want.map((x) => x.id));
    for (const id of got) assert.ok(wantIds.has(id), `"${query}": customer ${id} found but not by the scan`);
    // All of them fit on one page when they have 50 tasks between them (and there are at most CANDIDATES of them).
    if (want.length <= 50 && want.reduce((a, x) => a + x.tasks, 0) <= 50) {
      assert.deepEqual([...got].sort(), [...wantIds].sort(), `"${query}": the same customers as the scan`);
      compared++;
    }
  }
  assert.ok(compared >= 30, `enough queries compared whole (${compared})`);
});
