/** Normalizations shared by storage (normalized columns) and lookups (search, verification). */

const FOLD: Record<string, string> = { ø: 'o', ł: 'l', ß: 'ss', æ: 'ae', œ: 'oe', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/** Lower case, accents removed, punctuation to spaces, single spaces: "Zoë O'Brien" → "zoe o brien". */
export function normalizeName(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[øłßæœđðþı]/g, (c) => FOLD[c] ?? c)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Name compared regardless of word order: "hale russell" ≡ "Russell Hale". */
export function nameKey(s: string): string {
  return normalizeName(s).split(' ').filter(Boolean).sort().join(' ');
}

export function phoneDigits(s: string): string {
  return s.replace(/\D+/g, '');
}

export function reverse(s: string): string {
  return [...s].reverse().join('');
}

/** Escape LIKE metacharacters (the default escape character is backslash). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

export function normalizeEmail(s: string): string {
  return s.trim().toLowerCase();
}

/** Zero-width, bidi controls, tag characters and other invisible format characters. */
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\u{E0000}-\u{E007F}]/gu;

/** Every character INVISIBLE matches is outside ASCII: a string without one has nothing to strip. */
const NON_ASCII = /[\u0080-\uffff]/;

export function stripInvisible(s: string): string {
  return NON_ASCII.test(s) ? s.replace(INVISIBLE, '') : s;
}
