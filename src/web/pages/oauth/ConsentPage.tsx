import type { Session } from '../../../domain/sessions.ts';
import type { Workspace } from '../../../domain/workspaces.ts';
import { READ_TOOLS } from '../../../domain/policy.ts';
import { PolicyFields } from '../../ui/PolicyFields.tsx';
import { CsrfField, Layout, Notice } from '../../ui/ui.tsx';

export interface ConsentView {
  s: Session;
  ws: Workspace;
  requestId: string;
  clientName: string;
  /** The document's host (a metadata document client) or null (a client that registered itself here). */
  documentHost: string | null;
  redirectUri: string;
  policy: { tools: readonly string[]; allowComments: boolean; factors: string; reveal: boolean };
  error?: string;
}

export const DEFAULT_CONSENT_POLICY = { tools: READ_TOOLS, allowComments: false, factors: '', reveal: false };

/** Where the browser goes after the answer, said the way a person checks it: a host, or "an app on this device". */
export function redirectTarget(uri: string): { where: string; warning: string | null } {
  const u = new URL(uri);
  if (u.protocol === 'https:') return { where: u.host, warning: null };
  if (u.protocol === 'http:')
    return {
      where: u.host,
      warning:
        'This address is on your own computer. Approve only if you started connecting an app on this computer just now — a website cannot receive this answer.',
    };
  return {
    where: `the app that opens ${u.protocol} links`,
    warning: `This sends you back to an app on this device (${u.protocol} links). Approve only if you started connecting that app just now.`,
  };
}

export function ConsentPage(p: ConsentView) {
  const target = redirectTarget(p.redirectUri);
  const title = `Connect ${p.clientName} to ${p.ws.name}?`;
  return (
    <Layout title={title} session={p.s} nav="none">
      <div class="page-head">
        <div>
          <h1>{title}</h1>
          <p class="sub">
            An AI assistant asks to work with this workspace through its MCP endpoint, as allowed below, for as long as you let it. You can change or
            revoke it any time in Settings → AI assistants.
          </p>
        </div>
      </div>
      {p.error ? (
        <Notice kind="error" title="Check the choices">
          <p>{p.error}</p>
        </Notice>
      ) : null}
      <section class="panel">
        <dl class="facts">
          <dt>Assistant</dt>
          <dd>
            <strong>{p.clientName}</strong>{' '}
            {p.documentHost ? (
              <span class="muted">
                — identified by <code>{p.documentHost}</code>
              </span>
            ) : (
              <span class="muted">— registered itself with this server; its name is its own claim</span>
            )}
          </dd>
          <dt>Answer goes to</dt>
          <dd>
            <code>{target.where}</code>
          </dd>
          <dt>Workspace</dt>
          <dd>
            {p.ws.name} <span class="muted">(you are signed in as {p.s.user.name})</span>
          </dd>
        </dl>
        {target.warning ? (
          <Notice kind="warn" title="Check that you started this">
            <p>{target.warning}</p>
          </Notice>
        ) : null}
      </section>
      <form method="post" action="/oauth/authorize" class="panel">
        <CsrfField token={p.s.csrfToken} />
        <input type="hidden" name="request" value={p.requestId} />
        <h2>What the assistant may do</h2>
        <PolicyFields
          ws={p.ws}
          tools={p.policy.tools}
          allowComments={p.policy.allowComments}
          factors={p.policy.factors}
          reveal={p.policy.reveal}
          idp="consent"
        />
        <div class="actions">
          <button class="btn btn-primary" type="submit" name="decision" value="allow">
            Allow
          </button>
          <button class="btn" type="submit" name="decision" value="deny">
            Deny
          </button>
        </div>
      </form>
    </Layout>
  );
}
