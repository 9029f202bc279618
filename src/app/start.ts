import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../platform/config.ts';
import type { AppContext, Clock } from '../platform/context.ts';
import { openDb, type Db } from '../platform/db/client.ts';
import { migrate } from '../platform/db/migrate.ts';
import { writeControlFile } from '../platform/db/control.ts';
import { createLogger, type Logger } from '../platform/log.ts';
import { createMetrics } from '../platform/metrics.ts';
import { createMailer } from '../platform/mail/mailer.ts';
import { closeGracefully } from '../platform/http/listener.ts';
import { createHttpServer } from './routes.ts';
import { createMcpHandler } from '../mcp/handler.ts';
import { createOAuthHandler } from '../oauth/handler.ts';

export interface RunningServer {
  ctx: AppContext;
  server: http.Server;
  url: string;
  port: number;
  /**
   * Report not-ready on /readyz and close every connection after its answer, while still serving, for `ms`; a load
   * balancer's health check takes the instance out meanwhile. Then call close().
   */
  drain(ms: number): Promise<void>;
  /** Stop accepting, finish in-flight requests, close the database (unless it was passed in). */
  close(): Promise<void>;
}

/** Build the app around a database and listen. Used by `taskline serve` and by the tests. */
export async function startServer(config: Config, opts: { db?: Db; log?: Logger; migrate?: boolean; clock?: Clock } = {}): Promise<RunningServer> {
  const log = opts.log ?? createLogger(config.logLevel);
  const ownDb = !opts.db;
  const db = opts.db ?? (await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, role: 'server', poolMax: config.dbPoolMax }));
  try {
    if (opts.migrate !== false) await migrate(db);
    const ctx: AppContext = { config, db, log, metrics: createMetrics(db), clock: opts.clock ?? Date.now, mailer: createMailer(config.mail, log) };
    const mcp = await createMcpHandler(ctx);
    const oauth = createOAuthHandler(ctx);
    let control: ReturnType<typeof writeControlFile> | null = null;
    let draining = false;
    const server = createHttpServer(ctx, {
      mcp: mcp.handle,
      oauth: oauth.handle,
      snapshotSecret: () => control?.secret ?? null,
      draining: () => draining,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    // The embedded store this process owns: tell `taskline backup` how to ask for a snapshot.
    if (ownDb && db.kind === 'pglite') control = writeControlFile(config.dataDir, `http://${loopbackOf(config.host)}:${port}`);
    let closing: Promise<void> | null = null;
    return {
      ctx,
      server,
      port,
      url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
      async drain(ms) {
        // Idle keep-alive connections are left alone: closing one just as a balancer reuses it would fail that
        // request. Each connection closes after its next answer instead; close() ends the ones left idle.
        draining = true;
        if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
      },
      close: () =>
        (closing ??= (async () => {
          control?.remove();
          await closeGracefully(server);
          await mcp.close();
          await oauth.close();
          ctx.mailer?.close();
          if (ownDb) await db.close();
        })()),
    };
  } catch (err) {
    if (ownDb) await db.close().catch(() => {});
    throw err;
  }
}

/** The address a local command reaches this server on. */
function loopbackOf(host: string): string {
  if (host === '0.0.0.0' || host === 'localhost' || host.startsWith('127.')) return '127.0.0.1';
  if (host === '::' || host === '::1') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
