import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { getTaskDetail, listTasks } from '../domain/tasks.ts';
import { clean } from '../presenters/tasks.ts';
import { callContext, loose, rpcError, type CallContext } from './rpc.ts';
import { taskDetails } from './tools/getTaskDetails.ts';

const TEMPLATE = 'taskline://tasks/{number}';
const URI_RE = /^taskline:\/\/tasks\/(\d{1,9})$/;

/** A resources/read of something that does not exist: -32002 for legacy clients, -32602 with data.uri for modern. */
export class ResourceNotFound extends Error {
  constructor(readonly uri: string) {
    super(`Resource not found: ${uri.slice(0, 300)}. Task resources look like taskline://tasks/1042.`);
  }
}

/** The same answers for both protocol eras (the legacy SDK handlers below, modern.ts for 2026-07-28). */
export function resourceTemplates(call: CallContext) {
  if (!call.policy.tools.includes('getTaskDetails')) return [];
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

export async function listResources(call: CallContext) {
  if (!call.policy.tools.includes('getTaskDetails')) return [];
  const recent = await listTasks(call.db, call.workspace.id, { limit: 20 });
  return recent.tasks.map((t) => ({
    uri: `taskline://tasks/${t.number}`,
    name: `#${t.number} ${clean(t.title)}`.slice(0, 120),
    mimeType: 'text/plain',
  }));
}

/** taskline://tasks/{number}: the same view as getTaskDetails, for clients that attach resources. */
export async function readResource(call: CallContext, params: unknown) {
  const uri = (params as { uri?: unknown } | undefined)?.uri;
  if (typeof uri !== 'string') throw rpcError(-32602, 'resources/read needs params.uri, e.g. taskline://tasks/1042');
  const m = URI_RE.exec(uri);
  const task = m && call.policy.tools.includes('getTaskDetails') ? await getTaskDetail(call.db, call.workspace.id, Number(m[1])) : null;
  if (!task) throw new ResourceNotFound(uri);
  const { text } = taskDetails(call, task);
  return { contents: [{ uri, mimeType: 'text/plain', text }] };
}

export function registerResources(server: Server) {
  server.setRequestHandler(loose('resources/templates/list'), async (_req, extra) => ({ resourceTemplates: resourceTemplates(callContext(extra)) }));
  server.setRequestHandler(loose('resources/list'), async (_req, extra) => ({ resources: await listResources(callContext(extra)) }));
  server.setRequestHandler(loose('resources/read'), async (req, extra) => {
    try {
      return await readResource(callContext(extra), req.params);
    } catch (err) {
      if (err instanceof ResourceNotFound) throw rpcError(-32002, err.message);
      throw err;
    }
  });
}
