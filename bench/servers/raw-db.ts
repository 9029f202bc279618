/**
 * B1 (a-db): the physical limit for Taskline's getTaskDetails workload on this machine — raw node:http that reads
 * and parses the same JSON-RPC request, then runs exactly the statements Taskline's getTaskDetails path runs, in the
 * same order and through the same pool (src/platform/db/client.ts openPg, DB_POOL_MAX default 10):
 *   1. AuthCache.authenticate(): workspace + credential by (workspace_id, token_hash), remembered until a NOTIFY
 *      says the workspace changed                                                  (src/mcp/handler.ts)
 *   2. getTaskDetail(): task, assignee, customer contact, comment count           (src/mcp/tools/getTaskDetails.ts)
 *   3. AuditWriter.append(): the tool_call audit row, group-committed              (src/mcp/boundary.ts finish)
 * and writes the rows as JSON: no MCP, no zod, no presenters, no metrics. The domain functions are called directly so
 * the SQL is the product's own. When the product's path changes (statements added, merged or dropped), change this
 * file with it: the report compares SQL statements per request of a-db and c and says when they differ.
 */
import http from 'node:http';
import { openPg } from '../../src/platform/db/client.ts';
import { AuditWriter } from '../../src/domain/audit.ts';
import { AuthCache } from '../../src/domain/authcache.ts';
import { getTaskDetail } from '../../src/domain/tasks.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');
const db = await openPg(url, { max: Number(process.env.DB_POOL_MAX ?? 10), applicationName: 'taskline-bench-rawdb' });
const audit = new AuditWriter(db);
const authCache = new AuthCache(db);
await authCache.start();
const PATH_RE = /^\/app\/api\/mcp\/server\/([^/?]+)/;

function send(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const msg = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
    id: number | string;
    params: { arguments: { taskNumber: number } };
  };
  const workspaceId = decodeURIComponent(PATH_RE.exec(req.url ?? '')?.[1] ?? '');
  const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const started = performance.now();
  const auth = await authCache.authenticate(db, workspaceId, token);
  if (!auth.ok) return send(res, 401, { error: auth.reason });
  const task = await getTaskDetail(db, workspaceId, msg.params.arguments.taskNumber);
  if (!task) return send(res, 200, { jsonrpc: '2.0', id: msg.id, result: { isError: true, task: null } });
  await audit.append(workspaceId, {
    action: 'tool_call',
    outcome: 'ok',
    credentialId: auth.credential.id,
    tool: 'getTaskDetails',
    latencyMs: performance.now() - started,
    taskId: task.id,
  });
  send(res, 200, { jsonrpc: '2.0', id: msg.id, result: { task } });
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err: Error) => {
    if (!res.headersSent) send(res, 500, { error: err.message });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as { port: number }).port}\n`);
});
process.on('SIGTERM', () => {
  server.close(
    () =>
      void audit
        .flush()
        .then(() => authCache.close())
        .then(() => db.close())
        .finally(() => process.exit(0)),
  );
  server.closeAllConnections();
});
