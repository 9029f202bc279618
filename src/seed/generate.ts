/**
 * Rows that look like a service business's, deterministic for a seed: customers (people and businesses, phones in
 * every format people write), tasks over two years with statuses that age like real work, and their comments.
 */
import { customerColumns } from '../domain/customers.ts';
import * as V from './vocabulary.ts';
import { Picker, Rng } from './random.ts';

import {
  MINUTE,
  HOUR,
  DAY,
  SPAN,
  EMAIL_DOMAINS,
  ASSISTANT_NAMES,
  TITLE_SUFFIXES,
  RESIDENTIAL,
  BUSINESS,
  PRIORITY,
  STATUS_FRESH,
  STATUS_RECENT,
  STATUS_MONTHS,
  STATUS_OLD,
  COMMENT_COUNT,
  COMMENT_KIND,
  SENTENCES,
  PHONE_FORMATS,
  cap,
  asciiWord,
  fill,
} from './distributions.ts';

export interface GenCustomer {
  name: string;
  business: boolean;
  phone: string | null;
  email: string | null;
}

export function genPhone(rng: Rng): string | null {
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

export function genCustomer(rng: Rng): GenCustomer {
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
export interface Batch {
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

export function emptyBatch(firstNumber: number): Batch {
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

export class Generator {
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
        desc = rng.pick([
          '',
          'Internal.',
          'Details are in the shared drive.',
          'Due before the end of the month.',
          'Ask Marisol for the supplier list.',
        ]);
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
