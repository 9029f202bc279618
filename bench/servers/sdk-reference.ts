/**
 * B1 (b): what a team gets by following the MCP TypeScript SDK (v1) documentation for a stateless Streamable HTTP
 * server (src/examples/server/simpleStatelessStreamableHttp.ts, linked from the SDK README): an Express app from
 * createMcpExpressApp(), and per request a new McpServer with its tools registered, a new
 * StreamableHTTPServerTransport({ sessionIdGenerator: undefined }), connect, handleRequest, close on 'close'.
 * One tool, getTaskDetails, over in-memory data (no database), with an input and an output schema as the SDK's
 * registerTool docs show. Only the example's per-request console.log is left out.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { z } from 'zod';

interface MemTask {
  number: number;
  title: string;
  status: string;
  priority: string;
  customer: string;
  phone: string;
  commentCount: number;
  updatedAt: string;
}

const STATUSES = ['open', 'in_progress', 'waiting', 'done', 'cancelled'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const TITLES = [
  'Dishwasher not draining',
  'Furnace makes a banging noise',
  'Replace kitchen faucet',
  'Laptop will not boot',
  'Dryer takes two cycles',
];
const NAMES = ['Russell Hale', 'Maria Núñez', 'Wei Chen', 'Aisha Okafor', "Liam O'Brien"];
const TASKS: MemTask[] = Array.from({ length: 10_000 }, (_, i) => ({
  number: i + 1,
  title: TITLES[i % TITLES.length]!,
  status: STATUSES[i % STATUSES.length]!,
  priority: PRIORITIES[i % PRIORITIES.length]!,
  customer: NAMES[i % NAMES.length]!,
  phone: `•••-•••-${String(1000 + (i % 9000))}`,
  commentCount: i % 5,
  updatedAt: new Date(Date.UTC(2026, 10, 1) - i * 60_000).toISOString(),
}));

const getServer = () => {
  const server = new McpServer({ name: 'sdk-reference', version: '1.0.0' });
  server.registerTool(
    'getTaskDetails',
    {
      title: 'Task details',
      description: 'Full details of one task by its number.',
      inputSchema: { taskNumber: z.number().int().min(1).describe('The task number') },
      outputSchema: {
        number: z.number().int(),
        title: z.string(),
        status: z.string(),
        priority: z.string(),
        customer: z.object({ name: z.string(), phone: z.string() }),
        commentCount: z.number().int(),
        updatedAt: z.string(),
      },
      annotations: { readOnlyHint: true },
    },
    async ({ taskNumber }) => {
      const t = TASKS[(taskNumber - 1) % TASKS.length]!;
      const structured = {
        number: taskNumber,
        title: t.title,
        status: t.status,
        priority: t.priority,
        customer: { name: t.customer, phone: t.phone },
        commentCount: t.commentCount,
        updatedAt: t.updatedAt,
      };
      return {
        content: [
          {
            type: 'text',
            text: `Task #${taskNumber}: ${t.title}\nStatus: ${t.status} · Priority: ${t.priority}\nCustomer: ${t.customer} · ${t.phone}`,
          },
        ],
        structuredContent: structured,
      };
    },
  );
  return server;
};

const app = createMcpExpressApp();
app.post('/mcp', async (req: any, res: any) => {
  const server = getServer();
  try {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
  } catch (error) {
    console.error('Error handling MCP request:', error);
    if (!res.headersSent) {
      res.status(500).json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null });
    }
  }
});

const httpServer = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`READY ${(httpServer.address() as { port: number }).port}\n`);
});
process.on('SIGTERM', () => {
  httpServer.close(() => process.exit(0));
  httpServer.closeAllConnections();
});
