import type http from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { getRequestListener } from '@hono/node-server';
import type { AppContext } from '../platform/context.ts';
import { migrationStatus } from '../platform/db/migrate.ts';
import { SNAPSHOT_PATH } from '../platform/db/control.ts';
import { createListener } from '../platform/http/listener.ts';
import { sendJson, type NodeHandler, type RequestInfo } from '../platform/http/request.ts';
import { createWebApp } from '../web/app.ts';
import { isOAuthPath } from '../oauth/handler.ts';

/** Does the Authorization header carry exactly this bearer token? Constant-time over the token's bytes. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const given = createHash('sha256').update(m[1]!).digest();
  return timingSafeEqual(given, createHash('sha256').update(token).digest());
}

/**
 * Which handler serves a path: the operational routes, the MCP endpoint and the OAuth machine endpoints straight
 * from node:http (the hot path stays thin), everything else — the consent page included — the web app (Hono).
 */
export function createHttpServer(
  ctx: AppContext,
  extra: { mcp?: NodeHandler; oauth?: NodeHandler; snapshotSecret?: () => string | null; draining?: () => boolean } = {},
): http.Server {
  const { log, metrics, db } = ctx;
  const web = getRequestListener(createWebApp(ctx).fetch);
  const allowedHosts = new Set(ctx.config.allowedHosts);
  const metricsToken = ctx.config.metricsToken;

  // The MCP endpoint is dispatched without an async wrapper: its handler's promise goes straight to the listener.
  const mcpPrefix = '/app/api/mcp/';
  return createListener({ ...ctx, draining: extra.draining }, (req, res, info) => {
    const url = req.url ?? '/';
    if (url.startsWith(mcpPrefix)) {
      info.route = '/app/api/mcp/server/:workspaceId';
      if (extra.mcp) return extra.mcp(req, res);
      return sendJson(res, 404, { error: 'not_found', message: 'the MCP endpoint is not enabled in this build' });
    }
    return other(req, res, info, url.split('?', 1)[0]!);
  });

  async function other(req: http.IncomingMessage, res: http.ServerResponse, info: RequestInfo, path: string): Promise<void> {
    // Every answer carries the request id; off the MCP hot path setHeader() is fine (the web app writes its own headers).
    res.setHeader('x-request-id', info.id);
    if (path === '/healthz') {
      info.route = '/healthz';
      return sendJson(res, 200, { status: 'ok' });
    }
    if (path === '/readyz') {
      info.route = '/readyz';
      // Draining before shutdown: still serving, but a load balancer should send new requests elsewhere.
      if (extra.draining?.()) return sendJson(res, 503, { status: 'draining', reason: 'shutting down: finishing in-flight requests' });
      try {
        const m = await migrationStatus(db);
        if (m.current !== m.latest)
          return sendJson(res, 503, {
            status: 'not_ready',
            reason: `schema at version ${m.current}, expected ${m.latest} — run \`taskline migrate\``,
          });
        return sendJson(res, 200, { status: 'ready', database: db.kind, schemaVersion: m.current });
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'readiness check failed');
        return sendJson(res, 503, { status: 'not_ready', reason: 'database unreachable' });
      }
    }
    if (path === '/metrics') {
      info.route = '/metrics';
      // Per-tool and verification counts are nobody's business but the operator's: off unless METRICS_TOKEN is set,
      // and then only with it. Not Host-checked: Prometheus scrapes by address, and the token is the protection.
      if (!metricsToken)
        return sendJson(res, 404, {
          error: 'not_found',
          message: 'Metrics are off. Set METRICS_TOKEN and scrape /metrics with "Authorization: Bearer <METRICS_TOKEN>".',
        });
      if (!bearerMatches(req.headers.authorization, metricsToken))
        return sendJson(
          res,
          401,
          { error: 'unauthorized', message: 'Send "Authorization: Bearer <METRICS_TOKEN>" to read /metrics.' },
          { 'www-authenticate': 'Bearer realm="taskline-metrics"' },
        );
      const body = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      return void res.end(body);
    }
    if (path === SNAPSHOT_PATH) {
      info.route = SNAPSHOT_PATH;
      // `taskline backup` while the server owns the embedded store: loopback only, with this run's secret.
      const secret = extra.snapshotSecret?.();
      const loopback = /^(127\.|::1$|::ffff:127\.)/.test(req.socket.remoteAddress ?? '');
      if (!secret || !db.snapshot) return sendJson(res, 404, { error: 'not_found', message: 'snapshots are for the embedded store' });
      if (req.method !== 'POST' || !loopback || !bearerMatches(req.headers.authorization, secret))
        return sendJson(res, 403, { error: 'forbidden', message: 'run `taskline backup` on the machine the server runs on' });
      const archive = await db.snapshot();
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': archive.length, 'cache-control': 'no-store' });
      return void res.end(archive);
    }
    if (extra.oauth && isOAuthPath(path)) return extra.oauth(req, res);
    info.route = 'web';
    // DNS-rebinding defence for the web app too: a page on another name that resolves here gets nothing.
    const host = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts.has(host)) {
      info.route = 'web (host not allowed)';
      return sendJson(res, 403, {
        error: 'forbidden',
        message: `Host "${host.slice(0, 100)}" is not allowed. Use the URL from PUBLIC_URL, or add the host to ALLOWED_HOSTS.`,
      });
    }
    return web(req, res);
  }
}
