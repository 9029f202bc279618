import { z } from 'zod';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ToolContext } from './tool.ts';

/** A JSON-RPC error meant for the client (its message says what to do), without the SDK's "MCP error N:" prefix. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const rpcError = (code: number, message: string): RpcError => new RpcError(code, message);

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** The per-request context the HTTP layer binds: passed to the tool caller, and to the SDK as authInfo.extra.call. */
export type CallContext = ToolContext;

export function callContext(extra: Extra): CallContext {
  const c = extra.authInfo?.extra?.call as CallContext | undefined;
  if (!c) throw rpcError(-32603, 'request reached the MCP server without authentication context');
  return c;
}

/** Loose request schemas: we validate params ourselves, so bad params get -32602 with a useful message. */
export const loose = <M extends string>(method: M) => z.object({ method: z.literal(method), params: z.unknown().optional() });

export type CallTool = (call: CallContext, params: unknown) => Promise<CallToolResult>;

/** The methods that read workspace data, each through the boundary: audited, counted, errors mapped. */
export interface Boundary {
  callTool: CallTool;
  /** resources/read: throws ResourceNotFound (each era maps it to its own code). */
  readResource(call: CallContext, params: unknown): Promise<{ contents: { uri: string; mimeType: string; text: string }[] }>;
  listResources(call: CallContext): Promise<{ uri: string; name: string; mimeType: string }[]>;
}
