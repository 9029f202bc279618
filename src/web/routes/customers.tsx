/** Customers: list (keyset by name, search), customer page (details, edit, tasks), add. */
import type { Session } from '../../domain/sessions.ts';
import {
  countCustomers,
  createCustomer,
  findCustomers,
  getCustomer,
  listCustomers,
  updateCustomer,
  type Customer,
} from '../../domain/customers.ts';
import { DomainError } from '../../domain/errors.ts';
import { INT_MAX, listTasks, type Task } from '../../domain/tasks.ts';
import { Form, authed, notFoundPage, positiveInt, render, seeOther, noticeFrom, type Ctx, type Deps } from '../kit.tsx';
import { CreatePageHead, CsrfField, Empty, Layout, Notice, Time, qs } from '../views/ui.tsx';
import { TaskTable, capitalize } from './tasks.tsx';

const PAGE_SIZE = 50;
const TASKS_PAGE = 25;

type CustomerRow = Customer & { taskCount: number };

const encodeAfter = (c: CustomerRow) => Buffer.from(JSON.stringify([c.name, c.id]), 'utf8').toString('base64url');
function decodeAfter(s: string | undefined): { name: string; id: number } | null {
  if (!s) return null;
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    // Only what encodeAfter could have written: a name PostgreSQL can compare (no NUL, ≤ 200 chars) and an integer id.
    if (Array.isArray(v) && typeof v[0] === 'string' && v[0].length <= 200 && !v[0].includes('\u0000') && Number.isInteger(v[1]) && v[1] >= 0 && v[1] <= INT_MAX)
      return { name: v[0], id: v[1] as number };
  } catch {
    /* fall through */
  }
  return null;
}

function CustomerFields(p: { v: { name: string; phone: string; email: string } }) {
  return (
    <>
      <div class="field">
        <label for="c-name">Name</label>
        <input id="c-name" name="name" type="text" required maxlength={200} value={p.v.name} autocomplete="off" />
      </div>
      <div class="form-row">
        <div class="field">
          <label for="c-phone">Phone</label>
          <input id="c-phone" name="phone" type="tel" maxlength={40} value={p.v.phone} autocomplete="off" />
          <div class="hint">Any format; searches match the last digits.</div>
        </div>
        <div class="field">
          <label for="c-email">Email</label>
          <input id="c-email" name="email" type="email" maxlength={200} value={p.v.email} autocomplete="off" />
        </div>
      </div>
    </>
  );
}

function CustomersPage(p: { s: Session; q: string; rows: CustomerRow[]; next: string | null; first: boolean; total: number; notice?: string }) {
  return (
    <Layout title="Customers" session={p.s} nav="customers">
      <div class="page-head">
        <div>
          <h1>Customers</h1>
          <p class="sub">
            {p.q ? `Matches for “${p.q}”` : `${p.total.toLocaleString('en-US')} customer${p.total === 1 ? '' : 's'}, by name`}
          </p>
        </div>
        <a class="btn btn-primary" href="/customers/new">
          Add customer
        </a>
      </div>
      {p.notice ? <Notice kind="ok">{p.notice}</Notice> : null}
      <form method="get" action="/customers" class="panel secret-box" role="search" aria-label="Find customers">
        <label for="cq" class="sr-only">
          Find a customer
        </label>
        <input id="cq" name="q" type="search" value={p.q} maxlength={200} placeholder="Name, phone or email" />
        <button class="btn btn-primary" type="submit">
          Search
        </button>
        {p.q ? (
          <a class="btn" href="/customers">
            Clear
          </a>
        ) : null}
      </form>
      <section class="panel" aria-label="Customer list">
        {p.rows.length ? (
          <div class="table-wrap">
            <table class="data stack">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Phone</th>
                  <th scope="col">Email</th>
                  <th scope="col">Tasks</th>
                  <th scope="col">Added</th>
                </tr>
              </thead>
              <tbody>
                {p.rows.map((c) => (
                  <tr>
                    <td class="title-cell">
                      <a href={`/customers/${c.id}`}>{c.name}</a>
                    </td>
                    <td data-label="Phone">{c.phone ?? <span class="muted">—</span>}</td>
                    <td data-label="Email">{c.email ?? <span class="muted">—</span>}</td>
                    <td data-label="Tasks">{c.taskCount}</td>
                    <td data-label="Added">
                      <Time d={c.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : p.q ? (
          <Empty title={`No customer matches “${p.q}”`}>
            <p>Search by part of the name, a phone number in any format, or the start of an email address.</p>
          </Empty>
        ) : p.first ? (
          <Empty title="No customers yet">
            <p>Customers are the people you do jobs for. Add one here, or while creating a task.</p>
            <a class="btn btn-primary" href="/customers/new">
              Add a customer
            </a>
          </Empty>
        ) : (
          <Empty title="No more customers">
            <p>
              <a href="/customers">Back to the start of the list</a>
            </p>
          </Empty>
        )}
        {p.q ? null : (
          <nav class="pager" aria-label="Pages">
            {p.first ? <span /> : <a href="/customers">← Back to A</a>}
            {p.next ? (
              <a class="btn" rel="next" href={`/customers${qs({ after: p.next })}`}>
                Next page →
              </a>
            ) : null}
          </nav>
        )}
      </section>
    </Layout>
  );
}

function CustomerPage(p: {
  s: Session;
  c: Customer;
  tasks: Task[];
  next: string | null;
  first: boolean;
  notice?: string;
  error?: string;
  v?: { name: string; phone: string; email: string };
}) {
  const c = p.c;
  return (
    <Layout title={c.name} session={p.s} nav="customers">
      <div class="crumbs">
        <a href="/customers">Customers</a> / {c.name}
      </div>
      <div class="page-head">
        <div>
          <h1>{c.name}</h1>
          <p class="sub">
            {[c.phone, c.email].filter(Boolean).join(' · ') || 'No contact details'} · customer since <Time d={c.createdAt} abs />
          </p>
        </div>
        <a class="btn btn-primary" href={`/tasks/new${qs({ customer: c.id })}`}>
          New task for this customer
        </a>
      </div>
      {p.notice ? <Notice kind="ok">{p.notice}</Notice> : null}
      {p.error ? <Notice kind="error">{p.error}</Notice> : null}
      <div class="grid-2">
        <section class="panel" aria-labelledby="ctasks-h">
          <h2 id="ctasks-h">Tasks</h2>
          {p.tasks.length ? (
            <TaskTable tasks={p.tasks} hideCustomer />
          ) : (
            <Empty title="No tasks for this customer">
              <p>
                <a href={`/tasks/new${qs({ customer: c.id })}`}>Create one</a> when they call.
              </p>
            </Empty>
          )}
          <nav class="pager" aria-label="Pages">
            {p.first ? <span /> : <a href={`/customers/${c.id}`}>← Newest tasks</a>}
            {p.next ? (
              <a class="btn" rel="next" href={`/customers/${c.id}${qs({ cursor: p.next })}`}>
                Older tasks →
              </a>
            ) : null}
          </nav>
        </section>
        <section class="panel" aria-labelledby="cedit-h">
          <h2 id="cedit-h">Details</h2>
          <form method="post" action={`/customers/${c.id}`}>
            <CsrfField token={p.s.csrfToken} />
            <CustomerFields v={p.v ?? { name: c.name, phone: c.phone ?? '', email: c.email ?? '' }} />
            <button class="btn btn-primary" type="submit">
              Save customer
            </button>
          </form>
        </section>
      </div>
    </Layout>
  );
}

function NewCustomerPage(p: { s: Session; v: { name: string; phone: string; email: string }; error?: string }) {
  return (
    <Layout title="Add customer" session={p.s} nav="customers">
      <CreatePageHead parent={{ href: '/customers', label: 'Customers' }} title="Add customer" error={p.error} errorTitle="The customer was not added" />
      <form method="post" action="/customers" class="panel">
        <CsrfField token={p.s.csrfToken} />
        <CustomerFields v={p.v} />
        <div class="actions">
          <button class="btn btn-primary" type="submit">
            Add customer
          </button>
          <a class="btn" href="/customers">
            Cancel
          </a>
        </div>
      </form>
    </Layout>
  );
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

  const customerPage = async (c: Ctx, s: Session, id: number, extra: { status?: number; error?: string; v?: { name: string; phone: string; email: string } } = {}) => {
    const ws = s.workspace.id;
    const customer = await getCustomer(db, ws, id);
    if (!customer) return notFoundPage(c, 'There is no such customer in this workspace');
    const cursor = c.req.query('cursor') || undefined;
    let page;
    try {
      page = await listTasks(db, ws, { customerId: id, limit: TASKS_PAGE, cursor });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      page = await listTasks(db, ws, { customerId: id, limit: TASKS_PAGE });
    }
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
