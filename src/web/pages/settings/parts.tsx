import type { AuditRow } from '../../../domain/audit.ts';
import type { Credential } from '../../../domain/credentials.ts';
import { Badge, Time } from '../../ui/ui.tsx';

export const ACTION_LABELS: Record<string, string> = {
  tool_call: 'Tool call',
  'credential.create': 'Credential created',
  'credential.revoke': 'Credential revoked',
  'credential.update': 'Credential changed',
  'workspace.update': 'Settings changed',
  'resource.read': 'Resource read',
  'resource.list': 'Resources listed',
  'oauth.authorize': 'App authorized (OAuth)',
  'oauth.revoke': 'App disconnected',
  'oauth.code_reuse': 'Authorization code replayed — app disconnected',
  'oauth.refresh_reuse': 'Refresh token replayed — app disconnected',
  'account.invite': 'Invitation sent',
  'account.invite_revoke': 'Invitation withdrawn',
  'account.accept': 'Invitation accepted',
  'account.role': 'Role changed',
  'account.deactivate': 'Staff member deactivated',
  'account.reactivate': 'Staff member reactivated',
  'account.reset_link': 'Password reset link created',
  'account.reset_request': 'Password reset asked for by email',
  'account.password_reset': 'Password reset with a link',
  'account.password_change': 'Password changed',
};

export const OUTCOME_LABELS: Record<string, string> = {
  ok: 'OK',
  denied: 'Denied',
  error: 'Error',
  verification_failed: 'Verification failed',
  locked: 'Locked',
  no_match: 'No match (phone/email probe)',
};

export const STATE_LABELS: Record<string, string> = { active: 'Active', revoked: 'Revoked', expired: 'Expired' };

/** The last two cells of a credential's or a connected app's row: its state, and View — or Manage and Revoke. */
export function CredentialStateCells(p: { c: Pick<Credential, 'id' | 'name' | 'state'> }) {
  const { c } = p;
  return (
    <>
      <td data-label="Status">
        <Badge kind={c.state}>{STATE_LABELS[c.state]}</Badge>
      </td>
      <td class="nowrap">
        {c.state === 'revoked' ? (
          <a class="btn btn-sm" href={`/settings/mcp/credentials/${c.id}`}>
            View
          </a>
        ) : (
          <span class="actions">
            <a class="btn btn-sm" href={`/settings/mcp/credentials/${c.id}`} aria-label={`Manage ${c.name}`}>
              Manage
            </a>
            <a class="btn btn-sm btn-danger-outline" href={`/settings/mcp/credentials/${c.id}/revoke`} aria-label={`Revoke ${c.name}`}>
              Revoke
            </a>
          </span>
        )}
      </td>
    </>
  );
}
export function Tabs(p: { current: 'access' | 'audit' }) {
  return (
    <nav class="tabs" aria-label="AI assistant settings">
      <a href="/settings/mcp" aria-current={p.current === 'access' ? 'page' : undefined}>
        Access
      </a>
      <a href="/settings/mcp/audit" aria-current={p.current === 'audit' ? 'page' : undefined}>
        Audit log
      </a>
    </nav>
  );
}

export function Head(p: { sub?: string }) {
  return (
    <div class="page-head">
      <div>
        <h1>AI assistants (MCP)</h1>
        <p class="sub">{p.sub ?? 'Let an AI assistant work with this workspace through its MCP endpoint, under a policy you set.'}</p>
      </div>
    </div>
  );
}
export function AuditTable(p: { events: AuditRow[]; showCredential?: boolean }) {
  return (
    <div class="table-wrap">
      <table class="data stack">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            {p.showCredential !== false ? <th scope="col">Credential</th> : null}
            <th scope="col">Outcome</th>
            <th scope="col">Task</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {p.events.map((e) => (
            <tr>
              <td class="nowrap" data-label="Time">
                <Time d={e.createdAt} abs />
              </td>
              <td class="title-cell">
                {e.action === 'tool_call' && e.tool ? <code>{e.tool}</code> : (ACTION_LABELS[e.action] ?? e.action)}
                {e.userName ? <span class="cell-sub">by {e.userName}</span> : null}
              </td>
              {p.showCredential !== false ? (
                <td data-label="Credential">
                  {e.credentialId ? (
                    <a href={`/settings/mcp/credentials/${e.credentialId}`}>{e.credentialName ?? 'deleted credential'}</a>
                  ) : (
                    <span class="muted">—</span>
                  )}
                </td>
              ) : null}
              <td data-label="Outcome">
                <Badge kind={e.outcome}>{OUTCOME_LABELS[e.outcome] ?? e.outcome}</Badge>
              </td>
              <td data-label="Task">{e.taskNumber ? <a href={`/tasks/${e.taskNumber}`}>#{e.taskNumber}</a> : <span class="muted">—</span>}</td>
              <td data-label="Details" class="small">
                {[
                  e.subjectName ? `staff: ${e.subjectName}` : null,
                  e.detail,
                  e.latencyMs != null ? `${e.latencyMs} ms` : null,
                  e.factorTypes?.length ? `factors: ${e.factorTypes.join(', ')}` : null,
                ]
                  .filter(Boolean)
                  .join(' · ') || <span class="muted">—</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
