/** One customer: details (editable) and tasks. */
import type { Session } from '../../../domain/sessions.ts';
import type { Customer } from '../../../domain/customers.ts';
import type { Task } from '../../../domain/tasks.ts';
import { CsrfField, Empty, Layout, Notice, Pager, Time, qs } from '../../ui/ui.tsx';
import { TaskTable } from '../../ui/TaskTable.tsx';
import { CustomerFields } from './CustomerFields.tsx';

export function CustomerPage(p: {
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
          <Pager
            first={p.first ? null : `/customers/${c.id}`}
            firstLabel="← Newest tasks"
            next={p.next ? `/customers/${c.id}${qs({ cursor: p.next })}` : null}
            nextLabel="Older tasks →"
          />
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
