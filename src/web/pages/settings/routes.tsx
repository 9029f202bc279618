import type { Session } from '../../../domain/sessions.ts';
import { listAuditPage } from '../../../domain/audit.ts';
import {
  CredentialAlreadyCreated,
  createCredential,
  getCredential,
  listCredentials,
  revokeCredential,
  updateCredentialSettings,
  type Credential,
} from '../../../domain/credentials.ts';
import { DomainError } from '../../../domain/errors.ts';
import { requireWorkspace, updateWorkspace } from '../../../domain/workspaces.ts';
import { clientConfigs, mcpUrl } from '../../../presenters/clientConfigs.ts';
import { Form, adminOnly, notFoundPage, render, seeOther, noticeFrom, type Ctx, type Deps, pageOrFirst } from '../../kit.tsx';
import { capitalize } from '../../kit.tsx';
import { CREATE_KEY_RE, DEFAULT_CREATE, EXPIRY_CHOICES, newCreateKey, SettingsPage, TokenPage, type CreateValues } from './AccessPage.tsx';
import { AuditPage, auditFilters, csvCell, CSV_MAX_ROWS } from './AuditPage.tsx';
import { CredentialPage, RevokePage } from './CredentialPage.tsx';

export const NOTICES: Record<string, string> = {
  workspace_saved: 'Workspace settings saved. Assistants see the change on their next request.',
  revoked: 'Credential revoked. Assistants using it are refused from their next request on.',
  credential_saved: 'Credential saved. It applies from the assistant’s next request.',
  already_created:
    'This form had already created this credential (the page was sent twice), so no second one was made. Its token was shown only once: if you did not copy it, revoke this credential and create a new one.',
};
export function registerSettingsRoutes({ app, ctx }: Deps) {
  const { db } = ctx;

  const settingsPage = async (c: Ctx, s: Session, opts: { v?: CreateValues; error?: string; status?: number } = {}) => {
    const ws = await requireWorkspace(db, s.workspace.id);
    const [creds, grants] = [await listCredentials(db, ws.id), await listCredentials(db, ws.id, 'oauth')];
    return render(
      c,
      <SettingsPage
        s={s}
        ws={ws}
        url={mcpUrl(ctx.config.publicUrl, ws.id)}
        creds={creds}
        grants={grants}
        v={{ ...(opts.v ?? DEFAULT_CREATE), key: opts.v?.key || newCreateKey() }}
        error={opts.error}
        notice={noticeFrom(c, NOTICES)}
      />,
      opts.status ?? 200,
    );
  };

  app.get(
    '/settings',
    adminOnly((c) => c.redirect('/settings/mcp', 303)),
  );
  app.get(
    '/settings/mcp',
    adminOnly((c, s) => settingsPage(c, s)),
  );

  app.post(
    '/settings/mcp/workspace',
    adminOnly(async (c, s) => {
      const form = await Form.of(c);
      const factors = Number(form.str('minVerificationFactors'));
      if (![1, 2, 3].includes(factors)) return settingsPage(c, s, { status: 400, error: 'Minimum verification factors must be 1, 2 or 3.' });
      const patch = {
        mcpEnabled: form.bool('mcpEnabled'),
        allowCustomerComments: form.bool('allowCustomerComments'),
        minVerificationFactors: factors,
      };
      await updateWorkspace(db, s.workspace.id, patch, { userId: s.user.id });
      return seeOther(c, '/settings/mcp?notice=workspace_saved');
    }),
  );

  app.post(
    '/settings/mcp/credentials',
    adminOnly(async (c, s) => {
      const form = await Form.of(c);
      const v: CreateValues = {
        name: form.str('name'),
        tools: form.all('tools'),
        allowCustomerComments: form.bool('allowCustomerComments'),
        factors: form.str('verificationFactors'),
        reveal: form.bool('revealCustomerContact'),
        expires: form.str('expires'),
        key: CREATE_KEY_RE.test(form.str('createKey')) ? form.str('createKey') : '',
      };
      const expiry = EXPIRY_CHOICES.find((e) => e.value === v.expires);
      if (!expiry) return settingsPage(c, s, { v, status: 400, error: 'Choose when the credential expires from the list.' });
      if (!v.tools.length && !v.allowCustomerComments)
        return settingsPage(c, s, { v, status: 400, error: 'Choose at least one tool — a credential without tools can do nothing.' });
      const factors = v.factors ? Number(v.factors) : null;
      try {
        const { credential, token } = await createCredential(db, s.workspace.id, {
          name: v.name,
          tools: v.tools,
          allowCustomerComments: v.allowCustomerComments,
          verificationFactors: factors,
          revealCustomerContact: v.reveal,
          expiresAt: expiry.value ? new Date(Date.now() + Number(expiry.value) * 86400_000) : null,
          createdBy: s.user.id,
          createKey: v.key || null,
        });
        const url = mcpUrl(ctx.config.publicUrl, s.workspace.id);
        return render(c, <TokenPage s={s} cred={credential} token={token} url={url} configs={clientConfigs(url, token)} />);
      } catch (err) {
        if (err instanceof CredentialAlreadyCreated) return seeOther(c, `/settings/mcp/credentials/${err.credentialId}?notice=already_created`);
        if (!(err instanceof DomainError) || err.code !== 'invalid') throw err;
        return settingsPage(c, s, { v, status: 400, error: capitalize(err.message) + '.' });
      }
    }),
  );

  const credentialPage = async (c: Ctx, s: Session, cred: Credential, opts: { error?: string; status?: number } = {}) => {
    const ws = await requireWorkspace(db, s.workspace.id);
    const { events } = await listAuditPage(db, ws.id, { credentialId: cred.id, limit: 10 });
    return render(
      c,
      <CredentialPage s={s} ws={ws} c={cred} events={events} error={opts.error} notice={noticeFrom(c, NOTICES)} />,
      opts.status ?? 200,
    );
  };

  const findCred = (s: Session, id: string) => getCredential(db, id, s.workspace.id);
  const CRED_404 = 'There is no such credential in this workspace';

  app.get(
    '/settings/mcp/credentials/:id',
    adminOnly(async (c, s) => {
      const cred = await findCred(s, c.req.param('id') ?? '');
      if (!cred) return notFoundPage(c, CRED_404);
      return credentialPage(c, s, cred);
    }),
  );

  app.post(
    '/settings/mcp/credentials/:id',
    adminOnly(async (c, s) => {
      const id = c.req.param('id') ?? '';
      const cred = await findCred(s, id);
      if (!cred) return notFoundPage(c, CRED_404);
      const form = await Form.of(c);
      const tools = form.all('tools');
      const allow = form.bool('allowCustomerComments');
      if (!tools.length && !allow) return credentialPage(c, s, cred, { status: 400, error: 'Choose at least one tool.' });
      const factors = form.str('verificationFactors');
      try {
        await updateCredentialSettings(
          db,
          s.workspace.id,
          id,
          {
            tools,
            allowCustomerComments: allow,
            verificationFactors: factors ? Number(factors) : null,
            revealCustomerContact: form.bool('revealCustomerContact'),
          },
          { userId: s.user.id },
        );
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        if (err.code === 'not_found') return notFoundPage(c, CRED_404);
        return credentialPage(c, s, cred, { status: 400, error: capitalize(err.message) + '.' });
      }
      return seeOther(c, `/settings/mcp/credentials/${id}?notice=credential_saved`);
    }),
  );

  app.get(
    '/settings/mcp/credentials/:id/revoke',
    adminOnly(async (c, s) => {
      const cred = await findCred(s, c.req.param('id') ?? '');
      if (!cred) return notFoundPage(c, CRED_404);
      if (cred.state === 'revoked') return seeOther(c, `/settings/mcp/credentials/${cred.id}`);
      return render(c, <RevokePage s={s} c={cred} />);
    }),
  );

  app.post(
    '/settings/mcp/credentials/:id/revoke',
    adminOnly(async (c, s) => {
      const cred = await findCred(s, c.req.param('id') ?? '');
      if (!cred) return notFoundPage(c, CRED_404);
      await revokeCredential(db, cred.id, { workspaceId: s.workspace.id, userId: s.user.id });
      return seeOther(c, '/settings/mcp?notice=revoked');
    }),
  );

  app.get(
    '/settings/mcp/audit',
    adminOnly(async (c, s) => {
      const creds = await listCredentials(db, s.workspace.id, 'all');
      const { q, filter, error } = auditFilters(c, creds);
      const cursor = c.req.query('cursor') || undefined;
      const { page, stale } = await pageOrFirst(cursor, (at) => listAuditPage(db, s.workspace.id, { ...filter, cursor: at, limit: 50 }));
      const pageError = stale ? 'That page link is no longer valid — showing the newest events.' : undefined;
      return render(
        c,
        <AuditPage
          s={s}
          q={q}
          creds={creds}
          events={page.events}
          next={page.nextCursor}
          first={!cursor || Boolean(pageError)}
          error={error ?? pageError}
        />,
      );
    }),
  );

  app.get(
    '/settings/mcp/audit.csv',
    adminOnly(async (c, s) => {
      const creds = await listCredentials(db, s.workspace.id, 'all');
      const { filter } = auditFilters(c, creds);
      const header = [
        'time_utc',
        'action',
        'outcome',
        'credential',
        'credential_id',
        'user',
        'tool',
        'task_number',
        'latency_ms',
        'factor_types',
        'subject_user',
        'detail',
      ];
      const lines = [header.map(csvCell).join(',')];
      let cursor: string | undefined;
      let rows = 0;
      do {
        const page = await listAuditPage(db, s.workspace.id, { ...filter, cursor, limit: 1000 });
        for (const e of page.events)
          lines.push(
            [
              e.createdAt,
              e.action,
              e.outcome,
              e.credentialName,
              e.credentialId,
              e.userName,
              e.tool,
              e.taskNumber,
              e.latencyMs,
              e.factorTypes,
              e.subjectName,
              e.detail,
            ]
              .map(csvCell)
              .join(','),
          );
        rows += page.events.length;
        cursor = page.nextCursor ?? undefined;
      } while (cursor && rows < CSV_MAX_ROWS);
      const stamp = new Date().toISOString().slice(0, 10);
      return c.body(lines.join('\r\n') + '\r\n', 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="taskline-audit-${stamp}.csv"`,
      });
    }),
  );
}
