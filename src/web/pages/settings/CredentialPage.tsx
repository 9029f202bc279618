import type { Session } from '../../../domain/sessions.ts';
import type { AuditRow } from '../../../domain/audit.ts';
import type { Credential } from '../../../domain/credentials.ts';
import { describeLevel, effectivePolicy } from '../../../domain/policy.ts';
import type { Workspace } from '../../../domain/workspaces.ts';
import { Badge, CsrfField, Layout, Notice, Time, formatDate, qs } from '../../ui/ui.tsx';
import { AuditTable, STATE_LABELS } from './parts.tsx';
import { PolicyFields } from '../../ui/PolicyFields.tsx';

export function CredentialPage(p: { s: Session; ws: Workspace; c: Credential; events: AuditRow[]; error?: string; notice?: string }) {
  const c = p.c;
  const eff = effectivePolicy(p.ws, c);
  const live = c.state === 'active';
  return (
    <Layout title={c.name} session={p.s} nav="settings">
      <div class="crumbs">
        <a href="/settings/mcp">AI assistants</a> / {c.name}
      </div>
      <div class="page-head">
        <div>
          <h1>
            {c.name} <Badge kind={c.state}>{STATE_LABELS[c.state]}</Badge>
          </h1>
          <p class="sub">
            <code>{c.preview}</code> · created <Time d={c.createdAt} /> {c.createdByName ? `by ${c.createdByName}` : ''}
          </p>
        </div>
        {live ? (
          <a class="btn btn-danger-outline" href={`/settings/mcp/credentials/${c.id}/revoke`}>
            Revoke…
          </a>
        ) : null}
      </div>
      {p.notice ? <Notice kind="ok">{p.notice}</Notice> : null}
      {p.error ? <Notice kind="error">{p.error}</Notice> : null}
      <div class="grid-2">
        <div>
          {live ? (
            <section class="panel" aria-labelledby="policy-h">
              <h2 id="policy-h">Policy</h2>
              <form method="post" action={`/settings/mcp/credentials/${c.id}`}>
                <CsrfField token={p.s.csrfToken} />
                <PolicyFields
                  ws={p.ws}
                  tools={c.tools}
                  allowComments={c.allowCustomerComments}
                  factors={c.verificationFactors == null ? '' : String(c.verificationFactors)}
                  reveal={c.revealCustomerContact}
                  idp="edit"
                />
                <button class="btn btn-primary" type="submit">
                  {c.kind === 'oauth' ? 'Save' : 'Save credential'}
                </button>
              </form>
            </section>
          ) : c.kind === 'oauth' ? (
            <Notice kind="info" title="This app is disconnected">
              Its tokens are refused. Connect it again from the assistant if it still needs access.
            </Notice>
          ) : (
            <Notice kind="info" title={c.state === 'revoked' ? 'This credential is revoked' : 'This credential has expired'}>
              Its token is refused. Create a new credential for the assistant if it still needs access.
            </Notice>
          )}
          <section class="panel" aria-labelledby="recent-h">
            <div class="panel-head">
              <h2 id="recent-h">Recent activity</h2>
              <a class="small" href={`/settings/mcp/audit${qs({ credential: c.id })}`}>
                Full audit log →
              </a>
            </div>
            {p.events.length ? <AuditTable events={p.events} showCredential={false} /> : <p class="muted">No activity yet.</p>}
          </section>
        </div>
        <section class="panel" aria-labelledby="eff-h">
          <h2 id="eff-h">What it can do now</h2>
          {live && eff.tools.length ? (
            <ul>
              {eff.tools.map((t) => (
                <li>
                  <code>{t}</code>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">{live ? (p.ws.mcpEnabled ? 'No tools.' : 'Nothing — MCP is turned off for the workspace.') : 'Nothing.'}</p>
          )}
          <dl class="meta">
            <dt>Verification</dt>
            <dd>
              {eff.canComment
                ? `the caller gives ${describeLevel(eff.verificationLevel)}`
                : c.allowCustomerComments && c.revealCustomerContact
                  ? 'n/a — no comments: this credential reveals contact details'
                  : 'n/a (no comments)'}
            </dd>
            <dt>Contact details</dt>
            <dd>{eff.revealContact ? 'shown in full' : 'masked'}</dd>
            <dt>Last used</dt>
            <dd>
              <Time d={c.lastUsedAt} empty="never" />
            </dd>
            <dt>Expires</dt>
            <dd>{c.expiresAt ? formatDate(c.expiresAt) : 'never'}</dd>
            {c.revokedAt ? (
              <>
                <dt>Revoked</dt>
                <dd>
                  <Time d={c.revokedAt} abs />
                </dd>
              </>
            ) : null}
          </dl>
        </section>
      </div>
    </Layout>
  );
}

export function RevokePage(p: { s: Session; c: Credential }) {
  return (
    <Layout title={`Revoke ${p.c.name}`} session={p.s} nav="settings">
      <div class="crumbs">
        <a href="/settings/mcp">AI assistants</a> / <a href={`/settings/mcp/credentials/${p.c.id}`}>{p.c.name}</a> / Revoke
      </div>
      <section class="panel" aria-labelledby="revoke-h">
        <h1 id="revoke-h">Revoke “{p.c.name}”?</h1>
        {p.c.kind === 'oauth' ? (
          <p>
            {p.c.name} (<code>{p.c.preview}</code>) is refused from its next request on, on every server, and cannot refresh its tokens. This cannot
            be undone — to restore access, connect it again from the assistant.
          </p>
        ) : (
          <p>
            Assistants using the token <code>{p.c.preview}</code> are refused from their next request on, on every server. This cannot be undone — to
            restore access, create a new credential.
          </p>
        )}
        <form method="post" action={`/settings/mcp/credentials/${p.c.id}/revoke`} class="actions">
          <CsrfField token={p.s.csrfToken} />
          <button class="btn btn-danger" type="submit">
            {p.c.kind === 'oauth' ? 'Disconnect app' : 'Revoke credential'}
          </button>
          <a class="btn" href="/settings/mcp">
            Cancel
          </a>
        </form>
      </section>
    </Layout>
  );
}
