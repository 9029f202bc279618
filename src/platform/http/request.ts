/** What every HTTP handler shares: the per-request facts for the access log, and JSON answers. */
import type http from 'node:http';

/** Per-request facts for the access log, filled in by whichever handler serves the request. */
export interface RequestInfo {
  id: string;
  route: string;
  credentialId?: string;
  workspaceId?: string;
}

const INFO = Symbol('taskline.request');

export const requestInfo = (req: http.IncomingMessage): RequestInfo => (req as unknown as Record<symbol, RequestInfo>)[INFO]!;
export const attachRequestInfo = (req: http.IncomingMessage, info: RequestInfo): void => {
  (req as unknown as Record<symbol, RequestInfo>)[INFO] = info;
};

export type NodeHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

/**
 * The X-Request-Id answer header of a request the listener saw (undefined otherwise), for handlers that write their
 * headers in one writeHead() call: a header set earlier with setHeader() sends every later one through Node's
 * slower validate-and-store path (≈ 3 µs per response), so the hot path never calls setHeader().
 */
const requestIdHeader = (req: http.IncomingMessage | undefined): string | undefined =>
  req && (req as unknown as Record<symbol, RequestInfo | undefined>)[INFO]?.id;

/**
 * A JSON answer: never cached (answers carry workspace data), never sniffed as anything else, and carrying the
 * request's X-Request-Id.
 */
export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  // Encoded once, here: given a string, Node measures it, then prepends the header block to it and encodes the
  // joined copy — for an answer with a character beyond Latin-1 (a masked phone's "•"), all of it in UTF-16.
  const data = Buffer.from(body === undefined ? '' : JSON.stringify(body), 'utf8');
  const out: http.OutgoingHttpHeaders = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': data.length,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  };
  const id = requestIdHeader(res.req);
  if (id !== undefined) out['x-request-id'] = id;
  res.writeHead(status, out);
  res.end(data);
}

/** An answer without a body (202 Accepted, a 204 preflight): never sniffed, and carrying the request's X-Request-Id. */
export function sendEmpty(res: http.ServerResponse, status: number, headers: http.OutgoingHttpHeaders): void {
  const out: http.OutgoingHttpHeaders = { 'x-content-type-options': 'nosniff', ...headers };
  const id = requestIdHeader(res.req);
  if (id !== undefined) out['x-request-id'] = id;
  res.writeHead(status, out);
  res.end();
}

/** The request body, up to `limit` bytes; past that, "too_large" (the rest is ignored, not buffered). */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        resolve('too_large');
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}
