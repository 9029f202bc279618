import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { attachRequestInfo, sendJson, type RequestInfo } from './request.ts';

const REQUEST_ID_RE = /^[\w.-]{1,64}$/;

/**
 * The process's node:http server around `handle`: a request id (the client's X-Request-Id when it is a plain token),
 * metrics by route and status, one access-log line per request — the path only, since query strings can carry search
 * terms (customer names, phones) — and a JSON 500 naming the request id for anything a handler did not catch.
 */
export function createListener(
  deps: { log: Logger; metrics: Metrics; draining?: () => boolean },
  handle: (req: http.IncomingMessage, res: http.ServerResponse, info: RequestInfo) => void | Promise<void>,
): http.Server {
  const { log, metrics } = deps;
  // Keep-alive longer than typical client pools and load balancers (60 s), so the server is not the side that
  // closes an idle connection just as a client reuses it. headersTimeout must not exceed requestTimeout (Node throws
  // ERR_OUT_OF_RANGE); both count from a request's first byte, not from the idle keep-alive time.
  return http.createServer({ keepAliveTimeout: 65_000, headersTimeout: 30_000, requestTimeout: 30_000 }, (req, res) => {
    const started = process.hrtime.bigint();
    const given = req.headers['x-request-id'];
    const info: RequestInfo = { id: typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID(), route: 'unknown' };
    // The handler sends X-Request-Id: sendJson() and sendEmpty() add it, the router sets it for the web app.
    attachRequestInfo(req, info);
    // Shutting down: answer, but end the connection after it, so no client or balancer reuses it.
    if (deps.draining?.()) res.setHeader('connection', 'close');
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.headersSent ? res.statusCode : 499;
      metrics.httpRequests.inc({ route: info.route, method: req.method ?? '?', status });
      metrics.httpDuration.observe({ route: info.route, method: req.method ?? '?' }, seconds);
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
      if (!res.headersSent)
        sendJson(res, 500, { error: 'internal', message: 'internal error — the request id is in the x-request-id header', requestId: info.id });
      else res.destroy();
    });
  });
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
