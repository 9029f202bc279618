/** Security headers and the CSRF guard of the staff web app. */
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Config } from '../platform/config.ts';
import { cookieSettings, csrfTokenFor, tokensEqual } from '../domain/sessions.ts';
import { errorPage, Form, type WebEnv } from './kit.tsx';

/** No inline script or style anywhere: scripts and styles come from /static. */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function securityHeaders(config: Config): MiddlewareHandler<WebEnv> {
  const https = config.publicUrl.startsWith('https://');
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    const extra = c.get('formAction');
    // A single CSP source (an origin like https://claude.ai, or an app's scheme like cursor:), nothing that could end the directive.
    h.set(
      'content-security-policy',
      extra && /^[a-z][a-z0-9+.-]*:(\/\/[a-z0-9.:[\]-]+)?$/i.test(extra) ? CSP.replace("form-action 'self'", `form-action 'self' ${extra}`) : CSP,
    );
    h.set('x-content-type-options', 'nosniff');
    h.set('referrer-policy', 'same-origin');
    h.set('x-frame-options', 'DENY');
    h.set('cross-origin-opener-policy', 'same-origin');
    h.set('cross-origin-resource-policy', 'same-origin');
    h.set('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    if (https) h.set('strict-transport-security', 'max-age=31536000');
    // Pages carry customer data and, once, a token: never cache them.
    if (!h.has('cache-control')) h.set('cache-control', 'no-store');
  };
}

export type CookieNames = ReturnType<typeof sessionCookies>;
export function sessionCookies(publicUrl: string) {
  return cookieSettings(publicUrl);
}

/** Purpose string of the pre-session (sign-in form) CSRF token. */
export const LOGIN_CSRF_PURPOSE = 'taskline-login-csrf';

const PRE_SECRET_RE = /^[A-Za-z0-9_-]{43}$/;

/** Forms sent by someone who need not be signed in: their CSRF token is bound to the pre-session cookie. */
export const PUBLIC_FORMS = new Set(['/signin', '/forgot', '/invite', '/reset']);

/**
 * Every state-changing request (any method but GET/HEAD) must
 * - not come from another site (Origin / Sec-Fetch-Site, when the browser sends them), and
 * - carry the CSRF token in the `_csrf` form field: the session's token, or on the public forms (sign-in, forgot
 *   password, accepting an invitation, a reset link) the token bound to the pre-session cookie. Compared in constant time. Otherwise 403.
 */
export function csrfGuard(config: Config, cookies: CookieNames): MiddlewareHandler<WebEnv> {
  const allowedOrigins = new Set([new URL(config.publicUrl).origin, ...config.allowedHosts.flatMap((h) => [`http://${h}`, `https://${h}`])]);
  const refuse = (c: Parameters<MiddlewareHandler<WebEnv>>[0], why: string) =>
    errorPage(c, 403, {
      title: 'This form could not be accepted',
      body: (
        <>
          <p>{why}</p>
          <p>Go back, reload the page and submit the form again. If you were not trying to change anything, you can ignore this.</p>
        </>
      ),
    });
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const origin = c.req.header('origin');
    const site = c.req.header('sec-fetch-site');
    if ((origin && origin !== 'null' && !allowedOrigins.has(origin.toLowerCase())) || site === 'cross-site')
      return refuse(c, 'The request came from another website.');
    const form = await Form.of(c);
    const given = form.str('_csrf');
    const session = c.get('session');
    const isSignin = PUBLIC_FORMS.has(new URL(c.req.url).pathname);
    let expected: string | null = null;
    if (session) expected = session.csrfToken;
    if (isSignin) {
      const pre = getCookie(c, cookies.preName);
      expected = pre && PRE_SECRET_RE.test(pre) ? csrfTokenFor(pre, LOGIN_CSRF_PURPOSE) : null;
      if (!expected) return refuse(c, 'The form expired (or your browser blocks cookies for this site).');
    }
    if (!expected) return next(); // not signed in: the route redirects to sign-in and changes nothing
    if (!tokensEqual(given, expected)) return refuse(c, 'The form was missing its security token, or it was sent from an old page.');
    return next();
  };
}
