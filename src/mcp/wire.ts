/**
 * The envelope of the MCP endpoint, below the protocol: the request body and the bearer token as they arrive, each
 * JSON-RPC message sorted into request, notification, response or invalid, and the params the SDK would drop or answer
 * with an internal error. handler.ts decides what to do with each.
 */
import type http from 'node:http';
import type { z } from 'zod';
import { InitializeRequestSchema, JSONRPCRequestSchema, PingRequestSchema, type JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { sendJson } from '../platform/http/request.ts';

/** HTTP-level error in the shape the SDK's own transport uses. */
export const rpcFail = (res: http.ServerResponse, status: number, code: number, message: string, headers: http.OutgoingHttpHeaders = {}) =>
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null }, headers);

export function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  // Node decodes header bytes as latin1; a pasted preview's "…" arrives as UTF-8 bytes, so decode those back.
  const value = /[\u0080-\u00ff]/.test(header) ? Buffer.from(header, 'latin1').toString('utf8') : header;
  const m = /^Bearer\s+(.+)$/i.exec(value.trim());
  return m ? m[1]!.trim() : value.trim();
}

/**
 * What the SDK would refuse without answering, or answer with -32603: a request its JSON-RPC schema rejects (e.g. a
 * `_meta` that is not an object, a progress token that is neither string nor number) is dropped silently — the HTTP
 * request would hang — and initialize/ping params fail its strict schemas as an "internal error". Checked here
 * first, so bad params get -32602 and a sentence. (The mux gives every request its own string id, so the client's
 * id is not what is checked.)
 */
const SDK_REQUESTS = new Map<string, z.ZodType>([
  ['initialize', InitializeRequestSchema],
  ['ping', PingRequestSchema],
]);

export function sdkParamsProblem(r: JSONRPCRequest): string | null {
  const describe = (err: z.ZodError) =>
    err.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || 'params'}: ${i.message}`)
      .join('; ');
  const envelope = JSONRPCRequestSchema.safeParse({ ...r, id: 'sdk' });
  if (!envelope.success)
    return `Invalid ${r.method.slice(0, 100)} params: ${describe(envelope.error)}. params._meta must be an object (progressToken a string or number).`;
  const parsed = SDK_REQUESTS.get(r.method)?.safeParse(r);
  if (!parsed || parsed.success) return null;
  const example =
    r.method === 'initialize' ? ' Send {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "…", "version": "…"}}.' : '';
  return `Invalid ${r.method} params: ${describe(parsed.error)}.${example}`;
}

export type Classified = { kind: 'request'; msg: JSONRPCRequest } | { kind: 'notification' } | { kind: 'response' } | { kind: 'invalid' };

export function classify(m: unknown): Classified {
  if (!m || typeof m !== 'object' || Array.isArray(m)) return { kind: 'invalid' };
  const o = m as Record<string, unknown>;
  if (o.jsonrpc !== '2.0') return { kind: 'invalid' };
  const hasId = 'id' in o && (typeof o.id === 'string' || (typeof o.id === 'number' && Number.isFinite(o.id)));
  if (typeof o.method === 'string') {
    // A request or notification carries no result/error; the SDK would take such a message for a response and the
    // HTTP request would never be answered.
    if ('result' in o || 'error' in o) return { kind: 'invalid' };
    // MCP params are always an object (by-name); the SDK silently drops by-position (array) params, unanswered.
    if (o.params !== undefined && (typeof o.params !== 'object' || o.params === null || Array.isArray(o.params))) return { kind: 'invalid' };
    // Only the JSON-RPC members go on: the SDK drops a message with unknown top-level members without answering.
    if (hasId)
      return {
        kind: 'request',
        msg: { jsonrpc: '2.0', id: o.id, method: o.method, ...(o.params === undefined ? {} : { params: o.params }) } as JSONRPCRequest,
      };
    return 'id' in o ? { kind: 'invalid' } : { kind: 'notification' };
  }
  if (hasId && ('result' in o || 'error' in o)) return { kind: 'response' };
  return { kind: 'invalid' };
}
