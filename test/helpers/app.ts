import { Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/log.ts';
import { startServer, type RunningServer } from '../../src/app/start.ts';
import { createWorkspace, updateWorkspace, type Workspace } from '../../src/domain/workspaces.ts';
import { createCredential, type CreateCredentialInput } from '../../src/domain/credentials.ts';
import type { Db } from '../../src/platform/db/client.ts';
import type { Clock } from '../../src/platform/context.ts';
import { freePort } from './proc.ts';

export interface TestApp extends RunningServer {
  /** Every log line the app wrote, as text. */
  logs(): string;
  mcpUrl(workspaceId: string): string;
}

/** The real HTTP server on a real socket, in-process, on the given database. */
export async function startTestApp(db: Db, env: Record<string, string> = {}, opts: { clock?: Clock } = {}): Promise<TestApp> {
  const port = await freePort();
  const config = loadConfig({ PORT: String(port), LOG_LEVEL: 'info', ...env });
  let captured = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      captured += chunk.toString();
      cb();
    },
  });
  const app = await startServer(config, { db, log: createLogger('info', sink), clock: opts.clock });
  return Object.assign(app, {
    logs: () => captured,
    mcpUrl: (workspaceId: string) => `http://127.0.0.1:${app.port}/app/api/mcp/server/${workspaceId}`,
  });
}

export async function workspaceWithToken(
  db: Db,
  name: string,
  cred: Partial<CreateCredentialInput> = {},
  settings: Partial<Pick<Workspace, 'allowCustomerComments' | 'minVerificationFactors' | 'mcpEnabled'>> = {},
): Promise<{ ws: Workspace; token: string; credentialId: string }> {
  let ws = await createWorkspace(db, { name });
  if (Object.keys(settings).length) ws = await updateWorkspace(db, ws.id, settings);
  const { token, credential } = await createCredential(db, ws.id, { name: 'test assistant', ...cred });
  return { ws, token, credentialId: credential.id };
}

/** The official SDK client, connected with a bearer token (optionally forcing an older protocol version). */
export async function connectClient(url: string, token: string, protocolVersion?: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  if (protocolVersion) {
    const orig = transport.send.bind(transport);
    transport.send = (m, o) => {
      if ('method' in m && m.method === 'initialize') (m.params as { protocolVersion: string }).protocolVersion = protocolVersion;
      return orig(m, o);
    };
  }
  const client = new Client({ name: 'taskline-tests', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

/** Raw JSON-RPC over fetch, for status-code and header tests. */
export async function rpc(
  url: string,
  body: unknown,
  opts: { token?: string; headers?: Record<string, string>; raw?: string } = {},
): Promise<{ status: number; headers: Headers; json: any; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      // Header bytes are UTF-8 on the wire (as a pasted "…" would be); fetch wants them as a byte string.
      ...(opts.token ? { authorization: Buffer.from(`Bearer ${opts.token}`, 'utf8').toString('latin1') } : {}),
      ...opts.headers,
    },
    body: opts.raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

export const INIT = (protocolVersion = '2025-11-25', id: number | string = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
});
