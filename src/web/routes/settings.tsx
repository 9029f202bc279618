/**
 * Settings → AI assistants (MCP), owners and admins only: workspace switches, credentials (create → token shown
 * once, change, revoke), audit log with filters, pages and CSV export.
 */
import { randomBytes } from 'node:crypto';
import type { Session } from '../../domain/sessions.ts';
import { listAuditPage, OUTCOMES, type AuditRow, type Outcome } from '../../domain/audit.ts';
import {
  CredentialAlreadyCreated,
  createCredential,
  getCredential,
  listCredentials,
  revokeCredential,
  updateCredentialSettings,
  type Credential,
} from '../../domain/credentials.ts';
import { DomainError } from '../../domain/errors.ts';
import { toolSummary } from '../../domain/catalog.ts';
import { ALL_TOOLS, READ_TOOLS, describeLevel, effectivePolicy } from '../../domain/policy.ts';
import { requireWorkspace, updateWorkspace, type Workspace } from '../../domain/workspaces.ts';
import { clientConfigs, mcpUrl, type ClientConfig } from '../../presenters/clientConfigs.ts';
import { Form, adminOnly, notFoundPage, parseDay, render, seeOther, noticeFrom, type Ctx, type Deps } from '../kit.tsx';
import { Badge, CopyButton, CsrfField, Empty, Layout, Notice, Time, formatDate, qs } from '../views/ui.tsx';
import { capitalize } from './tasks.tsx';


const EXPIRY_CHOICES = [
  { value: '', label: 'Never' },
  { value: '7', label: 'In 7 days' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In 1 year' },
] as const;

const ACTION_LABELS: Record<string, string> = {
  tool_call: 'Tool call',
  'credential.create': 'Credential created',
  'credential.revoke': 'Credential revoked',
  'credential.update': 'Credential changed',
  'workspace.update': 'Settings changed',
  'resource.read': 'Resource read',
  'resource.list': 'Resources listed',
};

const OUTCOME_LABELS: Record<string, string> = {
  ok: 'OK',
  denied: 'Denied',
  error: 'Error',
  verification_failed: 'Verification failed',
  locked: 'Locked',
  no_match: 'No match (phone/email probe)',
};

const NOTICES: Record<string, string> = {
  workspace_saved: 'Workspace settings saved. Assistants see the change on their next request.',
  revoked: 'Credential revoked. Assistants using it are refused from their next request on.',
  credential_saved: 'Credential saved. It applies from the assistant’s next request.',
  already_created:
    'This form had already created this credential (the page was sent twice), so no second one was made. Its token was shown only once: if you did not copy it, revoke this credential and create a new one.',
};

/** One-time key of a create-credential form (see migration 0006): a resubmitted form creates nothing. */
const newCreateKey = () => randomBytes(18).toString('base64url');
const CREATE_KEY_RE = /^[A-Za-z0-9_-]{16,64}$/;

/** Verification levels in a select (describeLevel says the same in a sentence). */
const LEVEL_LABELS: Readonly<Record<number, string>> = { 1: 'Phone number on file', 2: 'Phone number + full name', 3: 'Phone number + full name + task number' };

const STATE_LABELS: Record<string, string> = { active: 'Active', revoked: 'Revoked', expired: 'Expired' };

function Tabs(p: { current: 'access' | 'audit' }) {
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

function Head(p: { sub?: string }) {
  return (
    <div class="page-head">
      <div>
        <h1>AI assistants (MCP)</h1>
        <p class="sub">{p.sub ?? 'Let an AI assistant work with this workspace through its MCP endpoint, under a policy you set.'}</p>
      </div>
    </div>
  );
}

function ToolsCell(p: { c: Credential; ws: Workspace }) {
  const read = READ_TOOLS.filter((t) => p.c.tools.includes(t));
  return (
    <div class="tool-list">
      {read.length === READ_TOOLS.length ? <Badge kind="tool">all 5 read tools</Badge> : read.map((t) => <Badge kind="tool">{t}</Badge>)}
      {read.length === 0 ? <span class="muted">no read tools</span> : null}
      {p.c.allowCustomerComments ? (
        <Badge kind="tool" label={p.ws.allowCustomerComments ? undefined : 'Off until the workspace allows customer comments'}>
          addCustomerComment{p.ws.allowCustomerComments ? '' : ' (workspace off)'}
        </Badge>
      ) : null}
    </div>
  );
}

function EndpointPanel(p: { url: string; ws: Workspace }) {
  return (
    <section class="panel" aria-labelledby="endpoint-h">
      <h2 id="endpoint-h">MCP endpoint</h2>
      <div class="endpoint">
        <code id="endpoint-url">{p.url}</code>
        <CopyButton target="endpoint-url" />
      </div>
      <p class="muted small">
        Streamable HTTP. Each assistant authenticates with its own credential's bearer token (<code>Authorization: Bearer mcp_live_…</code>).
      </p>
      {!p.ws.mcpEnabled ? (
        <Notice kind="warn" title="MCP is turned off">
          Every assistant is refused until you turn it back on below.
        </Notice>
      ) : null}
    </section>
  );
}

function WorkspacePanel(p: { s: Session; ws: Workspace }) {
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
            What a caller must tell the assistant, correctly, before their comment is added. The phone number on file is
            always required: it is the one detail an assistant cannot look up (it sees •••-•••-4534, and search only finds
            a whole number), while names and task numbers come back from any search — an over-helpful assistant would
            fill them in itself. A wrong detail always fails, and the answer never says which one. Customers without a
            phone number on file cannot leave comments through an assistant.
          </div>
        </div>
        <button class="btn btn-primary" type="submit">
          Save policy
        </button>
      </form>
    </section>
  );
}

function CredentialsTable(p: { creds: Credential[]; ws: Workspace }) {
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
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface CreateValues {
  name: string;
  tools: string[];
  allowCustomerComments: boolean;
  factors: string;
  reveal: boolean;
  expires: string;
  key: string;
}
const DEFAULT_CREATE: CreateValues = { name: '', tools: [...READ_TOOLS], allowCustomerComments: false, factors: '', reveal: false, expires: '', key: '' };

/** Tool checkboxes, comments, factors and contact switches; shared by create and edit. */
function PolicyFields(p: { ws: Workspace; tools: readonly string[]; allowComments: boolean; factors: string; reveal: boolean; idp: string }) {
  return (
    <>
      <fieldset>
        <legend>Tools</legend>
        {READ_TOOLS.map((t) => (
          <label class="check">
            <input type="checkbox" name="tools" value={t} checked={p.tools.includes(t)} />
            <span>
              <code>{t}</code>
              <small>{toolSummary(t)}</small>
            </span>
          </label>
        ))}
        <label class="check">
          <input type="checkbox" name="allowCustomerComments" checked={p.allowComments} />
          <span>
            <code>addCustomerComment</code> — allow customer comments
            <small>
              {toolSummary('addCustomerComment')}.{' '}
              {p.ws.allowCustomerComments ? '' : 'Has no effect until the workspace policy allows customer comments.'}
            </small>
          </span>
        </label>
      </fieldset>
      <div class="form-row">
        <div class="field">
          <label for={`${p.idp}-factors`}>Caller verification</label>
          <select id={`${p.idp}-factors`} name="verificationFactors">
            <option value="" selected={p.factors === ''}>
              Workspace policy ({LEVEL_LABELS[p.ws.minVerificationFactors]?.toLowerCase()})
            </option>
            {[1, 2, 3]
              .filter((n) => n >= p.ws.minVerificationFactors)
              .map((n) => (
                <option value={String(n)} selected={p.factors === String(n)}>
                  {LEVEL_LABELS[n]}
                </option>
              ))}
          </select>
          <div class="hint">For customer comments; can be stricter than the workspace, not looser.</div>
        </div>
      </div>
      <label class="check">
        <input type="checkbox" name="revealCustomerContact" checked={p.reveal} />
        <span>
          Reveal customer phone and email
          <small>
            Off: the assistant sees •••-•••-4534 and r•••@example.com, and finds a customer by phone or email only with the
            whole number or address. On is for staff assistants: such a credential cannot add customer comments, because it
            can read the phone number callers are verified with.
          </small>
        </span>
      </label>
    </>
  );
}

function CreatePanel(p: { s: Session; ws: Workspace; v: CreateValues; error?: string }) {
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
            <input id="cred-name" name="name" type="text" required maxlength={100} value={p.v.name} placeholder="e.g. Front desk voice agent" autocomplete="off" />
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

function SettingsPage(p: { s: Session; ws: Workspace; url: string; creds: Credential[]; v: CreateValues; error?: string; notice?: string }) {
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

function TokenPage(p: { s: Session; cred: Credential; token: string; url: string; configs: ClientConfig[] }) {
  return (
    <Layout title="Credential created" session={p.s} nav="settings">
      <Head sub={`Credential “${p.cred.name}” created.`} />
      <section class="panel token-dialog" role="region" aria-labelledby="token-h">
        <h2 id="token-h">Copy the token for “{p.cred.name}” now</h2>
        <Notice kind="warn" title="This token is shown only once">
          Taskline keeps only a hash of it. Store it in your assistant's configuration or a password manager now. If it is lost, revoke
          this credential and create a new one.
        </Notice>
        <div class="field">
          <span class="label" id="token-label">
            Bearer token
          </span>
          <div class="secret-box">
            <code id="token" class="secret" aria-labelledby="token-label">
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

function AuditTable(p: { events: AuditRow[]; showCredential?: boolean }) {
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
                {[e.latencyMs != null ? `${e.latencyMs} ms` : null, e.factorTypes?.length ? `factors: ${e.factorTypes.join(', ')}` : null]
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

function CredentialPage(p: { s: Session; ws: Workspace; c: Credential; events: AuditRow[]; error?: string; notice?: string }) {
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
                  Save credential
                </button>
              </form>
            </section>
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

function RevokePage(p: { s: Session; c: Credential }) {
  return (
    <Layout title={`Revoke ${p.c.name}`} session={p.s} nav="settings">
      <div class="crumbs">
        <a href="/settings/mcp">AI assistants</a> / <a href={`/settings/mcp/credentials/${p.c.id}`}>{p.c.name}</a> / Revoke
      </div>
      <section class="panel" aria-labelledby="revoke-h">
        <h1 id="revoke-h">Revoke “{p.c.name}”?</h1>
        <p>
          Assistants using the token <code>{p.c.preview}</code> are refused from their next request on, on every server. This cannot be
          undone — to restore access, create a new credential.
        </p>
        <form method="post" action={`/settings/mcp/credentials/${p.c.id}/revoke`} class="actions">
          <CsrfField token={p.s.csrfToken} />
          <button class="btn btn-danger" type="submit">
            Revoke credential
          </button>
          <a class="btn" href="/settings/mcp">
            Cancel
          </a>
        </form>
      </section>
    </Layout>
  );
}

interface AuditQuery {
  credential: string;
  tool: string;
  outcome: string;
  from: string;
  to: string;
}

function AuditPage(p: { s: Session; q: AuditQuery; creds: Credential[]; events: AuditRow[]; next: string | null; first: boolean; error?: string }) {
  const filtered = Object.values(p.q).some(Boolean);
  return (
    <Layout title="Audit log" session={p.s} nav="settings">
      <Head sub="Every MCP tool call and every change to assistant access." />
      <Tabs current="audit" />
      {p.error ? <Notice kind="error">{p.error}</Notice> : null}
      <form method="get" action="/settings/mcp/audit" class="panel" aria-label="Filter the audit log">
        <div class="form-row">
          <div class="field">
            <label for="a-cred">Credential</label>
            <select id="a-cred" name="credential">
              <option value="">All credentials</option>
              {p.creds.map((c) => (
                <option value={c.id} selected={p.q.credential === c.id}>
                  {c.name}
                  {c.state === 'active' ? '' : ` (${c.state})`}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="a-tool">Tool</label>
            <select id="a-tool" name="tool">
              <option value="">All tools</option>
              {ALL_TOOLS.map((t) => (
                <option value={t} selected={p.q.tool === t}>
                  {t}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="a-outcome">Outcome</label>
            <select id="a-outcome" name="outcome">
              <option value="">Any outcome</option>
              {OUTCOMES.map((o) => (
                <option value={o} selected={p.q.outcome === o}>
                  {OUTCOME_LABELS[o]}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="a-from">From (UTC)</label>
            <input id="a-from" name="from" type="date" value={p.q.from} />
          </div>
          <div class="field">
            <label for="a-to">To (UTC, inclusive)</label>
            <input id="a-to" name="to" type="date" value={p.q.to} />
          </div>
        </div>
        <div class="actions">
          <button class="btn btn-primary" type="submit">
            Apply filters
          </button>
          {filtered ? (
            <a class="btn" href="/settings/mcp/audit">
              Clear
            </a>
          ) : null}
          <a class="btn" href={`/settings/mcp/audit.csv${qs({ ...p.q })}`} download>
            Download CSV
          </a>
        </div>
      </form>
      <section class="panel" aria-label="Audit events">
        {p.events.length ? (
          <AuditTable events={p.events} />
        ) : filtered ? (
          <Empty title="No events match these filters">
            <p>
              Widen the date range or <a href="/settings/mcp/audit">clear the filters</a>.
            </p>
          </Empty>
        ) : (
          <Empty title="No activity yet">
            <p>When an assistant calls a tool, or someone changes assistant access, it shows up here.</p>
          </Empty>
        )}
        <nav class="pager" aria-label="Pages">
          {p.first ? <span /> : <a href={`/settings/mcp/audit${qs({ ...p.q })}`}>← Newest</a>}
          {p.next ? (
            <a class="btn" rel="next" href={`/settings/mcp/audit${qs({ ...p.q, cursor: p.next })}`}>
              Older →
            </a>
          ) : null}
        </nav>
      </section>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------------------------


/** Audit filters from the query string; unknown values are dropped (and reported). */
function auditFilters(c: Ctx, creds: Credential[]) {
  const raw: AuditQuery = {
    credential: c.req.query('credential') ?? '',
    tool: c.req.query('tool') ?? '',
    outcome: c.req.query('outcome') ?? '',
    from: c.req.query('from') ?? '',
    to: c.req.query('to') ?? '',
  };
  const q: AuditQuery = {
    credential: creds.some((x) => x.id === raw.credential) ? raw.credential : '',
    tool: (ALL_TOOLS as readonly string[]).includes(raw.tool) ? raw.tool : '',
    outcome: (OUTCOMES as readonly string[]).includes(raw.outcome) ? raw.outcome : '',
    from: parseDay(raw.from) ? raw.from : '',
    to: parseDay(raw.to) ? raw.to : '',
  };
  const problems: string[] = [];
  if (raw.credential && !q.credential) problems.push('that credential is not in this workspace');
  if ((raw.from && !q.from) || (raw.to && !q.to)) problems.push('dates must be real days like 2026-11-22 (years 1–9998)');
  const from = q.from ? parseDay(q.from)! : undefined;
  const to = q.to ? new Date(parseDay(q.to)!.getTime() + 86400_000) : undefined;
  if (from && to && from >= to) problems.push('the “from” date is after the “to” date');
  return {
    q,
    filter: {
      credentialId: q.credential || undefined,
      tool: q.tool || undefined,
      outcome: (q.outcome || undefined) as Outcome | undefined,
      from,
      to,
    },
    error: problems.length ? capitalize(problems.join('; ')) + '.' : undefined,
  };
}

/**
 * One CSV cell, always quoted. Spreadsheets run a cell that starts with = + - @ as a formula, and some split a cell
 * again on ; tab or | (locale and import settings): so a formula start at the beginning, or after any separator
 * (with spaces before it), gets a leading apostrophe — the text is kept, never run.
 */
export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : Array.isArray(v) ? v.join(' ') : String(v);
  const safe = s.replace(/(^|[,;\t|\r\n])(\s*)([=+\-@])/g, "$1$2'$3");
  return `"${safe.replace(/"/g, '""')}"`;
}

const CSV_MAX_ROWS = 100_000;

export function registerSettingsRoutes({ app, ctx }: Deps) {
  const { db } = ctx;

  const settingsPage = async (c: Ctx, s: Session, opts: { v?: CreateValues; error?: string; status?: number } = {}) => {
    const ws = await requireWorkspace(db, s.workspace.id);
    const creds = await listCredentials(db, ws.id);
    return render(
      c,
      <SettingsPage
        s={s}
        ws={ws}
        url={mcpUrl(ctx.config.publicUrl, ws.id)}
        creds={creds}
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
      const creds = await listCredentials(db, s.workspace.id);
      const { q, filter, error } = auditFilters(c, creds);
      const cursor = c.req.query('cursor') || undefined;
      let page;
      let pageError: string | undefined;
      try {
        page = await listAuditPage(db, s.workspace.id, { ...filter, cursor, limit: 50 });
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        pageError = 'That page link is no longer valid — showing the newest events.';
        page = await listAuditPage(db, s.workspace.id, { ...filter, limit: 50 });
      }
      return render(
        c,
        <AuditPage s={s} q={q} creds={creds} events={page.events} next={page.nextCursor} first={!cursor || Boolean(pageError)} error={error ?? pageError} />,
      );
    }),
  );

  app.get(
    '/settings/mcp/audit.csv',
    adminOnly(async (c, s) => {
      const creds = await listCredentials(db, s.workspace.id);
      const { filter } = auditFilters(c, creds);
      const header = ['time_utc', 'action', 'outcome', 'credential', 'credential_id', 'user', 'tool', 'task_number', 'latency_ms', 'factor_types'];
      const lines = [header.map(csvCell).join(',')];
      let cursor: string | undefined;
      let rows = 0;
      do {
        const page = await listAuditPage(db, s.workspace.id, { ...filter, cursor, limit: 1000 });
        for (const e of page.events)
          lines.push(
            [e.createdAt, e.action, e.outcome, e.credentialName, e.credentialId, e.userName, e.tool, e.taskNumber, e.latencyMs, e.factorTypes]
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
