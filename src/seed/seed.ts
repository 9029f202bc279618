/**
 * Deterministic demo / benchmark data for one workspace: staff users, customers, tasks and comments that look like
 * a service business (appliance repair, HVAC, plumbing, electrical, IT, agency work).
 *
 * - Deterministic: the same `seed` and options produce the same rows (ids aside), whatever the batch size. Dates are
 *   relative to a fixed reference date (SEED_REFERENCE_DATE), never to the clock.
 * - Fast: rows are generated per batch and inserted with `INSERT … SELECT … FROM unnest($n::type[], …)`, one
 *   transaction per batch; the next batch is generated while the database writes the previous one.
 * - Task numbers come from one atomic reservation on workspaces.task_seq, so seeding a workspace that already has
 *   tasks continues its numbering.
 */
import { createHash } from 'node:crypto';
import type { Db, Queryable } from '../platform/db/client.ts';
import { generatePassword, hashPassword } from '../platform/crypto/password.ts';
import { customerColumns } from '../domain/customers.ts';
import { normalizeEmail, normalizeName } from '../domain/normalize.ts';
import type { Priority, Status } from '../domain/tasks.ts';
import * as V from './vocabulary.ts';

export interface SeedOptions {
  tasks: number;
  /** Default ≈ tasks / 3, at least 1. */
  customers?: number;
  /** Default 1. */
  seed?: number;
  /** Called after each committed batch of tasks. */
  onProgress?: (done: number, total: number) => void;
  /** Tasks per batch (and per transaction); default 5000. Does not change the generated data. */
  batchSize?: number;
  /** Batches written at once on a PostgreSQL server (default 2; PGlite always 1). Does not change the data. */
  concurrency?: number;
  /** Dates are spread over the two years before this instant; default SEED_REFERENCE_DATE. */
  referenceDate?: Date | string;
}

export interface SeedResult {
  tasks: number;
  customers: number;
  comments: number;
  /** Staff users created by this call (0 when the workspace already had at least 3 users). */
  users: number;
  /** The reserved task number range (inclusive). With tasks = 0 the range is empty: lastNumber = firstNumber - 1. */
  firstNumber: number;
  lastNumber: number;
}

export const SEED_REFERENCE_DATE = new Date('2026-11-01T00:00:00Z');

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SPAN = 730 * DAY;

// ---------------------------------------------------------------------------------------------------------------
// PRNG

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

/** Any JS number → 32 bits, so that seeds above 2^32, negative or fractional seeds still work and differ. */
function seedBits(seed: number): number {
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
class Picker<T> {
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

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary pickers (built once per process)

const EMAIL_DOMAINS = new Picker(V.EMAIL_DOMAINS);
const ASSISTANT_NAMES = new Picker(V.ASSISTANT_NAMES);
const TITLE_SUFFIXES = new Picker(V.TITLE_SUFFIXES);
const RESIDENTIAL = new Picker(V.VERTICALS.map((v) => [v, v.residential] as const));
const BUSINESS = new Picker(V.VERTICALS.map((v) => [v, v.business] as const));
const PRIORITY = new Picker<Priority>([['normal', 70], ['high', 18], ['low', 7], ['urgent', 5]]);
const STATUS_FRESH = new Picker<Status>([['open', 50], ['in_progress', 25], ['waiting', 8], ['done', 15], ['cancelled', 2]]);
const STATUS_RECENT = new Picker<Status>([['open', 18], ['in_progress', 20], ['waiting', 17], ['done', 42], ['cancelled', 3]]);
const STATUS_MONTHS = new Picker<Status>([['open', 4], ['in_progress', 4], ['waiting', 6], ['done', 80], ['cancelled', 6]]);
const STATUS_OLD = new Picker<Status>([['open', 1], ['in_progress', 0.5], ['waiting', 1.5], ['done', 91], ['cancelled', 6]]);
const COMMENT_COUNT = new Picker<number>([[0, 25], [1, 30], [2, 22], [3, 13], [4, 10]]);
const COMMENT_KIND = new Picker<'staff' | 'customer' | 'assistant'>([['staff', 50], ['customer', 22], ['assistant', 28]]);
const SENTENCES = new Picker<number>([[1, 30], [2, 45], [3, 25]]);

type PhoneFormat = (a: string, e: string, l: string) => string;
const PHONE_FORMATS = new Picker<PhoneFormat>([
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

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Lowercase ASCII letters only: "Núñez" → "nunez", "O'Brien" → "obrien". */
function asciiWord(s: string): string {
  return normalizeName(s).replace(/[^a-z0-9]/g, '');
}

function fill(template: string, rng: Rng, vars: Record<string, string>): string {
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

// ---------------------------------------------------------------------------------------------------------------
// Generation

interface GenCustomer {
  name: string;
  business: boolean;
  phone: string | null;
  email: string | null;
}

function genPhone(rng: Rng): string | null {
  if (rng.chance(0.08)) return null;
  if (rng.chance(0.025)) {
    switch (rng.int(3)) {
      case 0:
        return `+44 20 7946 ${rng.digits(4)}`;
      case 1:
        return `+44 7700 900${rng.digits(3)}`;
      default:
        return `+33 6 ${rng.digits(2)} ${rng.digits(2)} ${rng.digits(2)} ${rng.digits(2)}`;
    }
  }
  const area = rng.pick(V.AREA_CODES);
  const exch = String(rng.between(2, 9)) + rng.digits(2);
  const line = rng.digits(4);
  return PHONE_FORMATS.pick(rng)(area, exch, line);
}

function genCustomer(rng: Rng): GenCustomer {
  if (rng.chance(0.09)) {
    const prefix = rng.pick(V.BUSINESS_PREFIXES);
    const suffix = rng.pick(V.BUSINESS_SUFFIXES);
    const name = `${prefix} ${suffix}`;
    const slug = `${asciiWord(prefix)}${asciiWord(suffix.split(' ')[0]!)}`;
    const email = rng.chance(0.1) ? null : `${rng.pick(['info', 'office', 'frontdesk', 'admin', 'billing', 'manager'])}@${slug}.example`;
    return { name, business: true, phone: genPhone(rng), email };
  }
  const first = rng.pick(V.FIRST_NAMES);
  const last = rng.pick(V.LAST_NAMES);
  const middle = rng.chance(0.03) ? ` ${'ABCDEFGHJKLMNPRSTW'[rng.int(18)]}.` : '';
  const name = `${first}${middle} ${last}`;
  let email: string | null = null;
  if (!rng.chance(0.18)) {
    const f = asciiWord(first);
    const l = asciiWord(last);
    let local: string;
    switch (rng.int(8)) {
      case 0:
      case 1:
        local = `${f}.${l}`;
        break;
      case 2:
        local = `${f}${l}`;
        break;
      case 3:
        local = `${f.charAt(0)}${l}`;
        break;
      case 4:
        local = `${f}_${l}`;
        break;
      case 5:
        local = `${f}${l}${rng.between(1955, 2004) % 100}`;
        break;
      case 6:
        local = `${f}.${l}${rng.between(1, 99)}`;
        break;
      default:
        local = `${l}.${f.charAt(0)}`;
        break;
    }
    const domain = EMAIL_DOMAINS.pick(rng);
    email = `${local}@${domain}`;
    if (rng.chance(0.12)) {
      // Mixed case, the way people type it into web forms.
      email = local.split('.').map(cap).join('.') + '@' + cap(domain);
    } else if (rng.chance(0.02)) {
      email = email.toUpperCase();
    }
  }
  return { name, business: false, phone: genPhone(rng), email };
}

export interface SeedStaff {
  id: string;
  name: string;
}

/** Column arrays for one batch: new customers, tasks, comments. */
interface Batch {
  firstNumber: number;
  // new customers, in customer-index order
  cIndex: number[];
  cName: string[];
  cNameNorm: string[];
  cPhone: (string | null)[];
  cPhoneDigits: (string | null)[];
  cPhoneRev: (string | null)[];
  cEmail: (string | null)[];
  cEmailLower: (string | null)[];
  cCreated: string[];
  // tasks
  tNumber: number[];
  tTitle: string[];
  tDesc: string[];
  tStatus: string[];
  tPriority: string[];
  tCustomer: number[]; // customer index, -1 for none
  tCustomerName: (string | null)[];
  tAssignee: (string | null)[];
  tDue: (string | null)[];
  tCreated: string[];
  tUpdated: string[];
  // comments
  kTaskNumber: number[];
  kKind: string[];
  kUser: (string | null)[];
  kName: string[];
  kBody: string[];
  kCreated: string[];
}

function emptyBatch(firstNumber: number): Batch {
  return {
    firstNumber,
    cIndex: [],
    cName: [],
    cNameNorm: [],
    cPhone: [],
    cPhoneDigits: [],
    cPhoneRev: [],
    cEmail: [],
    cEmailLower: [],
    cCreated: [],
    tNumber: [],
    tTitle: [],
    tDesc: [],
    tStatus: [],
    tPriority: [],
    tCustomer: [],
    tCustomerName: [],
    tAssignee: [],
    tDue: [],
    tCreated: [],
    tUpdated: [],
    kTaskNumber: [],
    kKind: [],
    kUser: [],
    kName: [],
    kBody: [],
    kCreated: [],
  };
}

class Generator {
  private readonly taskRng: Rng;
  private readonly custRng: Rng;
  private readonly start: number;
  private readonly step: number;
  private used = 0;
  /** Per customer index: name and whether it is a business (returning customers need both). */
  private readonly custNames: string[] = [];
  private readonly custBusiness: Uint8Array;
  private readonly staffPicker: Picker<SeedStaff>;

  constructor(
    seed: number,
    private readonly ref: number,
    private readonly nTasks: number,
    private readonly nCustomers: number,
    private readonly firstNumber: number,
    private readonly staff: readonly SeedStaff[],
  ) {
    this.taskRng = new Rng(seed, 'tasks');
    this.custRng = new Rng(seed, 'customers');
    this.custBusiness = new Uint8Array(nCustomers);
    // Tasks are spread evenly (with jitter) over two years, in number order, ending an hour before the reference.
    this.start = ref - SPAN;
    this.step = nTasks > 0 ? (SPAN - HOUR) / nTasks : 0;
    // Some staff take most of the work.
    this.staffPicker = new Picker(staff.map((s, k) => [s, 1 / (1 + 0.45 * k)] as const));
  }

  get customersUsed(): number {
    return this.used;
  }

  private addCustomer(b: Batch, createdAt: number): number {
    const j = this.used++;
    const c = genCustomer(this.custRng);
    const cols = customerColumns(c);
    this.custNames[j] = cols.name;
    this.custBusiness[j] = c.business ? 1 : 0;
    b.cIndex.push(j);
    b.cName.push(cols.name);
    b.cNameNorm.push(cols.name_norm);
    b.cPhone.push(cols.phone);
    b.cPhoneDigits.push(cols.phone_digits);
    b.cPhoneRev.push(cols.phone_rev);
    b.cEmail.push(cols.email);
    b.cEmailLower.push(cols.email_lower);
    b.cCreated.push(new Date(createdAt).toISOString());
    return j;
  }

  /** Customers that no task refers to (when customers > tasks), in batches. */
  leftoverCustomers(max: number): Batch | null {
    if (this.used >= this.nCustomers) return null;
    const b = emptyBatch(0);
    while (b.cIndex.length < max && this.used < this.nCustomers) {
      this.addCustomer(b, Math.floor(this.start + this.custRng.float() * SPAN));
    }
    return b;
  }

  /** Tasks with index [from, to) (number = firstNumber + index), their new customers and comments. */
  tasks(from: number, to: number): Batch {
    const rng = this.taskRng;
    const b = emptyBatch(this.firstNumber + from);
    for (let i = from; i < to; i++) {
      const number = this.firstNumber + i;
      const created = Math.floor(this.start + (i + rng.float()) * this.step);
      const age = this.ref - created;

      // Customer: a new one at the rate that uses every customer by the last task, otherwise a returning one
      // (a third of those go to "regulars", so some customers have many tasks).
      const remC = this.nCustomers - this.used;
      const remT = this.nTasks - i;
      let cust = -1;
      const internal = remC < remT && this.used > 0 && rng.chance(0.02);
      if (!internal) {
        if (this.used === 0 || (remC > 0 && rng.float() * remT < remC)) {
          cust = this.addCustomer(b, created - rng.between(1, 30) * MINUTE);
        } else if (rng.chance(0.35)) {
          const regulars = Math.ceil(this.used / 20);
          const f = rng.float();
          cust = 20 * Math.floor(regulars * f * Math.sqrt(f));
        } else {
          cust = rng.int(this.used);
        }
      }
      const custName = cust >= 0 ? this.custNames[cust]! : null;

      // What
      let title: string;
      let desc: string;
      if (cust < 0) {
        title = rng.pick(V.INTERNAL_TITLES);
        desc = rng.pick(['', 'Internal.', 'Details are in the shared drive.', 'Due before the end of the month.', 'Ask Marisol for the supplier list.']);
      } else {
        const vertical = (this.custBusiness[cust] ? BUSINESS : RESIDENTIAL).pick(rng);
        const item = rng.pick(vertical.items);
        const brand = rng.pick(item.brands);
        const problem = rng.pick(item.problems);
        const isJob = rng.chance(0.3);
        title = (isJob ? rng.pick(item.jobs) : `${cap(item.name)} ${problem}`) + TITLE_SUFFIXES.pick(rng);
        const vars = { Brand: brand, item: item.name, problem };
        const parts: string[] = [];
        parts.push(rng.chance(0.45) ? rng.pick(item.details) : fill(rng.pick(isJob ? V.JOB_OPENERS : V.PROBLEM_OPENERS), rng, vars));
        const n = SENTENCES.pick(rng);
        if (n >= 2) parts.push(rng.chance(0.5) ? rng.pick(item.details) : fill(rng.pick(V.ACCESS_NOTES), rng, vars));
        if (n >= 3) parts.push(fill(rng.pick(rng.chance(0.5) ? V.ACCESS_NOTES : V.SCHEDULING_NOTES), rng, vars));
        desc = parts.filter((p, k) => parts.indexOf(p) === k).join(' ');
      }

      // State: recent tasks are mostly open, old ones mostly done.
      const status = (age < 3 * DAY ? STATUS_FRESH : age < 21 * DAY ? STATUS_RECENT : age < 90 * DAY ? STATUS_MONTHS : STATUS_OLD).pick(rng);
      let priority = PRIORITY.pick(rng);
      if (title.endsWith('URGENT')) priority = 'urgent';
      let updated: number;
      switch (status) {
        case 'done':
        case 'cancelled':
          // 10 minutes to ~3 weeks, log-uniform
          updated = created + Math.floor(10 * MINUTE * Math.exp(rng.float() * Math.log((21 * DAY) / (10 * MINUTE))));
          break;
        case 'open':
          updated = created + Math.floor(rng.float() * rng.float() * age);
          break;
        default:
          updated = created + Math.floor(rng.float() * age);
      }
      updated = Math.max(created + 10 * MINUTE, Math.min(updated, this.ref));
      let due: number | null = null;
      const isOpen = status === 'open' || status === 'in_progress' || status === 'waiting';
      if (rng.chance(isOpen ? (age < 30 * DAY ? 0.65 : 0.35) : 0.2)) {
        // A visit window some hours to three weeks out; open ones whose date passed are overdue.
        const d = created + rng.between(4, 21 * 24) * HOUR;
        due = d - (d % HOUR);
      }
      const assignP = status === 'in_progress' ? 1 : status === 'waiting' ? 0.9 : status === 'open' ? 0.7 : status === 'done' ? 0.97 : 0.6;
      const assignee = this.staff.length > 0 && rng.chance(assignP) ? this.staffPicker.pick(rng) : null;

      b.tNumber.push(number);
      b.tTitle.push(title);
      b.tDesc.push(desc);
      b.tStatus.push(status);
      b.tPriority.push(priority);
      b.tCustomer.push(cust);
      b.tCustomerName.push(custName);
      b.tAssignee.push(assignee?.id ?? null);
      b.tDue.push(due === null ? null : new Date(due).toISOString());
      b.tCreated.push(new Date(created).toISOString());
      b.tUpdated.push(new Date(updated).toISOString());

      // Comments, oldest first, between created and updated.
      const k = COMMENT_COUNT.pick(rng);
      const window = updated - created - MINUTE;
      for (let m = 0; m < k; m++) {
        let kind = COMMENT_KIND.pick(rng);
        if (kind === 'customer' && custName === null) kind = 'staff';
        if (kind === 'staff' && this.staff.length === 0) kind = 'assistant';
        const at = created + MINUTE + Math.floor((window * (m + rng.float())) / k);
        let user: string | null = null;
        let name: string;
        let body: string;
        if (kind === 'staff') {
          const who = assignee && rng.chance(0.7) ? assignee : this.staffPicker.pick(rng);
          user = who.id;
          name = who.name;
          body = fill(rng.pick(V.STAFF_COMMENTS), rng, {});
        } else if (kind === 'customer') {
          name = custName!;
          body = rng.pick(V.CUSTOMER_COMMENTS);
        } else {
          name = ASSISTANT_NAMES.pick(rng);
          body = rng.pick(V.ASSISTANT_COMMENTS);
        }
        b.kTaskNumber.push(number);
        b.kKind.push(kind);
        b.kUser.push(user);
        b.kName.push(name);
        b.kBody.push(body);
        b.kCreated.push(new Date(at).toISOString());
      }
    }
    return b;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Database

const INSERT_CUSTOMERS = `
  INSERT INTO customers (workspace_id, name, name_norm, phone, phone_digits, phone_rev, email, email_lower, created_at)
  SELECT $1, u.name, u.name_norm, u.phone, u.phone_digits, u.phone_rev, u.email, u.email_lower, u.created_at
  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
       WITH ORDINALITY AS u(name, name_norm, phone, phone_digits, phone_rev, email, email_lower, created_at, ord)
  ORDER BY u.ord
  RETURNING id`;

const INSERT_TASKS = `
  INSERT INTO tasks (workspace_id, number, title, description, status, priority, customer_id, customer_name,
                     assignee_id, due_at, created_at, updated_at)
  SELECT $1, u.* FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[],
                             $9::uuid[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[]) AS u
  RETURNING id, number`;

const INSERT_COMMENTS = `
  INSERT INTO comments (workspace_id, task_id, author_kind, author_user_id, author_name, body, created_at)
  SELECT $1, u.* FROM unnest($2::int[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::timestamptz[]) AS u`;

/** Insert a batch's new customers; record their ids by customer index. */
async function insertCustomers(q: Queryable, workspaceId: string, b: Batch, custIds: Int32Array): Promise<void> {
  if (b.cIndex.length === 0) return;
  const r = await q.query<{ id: number }>(INSERT_CUSTOMERS, [
    workspaceId,
    b.cName,
    b.cNameNorm,
    b.cPhone,
    b.cPhoneDigits,
    b.cPhoneRev,
    b.cEmail,
    b.cEmailLower,
    b.cCreated,
  ]);
  if (r.rows.length !== b.cIndex.length) throw new Error(`seed: inserted ${r.rows.length} customers, expected ${b.cIndex.length}`);
  // Identity values are drawn in insertion (ord) order, so ascending ids line up with the batch order.
  const ids = r.rows.map((x) => Number(x.id)).sort((x, y) => x - y);
  for (let k = 0; k < ids.length; k++) custIds[b.cIndex[k]!] = ids[k]!;
}

/** Insert a batch's tasks and their comments (its new customers are already in). */
async function insertTasks(q: Queryable, workspaceId: string, b: Batch, custIds: Int32Array): Promise<void> {
  const n = b.tNumber.length;
  if (n === 0) return;
  const customerIds = b.tCustomer.map((j) => (j < 0 ? null : custIds[j]!));
  const r = await q.query<{ id: number; number: number }>(INSERT_TASKS, [
    workspaceId,
    b.tNumber,
    b.tTitle,
    b.tDesc,
    b.tStatus,
    b.tPriority,
    customerIds,
    b.tCustomerName,
    b.tAssignee,
    b.tDue,
    b.tCreated,
    b.tUpdated,
  ]);
  if (r.rows.length !== n) throw new Error(`seed: inserted ${r.rows.length} tasks, expected ${n}`);
  if (b.kTaskNumber.length === 0) return;
  const idByNumber = new Int32Array(n);
  for (const row of r.rows) idByNumber[Number(row.number) - b.firstNumber] = Number(row.id);
  const taskIds = b.kTaskNumber.map((num) => idByNumber[num - b.firstNumber]!);
  await q.query(INSERT_COMMENTS, [workspaceId, taskIds, b.kKind, b.kUser, b.kName, b.kBody, b.kCreated]);
}

/** Staff for assignments: the workspace's users, plus 4–8 seeded staff when it has fewer than 3. */
async function ensureStaff(db: Db, workspaceId: string, workspaceName: string, seed: number): Promise<{ staff: SeedStaff[]; created: number }> {
  const list = async () =>
    (await db.query<SeedStaff>('SELECT id, name FROM users WHERE workspace_id = $1 ORDER BY email_lower, id', [workspaceId])).rows;
  const existing = await list();
  if (existing.length >= 3) return { staff: existing, created: 0 };

  const rng = new Rng(seed, 'staff');
  const pool = [...V.STAFF];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const chosen = pool.slice(0, rng.between(4, 8));
  const domain = (normalizeName(workspaceName).replace(/ /g, '-').slice(0, 40) || 'acme-repair') + '.example';
  const emails = chosen.map(([, local]) => `${local}@${domain}`);
  // Seeded staff are not meant to sign in: one hash of a random password, shared.
  const hash = await hashPassword(generatePassword());
  const r = await db.query(
    `INSERT INTO users (workspace_id, id, email, email_lower, name, role, password_hash)
     SELECT $1, u.id, u.email, u.email_lower, u.name, 'member', $6
     FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS u(id, email, email_lower, name)
     ON CONFLICT (workspace_id, email_lower) DO NOTHING`,
    [
      workspaceId,
      emails.map((e) => deterministicUuid(`taskline-seed-user:${workspaceId}:${normalizeEmail(e)}`)),
      emails,
      emails.map(normalizeEmail),
      chosen.map(([name]) => name),
      hash,
    ],
  );
  return { staff: await list(), created: r.rowCount };
}

export async function seedWorkspace(db: Db, workspaceId: string, opts: SeedOptions): Promise<SeedResult> {
  const nTasks = Math.floor(opts.tasks);
  if (!Number.isFinite(nTasks) || nTasks < 0) throw new RangeError('tasks must be a non-negative integer');
  const nCustomers = Math.floor(opts.customers ?? Math.max(1, Math.round(nTasks / 3)));
  if (!Number.isFinite(nCustomers) || nCustomers < 0) throw new RangeError('customers must be a non-negative integer');
  const seed = opts.seed ?? 1;
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 5000));
  const concurrency = db.kind === 'pglite' ? 1 : Math.max(1, Math.floor(opts.concurrency ?? 2));
  const ref = opts.referenceDate === undefined ? SEED_REFERENCE_DATE.getTime() : new Date(opts.referenceDate).getTime();
  if (!Number.isFinite(ref)) throw new RangeError('referenceDate is not a valid date');

  const ws = await db.query<{ name: string }>('SELECT name FROM workspaces WHERE id = $1', [workspaceId]);
  if (!ws.rows[0]) throw new Error(`no workspace with id ${workspaceId}`);
  const { staff, created: usersCreated } = await ensureStaff(db, workspaceId, ws.rows[0].name, seed);

  // One atomic reservation: concurrent task creation gets numbers outside our range.
  let lastNumber: number;
  if (nTasks > 0) {
    const r = await db.query<{ task_seq: number }>('UPDATE workspaces SET task_seq = task_seq + $2 WHERE id = $1 RETURNING task_seq', [
      workspaceId,
      nTasks,
    ]);
    lastNumber = Number(r.rows[0]!.task_seq);
  } else {
    const r = await db.query<{ task_seq: number }>('SELECT task_seq FROM workspaces WHERE id = $1', [workspaceId]);
    lastNumber = Number(r.rows[0]!.task_seq);
  }
  const firstNumber = lastNumber - nTasks + 1;

  const gen = new Generator(seed, ref, nTasks, nCustomers, firstNumber, staff);
  const custIds = new Int32Array(nCustomers);
  let comments = 0;
  let done = 0;
  opts.onProgress?.(0, nTasks);

  // Pipeline: while the database writes batch k, generate batch k+1. With concurrency > 1 (PostgreSQL server), up to
  // that many batches are written at once on separate connections; a batch's new customers are then inserted and
  // committed before its transaction starts, so later batches can refer to them. Customer ids are resolved when a
  // batch is launched, after every batch that introduced those customers has at least inserted them.
  const inflight = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  const launch = async (b: Batch): Promise<void> => {
    if (concurrency > 1) await insertCustomers(db, workspaceId, b, custIds);
    const p = db
      .tx(async (q) => {
        if (concurrency === 1) await insertCustomers(q, workspaceId, b, custIds);
        await insertTasks(q, workspaceId, b, custIds);
      })
      .then(
        () => {
          comments += b.kTaskNumber.length;
          done += b.tNumber.length;
          if (b.tNumber.length > 0) opts.onProgress?.(done, nTasks);
        },
        (error: unknown) => {
          failure ??= { error };
        },
      )
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };
  const drain = async (max: number) => {
    while (inflight.size > max) await Promise.race(inflight);
    if (failure) {
      await Promise.all(inflight);
      throw failure.error;
    }
  };
  try {
    for (let from = 0; from < nTasks; from += batchSize) {
      const b = gen.tasks(from, Math.min(nTasks, from + batchSize));
      await drain(concurrency - 1);
      await launch(b);
    }
    for (let b = gen.leftoverCustomers(batchSize); b; b = gen.leftoverCustomers(batchSize)) {
      await drain(concurrency - 1);
      await launch(b);
    }
    await drain(0);
  } catch (err) {
    await Promise.all(inflight);
    throw err;
  }

  return { tasks: nTasks, customers: gen.customersUsed, comments, users: usersCreated, firstNumber, lastNumber };
}
