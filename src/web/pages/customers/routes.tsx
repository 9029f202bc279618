/** Customers: list (keyset by name, search), customer page (details, edit, tasks), add. */
import type { Session } from '../../../domain/sessions.ts';
import { countCustomers, createCustomer, findCustomers, getCustomer, listCustomers, updateCustomer } from '../../../domain/customers.ts';
import { DomainError } from '../../../domain/errors.ts';
import { cursorParts, encodeCursor, INT_MAX, listTasks } from '../../../domain/tasks.ts';
import { Form, authed, notFoundPage, positiveInt, render, seeOther, noticeFrom, type Ctx, type Deps, pageOrFirst } from '../../kit.tsx';
import { capitalize } from '../../kit.tsx';
import { CustomersPage, type CustomerRow } from './CustomersPage.tsx';
import { CustomerPage } from './CustomerPage.tsx';
import { NewCustomerPage } from './NewCustomerPage.tsx';

export const PAGE_SIZE = 50;
export const TASKS_PAGE = 25;
/** The customer list is in name order: its cursor is the last row's (name, id). */
export const encodeAfter = (c: CustomerRow) => encodeCursor([c.name, c.id]);
export function decodeAfter(s: string | undefined): { name: string; id: number } | null {
  const p = s ? cursorParts(s) : null;
  if (p?.length !== 2) return null;
  const [name, id] = p;
  // Only what encodeAfter could have written: a name PostgreSQL can compare (no NUL, ≤ 200 chars) and an integer id.
  if (
    typeof name !== 'string' ||
    name.length > 200 ||
    name.includes('\u0000') ||
    !Number.isInteger(id) ||
    (id as number) < 0 ||
    (id as number) > INT_MAX
  )
    return null;
  return { name, id: id as number };
}
export function registerCustomerRoutes({ app, ctx }: Deps) {
  const { db } = ctx;
  const NOTICES: Record<string, string> = { created: 'Customer added.', saved: 'Customer saved.' };

  app.get(
    '/customers',
    authed(async (c, s) => {
      const ws = s.workspace.id;
      const q = (c.req.query('q') ?? '').trim().slice(0, 200);
      if (q) {
        const rows = await findCustomers(db, ws, q, PAGE_SIZE);
        return render(c, <CustomersPage s={s} q={q} rows={rows} next={null} first total={rows.length} />);
      }
      const after = decodeAfter(c.req.query('after'));
      const rows = await listCustomers(db, ws, { limit: PAGE_SIZE + 1, afterName: after?.name, afterId: after?.id });
      const more = rows.length > PAGE_SIZE;
      const page = rows.slice(0, PAGE_SIZE);
      return render(
        c,
        <CustomersPage
          s={s}
          q=""
          rows={page}
          next={more ? encodeAfter(page[page.length - 1]!) : null}
          first={!after}
          total={await countCustomers(db, ws)}
          notice={noticeFrom(c, NOTICES)}
        />,
      );
    }),
  );

  app.get(
    '/customers/new',
    authed((c, s) => render(c, <NewCustomerPage s={s} v={{ name: '', phone: '', email: '' }} />)),
  );

  app.post(
    '/customers',
    authed(async (c, s) => {
      const form = await Form.of(c);
      const v = { name: form.str('name'), phone: form.str('phone'), email: form.str('email') };
      try {
        const created = await createCustomer(db, s.workspace.id, v);
        return seeOther(c, `/customers/${created.id}?notice=created`);
      } catch (err) {
        if (!(err instanceof DomainError) || err.code !== 'invalid') throw err;
        return render(c, <NewCustomerPage s={s} v={v} error={capitalize(err.message) + '.'} />, 400);
      }
    }),
  );

  const customerPage = async (
    c: Ctx,
    s: Session,
    id: number,
    extra: { status?: number; error?: string; v?: { name: string; phone: string; email: string } } = {},
  ) => {
    const ws = s.workspace.id;
    const customer = await getCustomer(db, ws, id);
    if (!customer) return notFoundPage(c, 'There is no such customer in this workspace');
    const cursor = c.req.query('cursor') || undefined;
    const { page } = await pageOrFirst(cursor, (at) => listTasks(db, ws, { customerId: id, limit: TASKS_PAGE, cursor: at }));
    return render(
      c,
      <CustomerPage
        s={s}
        c={customer}
        tasks={page.tasks}
        next={page.nextCursor}
        first={!cursor}
        notice={noticeFrom(c, NOTICES)}
        error={extra.error}
        v={extra.v}
      />,
      extra.status ?? 200,
    );
  };

  app.get(
    '/customers/:id',
    authed((c, s) => {
      const id = positiveInt(c.req.param('id'));
      if (!id) return notFoundPage(c, 'There is no such customer in this workspace');
      return customerPage(c, s, id);
    }),
  );

  app.post(
    '/customers/:id',
    authed(async (c, s) => {
      const id = positiveInt(c.req.param('id'));
      if (!id) return notFoundPage(c, 'There is no such customer in this workspace');
      const form = await Form.of(c);
      const v = { name: form.str('name'), phone: form.str('phone'), email: form.str('email') };
      try {
        await updateCustomer(db, s.workspace.id, id, v);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        if (err.code === 'not_found') return notFoundPage(c, 'There is no such customer in this workspace');
        return customerPage(c, s, id, { status: 400, error: capitalize(err.message) + '.', v });
      }
      return seeOther(c, `/customers/${id}?notice=saved`);
    }),
  );
}
