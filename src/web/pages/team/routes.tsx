/** The Team page (owners and admins): staff, invitations, roles, deactivation, reset links. */
import type { Session } from '../../../domain/sessions.ts';
import { DomainError } from '../../../domain/errors.ts';
import {
  changeRole,
  createResetLink,
  deactivateUser,
  getTeamMember,
  inviteStaff,
  listInvitations,
  listTeam,
  openTasksOf,
  reactivateUser,
  revokeInvitation,
} from '../../../domain/team.ts';
import { sendIfConfigured, type MailMessage } from '../../../platform/mail/mailer.ts';
import { invitationMail, inviteUrl, resetMail, resetUrl } from '../../../presenters/accountMail.ts';
import { Form, adminOnly, noticeFrom, notFoundPage, render, seeOther, type Ctx, type Deps } from '../../kit.tsx';
import { ROLE_LABELS } from '../../ui/ui.tsx';
import { MemberPage } from './MemberPage.tsx';
import { LinkPage, TeamPage, type InviteValues } from './TeamPage.tsx';

const NOTICES: Record<string, string> = {
  invite_revoked: 'Invitation withdrawn: its link no longer works.',
  role: 'Role changed. It applies from their next page.',
  deactivated: 'Deactivated: they were signed out everywhere and cannot sign in.',
  reactivated: 'Reactivated: they can sign in again with their password (or a reset link).',
};

export function registerTeamRoutes({ app, ctx }: Deps) {
  const { db, config, mailer } = ctx;
  const actor = (s: Session) => ({ userId: s.user.id });

  const teamPage = async (c: Ctx, s: Session, opts: { v?: InviteValues; error?: string; status?: number } = {}) =>
    render(
      c,
      <TeamPage
        s={s}
        members={await listTeam(db, s.workspace.id)}
        invitations={await listInvitations(db, s.workspace.id)}
        v={opts.v ?? { email: '', role: 'member' }}
        error={opts.error}
        notice={noticeFrom(c, NOTICES)}
        mail={!!mailer}
      />,
      opts.status ?? 200,
    );

  const memberPage = async (c: Ctx, s: Session, id: string, opts: { error?: string; status?: number } = {}) => {
    const m = await getTeamMember(db, s.workspace.id, id);
    if (!m) return notFoundPage(c, 'No such staff member in this workspace');
    const tasks = await openTasksOf(db, s.workspace.id, m.id);
    return render(c, <MemberPage s={s} m={m} tasks={tasks} error={opts.error} notice={noticeFrom(c, NOTICES)} />, opts.status ?? 200);
  };

  const mail = (message: MailMessage) => sendIfConfigured(mailer, message);

  /** A domain refusal (a rule, a conflict) is shown on the page it came from; anything else is a real error. */
  const refused = (err: unknown): DomainError => {
    if (err instanceof DomainError && err.code !== 'not_found') return err;
    throw err;
  };

  app.get(
    '/settings/team',
    adminOnly((c, s) => teamPage(c, s)),
  );

  app.post(
    '/settings/team/invite',
    adminOnly(async (c, s) => {
      const form = await Form.of(c);
      const v = { email: form.str('email').slice(0, 320), role: form.str('role') };
      try {
        const link = await inviteStaff(db, s.workspace.id, v, actor(s));
        const url = inviteUrl(config.publicUrl, link.token);
        const mailed = await mail(
          invitationMail({
            to: v.email,
            workspaceName: s.workspace.name,
            role: ROLE_LABELS[v.role] ?? v.role,
            invitedBy: s.user.name,
            url,
            expiresAt: link.expiresAt,
          }),
        );
        return render(
          c,
          <LinkPage
            s={s}
            title={`Invitation for ${v.email}`}
            lead={`${v.email} is invited as ${ROLE_LABELS[v.role] ?? v.role}. Opening the link, they choose their name and password.`}
            url={url}
            expiresAt={link.expiresAt}
            mailed={mailed}
            back="/settings/team"
          />,
        );
      } catch (err) {
        const e = refused(err);
        return teamPage(c, s, { v, error: e.message, status: e.code === 'forbidden' ? 403 : e.code === 'conflict' ? 409 : 400 });
      }
    }),
  );

  app.post(
    '/settings/team/invitations/:id/revoke',
    adminOnly(async (c, s) => {
      try {
        await revokeInvitation(db, s.workspace.id, c.req.param('id') ?? '', actor(s));
      } catch (err) {
        if (err instanceof DomainError && err.code === 'not_found') return notFoundPage(c, 'No such pending invitation');
        const e = refused(err);
        return teamPage(c, s, { error: e.message, status: 403 });
      }
      return seeOther(c, '/settings/team?notice=invite_revoked');
    }),
  );

  app.get(
    '/settings/team/:id',
    adminOnly((c, s) => memberPage(c, s, c.req.param('id') ?? '')),
  );

  /** A change on a member's page: done → back to it with a notice; refused → the page with the reason. */
  const memberAction = (notice: string, run: (s: Session, id: string, form: Form) => Promise<unknown>) =>
    adminOnly(async (c, s) => {
      const id = c.req.param('id') ?? '';
      if (!(await getTeamMember(db, s.workspace.id, id))) return notFoundPage(c, 'No such staff member in this workspace');
      try {
        await run(s, id, await Form.of(c));
      } catch (err) {
        const e = refused(err);
        return memberPage(c, s, id, { error: e.message, status: e.code === 'forbidden' ? 403 : e.code === 'conflict' ? 409 : 400 });
      }
      return seeOther(c, `/settings/team/${id}?notice=${notice}`);
    });

  app.post(
    '/settings/team/:id/role',
    memberAction('role', (s, id, form) => changeRole(db, s.workspace.id, id, form.str('role'), actor(s))),
  );
  app.post(
    '/settings/team/:id/deactivate',
    memberAction('deactivated', (s, id) => deactivateUser(db, s.workspace.id, id, actor(s))),
  );
  app.post(
    '/settings/team/:id/reactivate',
    memberAction('reactivated', (s, id) => reactivateUser(db, s.workspace.id, id, actor(s))),
  );

  app.post(
    '/settings/team/:id/reset-link',
    adminOnly(async (c, s) => {
      const id = c.req.param('id') ?? '';
      const m = await getTeamMember(db, s.workspace.id, id);
      if (!m) return notFoundPage(c, 'No such staff member in this workspace');
      try {
        const link = await createResetLink(db, s.workspace.id, id, actor(s));
        const url = resetUrl(config.publicUrl, link.token);
        const mailed = await mail(resetMail({ to: link.email, workspaceName: s.workspace.name, url, expiresAt: link.expiresAt, requested: false }));
        return render(
          c,
          <LinkPage
            s={s}
            title={`Reset link for ${m.name}`}
            lead={`With this link ${m.name} chooses a new password; every browser signed in to their account is then signed out.`}
            url={url}
            expiresAt={link.expiresAt}
            mailed={mailed}
            back={`/settings/team/${id}`}
          />,
        );
      } catch (err) {
        const e = refused(err);
        return memberPage(c, s, id, { error: e.message, status: e.code === 'forbidden' ? 403 : 409 });
      }
    }),
  );
}
