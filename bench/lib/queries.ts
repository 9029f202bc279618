/**
 * B2 inputs: search queries sampled from the seeded data, per class, the way a caller would say them. Deterministic
 * for a given dataset and sampling seed. Each query remembers the task it was made from (when there is one), so the
 * report can say how often that task came back.
 */
import type { Db } from '../../src/platform/db/client.ts';
import type { Dataset } from './datasets.ts';
import { rng } from './stats.ts';

export const QUERY_CLASSES = ['taskNumber', 'phoneDigits', 'formattedPhone', 'email', 'name', 'misspeltName', 'twoWordText', 'noHit'] as const;
export type QueryClass = (typeof QUERY_CLASSES)[number];

export interface BenchQuery {
  cls: QueryClass;
  query: string;
  /** The task the query was made from (the caller's task); null for no-hit queries. */
  taskNumber: number | null;
  /** misspeltName only: what the typo did, and whose name it was (to count the customer found, not only the task). */
  typo?: TypoKind;
  customerName?: string;
}

export const TYPO_KINDS = ['swapped', 'dropped', 'replaced'] as const;
export type TypoKind = (typeof TYPO_KINDS)[number];

interface Row {
  number: number;
  title: string;
  name: string | null;
  phone: string | null;
  phoneDigits: string | null;
  email: string | null;
}

const STOP = new Set([
  'with',
  'from',
  'that',
  'this',
  'into',
  'after',
  'over',
  'when',
  'then',
  'they',
  'have',
  'will',
  'does',
  'just',
  'only',
  'again',
  'still',
  'some',
  'needs',
  'need',
]);

function typo(word: string, r: () => number): { word: string; kind: TypoKind } {
  const i = 1 + Math.floor(r() * (word.length - 2)); // never the first letter
  switch (Math.floor(r() * 3)) {
    case 0: // swap two neighbours
      return { word: word.slice(0, i) + word[i + 1]! + word[i]! + word.slice(i + 2), kind: 'swapped' };
    case 1: // drop one
      return { word: word.slice(0, i) + word.slice(i + 1), kind: 'dropped' };
    default: {
      // wrong vowel / letter
      const c = word[i]!;
      const sub = 'aeiou'.includes(c.toLowerCase()) ? 'aeiou'.replace(c.toLowerCase(), '')[Math.floor(r() * 4)]! : 'aeiou'[Math.floor(r() * 5)]!;
      return { word: word.slice(0, i) + sub + word.slice(i + 1), kind: 'replaced' };
    }
  }
}

function nanp(digits: string | null): string | null {
  if (!digits) return null;
  if (digits.length === 10) return digits;
  if (digits.length === 11 && digits.startsWith('1')) return digits.slice(1);
  return null;
}

function nonsense(r: () => number): string {
  const C = 'bcdfgjkpqvwxz';
  const V = 'aeiouy';
  let w = '';
  const syll = 3 + Math.floor(r() * 2);
  for (let k = 0; k < syll; k++)
    w += C[Math.floor(r() * C.length)]! + V[Math.floor(r() * V.length)]! + (r() < 0.5 ? C[Math.floor(r() * C.length)]! : '');
  return w;
}

/** `perClass` queries per class (fewer only if the data cannot supply them). */
export async function sampleQueries(db: Db, ds: Dataset, perClass: number, seed = 7): Promise<BenchQuery[]> {
  const r = rng(seed * 1_000_003 + ds.size);
  const span = ds.lastNumber - ds.firstNumber + 1;
  const numbers = Array.from({ length: perClass * 6 }, () => ds.firstNumber + Math.floor(r() * span));
  const res = await db.query<Row>(
    `SELECT t.number, t.title, c.name, c.phone, c.phone_digits AS "phoneDigits", c.email
     FROM tasks t LEFT JOIN customers c ON c.workspace_id = t.workspace_id AND c.id = t.customer_id
     WHERE t.workspace_id = $1 AND t.number = ANY($2::int[])`,
    [ds.workspaceId, numbers],
  );
  const byNumber = new Map(res.rows.map((x) => [x.number, x]));
  const rows = numbers.map((n) => byNumber.get(n)).filter((x): x is Row => !!x);
  const out: BenchQuery[] = [];
  const take = (cls: QueryClass, make: (row: Row, k: number) => string | Pick<BenchQuery, 'query' | 'typo' | 'customerName'> | null) => {
    let k = 0;
    for (const row of rows) {
      if (k >= perClass) break;
      const q = make(row, k);
      if (q) {
        out.push({ cls, taskNumber: row.number, ...(typeof q === 'string' ? { query: q } : q) });
        k++;
      }
    }
  };
  take('taskNumber', (t, k) => [`#${t.number}`, `task ${t.number}`, t.number <= 999_999 ? `${t.number}` : `ticket ${t.number}`][k % 3]!);
  take('phoneDigits', (t) => nanp(t.phoneDigits) ?? t.phoneDigits);
  take('formattedPhone', (t, k) => {
    const d = nanp(t.phoneDigits);
    if (!d) return null;
    const [a, e, l] = [d.slice(0, 3), d.slice(3, 6), d.slice(6)];
    return [`(${a}) ${e}-${l}`, `${a}-${e}-${l}`, `+1 ${a}.${e}.${l}`, `${a} ${e} ${l}`][k % 4]!;
  });
  take('email', (t, k) => (t.email ? [t.email, t.email.toLowerCase(), t.email.toUpperCase()][k % 3]! : null));
  take('name', (t, k) => {
    if (!t.name) return null;
    const words = t.name.split(' ');
    if (k % 3 === 1) return t.name.toLowerCase();
    if (k % 3 === 2 && words.length === 2) return `${words[1]} ${words[0]}`;
    return t.name;
  });
  take('misspeltName', (t) => {
    if (!t.name) return null;
    const words = t.name.split(' ');
    let longest = 0;
    words.forEach((w, i) => {
      if (w.length > words[longest]!.length) longest = i;
    });
    if (words[longest]!.length < 5 || !/^[A-Za-z]+$/.test(words[longest]!)) return null;
    const wrong = typo(words[longest]!, r);
    words[longest] = wrong.word;
    return { query: words.join(' '), typo: wrong.kind, customerName: t.name };
  });
  take('twoWordText', (t) => {
    const words = t.title.split(/[^A-Za-z]+/).filter((w) => w.length >= 4 && !STOP.has(w.toLowerCase()));
    if (words.length < 2) return null;
    const i = Math.floor(r() * (words.length - 1));
    return `${words[i]!.toLowerCase()} ${words[i + 1]!.toLowerCase()}`;
  });
  for (let k = 0; k < perClass; k++) out.push({ cls: 'noHit', query: k % 2 ? nonsense(r) : `${nonsense(r)} ${nonsense(r)}`, taskNumber: null });
  return out;
}

/** Fisher–Yates with the bench PRNG. */
export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const r = rng(seed);
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
