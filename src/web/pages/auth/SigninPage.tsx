import type { Child } from 'hono/jsx';
import type { SignInMatch } from '../../../domain/signin.ts';
import { BareLayout, Notice } from '../../ui/ui.tsx';

/** The card every page for someone not signed in sits in: sign-in, forgot password, invitations, reset links. */
export function AuthCard(p: { title: string; children?: Child; footer?: Child }) {
  return (
    <BareLayout title={p.title}>
      <main id="main" class="auth-wrap">
        <div class="auth-card">
          <div class="brand">
            <span class="brand-mark" aria-hidden="true">
              T
            </span>
            Taskline
          </div>
          <div class="panel">
            <h1>{p.title}</h1>
            {p.children}
          </div>
          {p.footer}
        </div>
      </main>
    </BareLayout>
  );
}

export interface SigninView {
  email?: string;
  next: string;
  csrf: string;
  error?: { title: string; text: string };
  info?: string;
  choices?: SignInMatch[];
}

export function SigninPage(p: SigninView) {
  return (
    <AuthCard
      title="Sign in"
      footer={
        <p class="muted small">
          <a href="/forgot">Forgot your password?</a>
        </p>
      }
    >
      <p class="muted">Use the email and password of your Taskline staff account.</p>
      {p.error ? (
        <Notice kind="error" title={p.error.title}>
          {p.error.text}
        </Notice>
      ) : null}
      {p.info ? <Notice kind="info">{p.info}</Notice> : null}
      <form method="post" action="/signin">
        <input type="hidden" name="_csrf" value={p.csrf} />
        <input type="hidden" name="next" value={p.next} />
        <div class="field">
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autocomplete="username" required value={p.email ?? ''} autofocus={!p.email} />
        </div>
        {p.choices?.length ? (
          <fieldset>
            <legend>Workspace</legend>
            {p.choices.map((m, i) => (
              <label class="check">
                <input type="radio" name="workspace" value={m.workspaceId} checked={i === 0} required />
                <span>{m.workspaceName}</span>
              </label>
            ))}
          </fieldset>
        ) : null}
        <div class="field">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required autofocus={!!p.email} />
        </div>
        <button class="btn btn-primary" type="submit">
          Sign in
        </button>
      </form>
    </AuthCard>
  );
}
