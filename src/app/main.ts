import { loadConfigOrReport, type Config } from '../platform/config.ts';
import { DataDirLockedError, DbUnavailableError } from '../platform/db/client.ts';
import { SchemaTooNewError } from '../platform/db/migrate.ts';
import { bootstrapDemo, demoWanted, type DemoCreated } from './demo.ts';
import { clientConfigs, mcpUrl } from '../presenters/clientConfigs.ts';
import { listWorkspaces } from '../domain/workspaces.ts';
import { startServer } from './start.ts';

function banner(config: Config, demo: DemoCreated | null, workspaces: { id: string; name: string }[]): string {
  const out: string[] = ['', `Taskline is running — ${config.publicUrl}/`, ''];
  if (demo) {
    const url = mcpUrl(config.publicUrl, demo.workspaceId);
    out.push(
      `Created the demo workspace "${demo.workspaceName}" (${demo.tasks} tasks). These secrets are shown only now:`,
      `  Sign in:       ${demo.adminEmail}  password: ${demo.adminPassword}`,
      `  MCP endpoint:  ${url}`,
      `  MCP token:     ${demo.token}`,
      '',
      'Connect your assistant:',
    );
    for (const c of clientConfigs(url, demo.token)) out.push(`  ${c.client} (${c.where}):`, ...c.text.split('\n').map((l) => `    ${l}`));
  } else {
    out.push('Workspaces:');
    for (const w of workspaces) out.push(`  ${w.name}  MCP endpoint: ${mcpUrl(config.publicUrl, w.id)}`);
    if (!workspaces.length) out.push('  (none yet) — create one with: npm run cli -- workspace create --name "My business"');
    const ws = workspaces[0]?.id ?? '<workspace id>';
    out.push(
      '',
      'Tokens are shown only once, when created. To mint a new one:',
      config.databaseUrl
        ? `  npm run cli -- credential create --workspace ${ws} --name my-assistant`
        : `  stop the server (Ctrl-C), then: npm run cli -- credential create --workspace ${ws} --name my-assistant`,
    );
  }
  return out.join('\n') + '\n';
}

async function main() {
  const config = loadConfigOrReport();
  if (!config) process.exit(2);
  let running: Awaited<ReturnType<typeof startServer>>;
  try {
    running = await startServer(config);
  } catch (err) {
    if (err instanceof DbUnavailableError || err instanceof DataDirLockedError || err instanceof SchemaTooNewError) {
      process.stderr.write(`taskline: ${err.message}\n`);
      process.exit(1);
    }
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`taskline: port ${config.port} on ${config.host} is in use — stop the other process or set PORT\n`);
      process.exit(1);
    }
    throw err;
  }
  const { ctx } = running;
  const demo = demoWanted(config) ? await bootstrapDemo(ctx.db) : null;
  process.stdout.write(banner(config, demo, await listWorkspaces(ctx.db)));
  ctx.log.info({ port: running.port, host: config.host, database: ctx.db.where }, 'listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.log.info({ signal, drainMs: config.shutdownDrainMs }, 'shutting down: draining, then finishing in-flight requests');
    running
      .drain(config.shutdownDrainMs)
      .then(() => running.close())
      .then(
        () => {
          ctx.log.info('stopped');
          process.exit(0);
        },
        (err: Error) => {
          ctx.log.error({ err: err.message }, 'error while shutting down');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: Error) => {
  process.stderr.write(`taskline: failed to start: ${err.message}\n`);
  process.exit(1);
});
