import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { JSONRPCMessage, JSONRPCRequest, RequestId } from '@modelcontextprotocol/sdk/types.js';

interface Pending {
  originalId: RequestId;
  resolve(m: JSONRPCMessage): void;
}

/**
 * One SDK Server connected once to this transport serves every HTTP request of the process: connecting a server per request costs more than the tool call itself.
 * Each request's JSON-RPC id is remapped to a unique internal id (clients all start at 0 or 1), the auth context
 * travels with the message (`authInfo`), and the response is mapped back to the caller's id.
 * Server→client requests and notifications are not forwarded: this server is stateless and never calls the client.
 */
export class MuxTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: { authInfo?: AuthInfo }) => void;
  private next = 0;
  private readonly pending = new Map<string, Pending>();

  async start(): Promise<void> {}

  async close(): Promise<void> {
    for (const id of [...this.pending.keys()]) this.cancel(id, 'server shutting down');
    this.onclose?.();
  }

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if ('id' in message && message.id !== undefined && !('method' in message)) {
      const key = String(message.id);
      const p = this.pending.get(key);
      if (!p) return; // cancelled: the HTTP client is gone
      this.pending.delete(key);
      p.resolve({ ...message, id: p.originalId } as JSONRPCMessage);
    }
    // Progress/log notifications and server→client requests have nowhere to go in JSON response mode.
  }

  /** Hand one request to the server; resolves with its response (under the caller's id). */
  dispatch(request: JSONRPCRequest, authInfo: AuthInfo): { id: string; response: Promise<JSONRPCMessage> } {
    const id = `r${++this.next}`;
    const response = new Promise<JSONRPCMessage>((resolve) => this.pending.set(id, { originalId: request.id, resolve }));
    this.onmessage?.({ ...request, id }, { authInfo });
    return { id, response };
  }

  /** The HTTP client went away: abort the handler (its AbortSignal fires) and forget the response. */
  cancel(id: string, reason = 'client disconnected'): void {
    if (!this.pending.delete(id)) return;
    this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } });
  }
}
