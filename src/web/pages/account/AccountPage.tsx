import type { Session, SessionSummary } from '../../../domain/sessions.ts';
import { MIN_PASSWORD_LENGTH } from '../../../domain/passwords.ts';
import { CsrfField, Layout, Notice, ROLE_LABELS, Time } from '../../ui/ui.tsx';

/** A user agent said the way a person recognises it: "Firefox on Windows", or the raw string's start. */
export function describeBrowser(ua: string | null): string {
  if (!ua) return 'Unknown browser';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chrome\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : null;
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Android/.test(ua)
      ? 'Android'
      : /iPhone|iPad/.test(ua)
        ? 'iOS'
        : /Mac OS X/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : null;
  return browser ? `${browser}${os ? ` on ${os}` : ''}` : ua.slice(0, 60);
}

export function AccountPage(p: { s: Session; sessions: SessionSummary[]; notice?: string; error?: { form: 'name' | 'password'; text: string } }) {
  const err = (form: 'name' | 'password') => (p.error?.form === form ? <Notice kind="error">{p.error.text}</Notice> : null);
  return (
    <Layout title="Your account" session={p.s} nav="account">
      <div class="page-head">
        <div>
          <h1>Your account</h1>
          <p class="sub">
            {p.s.user.email} · {ROLE_LABELS[p.s.user.role]} in {p.s.workspace.name}
          </p>
        </div>
      </div>
      {p.notice ? <Notice kind="ok">{p.notice}</Notice> : null}

      <section class="panel" aria-labelledby="name-h">
        <h2 id="name-h">Name</h2>
        {err('name')}
        <form method="post" action="/account/name">
          <CsrfField token={p.s.csrfToken} />
          <div class="field">
            <label for="name">Your name</label>
            <input id="name" name="name" required maxlength={200} autocomplete="name" value={p.s.user.name} />
          </div>
          <div class="actions">
            <button class="btn btn-primary" type="submit">
              Save name
            </button>
          </div>
        </form>
      </section>

      <section class="panel" aria-labelledby="pw-h">
        <h2 id="pw-h">Password</h2>
        {err('password')}
        <form method="post" action="/account/password">
          <CsrfField token={p.s.csrfToken} />
          <input type="hidden" name="email" value={p.s.user.email} autocomplete="username" />
          <div class="field">
            <label for="current">Current password</label>
            <input id="current" name="current" type="password" autocomplete="current-password" required />
          </div>
          <div class="field">
            <label for="next">New password</label>
            <input id="next" name="next" type="password" autocomplete="new-password" required minlength={MIN_PASSWORD_LENGTH} />
            <p class="hint">
              At least {MIN_PASSWORD_LENGTH} characters; very common passwords are refused. Every other browser signed in to your account is signed
              out.
            </p>
          </div>
          <div class="actions">
            <button class="btn btn-primary" type="submit">
              Change password
            </button>
          </div>
        </form>
      </section>

      <section class="panel" aria-labelledby="sessions-h">
        <h2 id="sessions-h">Where you are signed in</h2>
        <div class="table-wrap">
          <table class="data stack">
            <thead>
              <tr>
                <th scope="col">Browser</th>
                <th scope="col">Address</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last seen</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {p.sessions.map((x) => (
                <tr>
                  <td class="title-cell" title={x.userAgent ?? ''}>
                    {describeBrowser(x.userAgent)}
                    {x.id === p.s.id ? <span class="cell-sub">this browser</span> : null}
                  </td>
                  <td data-label="Address">{x.address ?? <span class="muted">—</span>}</td>
                  <td data-label="Signed in">
                    <Time d={x.createdAt} />
                  </td>
                  <td data-label="Last seen">
                    <Time d={x.lastSeenAt} />
                  </td>
                  <td>
                    <form method="post" action={`/account/sessions/${x.id}/end`} class="inline-form">
                      <CsrfField token={p.s.csrfToken} />
                      <button class="btn btn-sm" type="submit">
                        Sign out
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </Layout>
  );
}
