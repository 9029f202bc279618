/** The invitation and password-reset emails and their links: plain text, the link on a line of its own. */
import type { MailMessage } from '../platform/mail/mailer.ts';

export const inviteUrl = (publicUrl: string, token: string) => `${publicUrl}/invite?token=${encodeURIComponent(token)}`;
export const resetUrl = (publicUrl: string, token: string) => `${publicUrl}/reset?token=${encodeURIComponent(token)}`;

const until = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function invitationMail(m: {
  to: string;
  workspaceName: string;
  role: string;
  invitedBy: string | null;
  url: string;
  expiresAt: Date;
}): MailMessage {
  return {
    to: m.to,
    subject: `You are invited to ${m.workspaceName} on Taskline`,
    text: [
      `${m.invitedBy ?? 'An administrator'} invited you to join ${m.workspaceName} on Taskline as ${m.role}.`,
      '',
      'Open this link to set up your account (it works once, until ' + until(m.expiresAt) + '):',
      '',
      m.url,
      '',
      'If you did not expect this, you can ignore this email.',
    ].join('\n'),
  };
}

export function resetMail(m: { to: string; workspaceName: string; url: string; expiresAt: Date; requested: boolean }): MailMessage {
  return {
    to: m.to,
    subject: `Choose a new Taskline password (${m.workspaceName})`,
    text: [
      m.requested
        ? `Someone (we hope you) asked to reset the password of your Taskline account in ${m.workspaceName}.`
        : `An administrator of ${m.workspaceName} created a link for you to choose a new Taskline password.`,
      '',
      'Open this link to choose a new password (it works once, until ' + until(m.expiresAt) + '):',
      '',
      m.url,
      '',
      m.requested
        ? 'If you did not ask for this, ignore this email: your password stays as it is.'
        : 'Your current password keeps working until you use the link.',
    ].join('\n'),
  };
}
