/**
 * How the seeded rows are distributed: time spans, weighted pickers over the vocabulary (statuses by age, priorities,
 * comment counts and kinds, phone formats) and the filler of `{placeholder}` templates. generate.ts draws from these.
 */
import { normalizeName } from '../domain/normalize.ts';
import type { Priority, Status } from '../domain/tasks.ts';
import * as V from './vocabulary.ts';
import { Picker, type Rng } from './random.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const SPAN = 730 * DAY;
// Vocabulary pickers (built once per process)

export const EMAIL_DOMAINS = new Picker(V.EMAIL_DOMAINS);
export const ASSISTANT_NAMES = new Picker(V.ASSISTANT_NAMES);
export const TITLE_SUFFIXES = new Picker(V.TITLE_SUFFIXES);
export const RESIDENTIAL = new Picker(V.VERTICALS.map((v) => [v, v.residential] as const));
export const BUSINESS = new Picker(V.VERTICALS.map((v) => [v, v.business] as const));
export const PRIORITY = new Picker<Priority>([
  ['normal', 70],
  ['high', 18],
  ['low', 7],
  ['urgent', 5],
]);
export const STATUS_FRESH = new Picker<Status>([
  ['open', 50],
  ['in_progress', 25],
  ['waiting', 8],
  ['done', 15],
  ['cancelled', 2],
]);
export const STATUS_RECENT = new Picker<Status>([
  ['open', 18],
  ['in_progress', 20],
  ['waiting', 17],
  ['done', 42],
  ['cancelled', 3],
]);
export const STATUS_MONTHS = new Picker<Status>([
  ['open', 4],
  ['in_progress', 4],
  ['waiting', 6],
  ['done', 80],
  ['cancelled', 6],
]);
export const STATUS_OLD = new Picker<Status>([
  ['open', 1],
  ['in_progress', 0.5],
  ['waiting', 1.5],
  ['done', 91],
  ['cancelled', 6],
]);
export const COMMENT_COUNT = new Picker<number>([
  [0, 25],
  [1, 30],
  [2, 22],
  [3, 13],
  [4, 10],
]);
export const COMMENT_KIND = new Picker<'staff' | 'customer' | 'assistant'>([
  ['staff', 50],
  ['customer', 22],
  ['assistant', 28],
]);
export const SENTENCES = new Picker<number>([
  [1, 30],
  [2, 45],
  [3, 25],
]);

export type PhoneFormat = (a: string, e: string, l: string) => string;
export const PHONE_FORMATS = new Picker<PhoneFormat>([
  [(a, e, l) => `(${a}) ${e}-${l}`, 24],
  [(a, e, l) => `${a}-${e}-${l}`, 22],
  [(a, e, l) => `+1 (${a}) ${e}-${l}`, 12],
  [(a, e, l) => `${a}.${e}.${l}`, 10],
  [(a, e, l) => `${a}${e}${l}`, 12],
  [(a, e, l) => `+1${a}${e}${l}`, 6],
  [(a, e, l) => `1-${a}-${e}-${l}`, 4],
  [(a, e, l) => `${a} ${e} ${l}`, 5],
  [(a, e, l) => `+1 ${a}-${e}-${l}`, 5],
]);

export function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Lowercase ASCII letters only: "Núñez" → "nunez", "O'Brien" → "obrien". */
export function asciiWord(s: string): string {
  return normalizeName(s).replace(/[^a-z0-9]/g, '');
}

export function fill(template: string, rng: Rng, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_m, k: string) => {
    const v = vars[k];
    if (v !== undefined) return v;
    switch (k) {
      case 'n':
        return String(rng.between(2, 16));
      case 'when':
        return rng.pick(V.WHEN);
      case 'period':
        return rng.pick(V.PERIODS);
      case 'code':
        return rng.digits(4);
      case 'unit':
        return rng.chance(0.5) ? `${rng.between(1, 9)}${'ABCDEF'[rng.int(6)]}` : String(rng.between(101, 1420));
      case 'amount':
        return String(rng.between(3, 18) * 50);
      case 'part':
        return rng.pick(V.PARTS);
      case 'model': {
        const L = 'ABCDEFGHJKLMNPRSTVWXZ';
        let m = '';
        for (let i = 0; i < 3; i++) m += L[rng.int(L.length)];
        return m + rng.digits(3) + L[rng.int(L.length)] + L[rng.int(L.length)];
      }
      default:
        return k;
    }
  });
}
