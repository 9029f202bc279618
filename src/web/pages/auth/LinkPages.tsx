/** Pages for someone not signed in that come from a one-time link or lead to one: invitations, resets, forgot password. */
import type { LinkInfo, LinkProblem } from '../../../domain/team.ts';
import { MIN_PASSWORD_LENGTH } from '../../../domain/passwords.ts';
import { Notice, ROLE_LABELS, formatUtc } from '../../ui/ui.tsx';
import { AuthCard } from './SigninPage.tsx';

const PASSWORD_HINT = `At least ${MIN_PASSWORD_LENGTH} characters. A few unrelated words are easy to remember and hard to guess; very common passwords are refused.`;

export function AcceptInvitePage(p: { info: LinkInfo; token: string; csrf: string; name?: string; error?: string }) {
  const { info } = p;
  return (
    <AuthCard title={`Join ${info.workspaceName}`}>
      <p>
        You are invited to <strong>{info.workspaceName}</strong> on Taskline as <strong>{ROLE_LABELS[info.role ?? 'member']}</strong>, with the email{' '}
        <strong>{info.email}</strong>.
      </p>
      {p.error ? <Notice kind="error">{p.error}</Notice> : null}
      <form method="post" action="/invite">
        <input type="hidden" name="_csrf" value={p.csrf} />
        <input type="hidden" name="token" value={p.token} />
        <input type="hidden" name="email" value={info.email} autocomplete="username" />
        {info.existingAccount ? (
          <>
            <Notice kind="info">
              This email already signs in to another Taskline workspace. Enter that password: it will open {info.workspaceName} too, and when you sign
              in you choose the workspace.
            </Notice>
            <div class="field">
              <label for="name">Your name here (optional)</label>
              <input id="name" name="name" maxlength={200} autocomplete="name" value={p.name ?? ''} />
              <p class="hint">Leave empty to use the name of your other account.</p>
            </div>
            <div class="field">
              <label for="password">Your Taskline password</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required />
            </div>
          </>
        ) : (
          <>
            <div class="field">
              <label for="name">Your name</label>
              <input id="name" name="name" required maxlength={200} autocomplete="name" value={p.name ?? ''} autofocus />
              <p class="hint">As your colleagues will see it on tasks and comments.</p>
            </div>
            <div class="field">
              <label for="password">Choose a password</label>
              <input id="password" name="password" type="password" autocomplete="new-password" required minlength={MIN_PASSWORD_LENGTH} />
              <p class="hint">{PASSWORD_HINT}</p>
            </div>
          </>
        )}
        <button class="btn btn-primary" type="submit">
          Join {info.workspaceName}
        </button>
      </form>
      <p class="muted small">This invitation works once, until {formatUtc(info.expiresAt)}.</p>
    </AuthCard>
  );
}

export function ResetPage(p: { info: LinkInfo; token: string; csrf: string; error?: string }) {
  return (
    <AuthCard title="Choose a new password">
      <p>
        For <strong>{p.info.email}</strong> in <strong>{p.info.workspaceName}</strong>. Every browser signed in to this account will be signed out.
      </p>
      {p.error ? <Notice kind="error">{p.error}</Notice> : null}
      <form method="post" action="/reset">
        <input type="hidden" name="_csrf" value={p.csrf} />
        <input type="hidden" name="token" value={p.token} />
        <input type="hidden" name="email" value={p.info.email} autocomplete="username" />
        <div class="field">
          <label for="password">New password</label>
          <input id="password" name="password" type="password" autocomplete="new-password" required minlength={MIN_PASSWORD_LENGTH} autofocus />
          <p class="hint">{PASSWORD_HINT}</p>
        </div>
        <button class="btn btn-primary" type="submit">
          Set the new password
        </button>
      </form>
      <p class="muted small">This link works once, until {formatUtc(p.info.expiresAt)}.</p>
    </AuthCard>
  );
}

const PROBLEM_TEXT: Record<LinkProblem, (kind: 'invite' | 'reset') => { title: string; text: string }> = {
  expired: (kind) =>
    kind === 'invite'
      ? { title: 'This invitation has expired', text: 'Invitations work for 7 days. Ask whoever invited you to send a new one from the Team page.' }
      : {
          title: 'This reset link has expired',
          text: 'Ask for a new one: use "Forgot your password?" on the sign-in page, or ask a workspace admin.',
        },
  used: (kind) =>
    kind === 'invite'
      ? { title: 'This invitation was used already', text: 'Its account exists: sign in with the email and password chosen then.' }
      : { title: 'This reset link was used already', text: 'Sign in with the password chosen then, or ask for a new link.' },
  unknown: (kind) =>
    kind === 'invite'
      ? {
          title: 'This invitation is not valid',
          text: 'It may have been withdrawn or replaced by a newer one, or the link was not copied whole. Ask whoever invited you for a new one.',
        }
      : {
          title: 'This reset link is not valid',
          text: 'A newer link replaces older ones, and a link stops working when its account is deactivated. Ask for a new one.',
        },
};

export function LinkProblemPage(p: { problem: LinkProblem; kind: 'invite' | 'reset' }) {
  const t = PROBLEM_TEXT[p.problem](p.kind);
  return (
    <AuthCard title={t.title}>
      <p>{t.text}</p>
      <p>
        <a class="btn" href="/signin">
          Go to sign-in
        </a>
      </p>
    </AuthCard>
  );
}

export function ForgotPage(p: { csrf: string; mail: boolean; email?: string; sent?: boolean; error?: { title: string; text: string } }) {
  return (
    <AuthCard
      title="Forgot your password?"
      footer={
        <p class="muted small">
          <a href="/signin">Back to sign-in</a>
        </p>
      }
    >
      {!p.mail ? (
        <p>
          This Taskline does not send email. Ask an owner or admin of your workspace for a reset link: on the Team page they open your name and choose
          “Create a reset link”.
        </p>
      ) : p.sent ? (
        <Notice kind="ok" title="Check your email">
          If an account uses that address, a link to choose a new password is on its way. It works once, for an hour. Nothing arrived? Check the spam
          folder, or ask a workspace admin.
        </Notice>
      ) : (
        <>
          {p.error ? (
            <Notice kind="error" title={p.error.title}>
              {p.error.text}
            </Notice>
          ) : null}
          <p class="muted">Enter the email you sign in with. We send a link to choose a new password.</p>
          <form method="post" action="/forgot">
            <input type="hidden" name="_csrf" value={p.csrf} />
            <div class="field">
              <label for="email">Email</label>
              <input id="email" name="email" type="email" autocomplete="username" required value={p.email ?? ''} autofocus />
            </div>
            <button class="btn btn-primary" type="submit">
              Send the link
            </button>
          </form>
        </>
      )}
    </AuthCard>
  );
}
