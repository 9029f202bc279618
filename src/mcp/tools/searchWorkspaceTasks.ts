import { z } from 'zod';
import { Limit, ToolError, defineTool, READ_ONLY } from '../tool.ts';
import { StatusEnum, TaskSummarySchema, contact, taskLine, taskSummary } from '../../presenters/tasks.ts';
import { searchTasks } from '../../domain/search.ts';
import { DomainError } from '../../domain/errors.ts';

const MATCHED_ON = ['taskNumber', 'phone', 'email', 'customerName', 'text'] as const;

export const searchWorkspaceTasks = defineTool({
  name: 'searchWorkspaceTasks',
  title: 'Find tasks',
  description:
    'Finds tasks from whatever a caller says: name (typos, any word order), phone in any format, email, task number ("#1042", "task 1042"), words about the job ("broken dishwasher") or a mix ("dishwasher russell"). Best matches first, each with what it matched on. Use it first for "my repair"; then getTaskDetails.',
  inputSchema: z.object({
    query: z
      .string()
      .max(200)
      .refine((s) => s.trim().length > 0, 'query is empty')
      .describe("What the caller said: a name, phone number, email, task number or words about the job"),
    limit: Limit(10, 50),
    status: StatusEnum.optional().describe('Only tasks with this status'),
  }),
  outputSchema: z.object({
    hits: z.array(
      TaskSummarySchema.extend({
        matchedOn: z.enum(MATCHED_ON),
        customerPhone: z.string().nullable(),
        customerEmail: z.string().nullable(),
      }),
    ),
  }),
  annotations: READ_ONLY,
  async run(ctx, args) {
    let result;
    try {
      result = await searchTasks(ctx.db, ctx.workspace.id, args.query, { limit: args.limit, status: args.status });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'invalid') throw new ToolError(err.message);
      throw err;
    }
    const reveal = ctx.policy.revealContact;
    const hits = result.hits.map((h) => {
      const c = contact(h.customerName ?? '', h.customerPhone, h.customerEmail, reveal);
      return { ...taskSummary(h), matchedOn: h.matchedOn, customerPhone: c.phone, customerEmail: c.email };
    });
    const text = hits.length
      ? `${hits.length} match(es) for "${args.query.trim()}", best first:\n` +
        result.hits.map((h, i) => taskLine(h, hits[i]!.customerPhone ? ` ${hits[i]!.customerPhone}` : '') + ` [${h.matchedOn}]`).join('\n')
      : `No tasks match "${args.query.trim()}". Ask the caller for another detail — the phone number on file, their email, or the task number — and search again.`;
    return { structured: { hits }, text };
  },
});
