import { z } from 'zod';
import type { Db } from '../platform/db/client.ts';
import type { Outcome } from '../domain/audit.ts';
import type { Credential } from '../domain/credentials.ts';
import type { EffectivePolicy, ToolName } from '../domain/policy.ts';
import { getTaskByNumber, type Task } from '../domain/tasks.ts';
import type { Workspace } from '../domain/workspaces.ts';

/** Everything a tool may use for one call: bound per request, never stored. */
export interface ToolContext {
  db: Db;
  workspace: Workspace;
  credential: Credential;
  policy: EffectivePolicy;
  requestId: string;
  /** Limits from configuration that tools enforce themselves. */
  limits: { contactMissesPerHour: number };
}

export interface ToolOutput<O> {
  structured: O;
  text: string;
  /** For the audit row. */
  taskId?: number | null;
  factorTypes?: string[];
  /** A result that is not a failure but stands out in the audit log (a masked contact lookup that matched nobody). */
  outcome?: 'no_match';
}

/** A user-caused failure: becomes an `isError` result whose text tells the assistant what to do next. */
export class ToolError extends Error {
  constructor(
    message: string,
    public readonly outcome: Exclude<Outcome, 'ok'> = 'error',
    public readonly audit: { taskId?: number | null; factorTypes?: string[] } = {},
  ) {
    super(message);
  }
}

/**
 * MCP ToolAnnotations (spec 2025-11-25). `idempotentHint` and `destructiveHint` are meaningful only when readOnlyHint
 * is false, so a read-only tool leaves out idempotentHint; it keeps `destructiveHint: false` because some clients (the
 * ChatGPT Apps review among them) ask for it on every tool and badge a tool without it as destructive. openWorldHint
 * defaults to true, so our false is always sent.
 */
export type ToolAnnotations =
  | { readOnlyHint: true; destructiveHint: false; openWorldHint: boolean }
  | { readOnlyHint: false; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean };

export interface ToolDef<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: ToolName;
  title: string;
  description: string;
  inputSchema: I;
  outputSchema: O;
  annotations: ToolAnnotations;
  run(ctx: ToolContext, args: z.output<I>): Promise<ToolOutput<z.input<O>>>;
}

export const defineTool = <I extends z.ZodObject, O extends z.ZodObject>(t: ToolDef<I, O>): ToolDef<I, O> => t;

export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, openWorldHint: false };

const TASK_NUMBER_RE = /^\s*(?:(?:task|ticket|job|order)\s*)?(?:no\.?\s*|number\s*)?#?\s*(\d{1,9})\s*$/i;

/**
 * Bounds that only stop abuse (a 40-character task number, a 200-character cursor): the server enforces them with a
 * clear error, but tools/list leaves them out (tools/index.ts) — an assistant never comes near them, and every
 * connection would pay for them in context. Marks the exact schema instance (after .refine, before .optional).
 */
export const SERVER_ONLY_BOUNDS = new WeakSet<object>();
export function serverBound<T extends z.ZodType>(schema: T): T {
  SERVER_ONLY_BOUNDS.add(schema);
  return schema;
}

/** `1042`, `"#1042"`, `"task 1042"` → 1042. */
export const TaskNumber = z
  .union([
    serverBound(z.number().int().min(1).max(999_999_999)),
    serverBound(
      z
        .string()
        .max(40)
        .refine((s) => TASK_NUMBER_RE.test(s), 'expected a task number like 1042, "#1042" or "task 1042"'),
    ),
  ])
  .transform((v) => (typeof v === 'number' ? v : Number(TASK_NUMBER_RE.exec(v)![1])))
  .describe('1042, "#1042" or "task 1042"');

export const Limit = (def: number, max: number) => z.number().int().min(1).max(max).default(def).describe('Max results');

export const Cursor = serverBound(z.string().max(200)).optional().describe('nextCursor from the last page');

export const noSuchTask = (number: number) =>
  new ToolError(
    `No task #${number} in this workspace. Check the number with the caller, or use searchWorkspaceTasks with their name or phone number.`,
  );

export async function requireTask(ctx: ToolContext, number: number): Promise<Task> {
  const t = await getTaskByNumber(ctx.db, ctx.workspace.id, number);
  if (!t) throw noSuchTask(number);
  return t;
}
