import type { Session } from '../../../domain/sessions.ts';
import type { TeamMember } from '../../../domain/team.ts';
import { Badge, CsrfField, Layout, Notice, ROLE_LABELS, STATUS_LABELS, Time } from '../../ui/ui.tsx';
import { grantableRoles } from './TeamPage.tsx';

export interface OpenTask {
  number: number;
  title: string;
  status: string;
}

/** What this person may do to that member (the domain enforces the same rules; this only hides what would fail). */
function allowed(s: Session, m: TeamMember) {
  const self = s.user.id === m.id;
  const ownerOnly = m.role === 'owner' && s.user.role !== 'owner';
  return {
    role: !ownerOnly,
    deactivate: !self && !ownerOnly && m.status === 'active',
    reactivate: !ownerOnly && m.status === 'deactivated',
    reset: !ownerOnly && m.status === 'active',
  };
}

export function MemberPage(p: { s: Session; m: TeamMember; tasks: OpenTask[]; error?: string; notice?: string }) {
  const { m } = p;
  const can = allowed(p.s, m);
  const action = (what: string) => `/settings/team/${m.id}/${what}`;
  return (
    <Layout title={m.name} session={p.s} nav="team">
      <div class="crumbs">
        <a href="/settings/team">Team</a> / {m.name}
      </div>
      <div class="page-head">
        <div>
          <h1>
            {m.name} {m.status === 'deactivated' ? <Badge kind="revoked">Deactivated</Badge> : null}
          </h1>
          <p class="sub">
            {m.email} · {ROLE_LABELS[m.role]} · last sign-in <Time d={m.lastSignInAt} empty="never" />
          </p>
        </div>
      </div>
      {p.notice ? <Notice kind="ok">{p.notice}</Notice> : null}
      {p.error ? <Notice kind="error">{p.error}</Notice> : null}

      {m.status === 'deactivated' || p.tasks.length ? (
        <section class="panel" aria-labelledby="tasks-h">
          <h2 id="tasks-h">Open tasks assigned to {m.name}</h2>
          {p.tasks.length ? (
            <>
              {m.status === 'deactivated' ? (
                <p>Deactivating unassigns nothing: give these to someone on the team (open each and change its assignee).</p>
              ) : null}
              <ul class="plain">
                {p.tasks.map((t) => (
                  <li>
                    <a href={`/tasks/${t.number}`}>#{t.number}</a> {t.title} <span class="muted small">({STATUS_LABELS[t.status] ?? t.status})</span>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p class="muted">None.</p>
          )}
        </section>
      ) : null}

      <section class="panel" aria-labelledby="role-h">
        <h2 id="role-h">Role</h2>
        {can.role ? (
          <form method="post" action={action('role')}>
            <CsrfField token={p.s.csrfToken} />
            <div class="form-row">
              <div class="field">
                <label for="role">Role</label>
                <select id="role" name="role">
                  {grantableRoles(p.s).map((r) => (
                    <option value={r} selected={m.role === r}>
                      {ROLE_LABELS[r]}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            <div class="actions">
              <button class="btn btn-primary" type="submit">
                Change role
              </button>
            </div>
          </form>
        ) : (
          <p class="muted">Only an owner can change an owner's role.</p>
        )}
      </section>

      <section class="panel" aria-labelledby="access-h">
        <h2 id="access-h">Access</h2>
        {can.reset ? (
          <form method="post" action={action('reset-link')} class="inline-form">
            <CsrfField token={p.s.csrfToken} />
            <button class="btn" type="submit">
              Create a reset link
            </button>
          </form>
        ) : null}{' '}
        {can.deactivate ? (
          <form method="post" action={action('deactivate')} class="inline-form">
            <CsrfField token={p.s.csrfToken} />
            <button class="btn btn-danger" type="submit">
              Deactivate {m.name}
            </button>
          </form>
        ) : null}
        {can.reactivate ? (
          <form method="post" action={action('reactivate')} class="inline-form">
            <CsrfField token={p.s.csrfToken} />
            <button class="btn btn-primary" type="submit">
              Reactivate {m.name}
            </button>
          </form>
        ) : null}
        <p class="hint">
          A reset link lets them choose a new password (it works once, for 24 hours; their current password works until then). Deactivating signs them
          out everywhere at once and stops sign-in; their tasks, comments and history stay, and you can reactivate them later.
        </p>
      </section>
    </Layout>
  );
}
