import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { bodyLimit } from 'hono/body-limit';
import { routePath } from 'hono/route';
import type { AppContext } from '../platform/context.ts';
import { getSession } from '../domain/sessions.ts';
import { DomainError } from '../domain/errors.ts';
import { requestInfo } from '../platform/http/request.ts';
import { domainErrorPage, internalErrorPage, notFoundPage, tooLargePage, type WebEnv } from './kit.tsx';
import { csrfGuard, securityHeaders, sessionCookies } from './security.tsx';
import { registerAuthRoutes } from './pages/auth/routes.tsx';
import { registerTaskRoutes } from './pages/tasks/routes.tsx';
import { registerCustomerRoutes } from './pages/customers/routes.tsx';
import { registerSettingsRoutes } from './pages/settings/routes.tsx';
import { registerOAuthRoutes } from './pages/oauth/routes.tsx';
import { registerTeamRoutes } from './pages/team/routes.tsx';
import { registerAccountRoutes } from './pages/account/routes.tsx';

const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');
/** A Map, not an object: a request for /static/constructor must not find Object.prototype.constructor. */
const STATIC = new Map(
  (
    [
      ['app.css', 'text/css; charset=utf-8'],
      ['app.js', 'text/javascript; charset=utf-8'],
      ['favicon.svg', 'image/svg+xml'],
    ] as const
  ).map(([file, type]) => [file as string, { type, body: fs.readFileSync(path.join(STATIC_DIR, file)) }]),
);

/** Forms are small: the longest field is a 20,000-character task description. */
const MAX_FORM_BYTES = 256 * 1024;

/**
 * The staff web app: server-rendered pages (Hono JSX), sessions in PostgreSQL, CSRF tokens on every form,
 * strict CSP (no inline script or style). Every query is scoped to the signed-in user's workspace.
 */
export function createWebApp(ctx: AppContext) {
  const app = new Hono<WebEnv>();
  const cookies = sessionCookies(ctx.config.publicUrl);

  // Route label for metrics and the access log (the route pattern, never the concrete path).
  app.use('*', async (c, next) => {
    const info = c.env?.incoming ? requestInfo(c.env.incoming) : undefined;
    c.set('requestId', info?.id);
    await next();
    if (info) {
      const p = routePath(c);
      info.route = p && p !== '*' && p !== '/*' ? `web ${p}` : c.res.status === 404 ? 'web (not found)' : 'web';
      const s = c.get('session');
      if (s) info.workspaceId = s.workspace.id;
    }
  });
  app.use('*', securityHeaders(ctx.config));

  app.get('/static/:file', (c) => {
    const f = STATIC.get(c.req.param('file'));
    if (!f) return c.text('not found', 404);
    return c.body(new Uint8Array(f.body), 200, { 'content-type': f.type, 'cache-control': 'public, max-age=3600' });
  });
  app.get('/favicon.ico', (c) => c.redirect('/static/favicon.svg', 301));

  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_FORM_BYTES,
      onError: (c) => tooLargePage(c as never),
    }),
  );
  app.use('*', async (c, next) => {
    c.set('session', await getSession(ctx.db, getCookie(c, cookies.sessionName)));
    await next();
  });
  app.use('*', csrfGuard(ctx.config, cookies));

  const deps = { app, ctx };
  registerAuthRoutes(deps);
  registerTaskRoutes(deps);
  registerCustomerRoutes(deps);
  registerSettingsRoutes(deps);
  registerOAuthRoutes(deps);
  registerTeamRoutes(deps);
  registerAccountRoutes(deps);

  app.notFound((c) => notFoundPage(c));
  app.onError((err, c) => {
    if (err instanceof DomainError) return domainErrorPage(c, err);
    ctx.log.error({ reqId: c.get('requestId'), err: { message: err.message, stack: err.stack } }, 'web request failed');
    return internalErrorPage(c);
  });
  return app;
}
