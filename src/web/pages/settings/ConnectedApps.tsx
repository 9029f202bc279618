/** Settings → AI assistants → Access: the assistants connected through OAuth, beside the credentials. */
import { clientHost, type Credential } from '../../../domain/credentials.ts';
import type { Workspace } from '../../../domain/workspaces.ts';
import { ToolsCell } from '../../ui/PolicyFields.tsx';
import { Empty, Time } from '../../ui/ui.tsx';
import { CredentialStateCells } from './parts.tsx';

/** Where a grant's answers went: a host, or "app (cursor:)" for an app's own scheme. */
function redirectHost(uri: string | null): string {
  if (!uri || !URL.canParse(uri)) return '—';
  const u = new URL(uri);
  return u.host || `app (${u.protocol})`;
}

export function ConnectedAppsPanel(p: { grants: Credential[]; ws: Workspace }) {
  return (
    <section class="panel" aria-labelledby="apps-h">
      <div class="panel-head">
        <h2 id="apps-h">Connected apps</h2>
        <span class="small muted">claude.ai, ChatGPT, Copilot Studio and other assistants that connected through OAuth</span>
      </div>
      {p.grants.length === 0 ? (
        <Empty title="No connected apps">
          <p>
            Paste the MCP endpoint into an assistant's connector settings (claude.ai: Settings → Connectors → Add custom connector). It sends you here
            to sign in and choose what it may do.
          </p>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table class="data stack">
            <thead>
              <tr>
                <th scope="col">Assistant</th>
                <th scope="col">Client</th>
                <th scope="col">Redirect host</th>
                <th scope="col">Tools</th>
                <th scope="col">Authorized</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {p.grants.map((g) => (
                <tr>
                  <td class="title-cell">
                    <a href={`/settings/mcp/credentials/${g.id}`}>{g.name}</a>
                  </td>
                  <td data-label="Client">
                    <code class="nowrap">{g.clientId ? clientHost(g.clientId) : '—'}</code>
                  </td>
                  <td data-label="Redirect host">
                    <code class="nowrap">{redirectHost(g.redirectUri)}</code>
                  </td>
                  <td data-label="Tools">
                    <ToolsCell c={g} ws={p.ws} />
                  </td>
                  <td data-label="Authorized">
                    <Time d={g.createdAt} />
                    <span class="cell-sub">{g.createdByName ? `by ${g.createdByName}` : 'by a removed user'}</span>
                  </td>
                  <td data-label="Last used">
                    <Time d={g.lastUsedAt} empty="never" />
                  </td>
                  <CredentialStateCells c={g} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
