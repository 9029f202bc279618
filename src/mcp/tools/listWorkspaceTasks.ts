import { z } from 'zod';
import { Cursor, Limit, ToolError, defineTool, READ_ONLY, serverBound } from '../tool.ts';
import { PriorityEnum, StatusEnum, TaskSummarySchema, taskLine, taskSummary } from '../../presenters/tasks.ts';
import { listTasks } from '../../domain/tasks.ts';
import { findUser } from '../../domain/users.ts';
import { DomainError } from '../../domain/errors.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const IsoDate = serverBound(
  z
    .string()
    .max(40)
    // Years 1–9999: what PostgreSQL can compare with (year 0 parses in JavaScript and fails in the database).
    .refine((s) => {
      const t = Date.parse(s);
      return ISO_DATE.test(s) && !Number.isNaN(t) && new Date(t).getUTCFullYear() >= 1 && new Date(t).getUTCFullYear() <= 9999;
    }, 'expected an ISO date like 2026-11-01 or 2026-11-01T09:00:00Z'),
).transform((s) => new Date(s));

export const listWorkspaceTasks = defineTool({
  name: 'listWorkspaceTasks',
  title: 'List recent tasks',
  description:
    'Tasks, latest updated first, by status, priority, assignee or update date: to browse ("what came in today?", "open urgent jobs", "what is Pat working on?"). To find a caller\'s task use searchWorkspaceTasks.',
  inputSchema: z.object({
    status: StatusEnum.optional().describe('Only tasks with this status'),
    priority: PriorityEnum.optional().describe('Only tasks with this priority'),
    assignee: serverBound(z.string().trim().min(1).max(200)).optional().describe("Staff member's email or name (prefix ok)"),
    updatedSince: IsoDate.optional().describe('ISO date/time, e.g. 2026-11-01'),
    limit: Limit(20, 50),
    cursor: Cursor,
  }),
  outputSchema: z.object({
    tasks: z.array(TaskSummarySchema),
    nextCursor: z.string().nullable().describe('Pass as cursor to get the next page; null when there are no more'),
  }),
  annotations: READ_ONLY,
  async run(ctx, args) {
    let assigneeId: string | undefined;
    if (args.assignee) {
      const user = await findUser(ctx.db, ctx.workspace.id, args.assignee);
      if (!user) throw new ToolError(`No staff member matches "${args.assignee}". Use an email address or the start of a name, or omit assignee.`);
      assigneeId = user.id;
    }
    try {
      const page = await listTasks(ctx.db, ctx.workspace.id, {
        status: args.status,
        priority: args.priority,
        assigneeId,
        updatedSince: args.updatedSince,
        limit: args.limit,
        cursor: args.cursor,
      });
      const lines = page.tasks.map((t) => taskLine(t));
      const text = page.tasks.length
        ? `${page.tasks.length} task(s):\n${lines.join('\n')}${page.nextCursor ? `\nMore: call again with cursor "${page.nextCursor}".` : ''}`
        : 'No tasks match these filters. Loosen the filters (status, priority, assignee, updatedSince) or use searchWorkspaceTasks.';
      return { structured: { tasks: page.tasks.map(taskSummary), nextCursor: page.nextCursor }, text };
    } catch (err) {
      if (err instanceof DomainError && err.code === 'invalid') throw new ToolError(err.message);
      throw err;
    }
  },
});
