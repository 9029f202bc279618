/** One task: details, customer, comments, staff comment and changes. */
import type { Session } from '../../../domain/sessions.ts';
import type { Comment } from '../../../domain/comments.ts';
import type { Customer } from '../../../domain/customers.ts';
import { PRIORITIES, STATUSES, type Task } from '../../../domain/tasks.ts';
import type { User } from '../../../domain/users.ts';
import {
  AuthorBadge,
  CsrfField,
  Layout,
  Notice,
  PRIORITY_LABELS,
  PriorityBadge,
  STATUS_LABELS,
  StatusBadge,
  Time,
  formatDate,
  qs,
} from '../../ui/ui.tsx';

export function TaskPage(p: {
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
