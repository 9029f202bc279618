/** Tasks: list (filters, keyset pages, search), task page (details, comments, changes), create. */
import type { Session } from '../../../domain/sessions.ts';
import { addComment, listComments } from '../../../domain/comments.ts';
import { findCustomers, getCustomer } from '../../../domain/customers.ts';
import { DomainError, invalid } from '../../../domain/errors.ts';
import { searchTasks } from '../../../domain/search.ts';
import {
  createTaskWithCustomer,
  getTaskByNumber,
  listTasks,
  PRIORITIES,
  STATUSES,
  updateTask,
  type Priority,
  type Status,
  type TaskCustomer,
} from '../../../domain/tasks.ts';
import { listUsers } from '../../../domain/users.ts';
import { isUuid } from '../../../domain/workspaces.ts';
import { Form, authed, notFoundPage, parseDay, positiveInt, render, seeOther, noticeFrom, type Ctx, type Deps, pageOrFirst } from '../../kit.tsx';
import { TasksPage, SEARCH_LIMIT, type ListFilters } from './TasksPage.tsx';
import { TaskPage } from './TaskPage.tsx';
import { EMPTY_VALUES, NewTaskPage, type NewTaskValues } from './NewTaskPage.tsx';
import type { Row } from '../../ui/TaskTable.tsx';
import { capitalize } from '../../kit.tsx';

export const PAGE_SIZE = 25;
export const COMMENTS_PAGE = 100;

export const asStatus = (s: string | undefined): Status | undefined =>
  (STATUSES as readonly string[]).includes(s ?? '') ? (s as Status) : undefined;
export const asPriority = (s: string | undefined): Priority | undefined =>
  (PRIORITIES as readonly string[]).includes(s ?? '') ? (s as Priority) : undefined;

export const NOTICES: Record<string, string> = {
  created: 'Task created.',
  updated: 'Task updated.',
  commented: 'Comment added.',
};
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
        const { page, stale } = await pageOrFirst(cursor, (at) =>
          listTasks(db, ws, { status: f.status, priority: f.priority, assigneeId: f.assignee, limit: PAGE_SIZE, cursor: at }),
        );
        ({ tasks, nextCursor } = page);
        if (stale) error = 'That page link is no longer valid — showing the newest tasks instead.';
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
      <NewTaskPage
        s={s}
        users={await listUsers(db, ws, { assignable: true })}
        v={v}
        chosen={chosen}
        customerQuery={customerQuery}
        found={found}
        error={error}
      />,
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
    const { page } = await pageOrFirst(after, (at) => listComments(db, ws, task.id, { limit: COMMENTS_PAGE, cursor: at }));
    const [customer, users] = [
      task.customerId ? await getCustomer(db, ws, task.customerId) : null,
      await listUsers(db, ws, { assignable: true, keep: task.assigneeId }),
    ];
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
