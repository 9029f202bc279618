import type { Session } from '../../../domain/sessions.ts';
import type { Invitation, TeamMember } from '../../../domain/team.ts';
import { ROLES } from '../../../domain/users.ts';
import { Badge, CopyButton, CsrfField, Layout, Notice, ROLE_LABELS, Time, formatUtc } from '../../ui/ui.tsx';

/** The roles this person may hand out: only an owner makes owners. */
export const grantableRoles = (s: Session) => ROLES.filter((r) => r !== 'owner' || s.user.role === 'owner');

function Head(p: { sub: string }) {
  return (
    <div class="page-head">
      <div>
        <h1>Team</h1>
        <p class="sub">{p.sub}</p>
      </div>
      <a class="btn" href="/settings/mcp/audit?category=account">
        Account events
      </a>
    </div>
  );
}

export interface InviteValues {
  email: string;
  role: string;
}

export function TeamPage(p: {
  s: Session;
  members: TeamMember[];
  invitations: Invitation[];
  v: InviteValues;
  error?: string;
  notice?: string;
  mail: boolean;
}) {
  return (
    <Layout title="Team" session={p.s} nav="team">
      <Head sub="Everyone who signs in to this workspace: invite colleagues, set what they may do, and let people go." />
      {p.notice ? <Notice kind="ok">{p.notice}</Notice> : null}
      <section class="panel" aria-labelledby="members-h">
        <h2 id="members-h">Staff ({p.members.filter((m) => m.status === 'active').length} active)</h2>
        <div class="table-wrap">
          <table class="data stack">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">Open tasks</th>
              </tr>
            </thead>
            <tbody>
              {p.members.map((m) => (
                <tr>
                  <td class="title-cell">
                    <a href={`/settings/team/${m.id}`}>{m.name}</a>
                    {m.id === p.s.user.id ? <span class="muted small"> (you)</span> : null}
                    <span class="cell-sub">{m.email}</span>
                  </td>
                  <td data-label="Role">{ROLE_LABELS[m.role]}</td>
                  <td data-label="Status">
                    <Badge kind={m.status === 'active' ? 'active' : 'revoked'}>{m.status === 'active' ? 'Active' : 'Deactivated'}</Badge>
                  </td>
                  <td data-label="Last sign-in">
                    <Time d={m.lastSignInAt} empty="never" />
                  </td>
                  <td data-label="Open tasks">{m.openTasks ? <a href={`/tasks?assignee=${m.id}`}>{m.openTasks}</a> : '0'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {p.invitations.length ? (
        <section class="panel" aria-labelledby="invites-h">
          <h2 id="invites-h">Invited, not joined yet</h2>
          <div class="table-wrap">
            <table class="data stack">
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Invited</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.invitations.map((i) => (
                  <tr>
                    <td class="title-cell">
                      {i.email}
                      <Badge kind="waiting">Invited</Badge>
                    </td>
                    <td data-label="Role">{ROLE_LABELS[i.role]}</td>
                    <td data-label="Invited">
                      <Time d={i.createdAt} />
                      {i.invitedByName ? <span class="cell-sub">by {i.invitedByName}</span> : null}
                    </td>
                    <td data-label="Expires">{formatUtc(i.expiresAt)}</td>
                    <td>
                      <form method="post" action={`/settings/team/invitations/${i.id}/revoke`} class="inline-form">
                        <CsrfField token={p.s.csrfToken} />
                        <button class="btn btn-sm" type="submit">
                          Withdraw
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="muted small">
            The link of an invitation was shown once, to whoever sent it. Lost it? Invite the same address again: the new link replaces the old one.
          </p>
        </section>
      ) : null}

      <section class="panel" aria-labelledby="invite-h">
        <h2 id="invite-h">Invite a colleague</h2>
        {p.error ? <Notice kind="error">{p.error}</Notice> : null}
        <form method="post" action="/settings/team/invite">
          <CsrfField token={p.s.csrfToken} />
          <div class="form-row">
            <div class="field">
              <label for="invite-email">Email</label>
              <input id="invite-email" name="email" type="email" required maxlength={320} value={p.v.email} />
            </div>
            <div class="field">
              <label for="invite-role">Role</label>
              <select id="invite-role" name="role">
                {grantableRoles(p.s).map((r) => (
                  <option value={r} selected={p.v.role === r}>
                    {ROLE_LABELS[r]}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <p class="hint">
            Members work on tasks and customers. Admins also manage the team and AI assistants. Owners can do everything, including making other
            owners.
          </p>
          <div class="actions">
            <button class="btn btn-primary" type="submit">
              Create invitation
            </button>
          </div>
          <p class="muted small">
            {p.mail
              ? 'You get a one-time link to pass on; it is also emailed to the address. It works for 7 days.'
              : 'You get a one-time link to pass on yourself (this Taskline does not send email). It works for 7 days.'}
          </p>
        </form>
      </section>
    </Layout>
  );
}

/** A one-time link, shown once: an invitation or a password reset. */
export function LinkPage(p: {
  s: Session;
  title: string;
  lead: string;
  url: string;
  expiresAt: Date;
  mailed: 'sent' | 'failed' | 'off';
  back: string;
}) {
  return (
    <Layout title={p.title} session={p.s} nav="team">
      <Head sub={p.lead} />
      <section class="panel token-dialog" aria-labelledby="link-h">
        <h2 id="link-h">{p.title}</h2>
        <Notice kind="warn" title="This link is shown only once">
          Taskline keeps only a hash of it. Pass it on now, to that person only: whoever opens it first can use it. It works once, until{' '}
          {formatUtc(p.expiresAt)}.
        </Notice>
        {p.mailed === 'sent' ? <Notice kind="ok">It was also emailed to them.</Notice> : null}
        {p.mailed === 'failed' ? (
          <Notice kind="error">The email could not be sent (the mail server refused it). Pass the link on yourself.</Notice>
        ) : null}
        <div class="link-box">
          <code id="one-time-link">{p.url}</code>
          <CopyButton target="one-time-link" label="Copy link" />
        </div>
        <div class="actions">
          <a class="btn" href={p.back}>
            Done
          </a>
        </div>
      </section>
    </Layout>
  );
}
