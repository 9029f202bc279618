/** Create a task, for an existing customer, a new one or none. */
import type { Session } from '../../../domain/sessions.ts';
import type { Customer } from '../../../domain/customers.ts';
import { PRIORITIES, STATUSES } from '../../../domain/tasks.ts';
import type { User } from '../../../domain/users.ts';
import { CreatePageHead, CsrfField, Layout, PRIORITY_LABELS, STATUS_LABELS, qs } from '../../ui/ui.tsx';

export interface NewTaskValues {
  title: string;
  description: string;
  status: string;
  priority: string;
  assignee: string;
  due: string;
  customerMode: 'none' | 'existing' | 'new';
  customerId: string;
  customerName: string;
  customerPhone: string;
  customerEmail: string;
}

export const EMPTY_VALUES: NewTaskValues = {
  title: '',
  description: '',
  status: 'open',
  priority: 'normal',
  assignee: '',
  due: '',
  customerMode: 'none',
  customerId: '',
  customerName: '',
  customerPhone: '',
  customerEmail: '',
};

export function NewTaskPage(p: {
  s: Session;
  users: User[];
  v: NewTaskValues;
  chosen: Customer | null;
  customerQuery: string;
  found: (Customer & { taskCount: number })[] | null;
  error?: string;
}) {
  const v = p.v;
  const mode = p.chosen ? 'existing' : v.customerMode === 'existing' ? 'none' : v.customerMode;
  return (
    <Layout title="New task" session={p.s} nav="tasks">
      <CreatePageHead parent={{ href: '/tasks', label: 'Tasks' }} title="New task" error={p.error} errorTitle="The task was not created" />
      <section class="panel" aria-labelledby="cust-pick-h">
        <h2 id="cust-pick-h">1. Customer</h2>
        {p.chosen ? (
          <p>
            For <strong>{p.chosen.name}</strong>
            {p.chosen.phone ? ` · ${p.chosen.phone}` : ''}
            {p.chosen.email ? ` · ${p.chosen.email}` : ''} — <a href="/tasks/new">choose another</a>
          </p>
        ) : (
          <>
            <p class="muted small">Find an existing customer by name, phone or email — or add a new customer in step 2.</p>
            <form method="get" action="/tasks/new" role="search" class="secret-box">
              <label for="customerQuery" class="sr-only">
                Find a customer
              </label>
              <input id="customerQuery" name="customerQuery" type="search" value={p.customerQuery} placeholder="e.g. Russell, 703-597-4534" />
              <button class="btn" type="submit">
                Find customer
              </button>
            </form>
            {p.found ? (
              p.found.length ? (
                <ul class="stack-sm" aria-label="Matching customers">
                  {p.found.map((c) => (
                    <li>
                      <a href={`/tasks/new${qs({ customer: c.id })}`}>{c.name}</a>{' '}
                      <span class="muted small">
                        {[c.phone, c.email].filter(Boolean).join(' · ')} · {c.taskCount} task{c.taskCount === 1 ? '' : 's'}
                      </span>
                    </li>
                  ))}
                </ul>
              ) : (
                <p class="muted">No customer matches “{p.customerQuery}”. Add them as a new customer below.</p>
              )
            ) : null}
          </>
        )}
      </section>
      <form method="post" action="/tasks" class="panel">
        <CsrfField token={p.s.csrfToken} />
        <h2>2. Task</h2>
        {p.chosen ? (
          <>
            <input type="hidden" name="customerMode" value="existing" />
            <input type="hidden" name="customerId" value={String(p.chosen.id)} />
          </>
        ) : (
          <fieldset>
            <legend>Customer</legend>
            <label class="check">
              <input type="radio" name="customerMode" value="none" checked={mode === 'none'} />
              <span>No customer (internal task)</span>
            </label>
            <label class="check">
              <input type="radio" name="customerMode" value="new" checked={mode === 'new'} />
              <span>New customer — fill in below</span>
            </label>
            <div class="form-row">
              <div class="field">
                <label for="customerName">Customer name</label>
                <input id="customerName" name="customerName" type="text" maxlength={200} value={v.customerName} autocomplete="off" />
              </div>
              <div class="field">
                <label for="customerPhone">Phone</label>
                <input id="customerPhone" name="customerPhone" type="tel" maxlength={40} value={v.customerPhone} autocomplete="off" />
              </div>
              <div class="field">
                <label for="customerEmail">Email</label>
                <input id="customerEmail" name="customerEmail" type="email" maxlength={200} value={v.customerEmail} autocomplete="off" />
              </div>
            </div>
          </fieldset>
        )}
        <div class="field">
          <label for="title">Title</label>
          <input id="title" name="title" type="text" required maxlength={200} value={v.title} placeholder="e.g. Dishwasher not draining" />
        </div>
        <div class="field">
          <label for="description">Description</label>
          <textarea id="description" name="description" maxlength={20000} rows={5}>
            {v.description}
          </textarea>
          <div class="hint">What is wrong, access notes, parts. AI assistants with access to this workspace can read it.</div>
        </div>
        <div class="form-row">
          <div class="field">
            <label for="n-status">Status</label>
            <select id="n-status" name="status">
              {STATUSES.map((s) => (
                <option value={s} selected={v.status === s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="n-priority">Priority</label>
            <select id="n-priority" name="priority">
              {PRIORITIES.map((s) => (
                <option value={s} selected={v.priority === s}>
                  {PRIORITY_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="n-assignee">Assignee</label>
            <select id="n-assignee" name="assignee">
              <option value="">Unassigned</option>
              {p.users.map((u) => (
                <option value={u.id} selected={v.assignee === u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="due">Due date</label>
            <input id="due" name="due" type="date" value={v.due} />
          </div>
        </div>
        <div class="actions">
          <button class="btn btn-primary" type="submit">
            Create task
          </button>
          <a class="btn" href="/tasks">
            Cancel
          </a>
        </div>
      </form>
    </Layout>
  );
}
