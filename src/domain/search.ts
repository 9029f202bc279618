/**
 * Task search for a phone caller: classify what the caller said, then look each part up through its index.
 *
 * Classes (DESIGN §3 "Search semantics") and the index each one uses:
 * - taskNumber — `#1042`, `task 1042`, a bare number of up to 6 digits: exact, tasks (workspace_id, number) unique.
 * - phone — a run of ≥ 7 digits in any format, optional country code: the digits as a suffix of the stored digits,
 *   `phone_rev LIKE reverse(last ≤ 10 digits) || '%'` on customers_phone_rev (text_pattern_ops).
 * - email — a token with `@`: exact or prefix, `email_lower LIKE escaped || '%'` on customers_email.
 * - customerName — names that start with the words, first word first or last word first ("hale russell"), on the
 *   prefix btrees of 0002_search.sql (ordered ranges that stop after CANDIDATES rows); then, when that finds
 *   nothing, misspellings by trigram word similarity (`name_norm %> word` for every word, customers_name_trgm GIN);
 *   last, when nothing at all matched, the whole text by word similarity. Case/accent-free via normalizeName.
 * - text — `search_tsv @@ plainto_tsquery('english', words)` (all words), newest first: the most recent TEXT_WINDOW
 *   tasks (tasks_recent), then a longer bounded walk for common words or the GIN index tasks_search for rare ones
 *   (textCtes); with 3–6 words and nothing else found, any all-but-one subset of the words. Skipped when the words
 *   are a customer's name (the name lookup found someone).
 * Name/phone/email find at most CANDIDATES customers through their index, then each one's newest tasks through
 * tasks_customer (workspace_id, customer_id, updated_at DESC). Every statement filters on workspace_id.
 *
 * Round trips (searchSteps): one statement for task number + phone + email + name prefix + text — the usual case —
 * then fuzzy names, carrying the last-resort fallbacks when nothing at all was found, only when the first left the
 * page short and found no customer by name. Within a statement each class is a MATERIALIZED CTE gated on the classes
 * before it having found fewer than `limit` tasks (a one-time filter: the gated scan never starts), so "Russell"
 * never pays for a full-text search.
 *
 * Ranking is `score` (higher first), then recency (updated_at desc), then id:
 *   taskNumber 1 > exact phone / exact email 0.95 > phone suffix / email prefix 0.85
 *   > customerName 0.5 + 0.3 × word similarity (≤ 0.8) > text 0.3 > relaxed text 0.2.
 * A task reached by several classes is reported once, with its best match (`matchedOn`).
 *
 * Statements are unnamed (never prepared), so the planner sees the parameter values: LIKE prefixes become index
 * ranges and selectivities come from the real words.
 */
import type { Queryable } from '../platform/db/client.ts';
import { invalid } from './errors.ts';
import { escapeLike, normalizeEmail, normalizeName, phoneDigits, reverse } from './normalize.ts';
import { TASK_COLS, STATUSES, type Status, type Task } from './tasks.ts';

export type MatchedOn = 'taskNumber' | 'phone' | 'email' | 'customerName' | 'text';

export interface SearchHit extends Task {
  customerPhone: string | null;
  customerEmail: string | null;
  matchedOn: MatchedOn;
  score: number;
}

export interface ClassifiedQuery {
  taskNumber: number | null;
  phoneDigits: string | null;
  email: string | null;
  /** Normalized residual text for name/text search, '' if none. */
  words: string;
}

export interface SearchOptions {
  limit: number;
  status?: Status;
  /**
   * Phone and email find a customer only by the whole of it: the same last 10 digits (all digits, when the number on
   * file is shorter) and the whole address. For callers who see contact details masked: suffixes and prefixes would
   * confirm the hidden part one guess at a time (contactprobes.ts).
   */
  wholeContactOnly?: boolean;
}

/**
 * A search class as run by SQL. `customerName` is the prefix lookup, `customerNameFuzzy` the trigram one (every word
 * similar to the name) and `customerNameLoose` the trigram one on the whole text (all report matchedOn
 * 'customerName'); `textRelaxed` is the all-but-one-word fallback of `text` (matchedOn 'text').
 */
export type SearchClass =
  | 'taskNumber'
  | 'phone'
  | 'email'
  | 'customerName'
  | 'text'
  | 'customerNameFuzzy'
  | 'customerNameLoose'
  | 'textRelaxed';

export interface SearchStep {
  classes: SearchClass[];
  /** Run always; only when fewer than `limit` hits and none on the customer name so far; only when no hits so far. */
  when: 'always' | 'fewHitsNoName' | 'noHits';
  /** Last-resort classes that ride along in this step's statement only when nothing has been found so far. */
  ifNothingYet?: SearchClass[];
}

export interface SearchStatement {
  classes: SearchClass[];
  sql: string;
  params: unknown[];
}

export const MAX_QUERY_LENGTH = 200;
export const MAX_LIMIT = 50;
/** Customers considered per name / phone / email lookup. */
export const CANDIDATES = 50;
/** Shortest normalized text worth a name lookup ("Ng", "Li" are surnames). */
const MIN_NAME_PREFIX_CHARS = 2;
/** Shortest word used in a fuzzy (trigram) name lookup, and shortest word for a one-word fuzzy lookup. */
const MIN_FUZZY_WORD = 3;
const MIN_FUZZY_SINGLE = 5;
const MAX_FUZZY_TERMS = 4;
/** Most recently updated tasks scanned first for text matches. */
export const TEXT_WINDOW = 1000;
/**
 * When that window holds k matches (0 < k < limit) the words' share of tasks is about k / TEXT_WINDOW, so fetching
 * every match from the GIN index would read about k / TEXT_WINDOW × N rows (N tasks in the workspace), each costing
 * about GIN_ROW_COST walked rows (scattered heap pages, then a sort; measured on the 1M-task bench workspace). With
 * k this small the share is a guess (k = 1 is as likely a word in 200 tasks as one in 5,000), so the walk does not
 * bet on it: it continues down the recency index for as many rows as the GIN fetch is estimated to cost — at most
 * TEXT_WIDE_WINDOW — and stops at `limit` matches; only if it comes up short does the GIN index serve. The walk then
 * never costs more than the GIN fetch it might have avoided (at worst a search does twice the work of the better
 * plan), and common words — the expensive GIN case — are found by the walk (pg 1M, "flame sensor": 4,525 matches,
 * k = 1 in the first window: the GIN fetch read 5,124 buffers, 417 ms cold; the walk 3,296, 28 ms cold).
 */
export const GIN_ROW_COST = 4;
export const TEXT_WIDE_WINDOW = 10_000;
/** customers.name_norm with its last word first ("russell hale" → "hale russell"); indexed by 0002_search.sql. */
export const NAME_ROTATED = `regexp_replace(name_norm, '^(.*) ([^ ]+)$', '\\2 \\1')`;
/** Classes that run only when nothing better was found (see searchSteps). */
const LAST_RESORT: SearchClass[] = ['customerNameLoose', 'textRelaxed'];
/** Words considered by the relaxed (all but one word) text fallback. */
const RELAXED_MIN_WORDS = 3;
const RELAXED_MAX_WORDS = 6;

export const SCORES = {
  taskNumber: 1,
  exactContact: 0.95,
  partialContact: 0.85,
  nameBase: 0.5,
  nameSpan: 0.3,
  text: 0.3,
  textRelaxed: 0.2,
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Classification

/** Words that only introduce a task number: "task 1042", "ticket no. 1042", "job # 1042". */
const INTRO_WORDS = new Set(['task', 'tasks', 'ticket', 'tickets', 'job', 'order', 'number', 'num', 'no', 'nr', 'case', 'ref', 'request', 'id', '#']);

/** A run of digits with phone punctuation between them: "+1 (703) 597-4534", "703.597.4534". */
const DIGIT_RUN = /\+?\(?\d(?:[\d().\-\s]*\d)?\)?/g;
const EMAIL_EDGE = /^[<("'[]+|[>)"'\],;:.!?]+$/g;
const TOKEN_EDGE = /^[("'[]+|[)"'\],;:.!?]+$/g;
/** "1042", "#1042", "no.1042", "task#1042" (the word is checked against INTRO_WORDS). */
const TASK_NUMBER = /^(?:([a-z]+)[.:]?)?(#)?(\d{1,9})$/i;
/** Text that ends with a word introducing a task number ("… ticket no. ", "#"): 7–9 digits after it are a number. */
const INTRO_BEFORE = new RegExp(`(?:^|[\\s(])(?:#|(?:${[...INTRO_WORDS].filter((w) => w !== '#').join('|')})[.:]?\\s*#?)\\s*$`, 'i');
/** Bare numbers up to this many digits are task numbers; longer ones need "#" or "task" (or are phone numbers). */
const BARE_NUMBER_DIGITS = 6;

function digitCount(s: string): number {
  let n = 0;
  for (const ch of s) if (ch >= '0' && ch <= '9') n++;
  return n;
}

/**
 * Split a caller's words into the search classes. Emails first (they may contain digits), then phone-like digit
 * runs (≥ 7 digits), then task numbers (with the words that introduce them); what is left, normalized like
 * customers.name_norm, is the name / text part.
 */
export function classifyQuery(query: string): ClassifiedQuery {
  let email: string | null = null;
  const phones: string[] = [];
  let taskNumber: number | null = null;

  // 1. Emails.
  const afterEmail: string[] = [];
  for (const raw of query.trim().split(/\s+/)) {
    if (!raw.includes('@')) {
      afterEmail.push(raw);
      continue;
    }
    const e = raw.replace(EMAIL_EDGE, '').replace(/^mailto:/i, '').toLowerCase();
    if (email === null && /^[^@\s]+@[^@\s]*$/.test(e)) email = e;
    // Other tokens with @ (a second address, a bare "@") are not searchable text either.
  }

  // 2. Phones: a digit run with 7–15 digits. A longer run holds several things: take its whitespace-separated parts
  //    one by one.
  const phoneRun = (run: string): boolean => {
    const d = run.replace(/\D+/g, '');
    if (d.length < 7 || d.length > 15) return false;
    phones.push(d);
    return true;
  };
  const phoneOrKeep = (run: string): string => {
    if (digitCount(run) > 15) return run.split(/\s+/).map((part) => (phoneRun(part) ? ' ' : part)).join(' ');
    return phoneRun(run) ? ' ' : run;
  };
  const rest = afterEmail.join(' ').replace(DIGIT_RUN, (run: string, offset: number, whole: string) => {
    // After "#" or "task", the first group of digits is a task number ("#1000000" on a big workspace,
    // "ticket 1042 703 597 4534"); the rest may still be a phone.
    if (INTRO_BEFORE.test(whole.slice(0, offset))) {
      const m = /^(\d{1,9})(?:\s+(.*))?$/s.exec(run);
      if (m) return m[2] === undefined ? m[1]! : `${m[1]} ${phoneOrKeep(m[2])}`;
    }
    return phoneOrKeep(run);
  });

  // 3. Task numbers: "#1042", "task 1042", "ticket no. 1042", "1042"; the words that introduce it go with it.
  const kept: string[] = [];
  const isIntro = (tok: string | undefined) => tok !== undefined && INTRO_WORDS.has(tok.toLowerCase().replace(/[.:]+$/, ''));
  for (const raw of rest.split(/\s+/)) {
    if (!raw) continue;
    const m = TASK_NUMBER.exec(raw.replace(TOKEN_EDGE, ''));
    const word = m?.[1]?.toLowerCase();
    if (m && taskNumber === null && (word === undefined || INTRO_WORDS.has(word))) {
      const digits = m[3]!;
      const introduced = word !== undefined || m[2] === '#' || isIntro(kept[kept.length - 1]);
      if (digits.length <= BARE_NUMBER_DIGITS || introduced) {
        taskNumber = Number(digits);
        while (isIntro(kept[kept.length - 1])) kept.pop();
        continue;
      }
    }
    kept.push(raw);
  }

  return { taskNumber, phoneDigits: phones[0] ?? null, email, words: normalizeName(kept.join(' ')) };
}

// ---------------------------------------------------------------------------------------------------------------
// SQL

class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

interface Cte {
  name: string;
  body: string;
  /** Selects hits (id, updated_at, matched_on, score); helper CTEs (candidate customers) do not. */
  hits: boolean;
}

interface Ctx {
  q: ClassifiedQuery;
  p: Params;
  ws: string;
  lim: string;
  /** `AND t.status = $n`, or ''. */
  status: string;
  /** `AND <condition that must hold for this class to run>`, or ''. */
  gate: string;
  wholeContactOnly: boolean;
}

function checkOptions(opts: SearchOptions): void {
  if (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > MAX_LIMIT) throw invalid(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  if (opts.status !== undefined && !STATUSES.includes(opts.status)) throw invalid(`status must be one of ${STATUSES.join(', ')}`);
}

/** Words of the residual text used for fuzzy name matching (each must match the name); [] when not worth it. */
function fuzzyTerms(words: string): string[] {
  const terms = words
    .split(' ')
    .filter((w) => w.length >= MIN_FUZZY_WORD)
    .slice(0, MAX_FUZZY_TERMS);
  // One short word ("lea", "leak") is word-similar to thousands of names on a big workspace: not selective enough.
  if (terms.length === 1 && terms[0]!.length < MIN_FUZZY_SINGLE) return [];
  return terms;
}

/** The search classes that apply to a classified query, in the order they run (best first, except fuzzy names). */
export function applicableClasses(q: ClassifiedQuery): SearchClass[] {
  const out: SearchClass[] = [];
  if (q.taskNumber !== null) out.push('taskNumber');
  if (q.phoneDigits !== null) out.push('phone');
  if (q.email !== null) out.push('email');
  if (q.words.length >= MIN_NAME_PREFIX_CHARS) out.push('customerName');
  if (q.words) out.push('text');
  const terms = fuzzyTerms(q.words);
  if (terms.length > 0) out.push('customerNameFuzzy');
  if (terms.length > 1) out.push('customerNameLoose');
  const n = q.words ? q.words.split(' ').length : 0;
  if (n >= RELAXED_MIN_WORDS && n <= RELAXED_MAX_WORDS) out.push('textRelaxed');
  return out;
}

/** Newest tasks (up to limit) of each candidate customer (`cands` selects id, score), through tasks_customer. */
function tasksOfCustomers(c: Ctx, cands: string, matched: MatchedOn): string {
  return `
    SELECT t.id, t.updated_at, '${matched}'::text AS matched_on, c.score
    FROM (${cands}) c
    CROSS JOIN LATERAL (
      SELECT t.id, t.updated_at FROM tasks t
      WHERE t.workspace_id = ${c.ws} AND t.customer_id = c.id${c.status}
      ORDER BY t.updated_at DESC LIMIT ${c.lim}
    ) t`;
}

/**
 * Tasks whose text matches `tsquery`, newest first, in up to three steps, each bounded:
 * (1) the TEXT_WINDOW most recently updated tasks (tasks_recent / tasks_status_recent) — when they hold `limit`
 *     matches those are the newest ones;
 * (2) when they hold a few and the workspace is big enough for that to mean many matches (see TEXT_WIDE_WINDOW):
 *     walk on, up to TEXT_WIDE_WINDOW tasks, stopping at `limit` matches;
 * (3) otherwise (rarer words, or (2) came up short) every match through the GIN index tasks_search, sorted. Without
 *     step (2), two everyday words on a 1M-task workspace fetched and sorted ~9,000 matches here (80+ ms).
 * The OFFSET 0 fence keeps step (3) on the GIN index: left to itself the planner may walk tasks_recent for a rare word
 * and read the whole workspace.
 */
function textCtes(c: Ctx, name: string, tsquery: string, score: number): Cte[] {
  const recent = `${name}_recent`;
  const wide = `${name}_wide`;
  const walk = (cte: string, rows: number | string, gate: string): Cte => ({
    name: cte,
    hits: true,
    body: `
    SELECT r.id, r.updated_at, 'text'::text AS matched_on, ${score}::float8 AS score
    FROM (
      SELECT t.id, t.updated_at, t.search_tsv FROM tasks t
      WHERE t.workspace_id = ${c.ws}${c.status}${gate}
      ORDER BY t.updated_at DESC, t.id DESC LIMIT ${rows}
    ) r
    WHERE r.search_tsv @@ ${tsquery}
    ORDER BY r.updated_at DESC, r.id DESC LIMIT ${c.lim}`,
  });
  const found = (cte: string) => `(SELECT count(*) FROM ${cte})`;
  return [
    walk(recent, TEXT_WINDOW, c.gate),
    walk(
      wide,
      `LEAST(${TEXT_WIDE_WINDOW}, ${found(recent)} * ${GIN_ROW_COST} * (SELECT w.task_seq FROM workspaces w WHERE w.id = ${c.ws}) / ${TEXT_WINDOW})`,
      `${c.gate} AND ${found(recent)} BETWEEN 1 AND ${c.lim} - 1`,
    ),
    {
      name,
      hits: true,
      body: `
    SELECT m.id, m.updated_at, 'text'::text AS matched_on, ${score}::float8 AS score
    FROM (
      SELECT t.id, t.updated_at FROM tasks t
      WHERE t.workspace_id = ${c.ws} AND t.search_tsv @@ ${tsquery}${c.status}${c.gate}
        AND ${found(recent)} < ${c.lim} AND ${found(wide)} < ${c.lim}
      OFFSET 0
    ) m
    ORDER BY m.updated_at DESC, m.id DESC LIMIT ${c.lim}`,
    },
  ];
}

function nameScore(w: string): string {
  return `round((${SCORES.nameBase} + ${SCORES.nameSpan} * word_similarity(${w}, name_norm))::numeric, 4)::float8`;
}

function classCtes(cls: SearchClass, c: Ctx): Cte[] {
  const { q, p, ws, gate } = c;
  switch (cls) {
    case 'taskNumber':
      return [
        {
          name: 'h_number',
          hits: true,
          body: `
    SELECT t.id, t.updated_at, 'taskNumber'::text AS matched_on, ${SCORES.taskNumber}::float8 AS score
    FROM tasks t
    WHERE t.workspace_id = ${ws} AND t.number = ${p.add(q.taskNumber)}${c.status}${gate}`,
        },
      ];
    case 'phone': {
      // Suffix of the stored digits = prefix of the reversed digits (customers_phone_rev), read in index order: the
      // same digits sort first. Exact: the same digits, or the same last 10 (the caller gave 10 or more, so a country
      // code aside it is the same number); shorter is a suffix match ("597-4534") — unless only whole numbers count.
      const digits = q.phoneDigits!;
      const last10 = digits.slice(-10);
      const exact = digits.length >= 10 ? 'true' : `phone_digits = ${p.add(digits)}`;
      const whole = c.wholeContactOnly && digits.length < 10 ? ` AND ${exact}` : '';
      return [
        {
          name: 'h_phone',
          hits: true,
          body: tasksOfCustomers(
            c,
            `SELECT id, CASE WHEN ${exact} THEN ${SCORES.exactContact} ELSE ${SCORES.partialContact} END::float8 AS score
           FROM (SELECT id, phone_digits FROM customers
                 WHERE workspace_id = ${ws} AND phone_rev IS NOT NULL AND phone_rev LIKE ${p.add(reverse(last10) + '%')}${whole}${gate}
                 ORDER BY phone_rev USING ~<~ LIMIT ${CANDIDATES}) x`,
            'phone',
          ),
        },
      ];
    }
    case 'email': {
      // Exact or prefix (customers_email, index order: the exact address sorts first); exact only for whole contacts.
      const e = q.email!;
      const match = c.wholeContactOnly ? `email_lower = ${p.add(e)}` : `email_lower LIKE ${p.add(escapeLike(e) + '%')}`;
      return [
        {
          name: 'h_email',
          hits: true,
          body: tasksOfCustomers(
            c,
            `SELECT id, CASE WHEN email_lower = ${p.add(e)} THEN ${SCORES.exactContact} ELSE ${SCORES.partialContact} END::float8 AS score
           FROM (SELECT id, email_lower FROM customers
                 WHERE workspace_id = ${ws} AND email_lower IS NOT NULL AND ${match}${gate}
                 ORDER BY email_lower USING ~<~ LIMIT ${CANDIDATES}) x`,
            'email',
          ),
        },
      ];
    }
    case 'customerName': {
      // Names that start with the words, first word first or last word first ("hale russell" finds Russell Hale):
      // two ordered ranges of the prefix btree indexes, each stopping after CANDIDATES rows.
      const w = p.add(q.words);
      const prefix = p.add(escapeLike(q.words) + '%');
      return [
        {
          name: 'c_name',
          hits: false,
          body: `
    (SELECT id, name_norm FROM customers
     WHERE workspace_id = ${ws} AND name_norm LIKE ${prefix}${gate}
     ORDER BY name_norm USING ~<~ LIMIT ${CANDIDATES})
    UNION
    (SELECT id, name_norm FROM customers
     WHERE workspace_id = ${ws} AND ${NAME_ROTATED} LIKE ${prefix}${gate}
     ORDER BY ${NAME_ROTATED} USING ~<~ LIMIT ${CANDIDATES})`,
        },
        {
          name: 'h_name',
          hits: true,
          body: tasksOfCustomers(
            c,
            `SELECT id, ${nameScore(w)} AS score FROM c_name ORDER BY score DESC, id DESC LIMIT ${CANDIDATES}`,
            'customerName',
          ),
        },
      ];
    }
    case 'customerNameFuzzy':
    case 'customerNameLoose': {
      // Misspelt names, through the GIN trigram index. Fuzzy: every word of 3+ letters word-similar to the name
      // ("rusell hale", "jose nunes", "o'brien" → "brien"; one bitmap per word, ANDed: selective). Loose: the whole
      // text word-similar to the name ("zoe obrien" ~ "zoe o brien", where "obrien" alone is not) — it can match
      // every customer who shares a first name, so it runs last, only when nothing else matched.
      const w = p.add(q.words);
      const cond =
        cls === 'customerNameFuzzy'
          ? fuzzyTerms(q.words)
              .map((x) => `name_norm %> ${p.add(x)}`)
              .join(' AND ')
          : `name_norm %> ${w}`;
      return [
        {
          name: cls === 'customerNameFuzzy' ? 'h_fuzzy' : 'h_loose',
          hits: true,
          body: tasksOfCustomers(
            c,
            `SELECT id, ${nameScore(w)} AS score FROM customers
           WHERE workspace_id = ${ws} AND ${cond}${gate}
           ORDER BY score DESC, id DESC LIMIT ${CANDIDATES}`,
            'customerName',
          ),
        },
      ];
    }
    case 'text':
      return textCtes(c, 'h_text', `plainto_tsquery('english', ${p.add(q.words)})`, SCORES.text);
    case 'textRelaxed': {
      // (w1 & w2) | (w1 & w3) | (w2 & w3): every subset that leaves out one word.
      const words = q.words.split(' ');
      const each = words.map((word) => `plainto_tsquery('english', ${p.add(word)})`);
      const subsets = words.map((_, skip) => `(${each.filter((_, k) => k !== skip).join(' && ')})`);
      return textCtes(c, 'h_relaxed', `(${subsets.join(' || ')})`, SCORES.textRelaxed);
    }
  }
}

/**
 * One statement that runs `classes` (in that order, each gated on the ones before) and returns the merged, ranked
 * hits (at most `limit`) with their task, assignee and customer contact columns.
 */
export function searchStatement(
  workspaceId: string,
  q: ClassifiedQuery,
  opts: SearchOptions,
  classes: SearchClass[],
): SearchStatement {
  checkOptions(opts);
  if (classes.length === 0) throw new Error('searchStatement: no search class given');
  const p = new Params();
  const ws = p.add(workspaceId);
  const lim = p.add(opts.limit);
  const status = opts.status ? ` AND t.status = ${p.add(opts.status)}` : '';
  const built: Cte[] = [];
  for (const cls of classes) {
    // Gate: run only while the classes before found fewer than `limit` distinct tasks. Text also waits for the name
    // lookup to come up empty: a caller who said a customer's name means that customer, not tasks mentioning it.
    const prior = built.filter((b) => b.hits).map((b) => `SELECT id FROM ${b.name}`);
    let gate = prior.length > 0 ? ` AND (SELECT count(*) FROM (${prior.join(' UNION ')}) g) < ${lim}` : '';
    if (cls === 'text' && built.some((b) => b.name === 'h_name')) gate += ' AND NOT EXISTS (SELECT 1 FROM h_name)';
    // Last resorts run only when the fuzzy names (their step's first class) found nobody at all.
    if (LAST_RESORT.includes(cls) && built.some((b) => b.name === 'h_fuzzy')) gate += ' AND NOT EXISTS (SELECT 1 FROM h_fuzzy)';
    built.push(...classCtes(cls, { q, p, ws, lim, status, gate, wholeContactOnly: opts.wholeContactOnly === true }));
  }
  const hitCtes = built.filter((b) => b.hits);
  const sql = `WITH ${built.map((b) => `${b.name} AS MATERIALIZED (${b.body}\n  )`).join(',\n')},
  hits AS (${hitCtes.map((b) => `SELECT * FROM ${b.name}`).join(' UNION ALL ')}),
  best AS (SELECT DISTINCT ON (id) id, updated_at, matched_on, score FROM hits ORDER BY id, score DESC),
  top AS (SELECT * FROM best ORDER BY score DESC, updated_at DESC, id DESC LIMIT ${lim})
SELECT ${TASK_COLS}, c.phone AS "customerPhone", c.email AS "customerEmail", h.matched_on AS "matchedOn", h.score
FROM top h
JOIN tasks t ON t.workspace_id = ${ws} AND t.id = h.id
LEFT JOIN users u ON u.workspace_id = t.workspace_id AND u.id = t.assignee_id
LEFT JOIN customers c ON c.workspace_id = t.workspace_id AND c.id = t.customer_id
ORDER BY h.score DESC, h.updated_at DESC, h.id DESC`;
  return { classes, sql, params: p.values };
}

/**
 * The round trips of a search, in order: (1) task number, phone, email, name prefix and text in one statement;
 * (2) fuzzy names, only when (1) found fewer than `limit` tasks and none by name (a name spelt right needs no
 * look-alikes) — and when (1) found nothing at all, the last resorts in the same statement: loose names, then the
 * relaxed text, each gated on everything before it in the statement having found nothing (loose) or too little
 * (relaxed). Fuzzy names have their own statement because planning trigram conditions is not free (each one's
 * selectivity estimate runs the similarity function over the column statistics: ~0.5 ms a word with the default
 * statistics target, ~0.1 ms since 0008_customer_name_statistics.sql), and they are rarely needed; a query
 * with last resorts but no fuzzy terms runs them as step (2) when (1) found nothing.
 */
export function searchSteps(q: ClassifiedQuery): SearchStep[] {
  const classes = applicableClasses(q);
  const late: SearchClass[] = ['customerNameFuzzy', ...LAST_RESORT];
  const main = classes.filter((c) => !late.includes(c));
  const last = classes.filter((c) => LAST_RESORT.includes(c));
  const steps: SearchStep[] = [];
  if (main.length > 0) steps.push({ classes: main, when: 'always' });
  if (classes.includes('customerNameFuzzy')) steps.push({ classes: ['customerNameFuzzy'], when: 'fewHitsNoName', ifNothingYet: last });
  else if (last.length > 0) steps.push({ classes: last, when: 'noHits' });
  return steps;
}

/** The classes a step runs after the hits found so far, or null when it is skipped. */
export function stepClasses(step: SearchStep, found: Iterable<SearchHit>, limit: number): SearchClass[] | null {
  const hits = [...found];
  if (step.when === 'noHits' && hits.length > 0) return null;
  if (step.when === 'fewHitsNoName' && (hits.length >= limit || hits.some((h) => h.matchedOn === 'customerName'))) return null;
  return hits.length === 0 && step.ifNothingYet ? [...step.classes, ...step.ifNothingYet] : step.classes;
}

/**
 * The query's phone number and email address, each with whether some hit's customer has the whole of it (the
 * `wholeContactOnly` rule: the same last 10 digits, or all digits when either side has fewer; the same address
 * ignoring case).
 */
export function contactMatches(hits: Pick<SearchHit, 'customerPhone' | 'customerEmail'>[], q: ClassifiedQuery): { kind: 'phone' | 'email'; matched: boolean }[] {
  const out: { kind: 'phone' | 'email'; matched: boolean }[] = [];
  const d = q.phoneDigits;
  if (d !== null)
    out.push({
      kind: 'phone',
      matched: hits.some((h) => {
        const stored = h.customerPhone === null ? '' : phoneDigits(h.customerPhone);
        return d.length >= 10 ? stored.length >= 10 && stored.slice(-10) === d.slice(-10) : stored === d;
      }),
    });
  if (q.email !== null) out.push({ kind: 'email', matched: hits.some((h) => h.customerEmail !== null && normalizeEmail(h.customerEmail) === q.email) });
  return out;
}

/** The query checked and classified; throws `invalid` saying what to pass instead. */
export function parseQuery(query: string): ClassifiedQuery {
  const trimmed = typeof query === 'string' ? query.trim() : '';
  if (!trimmed)
    throw invalid(
      'query is empty — pass what the caller gave you: a task number (1042, #1042), a phone number, an email address, ' +
        'part of the customer name, or words from the task title (e.g. "dishwasher")',
    );
  if (trimmed.length > MAX_QUERY_LENGTH)
    throw invalid(`query is longer than ${MAX_QUERY_LENGTH} characters — pass just the task number, phone, email, name or a few words`);
  return classifyQuery(trimmed);
}

/**
 * The statements behind a search, for EXPLAIN and tests: one per applicable class on its own, then each round trip
 * of `searchSteps` that holds more than one class (as `searchTasks` runs it).
 */
export function searchStatements(workspaceId: string, query: string, opts: SearchOptions): SearchStatement[] {
  const q = parseQuery(query);
  const single = applicableClasses(q).map((cls) => searchStatement(workspaceId, q, opts, [cls]));
  const combined = searchSteps(q)
    .map((s) => [...s.classes, ...(s.ifNothingYet ?? [])])
    .filter((classes) => classes.length > 1)
    .map((classes) => searchStatement(workspaceId, q, opts, classes));
  return [...single, ...combined];
}

/** Find the tasks a caller means, ranked best first (see the module comment); usually one round trip. */
export async function searchTasks(
  db: Queryable,
  workspaceId: string,
  query: string | ClassifiedQuery,
  opts: SearchOptions,
): Promise<{ hits: SearchHit[]; query: ClassifiedQuery }> {
  const q = typeof query === 'string' ? parseQuery(query) : query;
  checkOptions(opts);
  const best = new Map<number, SearchHit>();
  for (const step of searchSteps(q)) {
    const classes = stepClasses(step, best.values(), opts.limit);
    if (!classes) continue;
    const st = searchStatement(workspaceId, q, opts, classes);
    const r = await db.query<SearchHit>(st.sql, st.params);
    for (const hit of r.rows) {
      const had = best.get(hit.id);
      if (!had || hit.score > had.score) best.set(hit.id, hit);
    }
  }
  const hits = [...best.values()]
    .sort((a, b) => b.score - a.score || b.updatedAt.getTime() - a.updatedAt.getTime() || b.id - a.id)
    .slice(0, opts.limit);
  return { hits, query: q };
}
