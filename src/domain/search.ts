/**
 * Task search for a phone caller: classify what the caller said, then look each part up through its index.
 *
 * Classes and the index each one uses:
 * - taskNumber — `#1042`, `task 1042`, a bare number of up to 6 digits: exact, tasks (workspace_id, number) unique.
 * - phone — a run of ≥ 7 digits in any format, optional country code: the digits as a suffix of the stored digits,
 *   `phone_rev LIKE reverse(last ≤ 10 digits) || '%'` on customers_phone_rev (text_pattern_ops).
 * - email — a token with `@`: exact or prefix, `email_lower LIKE escaped || '%'` on customers_email.
 * - customerName — names that start with the words, first word first or last word first ("hale russell"), on the
 *   prefix btrees of 0002_search.sql (ordered ranges that stop after CANDIDATES rows); then, when that finds
 *   nothing, misspellings: each word said is corrected against the workspace's name words (name_tokens: trigram word
 *   similarity, edit distance ≤ 1 for words of up to 4 letters, ≤ 2 otherwise — a swap is 2 — or the same dmetaphone
 *   within 4), and the customers whose name holds a correction of every word are looked up on customers_name_keys
 *   ('<workspace>:<word>' keys, so only the workspace is read); a two-word name is also looked up corrected and whole,
 *   in either order, ranked by the edits it took; last, when nothing at all matched, the whole text by trigram word
 *   similarity (customers_name_trgm). Case/accent-free via normalizeName.
 * - text — `search_tsv @@ plainto_tsquery('english', words)` (all words), newest first: the most recent TEXT_WINDOW
 *   tasks (tasks_recent), then a longer bounded walk for common words or the GIN index tasks_search for rare ones
 *   (textCtes); words rarer than every lexeme PostgreSQL's statistics list as common (a misspelt name, a word that
 *   matches nothing) go to the GIN index at once (textStats); with 3–6 words and nothing else found, any
 *   all-but-one subset of the words. Skipped when the words are a customer's name (the name lookup found someone).
 * Name/phone/email find at most CANDIDATES customers through their index, then each one's newest tasks through
 * tasks_customer (workspace_id, customer_id, updated_at DESC). Every statement filters on workspace_id.
 *
 * Round trips (searchSteps): one statement for task number + phone + email + name prefix + text — the usual case —
 * then misspelt names (trigram and corrected), carrying the last-resort fallbacks when nothing at all was found, only when the first left the
 * page short and found no customer by name. Within a statement each class is a MATERIALIZED CTE gated on the classes
 * before it having found fewer than `limit` tasks (a one-time filter: the gated scan never starts), so "Russell"
 * never pays for a full-text search.
 *
 * Ranking is `score` (higher first), then recency (updated_at desc), then id:
 *   taskNumber 1 > exact phone / exact email 0.95 > phone suffix / email prefix 0.85
 *   > customerName 0.5 + 0.3 × word similarity (≤ 0.8) for a name that starts with the words and for the loose
 *   lookup; for a misspelt name 0.8 − 0.05 × the edits its correction took (a swap of neighbours is one edit, a
 *   same-sounding word one less; never below 0.35), less up to 0.01 for how far the whole text is from the name
 *   > text 0.3 > relaxed text 0.2.
 * A task reached by several classes is reported once, with its best match (`matchedOn`).
 *
 * Statements are prepared once per shape and connection with a generic plan (client.ts, `generic`): planning one
 * took 1–2 ms on PostgreSQL, as much as running it. They are written so that the generic plan is the right one for
 * any values — prefixes as index ranges (prefixRange), the order of work fixed by MATERIALIZED CTEs, OFFSET 0 fences
 * and LIMITs — and test/db/search-plans.test.ts checks the generic plan of every class as well as the custom one.
 */

import { createHash } from 'node:crypto';
import { prepared, type Prepared, type Queryable } from '../platform/db/client.ts';
import { parseQuery, type ClassifiedQuery, type SearchHit, type SearchOptions } from './searchQuery.ts';
import { checkOptions, commonLexemes, searchStatement, searchSteps, stepClasses, textStatsQuery } from './searchSql.ts';

export type { ClassifiedQuery, MatchedOn, SearchHit, SearchOptions } from './searchQuery.ts';
export { classifyQuery, contactMatches, MAX_QUERY_LENGTH, parseQuery } from './searchQuery.ts';
export type { SearchClass, SearchStatement, SearchStep } from './searchSql.ts';
export {
  CANDIDATES,
  commonLexemes,
  GIN_ROW_COST,
  MAX_LIMIT,
  NAME_ROTATED,
  SCORES,
  searchStatement,
  searchStatements,
  searchSteps,
  stepClasses,
  TEXT_WIDE_WINDOW,
  TEXT_WINDOW,
} from './searchSql.ts';

/** One prepared statement per distinct statement text (a few hundred shapes at most: classes, status, word counts). */
const SHAPES = new Map<string, Prepared>();
export function preparedSearch(sql: string): Prepared {
  let st = SHAPES.get(sql);
  if (!st) {
    st = prepared(`search_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`, sql, { generic: true });
    SHAPES.set(sql, st);
  }
  return st;
}

/** How long the common lexemes of tasks.search_tsv (textStatsQuery) are reused before they are read again. */
export const TEXT_STATS_TTL_MS = 10 * 60_000;
type TextStats = { common: string | null; minFreq: number | null; rows: number };
type StatsEntry = { at: number; common: string | null; loading?: Promise<string | null> };
const textStatsCache = new WeakMap<Queryable, StatsEntry>();

/** Read the common lexemes for `db` now (see commonLexemes) and keep them for TEXT_STATS_TTL_MS. */
export function loadTextStats(db: Queryable): Promise<string | null> {
  const entry = textStatsCache.get(db) ?? { at: Number.NEGATIVE_INFINITY, common: null };
  textStatsCache.set(db, entry);
  entry.loading ??= db
    .query<TextStats>(textStatsQuery)
    .then(
      (r) => commonLexemes(r.rows[0]),
      // No statistics view, or no right to read it: the walk always runs, and the next read is after the TTL.
      () => null,
    )
    .then((common) => {
      Object.assign(entry, { common, at: Date.now(), loading: undefined });
      return common;
    });
  return entry.loading;
}

/**
 * The common lexemes for `db`, as last read: a search never waits for them. Until they are known, and inside a
 * transaction (a Queryable that is not a whole database), the text walk simply always runs.
 */
export function textStats(db: Queryable): string | null {
  if (!('tx' in db)) return null;
  const e = textStatsCache.get(db);
  if (!e || Date.now() - e.at > TEXT_STATS_TTL_MS) void loadTextStats(db);
  return e?.common ?? null;
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
    const st = searchStatement(workspaceId, q, opts, classes, textStats(db));
    const r = await db.query<SearchHit>(preparedSearch(st.sql), st.params);
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
