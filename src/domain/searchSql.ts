import { invalid } from './errors.ts';
import { escapeLike, reverse } from './normalize.ts';
import { TASK_COLS, STATUSES } from './tasks.ts';
import { parseQuery, type ClassifiedQuery, type MatchedOn, type SearchHit, type SearchOptions } from './searchQuery.ts';

/**
 * A search class as run by SQL. `customerName` is the prefix lookup, `customerNameFuzzy` the word-by-word one (every
 * word said similar to a word of the name) and `customerNameLoose` the trigram one on the whole text (all report matchedOn
 * 'customerName'); `customerNameEdit` corrects each word of a two-word name against the workspace's name words
 * (edit distance, sound) and looks the corrected name up exactly (also 'customerName'); `textRelaxed` is the
 * all-but-one-word fallback of `text` (matchedOn 'text').
 */
export type SearchClass =
  | 'taskNumber'
  | 'phone'
  | 'email'
  | 'customerName'
  | 'text'
  | 'customerNameFuzzy'
  | 'customerNameEdit'
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
export const MAX_LIMIT = 50;
/** Customers considered per name / phone / email lookup. */
export const CANDIDATES = 50;
/** Shortest normalized text worth a name lookup ("Ng", "Li" are surnames). */
export const MIN_NAME_PREFIX_CHARS = 2;
/** Shortest word used in a fuzzy (trigram) name lookup, and shortest word for a one-word fuzzy lookup. */
export const MIN_FUZZY_WORD = 3;
export const MIN_FUZZY_SINGLE = 5;
export const MAX_FUZZY_TERMS = 4;
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
export const LAST_RESORT: SearchClass[] = ['customerNameLoose', 'textRelaxed'];
/** Words considered by the relaxed (all but one word) text fallback. */
export const RELAXED_MIN_WORDS = 3;
export const RELAXED_MAX_WORDS = 6;

/** Corrections tried per word of a name (the closest first), so at most this squared names are looked up. */
export const EDIT_CANDIDATES = 4;

export const SCORES = {
  taskNumber: 1,
  exactContact: 0.95,
  partialContact: 0.85,
  nameBase: 0.5,
  nameSpan: 0.3,
  /** A corrected name scores nameBase + nameSpan − perEdit × edits (wordCost: a swap is one, a same-sounding word one less). */
  perEdit: 0.05,
  /** … but never less than this (above text). */
  correctedFloor: 0.35,
  text: 0.3,
  textRelaxed: 0.2,
} as const;
export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

export interface Cte {
  name: string;
  body: string;
  /** Selects hits (id, updated_at, matched_on, score); helper CTEs (candidate customers) do not. */
  hits: boolean;
}

export interface Ctx {
  q: ClassifiedQuery;
  p: Params;
  ws: string;
  lim: string;
  /** `AND t.status = $n`, or ''. */
  status: string;
  /** `AND <condition that must hold for this class to run>`, or ''. */
  gate: string;
  wholeContactOnly: boolean;
  /** Parameter holding the common lexemes of tasks.search_tsv as a text[] literal, or NULL (see textStatsQuery). */
  common: string;
}

/**
 * `col` starts with `prefix`, as a range of the text_pattern_ops btree (byte order, which for UTF-8 is code point
 * order): prefix ≤ col < prefix with its last character one higher. Unlike `LIKE $n`, a range of parameters is an
 * index condition in a generic plan too, so the statement can be prepared once (see searchTasks).
 */
export function prefixRange(col: string, prefix: string, p: Params): string {
  const chars = [...prefix];
  const last = chars.pop()!.codePointAt(0)!;
  // U+FFFF..: no next character worth computing (normalized text never ends so); the open range and LIKE do instead.
  if (last >= 0xffff) return `${col} ~>=~ ${p.add(prefix)} AND ${col} LIKE ${p.add(escapeLike(prefix) + '%')}`;
  const next = chars.join('') + String.fromCodePoint(last + 1 === 0xd800 ? 0xe000 : last + 1);
  return `${col} ~>=~ ${p.add(prefix)} AND ${col} ~<~ ${p.add(next)}`;
}

export function checkOptions(opts: SearchOptions): void {
  if (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > MAX_LIMIT) throw invalid(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  if (opts.status !== undefined && !STATUSES.includes(opts.status)) throw invalid(`status must be one of ${STATUSES.join(', ')}`);
}

/** Words of the residual text used for fuzzy name matching (each must match the name); [] when not worth it. */
export function fuzzyTerms(words: string): string[] {
  const terms = words
    .split(' ')
    .filter((w) => w.length >= MIN_FUZZY_WORD)
    .slice(0, MAX_FUZZY_TERMS);
  // One short word ("lea", "leak") is word-similar to thousands of names on a big workspace: not selective enough.
  if (terms.length === 1 && terms[0]!.length < MIN_FUZZY_SINGLE) return [];
  return terms;
}

/** SQL: the edits (Levenshtein) a misspelt word of `len` letters may take — one up to 4 letters, two beyond. */
export const maxEdits = (len: string): string => `CASE WHEN ${len} <= 4 THEN 1 ELSE 2 END`;

/**
 * SQL: `a` is `b` with two neighbouring letters swapped ("jospeh" / "joseph", "lrary" / "larry"): one slip, though
 * Levenshtein counts two edits (fuzzystrmatch has no Damerau distance). Cheap tests first: the letter-by-letter one
 * runs only for words of the same length two edits apart.
 */
export function swapped(a: string, b: string): string {
  return `(length(${a}) = length(${b}) AND levenshtein_less_equal(${a}, ${b}, 2) = 2
      AND EXISTS (SELECT 1 FROM generate_series(1, length(${b}) - 1) k WHERE overlay(${b} placing substr(${b}, k + 1, 1) || substr(${b}, k, 1) from k for 2) = ${a}))`;
}

/**
 * SQL: name word `n.token` (with `n.phonetic`) is close to the word said `x.t` (with `x.len`, `x.sound` =
 * dmetaphone): word-similar by trigrams (pg_trgm's %>, the test whole names had before), or within one edit (words
 * of up to 4 letters) or two (longer, which takes in a swap of neighbours), or two neighbours swapped (the short
 * words), or sounding the same within four edits.
 */
export function closeWord(n: string, x: string): string {
  return `(${n}.token %> ${x}.t
      OR (abs(length(${n}.token) - ${x}.len) <= 2 AND levenshtein_less_equal(${n}.token, ${x}.t, 2) <= ${maxEdits(`${x}.len`)})
      OR (${n}.phonetic <> '' AND ${n}.phonetic = ${x}.sound AND levenshtein_less_equal(${n}.token, ${x}.t, 4) <= 4)
      OR (${x}.len <= 4 AND ${swapped(`${n}.token`, `${x}.t`)}))`;
}

/**
 * SQL: what correcting word said `x.t` (`x.sound` = dmetaphone) into name word `n.token` costs: its edits, one less
 * when they sound the same, one less when the word is the name word with two neighbours swapped.
 */
export function wordCost(n: string, x: string): string {
  return `greatest(0, levenshtein_less_equal(${n}.token, ${x}.t, 4) - (${n}.phonetic <> '' AND ${n}.phonetic = ${x}.sound)::int - ${swapped(`${n}.token`, `${x}.t`)}::int)`;
}

/** The two words of a name worth correcting ("wei zang", "lea mroeau"), or null: letters only, the longer 3+. */
export function editWords(words: string): [string, string] | null {
  const w = words.split(' ');
  if (w.length !== 2 || !w.every((x) => /^\p{L}{2,30}$/u.test(x)) || Math.max(w[0]!.length, w[1]!.length) < 3) return null;
  return [w[0]!, w[1]!];
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
  if (editWords(q.words)) out.push('customerNameEdit');
  if (terms.length > 1) out.push('customerNameLoose');
  const n = q.words ? q.words.split(' ').length : 0;
  if (n >= RELAXED_MIN_WORDS && n <= RELAXED_MAX_WORDS) out.push('textRelaxed');
  return out;
}

/** Newest tasks (up to limit) of each candidate customer (`cands` selects id, score), through tasks_customer. */
export function tasksOfCustomers(c: Ctx, cands: string, matched: MatchedOn): string {
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
 * When `rare` holds (the words are rarer than any PostgreSQL's statistics call common: rareWords), steps (1) and (2)
 * are skipped and the GIN index answers at once: the walk could not find `limit` matches, and reading 1,000 recent
 * tasks to learn that was most of the cost of a misspelt name or of words that match nothing. The hits are the same
 * either way (the newest matches); only the work differs.
 */
export function textCtes(c: Ctx, name: string, tsquery: string, score: number, rare: string): Cte[] {
  const recent = `${name}_recent`;
  const wide = `${name}_wide`;
  const skip = `${name}_rare`;
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
    { name: skip, hits: false, body: `SELECT ${rare} AS rare` },
    walk(recent, TEXT_WINDOW, `${c.gate} AND NOT (SELECT rare FROM ${skip})`),
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

/**
 * Common lexemes of tasks.search_tsv, from the statistics ANALYZE keeps (pg_stats.most_common_elems: the 1,000 most
 * frequent at the default statistics target), and how rare a word not among them can be: below the least frequent
 * of them. searchTasks reads this once per database every few minutes (textStats in search.ts).
 */
export const textStatsQuery = `
SELECT s.most_common_elems::text AS common,
       (SELECT min(f) FROM unnest(s.most_common_elem_freqs) f) AS "minFreq",
       c.reltuples AS rows
FROM pg_class c
JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = 'tasks' AND s.attname = 'search_tsv'
WHERE c.oid = 'tasks'::regclass`;

/**
 * The common lexemes to pass to a search (a text[] literal), or null when the walk must not be skipped: no statistics
 * yet, or a table so big that a word below the least common one may still match more tasks than the widest walk
 * reads (minFreq × rows × GIN_ROW_COST > TEXT_WIDE_WINDOW; the GIN fetch reads every match in the table).
 */
export function commonLexemes(stats: { common: string | null; minFreq: number | null; rows: number } | undefined): string | null {
  if (!stats?.common || stats.minFreq === null || !(stats.rows > 0)) return null;
  return stats.minFreq * stats.rows * GIN_ROW_COST <= TEXT_WIDE_WINDOW ? stats.common : null;
}

/**
 * SQL: at least `need` of the words (`words`, a text[]) hold a lexeme that is not among the common ones (`c.common`,
 * NULL when unknown: then never). For the text class the words are one string (any rare lexeme makes the AND rare);
 * for the relaxed one each word, two of them (every all-but-one subset keeps one).
 */
export function rareWords(c: Ctx, words: string, need: number): string {
  return `((SELECT count(*) FROM unnest(${words}::text[]) w
      WHERE EXISTS (SELECT 1 FROM unnest(tsvector_to_array(to_tsvector('english', w))) l WHERE l <> ALL (${c.common}::text[]))) >= ${need})`;
}

export function nameScore(w: string): string {
  return `round((${SCORES.nameBase} + ${SCORES.nameSpan} * word_similarity(${w}, name_norm))::numeric, 4)::float8`;
}

/**
 * SQL: the score of a corrected name that took `cost` edits (SCORES.perEdit each, never below SCORES.correctedFloor), less
 * up to a hundredth for how far the whole text said is from the name (`similarity`, 0..1), so that among names as
 * many edits away the closer whole ranks first (a hundredth never outweighs an edit).
 */
export function correctedScore(cost: string, similarity = '1'): string {
  return `round((greatest(${SCORES.correctedFloor}, ${SCORES.nameBase} + ${SCORES.nameSpan} - ${SCORES.perEdit} * (${cost})) - 0.01 * (1 - ${similarity}))::numeric, 4)::float8`;
}

export function classCtes(cls: SearchClass, c: Ctx): Cte[] {
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
                 WHERE workspace_id = ${ws} AND phone_rev IS NOT NULL AND ${prefixRange('phone_rev', reverse(last10), p)}${whole}${gate}
                 ORDER BY phone_rev USING ~<~ LIMIT ${CANDIDATES}) x`,
            'phone',
          ),
        },
      ];
    }
    case 'email': {
      // Exact or prefix (customers_email, index order: the exact address sorts first); exact only for whole contacts.
      const e = q.email!;
      const match = c.wholeContactOnly ? `email_lower = ${p.add(e)}` : prefixRange('email_lower', e, p);
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
      return [
        {
          name: 'c_name',
          hits: false,
          body: `
    (SELECT id, name_norm FROM customers
     WHERE workspace_id = ${ws} AND ${prefixRange('name_norm', q.words, p)}${gate}
     ORDER BY name_norm USING ~<~ LIMIT ${CANDIDATES})
    UNION
    (SELECT id, name_norm FROM customers
     WHERE workspace_id = ${ws} AND ${prefixRange(NAME_ROTATED, q.words, p)}${gate}
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
    case 'customerNameFuzzy': {
      // Misspelt names, word by word against the workspace's name words (name_tokens, a few hundred to a few
      // thousand): each word of 3+ letters said ("rusell hale", "jose nunes", "o'brien" → "brien", "apartmnets") is
      // corrected to the name words close to it (closeWord), and a customer is a candidate when the name holds a
      // correction of every word — looked up on customers_name_keys, whose keys are '<workspace>:<word>'
      // (0013_name_keys.sql), so nothing outside the workspace is read. Any number of words, unlike customerNameEdit.
      // Ranked by what the cheapest correction of each word in the name cost (wordCost), as customerNameEdit ranks.
      const terms = fuzzyTerms(q.words);
      const w = p.add(q.words);
      const t = p.add(terms);
      const holds = terms.map((_, k) => `tl_name_keys(workspace_id, name_norm) && (SELECT array_agg(key) FROM c_fuzzy WHERE i = ${k + 1})`);
      return [
        {
          name: 'c_fuzzy',
          hits: false,
          body: `
    SELECT x.i, ${ws}::text || ':' || n.token AS key, ${wordCost('n', 'x')} AS cost
    FROM (SELECT t, i, length(t) AS len, dmetaphone(t) AS sound FROM unnest(${t}::text[]) WITH ORDINALITY AS u(t, i) OFFSET 0) x
    JOIN name_tokens n ON n.workspace_id = ${ws} AND ${closeWord('n', 'x')}
    WHERE true${gate}`,
        },
        {
          name: 'h_fuzzy',
          hits: true,
          body: tasksOfCustomers(
            c,
            `SELECT id, ${correctedScore('cost', `word_similarity(${w}, name_norm)`)} AS score
           FROM (
             SELECT id, name_norm, (SELECT sum(m) FROM (SELECT min(f.cost) AS m FROM c_fuzzy f WHERE f.key = ANY (keys) GROUP BY f.i) z) AS cost
             FROM (SELECT id, name_norm, tl_name_keys(workspace_id, name_norm) AS keys FROM customers
                   WHERE workspace_id = ${ws} AND ${holds.join(' AND ')} OFFSET 0) k
           ) x
           ORDER BY score DESC, id DESC LIMIT ${CANDIDATES}`,
            'customerName',
          ),
        },
      ];
    }
    case 'customerNameLoose': {
      // The whole text word-similar to the name, through the GIN trigram index ("zoe obrien" ~ "zoe o brien", where
      // "obrien" is like no single name word): it can match every customer who shares a first name, so it runs last,
      // only when nothing else matched.
      const w = p.add(q.words);
      return [
        {
          name: 'h_loose',
          hits: true,
          body: tasksOfCustomers(
            c,
            `SELECT id, ${nameScore(w)} AS score FROM customers
           WHERE workspace_id = ${ws} AND name_norm %> ${w}${gate}
           ORDER BY score DESC, id DESC LIMIT ${CANDIDATES}`,
            'customerName',
          ),
        },
      ];
    }
    case 'customerNameEdit': {
      // Each word against the workspace's name words (name_tokens, a few hundred to a few thousand short strings):
      // the same word, or within one edit (words of up to 4 letters) or two, a swap of neighbours counting one, or
      // sounding the same (dmetaphone) within four (Kathryn/Catherine). An edit costs 1, a swap 1, a same-sounding
      // word one less (wordCost's rule). The EDIT_CANDIDATES cheapest per
      // word make up to 16 names, in both word orders, looked up exactly on customers_name_prefix. (OFFSET 0 keeps
      // the planner from inlining: each word's sound is computed once, each distance once per word.)
      const [a, b] = editWords(q.words)!;
      const words = p.add([a, b]);
      return [
        {
          name: 'c_tok',
          hits: false,
          body: `
    SELECT i, token, greatest(0, d - same_sound - swap) AS cost
    FROM (
      SELECT i, len, token, d, same_sound, (d = 2 AND ${swapped('token', 'w')})::int AS swap
      FROM (
        SELECT x.i, x.len, x.w, n.token, levenshtein_less_equal(n.token, x.w, 4) AS d,
          (n.phonetic <> '' AND n.phonetic = x.sound)::int AS same_sound
        FROM (SELECT w, i, length(w) AS len, dmetaphone(w) AS sound FROM unnest(${words}::text[]) WITH ORDINALITY AS u(w, i) OFFSET 0) x
        JOIN name_tokens n ON n.workspace_id = ${ws} AND abs(length(n.token) - x.len) <= 3
        WHERE true${gate}
        OFFSET 0
      ) y
    ) z
    WHERE d - swap <= ${maxEdits('len')} OR (same_sound = 1 AND d <= 4)`,
        },
        {
          name: 'c_edit',
          hits: false,
          body: `
    SELECT c.id, min(x.cost + y.cost) AS cost
    FROM (SELECT i, token, cost, row_number() OVER (PARTITION BY i ORDER BY cost, token) AS k FROM c_tok) x
    JOIN (SELECT i, token, cost, row_number() OVER (PARTITION BY i ORDER BY cost, token) AS k FROM c_tok) y
      ON x.i = 1 AND y.i = 2 AND x.k <= ${EDIT_CANDIDATES} AND y.k <= ${EDIT_CANDIDATES}
    JOIN customers c ON c.workspace_id = ${ws}
      AND (c.name_norm = x.token || ' ' || y.token OR c.name_norm = y.token || ' ' || x.token)
    GROUP BY c.id
    ORDER BY cost, c.id LIMIT ${CANDIDATES}`,
        },
        {
          name: 'h_edit',
          hits: true,
          body: tasksOfCustomers(c, `SELECT id, ${correctedScore('cost')} AS score FROM c_edit`, 'customerName'),
        },
      ];
    }
    case 'text': {
      const words = p.add(q.words);
      return textCtes(c, 'h_text', `plainto_tsquery('english', ${words})`, SCORES.text, rareWords(c, `ARRAY[${words}::text]`, 1));
    }
    case 'textRelaxed': {
      // (w1 & w2) | (w1 & w3) | (w2 & w3): every subset that leaves out one word.
      const words = q.words.split(' ');
      const each = words.map((word) => `plainto_tsquery('english', ${p.add(word)})`);
      const subsets = words.map((_, skip) => `(${each.filter((_, k) => k !== skip).join(' && ')})`);
      return textCtes(c, 'h_relaxed', `(${subsets.join(' || ')})`, SCORES.textRelaxed, rareWords(c, p.add(words), 2));
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
  common: string | null = null,
): SearchStatement {
  checkOptions(opts);
  if (classes.length === 0) throw new Error('searchStatement: no search class given');
  const p = new Params();
  const ws = p.add(workspaceId);
  const lim = p.add(opts.limit);
  const status = opts.status ? ` AND t.status = ${p.add(opts.status)}` : '';
  const textual = classes.includes('text') || classes.includes('textRelaxed');
  const commonParam = textual ? p.add(common) : 'NULL';
  const built: Cte[] = [];
  for (const cls of classes) {
    // Gate: run only while the classes before found fewer than `limit` distinct tasks. Text also waits for the name
    // lookup to come up empty: a caller who said a customer's name means that customer, not tasks mentioning it.
    const prior = built.filter((b) => b.hits).map((b) => `SELECT id FROM ${b.name}`);
    let gate = prior.length > 0 ? ` AND (SELECT count(*) FROM (${prior.join(' UNION ')}) g) < ${lim}` : '';
    if (cls === 'text' && built.some((b) => b.name === 'h_name')) gate += ' AND NOT EXISTS (SELECT 1 FROM h_name)';
    // Last resorts run only when the misspelt-name classes of their step found nobody at all.
    if (LAST_RESORT.includes(cls))
      for (const h of ['h_fuzzy', 'h_edit']) if (built.some((b) => b.name === h)) gate += ` AND NOT EXISTS (SELECT 1 FROM ${h})`;
    built.push(...classCtes(cls, { q, p, ws, lim, status, gate, wholeContactOnly: opts.wholeContactOnly === true, common: commonParam }));
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
 * statistics target, ~0.1 ms with the target 0008_customer_name_statistics.sql sets), and they are rarely needed; a query
 * with last resorts but no fuzzy terms runs them as step (2) when (1) found nothing.
 */
export function searchSteps(q: ClassifiedQuery): SearchStep[] {
  const classes = applicableClasses(q);
  const misspelt: SearchClass[] = ['customerNameFuzzy', 'customerNameEdit'];
  const late: SearchClass[] = [...misspelt, ...LAST_RESORT];
  const main = classes.filter((c) => !late.includes(c));
  const names = classes.filter((c) => misspelt.includes(c));
  const last = classes.filter((c) => LAST_RESORT.includes(c));
  const steps: SearchStep[] = [];
  if (main.length > 0) steps.push({ classes: main, when: 'always' });
  if (names.length > 0) steps.push({ classes: names, when: 'fewHitsNoName', ifNothingYet: last });
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
