/** Raw HTTP helpers for the hardening suites: node:http (not fetch) so we can send any header, method or bytes. */
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

export interface RawRequest {
  url: string;
  method?: string;
  /** A value array sends the header several times. */
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Send the body chunked (no content-length). */
  chunked?: boolean;
  timeoutMs?: number;
}

export const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function raw(r: RawRequest, agent: http.Agent = keepAlive): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(r.url);
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method: r.method ?? 'POST', agent, setHost: !r.headers?.host },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(r.timeoutMs ?? 20_000, () =>
      req.destroy(new Error(`no answer within ${r.timeoutMs ?? 20_000} ms: ${r.method ?? 'POST'} ${r.url}`)),
    );
    for (const [k, v] of Object.entries(r.headers ?? {})) req.setHeader(k, v);
    if (r.body !== undefined && !r.chunked) req.setHeader('content-length', Buffer.byteLength(r.body));
    if (r.body !== undefined) req.write(r.body);
    req.end();
  });
}

export const MCP_HEADERS = (token?: string): Record<string, string> => ({
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  ...(token ? { authorization: `Bearer ${token}` } : {}),
});

export const call = (name: string, args: unknown, id: number | string = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

/** Run fn over items with at most `limit` in flight. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const isRpcError = (e: unknown): boolean =>
  !!e && typeof e === 'object' && Number.isInteger((e as any).code) && typeof (e as any).message === 'string';

/** One JSON-RPC response: a result (maybe isError) or an error, with jsonrpc "2.0". Returns a problem or null. */
export function rpcResponseProblem(m: unknown): string | null {
  if (!m || typeof m !== 'object' || Array.isArray(m)) return 'response is not an object';
  const o = m as Record<string, unknown>;
  if (o.jsonrpc !== '2.0') return 'jsonrpc is not "2.0"';
  if (!('id' in o)) return 'no id';
  if ('error' in o) {
    if (!isRpcError(o.error)) return 'malformed error object';
    // Bad input is the client's mistake: -32602/-32600/-32601 with a message, never "internal error".
    return (o.error as { code: number }).code === -32603 ? 'internal error (-32603) answered to client input' : null;
  }
  if (!('result' in o) || !o.result || typeof o.result !== 'object') return 'neither result nor error';
  const res = o.result as Record<string, unknown>;
  if ('isError' in res && typeof res.isError !== 'boolean') return 'isError is not boolean';
  return null;
}

/**
 * The fuzz oracle: never 5xx; 200 → well-formed JSON-RPC response(s); 202 → empty; 204 only for OPTIONS;
 * other 4xx → a JSON body. Returns a description of what is wrong, or null.
 */
export function answerProblem(res: RawResponse, method = 'POST'): string | null {
  if (res.status >= 500) return `server error ${res.status}: ${res.text.slice(0, 300)}`;
  if (res.status === 202) return res.text === '' ? null : '202 with a body';
  if (res.status === 204) return method === 'OPTIONS' ? null : '204 outside a CORS preflight';
  if (res.status === 200) {
    if (res.json === undefined) return `200 without JSON: ${res.text.slice(0, 200)}`;
    const list = Array.isArray(res.json) ? res.json : [res.json];
    if (!list.length) return 'empty batch response';
    for (const m of list) {
      const p = rpcResponseProblem(m);
      if (p) return `${p}: ${JSON.stringify(m).slice(0, 300)}`;
    }
    return null;
  }
  if (res.status >= 400 && res.status < 500) {
    if (res.json === undefined || typeof res.json !== 'object') return `${res.status} without a JSON body: ${res.text.slice(0, 200)}`;
    const j = res.json;
    if (j.jsonrpc === '2.0') return isRpcError(j.error) ? null : `${res.status} with a malformed JSON-RPC error`;
    return typeof j.message === 'string' || typeof j.error === 'string' ? null : `${res.status} JSON body without message`;
  }
  return `unexpected status ${res.status}`;
}
