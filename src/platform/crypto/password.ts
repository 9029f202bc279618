import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt at OWASP's current parameters (N = 2^17, r = 8, p = 1: 128 MiB and roughly half a second of one core per
 * hash here). Hashes made with other parameters still verify, and sign-in rehashes them (needsRehash).
 */
export const PASSWORD_PARAMS = { N: 2 ** 17, r: 8, p: 1, keylen: 32 } as const;
/** Node refuses scrypt above 32 MiB unless told: 128 · N · r bytes, with room to spare. */
const maxmem = (N: number, r: number) => 256 * N * r;
/** The largest cost a stored hash may ask for (a corrupted or hostile row must not ask for gigabytes). */
const MAX_N = 2 ** 20;

function scryptAsync(pw: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(pw, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

/** scrypt$N$r$p$salt$hash (base64url). */
export async function hashPassword(pw: string, params: { N: number; r: number; p: number } = PASSWORD_PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(pw, salt, PASSWORD_PARAMS.keylen, { ...params, maxmem: maxmem(params.N, params.r) });
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(pw: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  if (kind !== 'scrypt' || !salt || !hash || !(N > 1 && N <= MAX_N) || !(R >= 1 && R <= 32) || !(P >= 1 && P <= 16)) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(pw, Buffer.from(salt, 'base64url'), expected.length, { N, r: R, p: P, maxmem: maxmem(N, R) });
  return timingSafeEqual(key, expected);
}

/** Was this hash made with other parameters than today's? (Then the next successful sign-in stores a new one.) */
export function needsRehash(stored: string): boolean {
  const [kind, n, r, p] = stored.split('$');
  return kind !== 'scrypt' || Number(n) !== PASSWORD_PARAMS.N || Number(r) !== PASSWORD_PARAMS.r || Number(p) !== PASSWORD_PARAMS.p;
}

/** A readable random password: 4 groups of 5 base32-ish characters. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(20);
  let s = '';
  for (let i = 0; i < 20; i++) s += alphabet[bytes[i]! % alphabet.length];
  return s.match(/.{5}/g)!.join('-');
}
