import http from 'node:http';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { getRequestListener } from '@hono/node-server';
import type { AppContext } from '../context.ts';
import { migrationStatus } from '../db/migrate.ts';
import { createWebApp } from '../web/app.ts';

/** Per-request facts for the access log, filled in by whichever handler serves the request. */
export interface RequestInfo {
  id: string;
  route: string;
  credentialId?: string;
  workspaceId?: string;
}
const INFO = Symbol('taskline.request');
export const requestInfo = (req: http.IncomingMessage): RequestInfo => (req as unknown as Record<symbol, RequestInfo>)[INFO]!;

const REQUEST_ID_RE = /^[\w.-]{1,64}$/;

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/** Does the Authorization header carry exactly this bearer token? Constant-time over the token's bytes. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const given = createHash('sha256').update(m[1]!).digest();
  return timingSafeEqual(given, createHash('sha256').update(token).digest());
}

export type NodeHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

/**
 * The process's HTTP server: operational routes and the MCP endpoint are served straight from node:http
 * (the hot path stays thin); everything else goes to the web app (Hono).
 */
export function createHttpServer(ctx: AppContext, extra: { mcp?: NodeHandler } = {}): http.Server {
  const { log, metrics, db } = ctx;
  const web = getRequestListener(createWebApp(ctx).fetch);
  const allowedHosts = new Set(ctx.config.allowedHosts);
  const metricsToken = ctx.config.metricsToken;

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, info: RequestInfo) => {
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0]!;
    if (path === '/healthz') {
      info.route = '/healthz';
      return sendJson(res, 200, { status: 'ok' });
    }
    if (path === '/readyz') {
      info.route = '/readyz';
      try {
        const m = await migrationStatus(db);
        if (m.current !== m.latest)
          return sendJson(res, 503, { status: 'not_ready', reason: `schema at version ${m.current}, expected ${m.latest} — run \`taskline migrate\`` });
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
        return sendJson(res, 404, { error: 'not_found', message: 'Metrics are off. Set METRICS_TOKEN and scrape /metrics with "Authorization: Bearer <METRICS_TOKEN>".' });
      if (!bearerMatches(req.headers.authorization, metricsToken))
        return sendJson(res, 401, { error: 'unauthorized', message: 'Send "Authorization: Bearer <METRICS_TOKEN>" to read /metrics.' }, { 'www-authenticate': 'Bearer realm="taskline-metrics"' });
      const body = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      return res.end(body);
    }
    if (path.startsWith('/app/api/mcp/')) {
      info.route = '/app/api/mcp/server/:workspaceId';
      if (extra.mcp) return extra.mcp(req, res);
      return sendJson(res, 404, { error: 'not_found', message: 'the MCP endpoint is not enabled in this build' });
    }
    info.route = 'web';
    // DNS-rebinding defence for the web app too: a page on another name that resolves here gets nothing.
    const host = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts.has(host)) {
      info.route = 'web (host not allowed)';
      return sendJson(res, 403, { error: 'forbidden', message: `Host "${host.slice(0, 100)}" is not allowed. Use the URL from PUBLIC_URL, or add the host to ALLOWED_HOSTS.` });
    }
    return web(req, res);
  };

  // Keep-alive longer than typical client pools and load balancers (60 s), so the server is not the side that
  // closes an idle connection just as a client reuses it. headersTimeout must not exceed requestTimeout (Node throws
  // ERR_OUT_OF_RANGE); both count from a request's first byte, not from the idle keep-alive time.
  const server = http.createServer({ keepAliveTimeout: 65_000, headersTimeout: 30_000, requestTimeout: 30_000 }, (req, res) => {
    const started = process.hrtime.bigint();
    const given = req.headers['x-request-id'];
    const info: RequestInfo = { id: typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID(), route: 'unknown' };
    (req as unknown as Record<symbol, RequestInfo>)[INFO] = info;
    res.setHeader('x-request-id', info.id);
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.headersSent ? res.statusCode : 499;
      metrics.httpRequests.inc({ route: info.route, method: req.method ?? '?', status });
      metrics.httpDuration.observe({ route: info.route, method: req.method ?? '?' }, seconds);
      // Path only: query strings can carry search terms (customer names, phones).
      if (log.isLevelEnabled('info'))
        log.info(
          {
            reqId: info.id,
            method: req.method,
            route: info.route,
            path: info.route === 'web' ? (req.url ?? '/').split('?', 1)[0] : undefined,
            status,
            durationMs: Math.round(seconds * 10000) / 10,
            credentialId: info.credentialId,
            workspaceId: info.workspaceId,
          },
          'request',
        );
    });
    Promise.resolve(handle(req, res, info)).catch((err: Error) => {
      log.error({ reqId: info.id, err: { message: err.message, stack: err.stack } }, 'unhandled error');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal', message: 'internal error — the request id is in the x-request-id header', requestId: info.id });
      else res.destroy();
    });
  });
  return server;
}

/** Stop accepting, let in-flight requests finish (up to timeoutMs), then resolve. */
export function closeGracefully(server: http.Server, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, timeoutMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
