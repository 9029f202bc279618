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

/** A JSON answer: never cached (answers carry workspace data), never sniffed as anything else. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
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
