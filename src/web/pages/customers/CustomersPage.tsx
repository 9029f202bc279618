/** Customers by name (keyset pages) or by search. */
import type { Session } from '../../../domain/sessions.ts';
import type { Customer } from '../../../domain/customers.ts';
import { Empty, Layout, Notice, Pager, Time, qs } from '../../ui/ui.tsx';

export type CustomerRow = Customer & { taskCount: number };
export function CustomersPage(p: {
  s: Session;
  q: string;
  rows: CustomerRow[];
  next: string | null;
  first: boolean;
  total: number;
  notice?: string;
}) {
  return (
    <Layout title="Customers" session={p.s} nav="customers">
      <div class="page-head">
        <div>
          <h1>Customers</h1>
          <p class="sub">{p.q ? `Matches for “${p.q}”` : `${p.total.toLocaleString('en-US')} customer${p.total === 1 ? '' : 's'}, by name`}</p>
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
          <Pager
            first={p.first ? null : '/customers'}
            firstLabel="← Back to A"
            next={p.next ? `/customers${qs({ after: p.next })}` : null}
            nextLabel="Next page →"
          />
        )}
      </section>
    </Layout>
  );
}
