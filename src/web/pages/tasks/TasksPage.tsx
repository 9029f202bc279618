/** The task list: filters, keyset pages, search results. */
import type { Session } from '../../../domain/sessions.ts';
import { PRIORITIES, STATUSES, type Priority, type Status } from '../../../domain/tasks.ts';
import type { User } from '../../../domain/users.ts';
import { Empty, Layout, Notice, Pager, PRIORITY_LABELS, STATUS_LABELS, qs } from '../../ui/ui.tsx';
import { TaskTable, type Row } from '../../ui/TaskTable.tsx';

export interface ListFilters {
  q: string;
  status?: Status;
  priority?: Priority;
  assignee?: string;
}

/** Search results shown at most (the search itself ranks them). */
export const SEARCH_LIMIT = 50;

export function Filters(p: { f: ListFilters; users: User[] }) {
  return (
    <form method="get" action="/tasks" class="panel filters" role="search" aria-label="Filter tasks">
      <div class="field search-field">
        <label for="q">Search</label>
        <input id="q" name="q" type="search" value={p.f.q} maxlength={200} placeholder="Name, phone, email, #1042 or words" autocomplete="off" />
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

export function TasksPage(p: {
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
              Try a phone number in any format, an email address, a task number like #1042, part of the customer's name, or words from the title.{' '}
              {filtered ? 'The status, priority and assignee filters also apply — clear them to widen the search.' : ''}
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
          <Pager
            first={p.isFirstPage ? null : `/tasks${qs(base)}`}
            firstLabel="← Back to the newest"
            next={p.nextCursor ? `/tasks${qs({ ...base, cursor: p.nextCursor })}` : null}
            nextLabel="Next page →"
          />
        )}
      </section>
    </Layout>
  );
}
