import { z } from 'zod';
import { Limit, ToolError, defineTool, READ_ONLY, serverBound } from '../tool.ts';
import { StatusEnum, TaskSummarySchema, contact, taskLine, taskSummary } from '../../presenters/tasks.ts';
import { contactMatches, parseQuery, searchTasks } from '../../domain/search.ts';
import { contactLookup } from '../../domain/contactprobes.ts';
import { DomainError } from '../../domain/errors.ts';

const MATCHED_ON = ['taskNumber', 'phone', 'email', 'customerName', 'text'] as const;

export const searchWorkspaceTasks = defineTool({
  name: 'searchWorkspaceTasks',
  title: 'Find tasks',
  description:
    'Finds tasks from whatever a caller says: name (typos, any word order), phone in any format, email, task number ("#1042", "task 1042"), words about the job ("broken dishwasher") or a mix; best first. Use it first for "my repair", then getTaskDetails.',
  inputSchema: z.object({
    query: serverBound(
      z
        .string()
        .max(200)
        .refine((s) => s.trim().length > 0, 'query is empty')
        .describe('What the caller said; phone numbers and emails whole'),
    ),
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
    let q: ReturnType<typeof parseQuery>;
    try {
      q = parseQuery(args.query);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'invalid') throw new ToolError(err.message);
      throw err;
    }
    const reveal = ctx.policy.revealContact;
    const opts = { limit: args.limit, status: args.status, wholeContactOnly: !reveal };
    // With contact masked, a phone or email finds someone only whole, and lookups that find nobody are limited.
    const contactKinds = [...(q.phoneDigits ? ['phone'] : []), ...(q.email ? ['email'] : [])];
    let result: Awaited<ReturnType<typeof searchTasks>>;
    let missed = false;
    if (reveal || !contactKinds.length) result = await searchTasks(ctx.db, ctx.workspace.id, q, opts);
    else {
      const lookup = await contactLookup(ctx.db, ctx.workspace.id, ctx.credential.id, ctx.limits.contactMissesPerHour, async (tx) => {
        const found = await searchTasks(tx, ctx.workspace.id, q, opts);
        // A miss when the phone or the email (either one, if both were given) matched nobody.
        return { value: found, missed: contactMatches(found.hits, q).some((m) => !m.matched) };
      });
      if (!lookup.ok) {
        const minutes = Math.max(1, Math.ceil((lookup.retryAt.getTime() - Date.now()) / 60_000));
        throw new ToolError(
          `Phone and email lookups for this credential are paused until ${lookup.retryAt.toISOString()} (about ${minutes} minute${minutes === 1 ? '' : 's'}), ` +
            `after ${ctx.limits.contactMissesPerHour} lookups within an hour that matched nobody. Nothing was searched. ` +
            "Search by the caller's name or the task number instead, or offer a staff follow-up.",
          'locked',
          { factorTypes: contactKinds },
        );
      }
      ({ value: result, missed } = lookup);
    }
    const hits = result.hits.map((h) => {
      const c = contact(h.customerName ?? '', h.customerPhone, h.customerEmail, reveal);
      return { ...taskSummary(h), matchedOn: h.matchedOn, customerPhone: c.phone, customerEmail: c.email };
    });
    const whole =
      !reveal && contactKinds.length ? ' Phone numbers and email addresses are matched whole: all digits of the number, the complete address.' : '';
    const text = hits.length
      ? `${hits.length} match(es) for "${args.query.trim()}", best first:\n` +
        result.hits.map((h, i) => taskLine(h, hits[i]!.customerPhone ? ` ${hits[i]!.customerPhone}` : '') + ` [${h.matchedOn}]`).join('\n')
      : `No tasks match "${args.query.trim()}". Ask the caller for another detail — the phone number on file, their email, or the task number — and search again.${whole}`;
    return { structured: { hits }, text, ...(missed ? { outcome: 'no_match' as const, factorTypes: contactKinds } : {}) };
  },
});
