/** Settings → AI assistants → Access: the endpoint, the workspace policy, credentials, create a credential, and the token shown once. */
import { randomBytes } from 'node:crypto';
import type { Session } from '../../../domain/sessions.ts';
import type { Credential } from '../../../domain/credentials.ts';
import { READ_TOOLS } from '../../../domain/policy.ts';
import type { Workspace } from '../../../domain/workspaces.ts';
import type { ClientConfig } from '../../../presenters/clientConfigs.ts';
import { CopyButton, CsrfField, Empty, Layout, Notice, Time, formatDate } from '../../ui/ui.tsx';
import { CredentialStateCells, Head, Tabs } from './parts.tsx';
import { ConnectedAppsPanel } from './ConnectedApps.tsx';
import { LEVEL_LABELS, PolicyFields, ToolsCell } from '../../ui/PolicyFields.tsx';

export const EXPIRY_CHOICES = [
  { value: '', label: 'Never' },
  { value: '7', label: 'In 7 days' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In 1 year' },
] as const;
/** One-time key of a create-credential form (see migration 0006): a resubmitted form creates nothing. */
export const newCreateKey = () => randomBytes(18).toString('base64url');
export const CREATE_KEY_RE = /^[A-Za-z0-9_-]{16,64}$/;
export function EndpointPanel(p: { url: string; ws: Workspace }) {
  return (
    <section class="panel" aria-labelledby="endpoint-h">
      <h2 id="endpoint-h">MCP endpoint</h2>
      <div class="endpoint">
        <code id="endpoint-url">{p.url}</code>
        <CopyButton target="endpoint-url" />
      </div>
      <p class="muted small">
        Streamable HTTP. Paste it into claude.ai, ChatGPT or Copilot Studio: they connect through OAuth, and you approve them here. Other assistants
        authenticate with a credential's bearer token (<code>Authorization: Bearer mcp_live_…</code>).
      </p>
      {!p.ws.mcpEnabled ? (
        <Notice kind="warn" title="MCP is turned off">
          Every assistant is refused until you turn it back on below.
        </Notice>
      ) : null}
    </section>
  );
}

export function WorkspacePanel(p: { s: Session; ws: Workspace }) {
  return (
    <section class="panel" aria-labelledby="ws-h">
      <h2 id="ws-h">Workspace policy</h2>
      <p class="muted small">The ceiling for every credential: a credential can be narrower, never wider.</p>
      <form method="post" action="/settings/mcp/workspace">
        <CsrfField token={p.s.csrfToken} />
        <label class="check">
          <input type="checkbox" name="mcpEnabled" checked={p.ws.mcpEnabled} />
          <span>
            MCP enabled<small>When off, every assistant is refused (403) — a kill switch.</small>
          </span>
        </label>
        <label class="check">
          <input type="checkbox" name="allowCustomerComments" checked={p.ws.allowCustomerComments} />
          <span>
            Allow customer comments
            <small>Credentials that also allow it get the addCustomerComment tool, after the server verifies the caller.</small>
          </span>
        </label>
        <div class="field">
          <label for="minFactors">Caller verification</label>
          <select id="minFactors" name="minVerificationFactors" aria-describedby="minFactors-hint">
            {[1, 2, 3].map((n) => (
              <option value={String(n)} selected={p.ws.minVerificationFactors === n}>
                {LEVEL_LABELS[n]}
                {n === 2 ? ' (recommended)' : ''}
              </option>
            ))}
          </select>
          <div class="hint" id="minFactors-hint">
            What a caller must tell the assistant, correctly, before their comment is added. The phone number on file is always required: it is the
            one detail an assistant cannot look up (it sees •••-•••-4534, and search only finds a whole number), while names and task numbers come
            back from any search — an over-helpful assistant would fill them in itself. A wrong detail always fails, and the answer never says which
            one. Customers without a phone number on file cannot leave comments through an assistant.
          </div>
        </div>
        <button class="btn btn-primary" type="submit">
          Save policy
        </button>
      </form>
    </section>
  );
}

export function CredentialsTable(p: { creds: Credential[]; ws: Workspace }) {
  if (!p.creds.length)
    return (
      <Empty title="No credentials yet">
        <p>Create one below for each assistant (one per assistant makes revoking easy). Its token is shown once, with ready-to-paste setup.</p>
      </Empty>
    );
  return (
    <div class="table-wrap">
      <table class="data stack">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Token</th>
            <th scope="col">Tools</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {p.creds.map((c) => (
            <tr>
              <td class="title-cell">
                <a href={`/settings/mcp/credentials/${c.id}`}>{c.name}</a>
              </td>
              <td data-label="Token">
                <code class="nowrap">{c.preview}</code>
              </td>
              <td data-label="Tools">
                <ToolsCell c={c} ws={p.ws} />
              </td>
              <td data-label="Created">
                <Time d={c.createdAt} />
                <span class="cell-sub">{c.createdByName ? `by ${c.createdByName}` : 'by CLI / setup'}</span>
              </td>
              <td data-label="Last used">
                <Time d={c.lastUsedAt} empty="never" />
              </td>
              <td data-label="Expires">{c.expiresAt ? formatDate(c.expiresAt) : <span class="muted">never</span>}</td>
              <CredentialStateCells c={c} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export interface CreateValues {
  name: string;
  tools: string[];
  allowCustomerComments: boolean;
  factors: string;
  reveal: boolean;
  expires: string;
  key: string;
}
export const DEFAULT_CREATE: CreateValues = {
  name: '',
  tools: [...READ_TOOLS],
  allowCustomerComments: false,
  factors: '',
  reveal: false,
  expires: '',
  key: '',
};
export function CreatePanel(p: { s: Session; ws: Workspace; v: CreateValues; error?: string }) {
  return (
    <section class="panel" aria-labelledby="create-h" id="create">
      <h2 id="create-h">Create a credential</h2>
      {p.error ? (
        <Notice kind="error" title="The credential was not created">
          {p.error}
        </Notice>
      ) : null}
      <form method="post" action="/settings/mcp/credentials">
        <CsrfField token={p.s.csrfToken} />
        <input type="hidden" name="createKey" value={p.v.key} />
        <div class="form-row">
          <div class="field">
            <label for="cred-name">Name</label>
            <input
              id="cred-name"
              name="name"
              type="text"
              required
              maxlength={100}
              value={p.v.name}
              placeholder="e.g. Front desk voice agent"
              autocomplete="off"
            />
            <div class="hint">Who or what will use it; shown in the audit log.</div>
          </div>
          <div class="field">
            <label for="cred-expires">Expires</label>
            <select id="cred-expires" name="expires">
              {EXPIRY_CHOICES.map((e) => (
                <option value={e.value} selected={p.v.expires === e.value}>
                  {e.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <PolicyFields ws={p.ws} tools={p.v.tools} allowComments={p.v.allowCustomerComments} factors={p.v.factors} reveal={p.v.reveal} idp="new" />
        <div class="actions">
          <button class="btn btn-primary" type="submit">
            Create credential
          </button>
        </div>
      </form>
    </section>
  );
}

export function SettingsPage(p: {
  s: Session;
  ws: Workspace;
  url: string;
  creds: Credential[];
  grants: Credential[];
  v: CreateValues;
  error?: string;
  notice?: string;
}) {
  return (
    <Layout title="AI assistants" session={p.s} nav="settings">
      <Head />
      <Tabs current="access" />
      {p.notice ? <Notice kind="ok">{p.notice}</Notice> : null}
      <section class="panel" aria-labelledby="creds-h">
        <div class="panel-head">
          <h2 id="creds-h">Credentials</h2>
          <a href="#create" class="small">
            Create a credential ↓
          </a>
        </div>
        <CredentialsTable creds={p.creds} ws={p.ws} />
      </section>
      <ConnectedAppsPanel grants={p.grants} ws={p.ws} />
      <div class="grid-2">
        <CreatePanel s={p.s} ws={p.ws} v={p.v} error={p.error} />
        <div>
          <EndpointPanel url={p.url} ws={p.ws} />
          <WorkspacePanel s={p.s} ws={p.ws} />
        </div>
      </div>
    </Layout>
  );
}

export function TokenPage(p: { s: Session; cred: Credential; token: string; url: string; configs: ClientConfig[] }) {
  return (
    <Layout title="Credential created" session={p.s} nav="settings">
      <Head sub={`Credential “${p.cred.name}” created.`} />
      <section class="panel token-dialog" aria-labelledby="token-h">
        <h2 id="token-h">Copy the token for “{p.cred.name}” now</h2>
        <Notice kind="warn" title="This token is shown only once">
          Taskline keeps only a hash of it. Store it in your assistant's configuration or a password manager now. If it is lost, revoke this
          credential and create a new one.
        </Notice>
        <div class="field">
          <span class="label" id="token-label">
            Bearer token
          </span>
          <div class="secret-box">
            <code id="token" class="secret">
              {p.token}
            </code>
            <CopyButton target="token" label="Copy token" />
          </div>
        </div>
        <div class="field">
          <span class="label">MCP endpoint</span>
          <div class="endpoint">
            <code id="token-url">{p.url}</code>
            <CopyButton target="token-url" />
          </div>
        </div>
        <hr class="sep" />
        <h3>Ready-to-paste setup</h3>
        {p.configs.map((cfg, i) => (
          <div class="config">
            <div class="config-head">
              <strong>
                {cfg.client} <span class="muted small">— {cfg.where}</span>
              </strong>
              <CopyButton target={`config-${i}`} />
            </div>
            <pre id={`config-${i}`}>{cfg.text}</pre>
          </div>
        ))}
        <div class="actions">
          <a class="btn btn-primary" href="/settings/mcp">
            I have saved the token
          </a>
        </div>
      </section>
    </Layout>
  );
}
