import { Hono } from 'hono';
import type { AppContext } from '../context.ts';

/** The staff web app. */
export function createWebApp(ctx: AppContext) {
  const app = new Hono();
  app.get('/', (c) =>
    c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Taskline</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:system-ui;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>Taskline</h1><p>The server is running. MCP endpoint: <code>${ctx.config.publicUrl}/app/api/mcp/server/&lt;workspace id&gt;</code></p>
</body></html>`,
    ),
  );
  app.notFound((c) => c.json({ error: 'not_found', message: `nothing at ${c.req.path}` }, 404));
  return app;
}
