/** Sign in / sign out. */
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createSession, csrfTokenFor, deleteSession, newSecret } from '../../../domain/sessions.ts';
import { checkPassword, recordSignIn } from '../../../domain/signin.ts';
import { beginLoginAttempt, endLoginAttempt, MAX_ACCOUNT_FAILURES, LOGIN_WINDOW_MS } from '../../../domain/throttle.ts';
import { isUuid } from '../../../domain/workspaces.ts';
import { Form, clientIp, render, safeNext, seeOther, type Ctx, type Deps } from '../../kit.tsx';
import { LOGIN_CSRF_PURPOSE, sessionCookies } from '../../security.tsx';
import { SigninPage, type SigninView } from './SigninPage.tsx';
import { registerLinkRoutes } from './links.tsx';

export const PRE_TTL_S = 12 * 3600;
export const PRE_SECRET_RE = /^[A-Za-z0-9_-]{43}$/;
export function registerAuthRoutes({ app, ctx }: Deps) {
  const { db } = ctx;
  const cookies = sessionCookies(ctx.config.publicUrl);
  const cookieBase = { httpOnly: true, sameSite: 'Lax' as const, secure: cookies.secure, path: '/' };

  /** The pre-session secret that binds the sign-in form's CSRF token; created when missing. */
  const preSecret = (c: Ctx): string => {
    const have = getCookie(c, cookies.preName);
    if (have && PRE_SECRET_RE.test(have)) return have;
    const s = newSecret();
    setCookie(c, cookies.preName, s, { ...cookieBase, maxAge: PRE_TTL_S });
    return s;
  };
  /** The CSRF token of the public forms (sign-in, forgot password, invitations, resets). */
  const preCsrf = (c: Ctx) => csrfTokenFor(preSecret(c), LOGIN_CSRF_PURPOSE);
  const show = (c: Ctx, view: Omit<SigninView, 'csrf'>, status = 200, headers: Record<string, string> = {}) =>
    render(c, <SigninPage {...view} csrf={preCsrf(c)} />, status, headers);
  /** Start a session for a user in this browser (whatever session it had ends): after sign-in or joining a workspace. */
  const startSession = async (c: Ctx, workspaceId: string, userId: string) => {
    await deleteSession(db, getCookie(c, cookies.sessionName));
    const { cookie } = await createSession(db, workspaceId, userId, {
      userAgent: c.req.header('user-agent'),
      address: clientIp(c, ctx.config.trustProxy),
    });
    setCookie(c, cookies.sessionName, cookie, { ...cookieBase, maxAge: 7 * 24 * 3600 });
    deleteCookie(c, cookies.preName, { path: '/', secure: cookies.secure });
  };
  registerLinkRoutes({ app, ctx }, { preCsrf, startSession });

  app.get('/', (c) => c.redirect(c.get('session') ? '/tasks' : '/signin', 303));

  app.get('/signin', async (c) => {
    const next = safeNext(c.req.query('next'));
    if (c.get('session')) return c.redirect(next, 303);
    const info = c.req.query('signedout')
      ? 'You are signed out.'
      : c.req.query('reset')
        ? 'Your password was changed, and every browser that was signed in to your account was signed out. Sign in with the new password.'
        : c.req.query('next')
          ? 'Sign in to continue.'
          : undefined;
    return show(c, { next, info, email: c.req.query('email')?.slice(0, 320) });
  });

  app.post('/signin', async (c) => {
    const form = await Form.of(c);
    const email = form.str('email').slice(0, 320);
    const password = form.raw('password').slice(0, 1000);
    const next = safeNext(form.str('next'));
    const workspace = form.str('workspace');
    if (!email || !password)
      return show(c, { email, next, error: { title: 'Enter your email and password', text: 'Both fields are needed to sign in.' } }, 400);

    const ip = clientIp(c, ctx.config.trustProxy);
    const throttle = await beginLoginAttempt(db, email, ip);
    if (throttle.throttled) {
      const minutes = Math.ceil((throttle.retryAfterSeconds ?? 60) / 60);
      return show(
        c,
        {
          email,
          next,
          error: {
            title: 'Too many failed sign-in attempts',
            text:
              throttle.scope === 'account'
                ? `Sign-in for this account is paused for about ${minutes} minute${minutes === 1 ? '' : 's'} after ${MAX_ACCOUNT_FAILURES} wrong passwords in ${LOGIN_WINDOW_MS / 60_000} minutes. Wait, then try again.`
                : `Too many failed sign-ins came from your network. Wait about ${minutes} minute${minutes === 1 ? '' : 's'}, then try again.`,
          },
        },
        429,
        { 'retry-after': String(throttle.retryAfterSeconds ?? 60) },
      );
    }

    const result = await checkPassword(db, email, password, isUuid(workspace) ? workspace : undefined);
    // A wrong password leaves this attempt's rows as failures; a right one takes them back.
    if (result.kind === 'failed')
      return show(
        c,
        { email, next, error: { title: 'Wrong email or password', text: 'Check both and try again. Passwords are case-sensitive.' } },
        401,
      );
    await endLoginAttempt(db, email, ip, throttle, { clearAccount: result.kind === 'ok' });
    if (result.kind === 'choose')
      return show(c, {
        email,
        next,
        choices: result.matches,
        info: 'This email has an account in several workspaces. Choose one and enter your password again.',
      });

    // Rotate: whatever session this browser had ends; the new one gets a fresh id.
    await recordSignIn(db, result.match, password);
    await startSession(c, result.match.workspaceId, result.match.userId);
    ctx.log.info({ workspaceId: result.match.workspaceId, userId: result.match.userId }, 'staff signed in');
    return seeOther(c, next);
  });

  app.post('/signout', async (c) => {
    await deleteSession(db, getCookie(c, cookies.sessionName));
    deleteCookie(c, cookies.sessionName, { path: '/', secure: cookies.secure });
    return seeOther(c, '/signin?signedout=1');
  });
}
