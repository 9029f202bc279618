import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { getTaskDetail, listTasks } from '../domain/tasks.ts';
import { clean } from '../presenters/tasks.ts';
import { callContext, loose, rpcError, type Boundary, type CallContext } from './rpc.ts';
import { taskDetails } from './tools/getTaskDetails.ts';

const TEMPLATE = 'taskline://tasks/{number}';
const URI_RE = /^taskline:\/\/tasks\/(\d{1,9})$/;

/** A resources/read of something that does not exist (or that the credential may not read: the same answer). */
export class ResourceNotFound extends Error {
  constructor(readonly uri: string) {
    super(`Resource not found: ${uri.slice(0, 300)}. Task resources look like taskline://tasks/1042.`);
  }
}

/** Task resources show what getTaskDetails shows: a credential without that tool gets none. */
export const mayReadTasks = (call: CallContext) => call.policy.tools.includes('getTaskDetails');

export function resourceTemplates(call: CallContext) {
  if (!mayReadTasks(call)) return [];
  return [
    {
      uriTemplate: TEMPLATE,
      name: 'task',
      title: 'Task by number',
      description: 'One task with its customer, assignee and description, e.g. taskline://tasks/1042',
      mimeType: 'text/plain',
    },
  ];
}

/** The 20 most recently updated tasks as resources (called through the boundary, boundary.ts). */
export async function listTaskResources(call: CallContext) {
  const recent = await listTasks(call.db, call.workspace.id, { limit: 20 });
  return recent.tasks.map((t) => ({
    uri: `taskline://tasks/${t.number}`,
    name: `#${t.number} ${clean(t.title)}`.slice(0, 120),
    mimeType: 'text/plain',
  }));
}

/** taskline://tasks/{number}: the same view as getTaskDetails (called through the boundary, boundary.ts). */
export async function readTaskResource(call: CallContext, params: unknown) {
  const uri = (params as { uri?: unknown } | undefined)?.uri;
  if (typeof uri !== 'string') throw rpcError(-32602, 'resources/read needs params.uri, e.g. taskline://tasks/1042');
  const m = URI_RE.exec(uri);
  const task = m ? await getTaskDetail(call.db, call.workspace.id, Number(m[1])) : null;
  if (!task) throw new ResourceNotFound(uri);
  const { text } = taskDetails(call, task);
  return { result: { contents: [{ uri, mimeType: 'text/plain', text }] }, taskId: task.id };
}

/** The legacy era's handlers (SDK server); 2026-07-28 calls the same boundary from modern.ts. */
export function registerResources(server: Server, boundary: Boundary) {
  server.setRequestHandler(loose('resources/templates/list'), async (_req, extra) => ({ resourceTemplates: resourceTemplates(callContext(extra)) }));
  server.setRequestHandler(loose('resources/list'), async (_req, extra) => ({ resources: await boundary.listResources(callContext(extra)) }));
  server.setRequestHandler(loose('resources/read'), async (req, extra) => {
    try {
      return await boundary.readResource(callContext(extra), req.params);
    } catch (err) {
      if (err instanceof ResourceNotFound) throw rpcError(-32002, err.message);
      throw err;
    }
  });
}
