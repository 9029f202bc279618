/**
 * Public pages reached from one-time links: accept an invitation (/invite), choose a new password (/reset), and ask
 * for a reset link by email (/forgot). Opening a link uses nothing up (mail scanners open links); the form's POST
 * does. The token travels in the query string and a hidden field — never in a path, so access logs never see it.
 */
import { DomainError } from '../../../domain/errors.ts';
import {
  acceptInvitation,
  LinkError,
  peekLink,
  requestPasswordReset,
  resetPasswordWithLink,
  type LinkInfo,
  type LinkProblem,
} from '../../../domain/team.ts';
import { beginLoginAttempt, countResetRequest, endLoginAttempt } from '../../../domain/throttle.ts';
import { resetMail, resetUrl } from '../../../presenters/accountMail.ts';
import { Form, clientIp, render, seeOther, type Ctx, type Deps } from '../../kit.tsx';
import { AcceptInvitePage, ForgotPage, LinkProblemPage, ResetPage } from './LinkPages.tsx';

export interface PublicFormHelpers {
  preCsrf(c: Ctx): string;
  startSession(c: Ctx, workspaceId: string, userId: string): Promise<void>;
}

const MAX_TOKEN = 200;

export function registerLinkRoutes({ app, ctx }: Deps, { preCsrf, startSession }: PublicFormHelpers) {
  const { db, config, mailer, log } = ctx;

  const problem = (c: Ctx, err: LinkError | LinkProblem, kind: 'invite' | 'reset') => {
    const p = typeof err === 'string' ? err : err.problem;
    return render(c, <LinkProblemPage problem={p} kind={kind} />, p === 'unknown' ? 404 : 410);
  };
  const linkOf = async (token: string, kind: 'invite' | 'reset'): Promise<LinkInfo | LinkProblem> =>
    token.length > MAX_TOKEN ? 'unknown' : peekLink(db, token, kind);

  app.get('/invite', async (c) => {
    const token = c.req.query('token') ?? '';
    const info = await linkOf(token, 'invite');
    if (typeof info === 'string') return problem(c, info, 'invite');
    return render(c, <AcceptInvitePage info={info} token={token} csrf={preCsrf(c)} />);
  });

  app.post('/invite', async (c) => {
    const form = await Form.of(c);
    const token = form.str('token');
    const info = await linkOf(token, 'invite');
    if (typeof info === 'string') return problem(c, info, 'invite');
    const name = form.str('name').slice(0, 200);
    const password = form.raw('password').slice(0, 1000);
    const again = (error: string, status: number, headers: Record<string, string> = {}) =>
      render(c, <AcceptInvitePage info={info} token={token} csrf={preCsrf(c)} name={name} error={error} />, status, headers);
    // Joining with an existing password checks that password: it counts like a sign-in attempt.
    const ip = clientIp(c, config.trustProxy);
    const attempt = info.existingAccount ? await beginLoginAttempt(db, info.email, ip) : null;
    if (attempt?.throttled)
      return again('Too many wrong passwords for this email. Wait a few minutes, then try again.', 429, {
        'retry-after': String(attempt.retryAfterSeconds ?? 60),
      });
    try {
      const { user, workspaceId } = await acceptInvitation(db, token, { name, password });
      if (attempt && !attempt.throttled) await endLoginAttempt(db, info.email, ip, attempt, { clearAccount: true });
      await startSession(c, workspaceId, user.id);
      log.info({ workspaceId, userId: user.id }, 'invitation accepted');
      return seeOther(c, '/tasks');
    } catch (err) {
      if (err instanceof LinkError) return problem(c, err, 'invite');
      if (err instanceof DomainError) return again(err.message, err.code === 'conflict' ? 409 : 400);
      throw err;
    }
  });

  app.get('/reset', async (c) => {
    const token = c.req.query('token') ?? '';
    const info = await linkOf(token, 'reset');
    if (typeof info === 'string') return problem(c, info, 'reset');
    return render(c, <ResetPage info={info} token={token} csrf={preCsrf(c)} />);
  });

  app.post('/reset', async (c) => {
    const form = await Form.of(c);
    const token = form.str('token');
    const info = await linkOf(token, 'reset');
    if (typeof info === 'string') return problem(c, info, 'reset');
    try {
      const done = await resetPasswordWithLink(db, token, form.raw('password').slice(0, 1000));
      return seeOther(c, `/signin?reset=1&email=${encodeURIComponent(done.email)}`);
    } catch (err) {
      if (err instanceof LinkError) return problem(c, err, 'reset');
      if (err instanceof DomainError) return render(c, <ResetPage info={info} token={token} csrf={preCsrf(c)} error={err.message} />, 400);
      throw err;
    }
  });

  app.get('/forgot', (c) => render(c, <ForgotPage csrf={preCsrf(c)} mail={!!mailer} />));

  app.post('/forgot', async (c) => {
    if (!mailer) return render(c, <ForgotPage csrf={preCsrf(c)} mail={false} />);
    const form = await Form.of(c);
    const email = form.str('email').slice(0, 320);
    if (!email)
      return render(
        c,
        <ForgotPage
          csrf={preCsrf(c)}
          mail
          email={email}
          error={{ title: 'Enter your email', text: 'The link goes to the address you sign in with.' }}
        />,
        400,
      );
    const throttle = await countResetRequest(db, email, clientIp(c, config.trustProxy));
    if (throttle.throttled) {
      const minutes = Math.ceil((throttle.retryAfterSeconds ?? 60) / 60);
      return render(
        c,
        <ForgotPage
          csrf={preCsrf(c)}
          mail
          email={email}
          error={{
            title: 'Too many requests',
            text:
              throttle.scope === 'account'
                ? `Several links were asked for this address in the last hour. Use the newest email, or try again in about ${minutes} minutes.`
                : `Too many reset requests came from your network. Try again in about ${minutes} minutes.`,
          }}
        />,
        429,
        { 'retry-after': String(throttle.retryAfterSeconds ?? 60) },
      );
    }
    // The answer is the same whether the address has an account, and it does not wait for the work or the mail.
    void requestPasswordReset(db, email)
      .then((links) =>
        Promise.allSettled(links.map((l) => mailer.send(resetMail({ ...l, url: resetUrl(config.publicUrl, l.token), requested: true })))),
      )
      .catch((err: Error) => log.warn({ err: err.message }, 'password reset request failed'));
    return render(c, <ForgotPage csrf={preCsrf(c)} mail sent />);
  });
}
