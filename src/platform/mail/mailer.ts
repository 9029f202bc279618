/**
 * Outgoing email (invitations, password resets) through nodemailer over SMTP. Without SMTP_URL there is no mailer
 * and nothing tries to send. Messages are plain text; the log records that a message went out or failed, never to
 * whom or what it said.
 */
import nodemailer from 'nodemailer';
import type { Logger } from '../log.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Resolves when the SMTP server accepted the message; rejects with its error otherwise. */
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export function createMailer(mail: { smtpUrl: string; from: string } | null, log: Logger): Mailer | null {
  if (!mail) return null;
  const transport = nodemailer.createTransport(mail.smtpUrl);
  return {
    async send(message) {
      try {
        await transport.sendMail({ from: mail.from, to: message.to, subject: message.subject, text: message.text });
        log.info({ subject: message.subject }, 'mail sent');
      } catch (err) {
        // The code only: an SMTP error's text may quote the recipient's address.
        const e = err as { code?: string; responseCode?: number };
        log.warn({ code: e.code, responseCode: e.responseCode }, 'mail could not be sent');
        throw err;
      }
    },
    close: () => transport.close(),
  };
}

/** Send when this deployment sends mail: 'sent', 'failed' (already logged; the caller still shows the link), or 'off'. */
export async function sendIfConfigured(mailer: Mailer | null, message: MailMessage): Promise<'sent' | 'failed' | 'off'> {
  if (!mailer) return 'off';
  return mailer.send(message).then(
    () => 'sent' as const,
    () => 'failed' as const,
  );
}
