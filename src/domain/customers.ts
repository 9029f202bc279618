import type { Queryable } from '../platform/db/client.ts';
import { invalid, notFound } from './errors.ts';
import { escapeLike, normalizeEmail, normalizeName, phoneDigits, reverse } from './normalize.ts';

export interface Customer {
  id: number;
  name: string;
  phone: string | null;
  email: string | null;
  createdAt: Date;
}

export const CUSTOMER_COLS = `id, name, phone, email, created_at AS "createdAt"`;
/** The same columns from `customers c`, with the customer's task count (lists and pickers). */
const LISTED_COLS = `c.id, c.name, c.phone, c.email, c.created_at AS "createdAt",
  (SELECT count(*)::int FROM tasks t WHERE t.workspace_id = c.workspace_id AND t.customer_id = c.id) AS "taskCount"`;

export interface CustomerInput {
  name: string;
  phone?: string | null;
  email?: string | null;
}

/** The stored columns for a customer, normalized the one way search and verification expect. */
export function customerColumns(c: CustomerInput) {
  const name = c.name.trim();
  if (!name || name.length > 200) throw invalid('customer name must be 1–200 characters');
  const phone = c.phone?.trim() || null;
  const digits = phone ? phoneDigits(phone) : null;
  if (phone && (!digits || digits.length < 7 || digits.length > 15)) throw invalid(`"${phone}" is not a phone number (7–15 digits)`);
  const email = c.email?.trim() || null;
  if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) throw invalid(`"${email}" is not an email address`);
  return {
    name,
    name_norm: normalizeName(name),
    phone,
    phone_digits: digits,
    phone_rev: digits ? reverse(digits) : null,
    email,
    email_lower: email ? normalizeEmail(email) : null,
  };
}

export async function createCustomer(db: Queryable, workspaceId: string, input: CustomerInput): Promise<Customer> {
  const c = customerColumns(input);
  const r = await db.query<Customer>(
    `INSERT INTO customers (workspace_id, name, name_norm, phone, phone_digits, phone_rev, email, email_lower)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${CUSTOMER_COLS}`,
    [workspaceId, c.name, c.name_norm, c.phone, c.phone_digits, c.phone_rev, c.email, c.email_lower],
  );
  return r.rows[0]!;
}

export async function getCustomer(db: Queryable, workspaceId: string, id: number): Promise<Customer | null> {
  const r = await db.query<Customer>(`SELECT ${CUSTOMER_COLS} FROM customers WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  return r.rows[0] ?? null;
}

export async function updateCustomer(db: Queryable, workspaceId: string, id: number, input: CustomerInput): Promise<Customer> {
  const c = customerColumns(input);
  const r = await db.query<Customer>(
    `WITH u AS (
       UPDATE customers SET name = $3, name_norm = $4, phone = $5, phone_digits = $6, phone_rev = $7, email = $8, email_lower = $9
       WHERE workspace_id = $1 AND id = $2 RETURNING ${CUSTOMER_COLS}
     ), t AS (
       UPDATE tasks SET customer_name = $3 WHERE workspace_id = $1 AND customer_id = $2 AND EXISTS (SELECT 1 FROM u)
     )
     SELECT * FROM u`,
    [workspaceId, id, c.name, c.name_norm, c.phone, c.phone_digits, c.phone_rev, c.email, c.email_lower],
  );
  if (!r.rows[0]) throw notFound(`no customer ${id} in this workspace`);
  return r.rows[0];
}

export async function listCustomers(
  db: Queryable,
  workspaceId: string,
  opts: { limit?: number; afterName?: string; afterId?: number } = {},
): Promise<(Customer & { taskCount: number })[]> {
  const r = await db.query<Customer & { taskCount: number }>(
    `SELECT ${LISTED_COLS}
     FROM customers c WHERE c.workspace_id = $1 AND ($3::text IS NULL OR (c.name, c.id) > ($3, $4::int))
     ORDER BY c.name, c.id LIMIT $2`,
    [workspaceId, opts.limit ?? 50, opts.afterName ?? null, opts.afterId ?? 0],
  );
  return r.rows;
}

/**
 * Customers matching what staff typed in a picker or the customers list: an email prefix, a phone number (any
 * format, matched on its last digits), or a name (substring or misspelling, case/accent-insensitive). Index-backed:
 * customers_email, customers_phone_rev, customers_name_trgm.
 */
export async function findCustomers(db: Queryable, workspaceId: string, query: string, limit = 20): Promise<(Customer & { taskCount: number })[]> {
  const q = query.trim().slice(0, 200);
  if (!q) return [];
  const digits = phoneDigits(q);
  let where: string;
  let order: string;
  let params: unknown[];
  if (q.includes('@')) {
    where = `c.email_lower LIKE $2`;
    order = 'c.name';
    params = [escapeLike(normalizeEmail(q)) + '%'];
  } else if (digits.length >= 7 && digits.length / q.replace(/\s+/g, '').length > 0.6) {
    where = `c.phone_rev LIKE $2`;
    order = 'c.name';
    params = [escapeLike(reverse(digits.slice(-10))) + '%'];
  } else {
    const name = normalizeName(q);
    if (!name) return [];
    where = `(c.name_norm LIKE $2 OR c.name_norm % $3)`;
    order = `(c.name_norm LIKE ($3 || '%')) DESC, similarity(c.name_norm, $3) DESC, c.name`;
    params = ['%' + escapeLike(name) + '%', name];
  }
  const r = await db.query<Customer & { taskCount: number }>(
    `SELECT ${LISTED_COLS}
     FROM customers c WHERE c.workspace_id = $1 AND ${where}
     ORDER BY ${order}, c.id
     LIMIT ${Math.max(1, Math.min(100, Math.floor(limit)))}`,
    [workspaceId, ...params],
  );
  return r.rows;
}

export async function countCustomers(db: Queryable, workspaceId: string): Promise<number> {
  const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM customers WHERE workspace_id = $1', [workspaceId]);
  return r.rows[0]!.n;
}
