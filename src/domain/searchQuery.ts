import { invalid } from './errors.ts';
import { normalizeEmail, normalizeName, phoneDigits } from './normalize.ts';
import type { Status, Task } from './tasks.ts';

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
export const MAX_QUERY_LENGTH = 200;
/** Words that only introduce a task number: "task 1042", "ticket no. 1042", "job # 1042". */
export const INTRO_WORDS = new Set([
  'task',
  'tasks',
  'ticket',
  'tickets',
  'job',
  'order',
  'number',
  'num',
  'no',
  'nr',
  'case',
  'ref',
  'request',
  'id',
  '#',
]);

/** A run of digits with phone punctuation between them: "+1 (703) 597-4534", "703.597.4534". */
export const DIGIT_RUN = /\+?\(?\d(?:[\d().\-\s]*\d)?\)?/g;
export const EMAIL_EDGE = /^[<("'[]+|[>)"'\],;:.!?]+$/g;
export const TOKEN_EDGE = /^[("'[]+|[)"'\],;:.!?]+$/g;
/** "1042", "#1042", "no.1042", "task#1042" (the word is checked against INTRO_WORDS). */
export const TASK_NUMBER = /^(?:([a-z]+)[.:]?)?(#)?(\d{1,9})$/i;
/** Text that ends with a word introducing a task number ("… ticket no. ", "#"): 7–9 digits after it are a number. */
export const INTRO_BEFORE = new RegExp(`(?:^|[\\s(])(?:#|(?:${[...INTRO_WORDS].filter((w) => w !== '#').join('|')})[.:]?\\s*#?)\\s*$`, 'i');
/** Bare numbers up to this many digits are task numbers; longer ones need "#" or "task" (or are phone numbers). */
export const BARE_NUMBER_DIGITS = 6;

export function digitCount(s: string): number {
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
    const e = raw
      .replace(EMAIL_EDGE, '')
      .replace(/^mailto:/i, '')
      .toLowerCase();
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
    if (digitCount(run) > 15)
      return run
        .split(/\s+/)
        .map((part) => (phoneRun(part) ? ' ' : part))
        .join(' ');
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
/**
 * The query's phone number and email address, each with whether some hit's customer has the whole of it (the
 * `wholeContactOnly` rule: the same last 10 digits, or all digits when either side has fewer; the same address
 * ignoring case).
 */
export function contactMatches(
  hits: Pick<SearchHit, 'customerPhone' | 'customerEmail'>[],
  q: ClassifiedQuery,
): { kind: 'phone' | 'email'; matched: boolean }[] {
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
  if (q.email !== null)
    out.push({ kind: 'email', matched: hits.some((h) => h.customerEmail !== null && normalizeEmail(h.customerEmail) === q.email) });
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
