/** Tasks: list (filters, keyset pages, search), task page (details, comments, changes), create. */
import type { Session } from '../../domain/sessions.ts';
import { addComment, listComments, type Comment } from '../../domain/comments.ts';
import { findCustomers, getCustomer, type Customer } from '../../domain/customers.ts';
import { DomainError, invalid } from '../../domain/errors.ts';
import { searchTasks, type MatchedOn } from '../../domain/search.ts';
import {
  createTaskWithCustomer,
  getTaskByNumber,
  listTasks,
  PRIORITIES,
  STATUSES,
  updateTask,
  type Priority,
  type Status,
  type Task,
  type TaskCustomer,
} from '../../domain/tasks.ts';
import { listUsers, type User } from '../../domain/users.ts';
import { isUuid } from '../../domain/workspaces.ts';
import { Form, authed, notFoundPage, parseDay, positiveInt, render, seeOther, noticeFrom, type Ctx, type Deps } from '../kit.tsx';
import {
  AuthorBadge,
  CreatePageHead,
  CsrfField,
  Empty,
  Layout,
  Notice,
  PRIORITY_LABELS,
  PriorityBadge,
  STATUS_LABELS,
  StatusBadge,
  Time,
  formatDate,
  qs,
} from '../views/ui.tsx';

const PAGE_SIZE = 25;
const SEARCH_LIMIT = 50;
const COMMENTS_PAGE = 100;

const asStatus = (s: string | undefined): Status | undefined => (STATUSES as readonly string[]).includes(s ?? '') ? (s as Status) : undefined;
const asPriority = (s: string | undefined): Priority | undefined =>
  (PRIORITIES as readonly string[]).includes(s ?? '') ? (s as Priority) : undefined;

const NOTICES: Record<string, string> = {
  created: 'Task created.',
  updated: 'Task updated.',
  commented: 'Comment added.',
};

const MATCHED: Record<MatchedOn, string> = {
  taskNumber: 'task number',
  phone: 'phone',
  email: 'email',
  customerName: 'customer name',
  text: 'title / description',
};

// ---------------------------------------------------------------------------------------------------------------
// List

interface ListFilters {
  q: string;
  status?: Status;
  priority?: Priority;
  assignee?: string;
}

function Filters(p: { f: ListFilters; users: User[] }) {
  return (
    <form method="get" action="/tasks" class="panel filters" role="search" aria-label="Filter tasks">
      <div class="field search-field">
        <label for="q">Search</label>
        <input
          id="q"
          name="q"
          type="search"
          value={p.f.q}
          maxlength={200}
          placeholder="Name, phone, email, #1042 or words"
          autocomplete="off"
        />
      </div>
      <div class="field">
        <label for="status">Status</label>
        <select id="status" name="status">
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option value={s} selected={p.f.status === s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="priority">Priority</label>
        <select id="priority" name="priority">
          <option value="">Any priority</option>
          {PRIORITIES.map((s) => (
            <option value={s} selected={p.f.priority === s}>
              {PRIORITY_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="assignee">Assignee</label>
        <select id="assignee" name="assignee">
          <option value="">Anyone</option>
          {p.users.map((u) => (
            <option value={u.id} selected={p.f.assignee === u.id}>
              {u.name}
            </option>
          ))}
        </select>
      </div>
      <div class="actions">
        <button class="btn btn-primary" type="submit">
          Apply
        </button>
        {p.f.q || p.f.status || p.f.priority || p.f.assignee ? (
          <a class="btn" href="/tasks">
            Clear
          </a>
        ) : null}
      </div>
    </form>
  );
}

type Row = Task & { matchedOn?: MatchedOn };

function TaskTable(p: { tasks: Row[]; showMatch?: boolean; hideCustomer?: boolean }) {
  return (
    <div class="table-wrap">
      <table class="data stack">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Task</th>
            <th scope="col">Status</th>
            <th scope="col">Priority</th>
            <th scope="col">Assignee</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {p.tasks.map((t) => (
            <tr>
              <td class="num inline-sm">#{t.number}</td>
              <td class="title-cell">
                <a href={`/tasks/${t.number}`}>{t.title}</a>
                {!p.hideCustomer && t.customerName ? <span class="cell-sub">{t.customerName}</span> : null}
                {p.showMatch && t.matchedOn ? <span class="cell-sub">matched on {MATCHED[t.matchedOn]}</span> : null}
              </td>
              <td class="inline-sm">
                <StatusBadge status={t.status} />
              </td>
              <td class="inline-sm">
                <PriorityBadge priority={t.priority} />
              </td>
              <td data-label="Assignee">{t.assigneeName ?? <span class="muted">Unassigned</span>}</td>
              <td data-label="Updated" class="nowrap">
                <Time d={t.updatedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export { TaskTable };

function TasksPage(p: {
  s: Session;
  f: ListFilters;
  users: User[];
  tasks: Row[];
  nextCursor: string | null;
  isFirstPage: boolean;
  searched: boolean;
  notice?: string;
  error?: string;
}) {
  const filtered = Boolean(p.f.status || p.f.priority || p.f.assignee);
  const base = { q: p.f.q, status: p.f.status, priority: p.f.priority, assignee: p.f.assignee };
  return (
    <Layout title="Tasks" session={p.s} nav="tasks">
      <div class="page-head">
        <div>
          <h1>Tasks</h1>
          <p class="sub">{p.searched ? `Best matches for “${p.f.q}”` : 'Most recently updated first'}</p>
        </div>
        <a class="btn btn-primary" href="/tasks/new">
          New task
        </a>
      </div>
      {p.notice ? <Notice kind="ok">{p.notice}</Notice> : null}
      {p.error ? <Notice kind="error">{p.error}</Notice> : null}
      <Filters f={p.f} users={p.users} />
      <section class="panel" aria-label="Task list">
        {p.tasks.length ? (
          <TaskTable tasks={p.tasks} showMatch={p.searched} />
        ) : p.searched ? (
          <Empty title={`Nothing found for “${p.f.q}”`}>
            <p>
              Try a phone number in any format, an email address, a task number like #1042, part of the customer's name, or words
              from the title. {filtered ? 'The status, priority and assignee filters also apply — clear them to widen the search.' : ''}
            </p>
          </Empty>
        ) : filtered || !p.isFirstPage ? (
          <Empty title="No tasks match these filters">
            <p>
              <a href="/tasks">Clear the filters</a> to see every task.
            </p>
          </Empty>
        ) : (
          <Empty title="No tasks yet">
            <p>Tasks are the jobs your team works on. Create the first one — you can attach a customer and assign it to someone.</p>
            <a class="btn btn-primary" href="/tasks/new">
              Create a task
            </a>
          </Empty>
        )}
        {p.searched ? (
          p.tasks.length >= SEARCH_LIMIT ? (
            <p class="muted small">Showing the best {SEARCH_LIMIT} matches — add words to narrow the search.</p>
          ) : null
        ) : (
          <nav class="pager" aria-label="Pages">
            {p.isFirstPage ? <span /> : <a href={`/tasks${qs(base)}`}>← Back to the newest</a>}
            {p.nextCursor ? (
              <a class="btn" href={`/tasks${qs({ ...base, cursor: p.nextCursor })}`} rel="next">
                Next page →
              </a>
            ) : null}
          </nav>
        )}
      </section>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Task page

function TaskPage(p: {
  s: Session;
  task: Task;
  customer: Customer | null;
  users: User[];
  comments: Comment[];
  nextCursor: string | null;
  olderShown: boolean;
  notice?: string;
  error?: string;
  draft?: string;
}) {
  const t = p.task;
  return (
    <Layout title={`#${t.number} ${t.title}`} session={p.s} nav="tasks">
      <div class="crumbs">
        <a href="/tasks">Tasks</a> / #{t.number}
      </div>
      <div class="page-head">
        <div>
          <h1 class="task-title">
            <span class="tnum">#{t.number}</span> <span>{t.title}</span>
          </h1>
          <div class="kv">
            <StatusBadge status={t.status} /> <PriorityBadge priority={t.priority} />
          </div>
        </div>
      </div>
      {p.notice ? <Notice kind="ok">{p.notice}</Notice> : null}
      {p.error ? <Notice kind="error">{p.error}</Notice> : null}
      <div class="grid-2">
        <div>
          <section class="panel" aria-labelledby="desc-h">
            <h2 id="desc-h">Description</h2>
            {t.description.trim() ? <p class="description">{t.description}</p> : <p class="muted">No description.</p>}
          </section>
          <section class="panel" id="comments" aria-labelledby="comments-h">
            <div class="panel-head">
              <h2 id="comments-h">Comments</h2>
              <span class="muted small">Oldest first</span>
            </div>
            {p.olderShown ? (
              <p class="small">
                <a href={`/tasks/${t.number}#comments`}>← Back to the first comments</a>
              </p>
            ) : null}
            {p.comments.length ? (
              <ol class="comments">
                {p.comments.map((c) => (
                  <li class={`comment comment-${c.authorKind}`} id={`comment-${c.id}`}>
                    <div class="comment-head">
                      <span class="who">{c.authorName}</span>
                      <AuthorBadge kind={c.authorKind} />
                      <span class="muted">
                        <Time d={c.createdAt} />
                      </span>
                    </div>
                    <p class="comment-body">{c.body}</p>
                  </li>
                ))}
              </ol>
            ) : (
              <p class="muted">No comments yet. Notes you add here are visible to your team and to AI assistants with access to this workspace.</p>
            )}
            {p.nextCursor ? (
              <p class="small">
                <a href={`/tasks/${t.number}${qs({ after: p.nextCursor })}#comments`}>More comments →</a>
              </p>
            ) : null}
            <form method="post" action={`/tasks/${t.number}/comments`}>
              <CsrfField token={p.s.csrfToken} />
              <div class="field">
                <label for="body">Add a staff comment</label>
                <textarea id="body" name="body" maxlength={5000} required rows={4}>
                  {p.draft ?? ''}
                </textarea>
                <div class="hint">Posted as {p.s.user.name} (staff). Up to 5,000 characters.</div>
              </div>
              <button class="btn btn-primary" type="submit">
                Add comment
              </button>
            </form>
          </section>
        </div>
        <div>
          <section class="panel" aria-labelledby="update-h">
            <h2 id="update-h">Status and assignment</h2>
            <form method="post" action={`/tasks/${t.number}`}>
              <CsrfField token={p.s.csrfToken} />
              <div class="field">
                <label for="t-status">Status</label>
                <select id="t-status" name="status">
                  {STATUSES.map((s) => (
                    <option value={s} selected={t.status === s}>
                      {STATUS_LABELS[s]}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for="t-priority">Priority</label>
                <select id="t-priority" name="priority">
                  {PRIORITIES.map((s) => (
                    <option value={s} selected={t.priority === s}>
                      {PRIORITY_LABELS[s]}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for="t-assignee">Assignee</label>
                <select id="t-assignee" name="assignee">
                  <option value="">Unassigned</option>
                  {p.users.map((u) => (
                    <option value={u.id} selected={t.assigneeId === u.id}>
                      {u.name}
                    </option>
                  ))}
                </select>
              </div>
              <button class="btn btn-primary" type="submit">
                Save changes
              </button>
            </form>
          </section>
          <section class="panel" aria-labelledby="cust-h">
            <h2 id="cust-h">Customer</h2>
            {p.customer ? (
              <dl class="meta">
                <dt>Name</dt>
                <dd>
                  <a href={`/customers/${p.customer.id}`}>{p.customer.name}</a>
                </dd>
                <dt>Phone</dt>
                <dd>{p.customer.phone ?? <span class="muted">—</span>}</dd>
                <dt>Email</dt>
                <dd>{p.customer.email ?? <span class="muted">—</span>}</dd>
              </dl>
            ) : (
              <p class="muted">No customer on this task.</p>
            )}
          </section>
          <section class="panel" aria-labelledby="details-h">
            <h2 id="details-h">Details</h2>
            <dl class="meta">
              <dt>Assignee</dt>
              <dd>{t.assigneeName ?? <span class="muted">Unassigned</span>}</dd>
              <dt>Due</dt>
              <dd>{t.dueAt ? formatDate(t.dueAt) : <span class="muted">—</span>}</dd>
              <dt>Created</dt>
              <dd>
                <Time d={t.createdAt} abs />
              </dd>
              <dt>Updated</dt>
              <dd>
                <Time d={t.updatedAt} abs />
              </dd>
            </dl>
          </section>
        </div>
      </div>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Create

interface NewTaskValues {
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

const EMPTY_VALUES: NewTaskValues = {
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

function NewTaskPage(p: {
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

// ---------------------------------------------------------------------------------------------------------------
// Routes

export function registerTaskRoutes({ app, ctx }: Deps) {
  const { db } = ctx;

  app.get(
    '/tasks',
    authed(async (c, s) => {
      const ws = s.workspace.id;
      const assignee = c.req.query('assignee');
      const f: ListFilters = {
        q: (c.req.query('q') ?? '').trim().slice(0, 200),
        status: asStatus(c.req.query('status')),
        priority: asPriority(c.req.query('priority')),
        assignee: assignee && isUuid(assignee) ? assignee : undefined,
      };
      const users = await listUsers(db, ws);
      let tasks: Row[] = [];
      let nextCursor: string | null = null;
      let error: string | undefined;
      const cursor = c.req.query('cursor') || undefined;
      if (f.q) {
        const { hits } = await searchTasks(db, ws, f.q, { limit: SEARCH_LIMIT, status: f.status });
        tasks = hits.filter((h) => (!f.priority || h.priority === f.priority) && (!f.assignee || h.assigneeId === f.assignee));
      } else {
        try {
          ({ tasks, nextCursor } = await listTasks(db, ws, { status: f.status, priority: f.priority, assigneeId: f.assignee, limit: PAGE_SIZE, cursor }));
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          error = 'That page link is no longer valid — showing the newest tasks instead.';
          ({ tasks, nextCursor } = await listTasks(db, ws, { status: f.status, priority: f.priority, assigneeId: f.assignee, limit: PAGE_SIZE }));
        }
      }
      return render(
        c,
        <TasksPage
          s={s}
          f={f}
          users={users}
          tasks={tasks}
          nextCursor={nextCursor}
          isFirstPage={!cursor || Boolean(error)}
          searched={Boolean(f.q)}
          notice={noticeFrom(c, NOTICES)}
          error={error}
        />,
      );
    }),
  );

  const newTaskPage = async (c: Ctx, s: Session, v: NewTaskValues, status = 200, error?: string) => {
    const ws = s.workspace.id;
    const customerQuery = (c.req.query('customerQuery') ?? '').trim().slice(0, 200);
    const chosenId = positiveInt(v.customerId || c.req.query('customer'));
    const chosen = chosenId ? await getCustomer(db, ws, chosenId) : null;
    const found = customerQuery ? await findCustomers(db, ws, customerQuery, 20) : null;
    return render(
      c,
      <NewTaskPage s={s} users={await listUsers(db, ws)} v={v} chosen={chosen} customerQuery={customerQuery} found={found} error={error} />,
      status,
    );
  };

  app.get(
    '/tasks/new',
    authed((c, s) => newTaskPage(c, s, EMPTY_VALUES)),
  );

  app.post(
    '/tasks',
    authed(async (c, s) => {
      const ws = s.workspace.id;
      const form = await Form.of(c);
      const mode = form.str('customerMode');
      const v: NewTaskValues = {
        title: form.str('title'),
        description: form.raw('description').replace(/\r\n/g, '\n'),
        status: form.str('status') || 'open',
        priority: form.str('priority') || 'normal',
        assignee: form.str('assignee'),
        due: form.str('due'),
        customerMode: mode === 'existing' || mode === 'new' ? mode : 'none',
        customerId: form.str('customerId'),
        customerName: form.str('customerName'),
        customerPhone: form.str('customerPhone'),
        customerEmail: form.str('customerEmail'),
      };
      try {
        const status = asStatus(v.status);
        const priority = asPriority(v.priority);
        if (!status) throw invalid('choose a status');
        if (!priority) throw invalid('choose a priority');
        if (v.assignee && !isUuid(v.assignee)) throw invalid('choose an assignee from the list');
        let dueAt: Date | null = null;
        if (v.due) {
          dueAt = parseDay(v.due);
          if (!dueAt) throw invalid('the due date must be a date like 2026-12-01');
        }
        if (v.customerMode === 'none' && (v.customerName || v.customerPhone || v.customerEmail))
          throw invalid('you filled in customer details but chose “No customer” — choose “New customer” to add them');
        const existing = positiveInt(v.customerId);
        if (v.customerMode === 'existing' && !existing) throw invalid('that customer is not in this workspace — find them again');
        const customer: TaskCustomer =
          v.customerMode === 'existing'
            ? { kind: 'existing', id: existing! }
            : v.customerMode === 'new'
              ? { kind: 'new', customer: { name: v.customerName, phone: v.customerPhone, email: v.customerEmail } }
              : { kind: 'none' };
        const task = await createTaskWithCustomer(
          db,
          ws,
          { title: v.title, description: v.description, status, priority, assigneeId: v.assignee || null, dueAt },
          customer,
        );
        return seeOther(c, `/tasks/${task.number}?notice=created`);
      } catch (err) {
        if (!(err instanceof DomainError) || err.code !== 'invalid') throw err;
        return newTaskPage(c, s, v, 400, capitalize(err.message) + '.');
      }
    }),
  );

  const taskPage = async (c: Ctx, s: Session, number: number, extra: { status?: number; error?: string; draft?: string } = {}) => {
    const ws = s.workspace.id;
    const task = await getTaskByNumber(db, ws, number);
    if (!task) return notFoundPage(c, `There is no task #${number} in this workspace`);
    const after = c.req.query('after') || undefined;
    let page;
    try {
      page = await listComments(db, ws, task.id, { limit: COMMENTS_PAGE, cursor: after });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      page = await listComments(db, ws, task.id, { limit: COMMENTS_PAGE });
    }
    const [customer, users] = [task.customerId ? await getCustomer(db, ws, task.customerId) : null, await listUsers(db, ws)];
    return render(
      c,
      <TaskPage
        s={s}
        task={task}
        customer={customer}
        users={users}
        comments={page.comments}
        nextCursor={page.nextCursor}
        olderShown={Boolean(after)}
        notice={noticeFrom(c, NOTICES)}
        error={extra.error}
        draft={extra.draft}
      />,
      extra.status ?? 200,
    );
  };

  app.get(
    '/tasks/:number',
    authed(async (c, s) => {
      const number = positiveInt(c.req.param('number'));
      if (!number) return notFoundPage(c, 'That is not a task number');
      return taskPage(c, s, number);
    }),
  );

  app.post(
    '/tasks/:number',
    authed(async (c, s) => {
      const number = positiveInt(c.req.param('number'));
      if (!number) return notFoundPage(c, 'That is not a task number');
      const form = await Form.of(c);
      const status = form.has('status') ? asStatus(form.str('status')) : undefined;
      const priority = form.has('priority') ? asPriority(form.str('priority')) : undefined;
      const assignee = form.has('assignee') ? form.str('assignee') : undefined;
      if ((form.has('status') && !status) || (form.has('priority') && !priority) || (assignee && !isUuid(assignee)))
        return taskPage(c, s, number, { status: 400, error: 'Choose a status, priority and assignee from the lists.' });
      try {
        await updateTask(db, s.workspace.id, number, { status, priority, assigneeId: assignee === undefined ? undefined : assignee || null });
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        if (err.code === 'not_found') return notFoundPage(c, `There is no task #${number} in this workspace`);
        return taskPage(c, s, number, { status: 400, error: capitalize(err.message) + '.' });
      }
      return seeOther(c, `/tasks/${number}?notice=updated`);
    }),
  );

  app.post(
    '/tasks/:number/comments',
    authed(async (c, s) => {
      const number = positiveInt(c.req.param('number'));
      if (!number) return notFoundPage(c, 'That is not a task number');
      const task = await getTaskByNumber(db, s.workspace.id, number);
      if (!task) return notFoundPage(c, `There is no task #${number} in this workspace`);
      const form = await Form.of(c);
      const body = form.raw('body').replace(/\r\n/g, '\n');
      try {
        const { comment } = await addComment(db, s.workspace.id, {
          taskId: task.id,
          authorKind: 'staff',
          authorName: s.user.name,
          userId: s.user.id,
          body,
        });
        return seeOther(c, `/tasks/${number}?notice=commented#comment-${comment.id}`);
      } catch (err) {
        if (!(err instanceof DomainError) || err.code !== 'invalid') throw err;
        return taskPage(c, s, number, { status: 400, error: 'A comment must be 1–5,000 characters.', draft: body.slice(0, 5000) });
      }
    }),
  );
}

export const capitalize = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
