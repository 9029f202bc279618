/** Deterministic randomness for the seed: a small PRNG, weighted pickers and UUIDs derived from keys. */
import { createHash } from 'node:crypto';
import type * as V from './vocabulary.ts';

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

/** Any JS number → 32 bits, so that seeds above 2^32, negative or fractional seeds still work and differ. */
export function seedBits(seed: number): number {
  if (!Number.isFinite(seed)) return hashString(String(seed));
  if (!Number.isInteger(seed)) return hashString(String(seed));
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  return fmix32(lo ^ fmix32(hi ^ 0x5bd1e995));
}

/** sfc32: small, fast, good statistical quality; one independent stream per (seed, label). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = '') {
    const s = seedBits(seed);
    const t = hashString(stream);
    this.a = fmix32(s ^ 0x9e3779b9);
    this.b = fmix32(t ^ 0x243f6a88);
    this.c = fmix32((s + t) ^ 0xb7e15162);
    this.d = 1;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Uniform uint32. */
  next(): number {
    const t0 = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    const t = (t0 + this.d) | 0;
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(arr: readonly T[]): T {
    if (arr.length === 0) throw new Error('pick from an empty list');
    return arr[this.int(arr.length)]!;
  }

  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(10));
    return s;
  }
}

/** Weighted choice with a precomputed cumulative table. */
export class Picker<T> {
  private readonly values: T[];
  private readonly cum: number[];
  private readonly total: number;

  constructor(table: V.Weighted<T>) {
    this.values = table.map((x) => x[0]);
    let acc = 0;
    this.cum = table.map((x) => (acc += x[1]));
    this.total = acc;
  }

  pick(rng: Rng): T {
    const x = rng.float() * this.total;
    let i = 0;
    while (i < this.cum.length - 1 && x >= this.cum[i]!) i++;
    return this.values[i]!;
  }
}

/** A UUID (version 4 layout) derived from a key: reruns into the same workspace get the same ids. */
export function deterministicUuid(key: string): string {
  const h = createHash('sha256').update(key).digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
