/** Ready-to-paste MCP client configurations, shared by the start banner, the CLI and the web UI. */
import { mcpEndpointUrl } from '../domain/oauth/urls.ts';

export const mcpUrl = mcpEndpointUrl;

export interface ClientConfig {
  client: string;
  where: string;
  text: string;
}

export function clientConfigs(url: string, token: string): ClientConfig[] {
  return [
    {
      client: 'Claude Code',
      where: 'terminal',
      text: `claude mcp add --transport http taskline ${url} --header "Authorization: Bearer ${token}"`,
    },
    {
      client: 'Codex CLI',
      where: 'terminal',
      text: `export TASKLINE_TOKEN=${token}\ncodex mcp add taskline --url ${url} --bearer-token-env-var TASKLINE_TOKEN`,
    },
    {
      client: 'Claude Desktop (via mcp-remote)',
      where: 'claude_desktop_config.json',
      text: JSON.stringify(
        {
          mcpServers: {
            taskline: {
              command: 'npx',
              // biome-ignore lint/suspicious/noTemplateCurlyInString: mcp-remote expands ${AUTH_HEADER} from env itself
              args: ['-y', 'mcp-remote', url, '--header', 'Authorization:${AUTH_HEADER}'],
              env: { AUTH_HEADER: `Bearer ${token}` },
            },
          },
        },
        null,
        2,
      ),
    },
    {
      client: 'Cursor',
      where: '~/.cursor/mcp.json',
      text: JSON.stringify({ mcpServers: { taskline: { url, headers: { Authorization: `Bearer ${token}` } } } }, null, 2),
    },
    {
      client: 'VS Code',
      where: '.vscode/mcp.json',
      text: JSON.stringify({ servers: { taskline: { type: 'http', url, headers: { Authorization: `Bearer ${token}` } } } }, null, 2),
    },
  ];
}
