import { z } from 'zod';
import { defineTool, READ_ONLY } from '../tool.ts';
import { TaskSummarySchema, clean, taskLine, taskSummary } from '../../presenters/tasks.ts';
import { listTasks, OPEN_STATUSES, PRIORITIES, STATUSES } from '../../domain/tasks.ts';

const counts = z.record(z.string(), z.number().int());

export const workspaceSummary = defineTool({
  name: 'workspaceSummary',
  title: 'Workspace summary',
  description:
    'Task counts by status and priority, tasks created in the last 7 and 30 days, overdue open tasks and the 5 latest updated: "how busy are we?" To find a caller\'s task use searchWorkspaceTasks.',
  inputSchema: z.object({}),
  outputSchema: z.object({
    workspace: z.string(),
    totalTasks: z.number().int(),
    byStatus: counts.describe(`Task count per status (${STATUSES.join(', ')})`),
    byPriority: counts.describe(`Task count per priority (${PRIORITIES.join(', ')})`),
    createdLast7Days: z.number().int(),
    createdLast30Days: z.number().int(),
    overdueOpen: z.number().int().describe('Open, in-progress or waiting tasks whose due date has passed'),
    recentlyUpdated: z.array(TaskSummarySchema),
  }),
  annotations: READ_ONLY,
  async run(ctx) {
    const ws = ctx.workspace.id;
    const [agg, recent] = await Promise.all([
      ctx.db.query<{ status: string; priority: string; n: number; d7: number; d30: number; overdue: number }>(
        `SELECT status, priority, count(*)::int AS n,
           count(*) FILTER (WHERE created_at >= now() - interval '7 days')::int AS d7,
           count(*) FILTER (WHERE created_at >= now() - interval '30 days')::int AS d30,
           count(*) FILTER (WHERE due_at < now() AND status = ANY($2))::int AS overdue
         FROM tasks WHERE workspace_id = $1 GROUP BY status, priority`,
        [ws, OPEN_STATUSES],
      ),
      listTasks(ctx.db, ws, { limit: 5 }),
    ]);
    const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<(typeof STATUSES)[number], number>;
    const byPriority = Object.fromEntries(PRIORITIES.map((p) => [p, 0])) as Record<(typeof PRIORITIES)[number], number>;
    let total = 0,
      d7 = 0,
      d30 = 0,
      overdue = 0;
    for (const r of agg.rows) {
      byStatus[r.status as keyof typeof byStatus] += r.n;
      byPriority[r.priority as keyof typeof byPriority] += r.n;
      total += r.n;
      d7 += r.d7;
      d30 += r.d30;
      overdue += r.overdue;
    }
    const fmt = (o: Record<string, number>) =>
      Object.entries(o)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
    const text = [
      `Workspace "${clean(ctx.workspace.name)}": ${total} tasks.`,
      `By status: ${fmt(byStatus)}.`,
      `By priority: ${fmt(byPriority)}.`,
      `Created in the last 7 days: ${d7}; last 30 days: ${d30}. Overdue open tasks: ${overdue}.`,
      'Recently updated:',
      ...recent.tasks.map((t) => taskLine(t)),
    ].join('\n');
    return {
      structured: {
        workspace: clean(ctx.workspace.name),
        totalTasks: total,
        byStatus,
        byPriority,
        createdLast7Days: d7,
        createdLast30Days: d30,
        overdueOpen: overdue,
        recentlyUpdated: recent.tasks.map(taskSummary),
      },
      text,
    };
  },
});
