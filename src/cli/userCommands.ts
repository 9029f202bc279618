/** `taskline user …`: the team, from the command line — the same domain commands as the web app's Team page. */
import type { Queryable } from '../platform/db/client.ts';
import type { Config } from '../platform/config.ts';
import { createLogger } from '../platform/log.ts';
import { createMailer, sendIfConfigured, type MailMessage } from '../platform/mail/mailer.ts';
import { normalizeEmail } from '../domain/normalize.ts';
import { ROLES, type User, USER_COLS } from '../domain/users.ts';
import { changeRole, createResetLink, deactivateUser, inviteStaff, listInvitations, listTeam, reactivateUser } from '../domain/team.ts';
import { isUuid, requireWorkspace } from '../domain/workspaces.ts';
import { invitationMail, inviteUrl, resetMail, resetUrl } from '../presenters/accountMail.ts';
import { JSON_OPT, UsageError, fmtDate, need, table, type Command } from './args.ts';

const WS_USER = { ...JSON_OPT, workspace: { type: 'string' }, user: { type: 'string' } } as const;
const OPERATOR = {}; // the CLI acts as whoever runs the server: no staff member, every rule but "the last owner" waived

/** The staff member named by --user: an email (any case) or an id. */
async function userArg(db: Queryable, workspaceId: string, who: string | boolean | undefined): Promise<User> {
  const v = need(who, '--user');
  const r = await db.query<User>(`SELECT ${USER_COLS} FROM users WHERE workspace_id = $1 AND (email_lower = $2 OR id::text = $3)`, [
    workspaceId,
    normalizeEmail(v),
    isUuid(v) ? v.toLowerCase() : '',
  ]);
  if (!r.rows[0]) throw new UsageError(`no staff member "${v}" in this workspace — see: taskline user list --workspace ${workspaceId}`);
  return r.rows[0];
}

/** Email the link when the deployment sends mail (SMTP_URL); the link is printed either way. */
async function mailIfConfigured(config: Config, message: MailMessage): Promise<'sent' | 'failed' | 'off'> {
  const mailer = createMailer(config.mail, createLogger('silent'));
  try {
    return await sendIfConfigured(mailer, message);
  } finally {
    mailer?.close();
  }
}
const mailNote = (m: 'sent' | 'failed' | 'off') => (m === 'sent' ? ' (also emailed)' : m === 'failed' ? ' (the email could not be sent)' : '');

export const USER_COMMANDS: Record<string, Command> = {
  'user list': {
    usage: 'user list --workspace W   staff with role, status, last sign-in, open tasks; and pending invitations',
    options: { ...JSON_OPT, workspace: { type: 'string' } },
    db: true,
    async run({ values, db, json }) {
      const ws = await requireWorkspace(db, need(values.workspace, '--workspace'));
      const [team, invitations] = [await listTeam(db, ws.id), await listInvitations(db, ws.id)];
      if (json) return { users: team, invitations };
      const rows = [
        ['ID', 'NAME', 'EMAIL', 'ROLE', 'STATUS', 'LAST SIGN-IN', 'OPEN TASKS'],
        ...team.map((m) => [m.id, m.name, m.email, m.role, m.status, fmtDate(m.lastSignInAt), String(m.openTasks)]),
        ...invitations.map((i) => [i.id, '—', i.email, i.role, `invited until ${fmtDate(i.expiresAt)}`, '—', '—']),
      ];
      return table(rows);
    },
  },
  'user invite': {
    usage: 'user invite --workspace W --email E --role owner|admin|member   prints a one-time link (7 days)',
    options: { ...JSON_OPT, workspace: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' } },
    db: true,
    async run({ values, db, config, json }) {
      const ws = await requireWorkspace(db, need(values.workspace, '--workspace'));
      const email = need(values.email, '--email');
      const role = need(values.role, '--role');
      if (!ROLES.includes(role as never)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      const link = await inviteStaff(db, ws.id, { email, role }, OPERATOR);
      const url = inviteUrl(config.publicUrl, link.token);
      const mailed = await mailIfConfigured(
        config,
        invitationMail({ to: email, workspaceName: ws.name, role, invitedBy: null, url, expiresAt: link.expiresAt }),
      );
      return json
        ? { id: link.id, email, role, url, expiresAt: link.expiresAt, mailed }
        : `invited ${email} as ${role} to "${ws.name}"${mailNote(mailed)}\n  link (shown only now, works once until ${fmtDate(link.expiresAt)} UTC):\n  ${url}`;
    },
  },
  'user role': {
    usage: 'user role --workspace W --user EMAIL|ID --role owner|admin|member',
    options: { ...WS_USER, role: { type: 'string' } },
    db: true,
    async run({ values, db, json }) {
      const ws = await requireWorkspace(db, need(values.workspace, '--workspace'));
      const user = await userArg(db, ws.id, values.user);
      const role = need(values.role, '--role');
      if (!ROLES.includes(role as never)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      const updated = await changeRole(db, ws.id, user.id, role, OPERATOR);
      return json ? updated : `${updated.email} is now ${updated.role} in "${ws.name}"`;
    },
  },
  'user deactivate': {
    usage: 'user deactivate --workspace W --user EMAIL|ID   signs them out everywhere; lists their open tasks',
    options: WS_USER,
    db: true,
    async run({ values, db, json }) {
      const ws = await requireWorkspace(db, need(values.workspace, '--workspace'));
      const user = await userArg(db, ws.id, values.user);
      const open = await deactivateUser(db, ws.id, user.id, OPERATOR);
      if (json) return { id: user.id, email: user.email, status: 'deactivated', openTasks: open };
      return (
        `deactivated ${user.email} in "${ws.name}" (signed out everywhere)` +
        (open.length ? `\n  still assigned to them — reassign: ${open.map((t) => `#${t.number}`).join(', ')}` : '')
      );
    },
  },
  'user reactivate': {
    usage: 'user reactivate --workspace W --user EMAIL|ID',
    options: WS_USER,
    db: true,
    async run({ values, db, json }) {
      const ws = await requireWorkspace(db, need(values.workspace, '--workspace'));
      const user = await userArg(db, ws.id, values.user);
      await reactivateUser(db, ws.id, user.id, OPERATOR);
      return json ? { id: user.id, email: user.email, status: 'active' } : `reactivated ${user.email} in "${ws.name}"`;
    },
  },
  'user reset-password': {
    usage: 'user reset-password --workspace W --user EMAIL|ID   prints a one-time reset link (24 hours)',
    options: WS_USER,
    db: true,
    async run({ values, db, config, json }) {
      const ws = await requireWorkspace(db, need(values.workspace, '--workspace'));
      const user = await userArg(db, ws.id, values.user);
      const link = await createResetLink(db, ws.id, user.id, OPERATOR);
      const url = resetUrl(config.publicUrl, link.token);
      const mailed = await mailIfConfigured(
        config,
        resetMail({ to: user.email, workspaceName: ws.name, url, expiresAt: link.expiresAt, requested: false }),
      );
      return json
        ? { id: user.id, email: user.email, url, expiresAt: link.expiresAt, mailed }
        : `reset link for ${user.email}${mailNote(mailed)} (shown only now, works once until ${fmtDate(link.expiresAt)} UTC):\n  ${url}`;
    },
  },
};
