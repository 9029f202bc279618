/** The account page (everyone): name, password, and the sessions of this account. */
import { deleteCookie } from 'hono/cookie';
import type { Session } from '../../../domain/sessions.ts';
import { endUserSession, listUserSessions } from '../../../domain/sessions.ts';
import { DomainError } from '../../../domain/errors.ts';
import { WrongPasswordError, changeOwnPassword, renameSelf } from '../../../domain/team.ts';
import { beginLoginAttempt, endLoginAttempt } from '../../../domain/throttle.ts';
import { Form, authed, clientIp, noticeFrom, render, seeOther, type Ctx, type Deps } from '../../kit.tsx';
import { sessionCookies } from '../../security.tsx';
import { AccountPage } from './AccountPage.tsx';

const NOTICES: Record<string, string> = {
  name: 'Name saved.',
  password: 'Password changed. Every other browser signed in to your account was signed out.',
  session_ended: 'That browser was signed out.',
};

export function registerAccountRoutes({ app, ctx }: Deps) {
  const { db, config } = ctx;
  const cookies = sessionCookies(config.publicUrl);

  const page = async (c: Ctx, s: Session, error?: { form: 'name' | 'password'; text: string }, status = 200) =>
    render(
      c,
      <AccountPage s={s} sessions={await listUserSessions(db, s.workspace.id, s.user.id)} notice={noticeFrom(c, NOTICES)} error={error} />,
      status,
    );

  app.get(
    '/account',
    authed((c, s) => page(c, s)),
  );

  app.post(
    '/account/name',
    authed(async (c, s) => {
      const form = await Form.of(c);
      try {
        await renameSelf(db, s.workspace.id, s.user.id, form.str('name'));
      } catch (err) {
        if (err instanceof DomainError) return page(c, s, { form: 'name', text: err.message }, 400);
        throw err;
      }
      return seeOther(c, '/account?notice=name');
    }),
  );

  app.post(
    '/account/password',
    authed(async (c, s) => {
      const form = await Form.of(c);
      // Checking the current password is a password guess like sign-in's: it counts against the same limits.
      const ip = clientIp(c, config.trustProxy);
      const attempt = await beginLoginAttempt(db, s.user.email, ip);
      if (attempt.throttled)
        return page(c, s, { form: 'password', text: 'Too many wrong passwords for this account. Wait a few minutes, then try again.' }, 429);
      try {
        await changeOwnPassword(db, s.workspace.id, s.user.id, {
          current: form.raw('current').slice(0, 1000),
          next: form.raw('next').slice(0, 1000),
          keepSessionId: s.id,
        });
      } catch (err) {
        if (err instanceof DomainError) {
          // Only a wrong current password stays counted as a failure.
          if (!(err instanceof WrongPasswordError)) await endLoginAttempt(db, s.user.email, ip, attempt, { clearAccount: false });
          return page(c, s, { form: 'password', text: err.message }, 400);
        }
        throw err;
      }
      await endLoginAttempt(db, s.user.email, ip, attempt, { clearAccount: true });
      return seeOther(c, '/account?notice=password');
    }),
  );

  app.post(
    '/account/sessions/:id/end',
    authed(async (c, s) => {
      const id = c.req.param('id') ?? '';
      await endUserSession(db, s.workspace.id, s.user.id, id);
      if (id === s.id) {
        deleteCookie(c, cookies.sessionName, { path: '/', secure: cookies.secure });
        return seeOther(c, '/signin?signedout=1');
      }
      return seeOther(c, '/account?notice=session_ended');
    }),
  );
}
