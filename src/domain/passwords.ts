/**
 * What a staff password must be: at least 12 characters and not one of the common passwords people pick first
 * (a list shipped in data/common-passwords.txt), nor the person's own email or name. Length is what matters; there
 * are no composition rules (NIST SP 800-63B).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeEmail } from './normalize.ts';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(
    fs
      .readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'data', 'common-passwords.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#')),
  );
  return common;
}

/** Why this password cannot be used, as a sentence for the person choosing it; null when it is fine. */
export function passwordProblem(password: string, who: { email?: string; name?: string } = {}): string | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH)
    return `Use at least ${MIN_PASSWORD_LENGTH} characters (this one has ${length}). A few unrelated words make a good one.`;
  if (length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower) || /^(.)\1+$/u.test(password))
    return 'This password is one of the most common ones, which attackers try first. Choose another.';
  const email = who.email ? normalizeEmail(who.email) : '';
  if (
    (email && (lower === email || lower === email.split('@')[0])) ||
    (who.name && lower.replace(/\s+/g, '') === who.name.toLowerCase().replace(/\s+/g, ''))
  )
    return 'Do not use your email address or name as your password.';
  return null;
}
