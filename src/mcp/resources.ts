import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { getTaskDetail, listTasks } from '../domain/tasks.ts';
import { clean } from '../presenters/tasks.ts';
import { callContext, loose, rpcError } from './rpc.ts';
import { taskDetails } from './tools/getTaskDetails.ts';

const TEMPLATE = 'taskline://tasks/{number}';
const URI_RE = /^taskline:\/\/tasks\/(\d{1,9})$/;

/** taskline://tasks/{number}: the same view as getTaskDetails, for clients that attach resources. */
export function registerResources(server: Server) {
  server.setRequestHandler(loose('resources/templates/list'), async (_req, extra) => {
    const call = callContext(extra);
    if (!call.policy.tools.includes('getTaskDetails')) return { resourceTemplates: [] };
    return {
      resourceTemplates: [
        {
          uriTemplate: TEMPLATE,
          name: 'task',
          title: 'Task by number',
          description: 'One task with its customer, assignee and description, e.g. taskline://tasks/1042',
          mimeType: 'text/plain',
        },
      ],
    };
  });

  server.setRequestHandler(loose('resources/list'), async (_req, extra) => {
    const call = callContext(extra);
    if (!call.policy.tools.includes('getTaskDetails')) return { resources: [] };
    const recent = await listTasks(call.db, call.workspace.id, { limit: 20 });
    return {
      resources: recent.tasks.map((t) => ({
        uri: `taskline://tasks/${t.number}`,
        name: `#${t.number} ${clean(t.title)}`.slice(0, 120),
        mimeType: 'text/plain',
      })),
    };
  });

  server.setRequestHandler(loose('resources/read'), async (req, extra) => {
    const call = callContext(extra);
    const uri = (req.params as { uri?: unknown } | undefined)?.uri;
    if (typeof uri !== 'string') throw rpcError(-32602, 'resources/read needs params.uri, e.g. taskline://tasks/1042');
    const m = URI_RE.exec(uri);
    const task = m && call.policy.tools.includes('getTaskDetails') ? await getTaskDetail(call.db, call.workspace.id, Number(m[1])) : null;
    if (!task) throw rpcError(-32002, `Resource not found: ${uri}. Task resources look like taskline://tasks/1042.`);
    const { text } = taskDetails(call, task);
    return { contents: [{ uri, mimeType: 'text/plain', text }] };
  });
}
