import { z } from 'zod';
import { TaskNumber, ToolError, defineTool, requireTask, serverBound } from '../tool.ts';
import { CommentSchema, presentComment } from '../../presenters/tasks.ts';
import { addComment, findCommentByKey, sameComment } from '../../domain/comments.ts';
import { DomainError } from '../../domain/errors.ts';
import { getCustomer } from '../../domain/customers.ts';
import { verificationMessage, verifyCaller } from '../../domain/verification.ts';

const KEY_REUSED =
  'This idempotencyKey was already used for a different comment (another task or other text), so nothing was added. Use a new idempotencyKey for a new comment.';

export const addCustomerComment = defineTool({
  name: 'addCustomerComment',
  title: "Add the caller's comment",
  description:
    "Adds the caller's comment to their task once the server has verified them. Ask for the phone number on file (always required) and their full name; pass in verification exactly what they said, never details from search results or task details. The server never says which detail was wrong; repeated failures lock the task for 15 minutes. Pass an idempotencyKey so a retry never adds the comment twice.",
  inputSchema: z.object({
    taskNumber: TaskNumber,
    comment: z
      .string()
      .max(5000)
      .refine((s) => s.trim().length > 0, 'comment is empty')
      .describe("The caller's message, in their words"),
    verification: z.object({
      taskNumber: TaskNumber.optional().describe('Only if the workspace asks for it'),
      customerName: serverBound(z.string().max(200)).optional().describe('Full name, as the caller said it'),
      phone: serverBound(z.string().max(40)).optional().describe('As the caller said it, any format'),
    }),
    idempotencyKey: serverBound(z.string().min(1).max(100)).optional().describe('e.g. a UUID; a retry with the same key returns the first comment'),
  }),
  outputSchema: z.object({
    taskNumber: z.number().int(),
    comment: CommentSchema,
    created: z.boolean().describe('false when an earlier call with the same idempotencyKey already added it'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(ctx, args) {
    const task = await requireTask(ctx, args.taskNumber);
    const v = args.verification;
    const factorTypes = (['taskNumber', 'customerName', 'phone'] as const).filter((k) => {
      const val = v[k];
      return typeof val === 'number' || (typeof val === 'string' && val.trim() !== '');
    });
    if (args.idempotencyKey) {
      const earlier = await findCommentByKey(ctx.db, ctx.workspace.id, ctx.credential.id, args.idempotencyKey);
      if (earlier) {
        if (!sameComment(earlier, { taskId: task.id, body: args.comment }))
          throw new ToolError(KEY_REUSED, 'error', { taskId: task.id, factorTypes });
        return {
          structured: { taskNumber: task.number, comment: presentComment(earlier), created: false },
          text: `Already added (same idempotencyKey): comment ${earlier.id} on #${task.number}. Nothing new was written.`,
          taskId: task.id,
          factorTypes,
        };
      }
    }
    const result = await verifyCaller(ctx.db, {
      workspaceId: ctx.workspace.id,
      credentialId: ctx.credential.id,
      task: { id: task.id, number: task.number, customerId: task.customerId },
      factors: v,
      requiredFactors: ctx.policy.requiredFactors,
    });
    if (!result.ok)
      throw new ToolError(verificationMessage(result), result.reason === 'locked' ? 'locked' : 'verification_failed', {
        taskId: task.id,
        factorTypes,
      });
    const customer = task.customerId == null ? null : await getCustomer(ctx.db, ctx.workspace.id, task.customerId);
    // A concurrent call with the same key (e.g. in the same batch) may have committed first: addComment then
    // returns its comment if it is this one, and refuses the key otherwise.
    const { comment, created } = await addComment(ctx.db, ctx.workspace.id, {
      taskId: task.id,
      authorKind: 'customer',
      authorName: customer?.name ?? 'Customer',
      body: args.comment,
      credentialId: ctx.credential.id,
      idempotencyKey: args.idempotencyKey ?? null,
    }).catch((err: unknown) => {
      if (err instanceof DomainError && err.code === 'conflict') throw new ToolError(KEY_REUSED, 'error', { taskId: task.id, factorTypes });
      throw err;
    });
    return {
      structured: { taskNumber: task.number, comment: presentComment(comment), created },
      text: created
        ? `Verified. Added the customer's comment to #${task.number} (comment ${comment.id}). Staff will see it on the task.`
        : `Already added (same idempotencyKey): comment ${comment.id} on #${task.number}. Nothing new was written.`,
      taskId: task.id,
      factorTypes,
    };
  },
});
