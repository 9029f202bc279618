/** OAuth test plumbing: a server for client metadata documents, PKCE pairs, and the authorize → consent → token steps. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { csrfFrom, type WebClient, type WebResponse } from '../web/client.ts';

/** A local server for Client ID Metadata Documents: each path answers what the test put there. */
export async function startDocumentServer() {
  const docs = new Map<string, { status?: number; body: string; headers?: Record<string, string> }>();
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    const d = docs.get((req.url ?? '/').split('?', 1)[0]!);
    if (!d) return void res.writeHead(404).end();
    res.writeHead(d.status ?? 200, { 'content-type': 'application/json', ...d.headers }).end(d.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    get hits() {
      return hits;
    },
    /** Publish a document at `path` (its client_id is its own URL unless `doc` says otherwise); returns that URL. */
    publish(path: string, doc: Record<string, unknown>, opts: { status?: number; headers?: Record<string, string>; raw?: string } = {}): string {
      const url = base + path;
      docs.set(path, { status: opts.status, headers: opts.headers, body: opts.raw ?? JSON.stringify({ client_id: url, ...doc }) });
      return url;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AuthorizeParams {
  client_id: string;
  redirect_uri?: string;
  state?: string;
  code_challenge?: string;
  code_challenge_method?: string;
  resource?: string;
  scope?: string;
  prompt?: string;
  response_type?: string;
}

export function authorizePath(p: AuthorizeParams): string {
  const q = new URLSearchParams({ response_type: 'code', ...p } as Record<string, string>);
  for (const [k, v] of [...q]) if (v === 'undefined') q.delete(k);
  return `/oauth/authorize?${q}`;
}

/** The consent form's request id on a consent page. */
export function requestIdFrom(html: string): string {
  const m = /name="request" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no consent form on the page:\n${html.slice(0, 2000)}`);
  return m[1]!;
}

/** Answer a consent page: POST the decision (and policy) and return the redirect's query (code/error, state, iss). */
export async function answerConsent(
  web: WebClient,
  page: WebResponse,
  decision: 'allow' | 'deny',
  policy: Record<string, string | string[]> = { tools: ['workspaceSummary', 'searchWorkspaceTasks', 'getTaskDetails'] },
): Promise<{ res: WebResponse; query: URLSearchParams; target: URL }> {
  const res = await web.post('/oauth/authorize', { _csrf: csrfFrom(page.text), request: requestIdFrom(page.text), decision, ...policy });
  if (res.status !== 303 || !res.location) throw new Error(`consent POST → ${res.status}: ${res.text.slice(0, 500)}`);
  const target = new URL(res.location);
  return { res, query: target.searchParams, target };
}

/** POST to the token (or revocation) endpoint as a form; the JSON answer. */
export async function oauthPost(
  base: string,
  path: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}
