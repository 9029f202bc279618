import type http from 'node:http';
import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage, type JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { AppContext } from '../platform/context.ts';
import { AuditWriter } from '../domain/audit.ts';
import { AuthCache } from '../domain/authcache.ts';
import { credentialUseDue, touchCredential, type AuthFailure, type Credential } from '../domain/credentials.ts';
import { effectivePolicy, type EffectivePolicy } from '../domain/policy.ts';
import { SharedRateLimiter } from '../domain/ratelimit.ts';
import { protectedResourceMetadataUrl } from '../domain/oauth/urls.ts';
import { parseOAuthToken } from '../platform/crypto/tokens.ts';
import { clientAddress } from '../platform/http/clientAddress.ts';
import { readBody, requestInfo, sendEmpty, sendJson } from '../platform/http/request.ts';
import { createBoundary } from './boundary.ts';
import { createMcpServer } from './legacyServer.ts';
import { MuxTransport } from './transport.ts';
import { route, serveModern, unsupportedVersion } from './modern.ts';
import { RpcError, type CallContext } from './rpc.ts';
import { bearer, classify, rpcFail, sdkParamsProblem } from './wire.ts';

export const MAX_BODY_BYTES = 1024 * 1024;
/** The methods that read workspace data: each counts against the credential's per-minute limit. */
const COUNTED = new Set(['tools/call', 'resources/read', 'resources/list']);
const MAX_BATCH = 100;
/** The endpoint's path (a query string after it is ignored): its one segment is the workspace id. */
const PATH_RE = /^\/app\/api\/mcp\/server\/([^/?]+)\/?(?:\?|$)/;

const AUTH_MESSAGES: Record<Exclude<AuthFailure, 'no_workspace' | 'wrong_workspace'>, string> = {
  missing: 'Missing bearer token. Send the header "Authorization: Bearer mcp_live_…" with the token created for this workspace.',
  malformed:
    'The bearer token is malformed: Taskline tokens are "mcp_live_" followed by 43 characters. Copy the whole token, or create a new credential.',
  preview: 'This is the token preview; the full token is shown only once at creation — create a new credential and copy the token it shows.',
  unknown: 'This token is not valid for this workspace. Check that you copied the whole token, or create a new credential.',
  revoked: 'This token has been revoked. Ask an admin to create a new credential.',
  expired: 'This token has expired. Ask an admin to create a new credential.',
};

/** For OAuth access tokens the way out is the assistant's own: refresh, or connect again. */
const OAUTH_MESSAGES: Partial<Record<AuthFailure, string>> = {
  unknown: 'This access token is not valid for this workspace. Connect the assistant again.',
  revoked: 'This connection was revoked in Taskline (or whoever approved it may no longer). Connect the assistant again.',
  expired: 'The access token has expired. Refresh it with the refresh token, or connect the assistant again.',
};

/**
 * POST /app/api/mcp/server/:workspaceId — stateless Streamable HTTP with JSON responses. Enforces the transport's
 * HTTP rules itself (the SDK's protocol layer runs behind MuxTransport), authenticates with one query, binds the
 * request's workspace/credential/policy and hands the messages to the process-wide SDK Server.
 */
export async function createMcpHandler(app: AppContext) {
  const { config, db } = app;
  const audit = new AuditWriter(db);
  const authCache = new AuthCache(db, {
    now: app.clock,
    onLost: () => app.log.warn('auth cache: invalidation channel lost; checking every token in the database until it is back'),
  });
  await authCache.start();
  const boundary = createBoundary(app, audit);
  const { callTool } = boundary;
  const server = createMcpServer(boundary);
  const mux = new MuxTransport();
  await server.connect(mux);
  server.onerror = (err) => app.log.warn({ err: err.message }, 'mcp protocol error');
  const allowedHosts = new Set(config.allowedHosts);
  const limits = { contactMissesPerHour: config.rateLimitContactMisses };
  const allowedOrigins = new Set(config.allowedOrigins);
  const versions = new Set<string>(SUPPORTED_PROTOCOL_VERSIONS);
  const onLimiterError = (err: Error) => app.log.warn({ err: err.message }, 'rate limit sync failed');
  const authFailures = new SharedRateLimiter(db, config.rateLimitAuthFailures, { onError: onLimiterError, now: app.clock });
  const toolCalls = new SharedRateLimiter(db, config.rateLimitToolCalls, { onError: onLimiterError, now: app.clock });
  const clientIp = (req: http.IncomingMessage): string => `ip:${clientAddress(req, config.trustProxy)}`;
  const tooMany = (res: http.ServerResponse, retryAfter: number, message: string, headers: http.OutgoingHttpHeaders) =>
    rpcFail(res, 429, -32000, message, { 'retry-after': String(retryAfter), ...headers });
  /** Count one tools/call against the credential's limit; false (and the 429 sent) when it is spent. */
  const spendToolCall = (res: http.ServerResponse, credentialId: string, headers: http.OutgoingHttpHeaders): boolean => {
    const d = toolCalls.hit(`cred:${credentialId}`);
    if (!d.ok)
      tooMany(
        res,
        d.retryAfterSeconds,
        `Rate limit: this credential may make ${config.rateLimitToolCalls} tool calls per minute. Retry after ${d.retryAfterSeconds} s.`,
        headers,
      );
    return d.ok;
  };

  /**
   * The policy of a credential the auth cache remembers, worked out once: a remembered credential is the same object
   * on every hit (a change to it or its workspace drops the entry, and the next lookup brings new objects).
   */
  const policies = new WeakMap<Credential, { workspace: object; policy: EffectivePolicy }>();
  const policyOf = (workspace: Parameters<typeof effectivePolicy>[0], credential: Credential): EffectivePolicy => {
    const known = policies.get(credential);
    if (known?.workspace === workspace) return known.policy;
    const policy = effectivePolicy(workspace, credential);
    policies.set(credential, { workspace, policy });
    return policy;
  };
  /** Record the credential's use when it is due (touchCredential), without a promise per request when it is not. */
  const touch = (credential: Credential) => {
    if (credentialUseDue(credential))
      void touchCredential(db, credential).catch((err: Error) => app.log.warn({ err: err.message }, 'could not record credential use'));
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const info = requestInfo(req);
    const m = PATH_RE.exec(req.url ?? '/');
    if (!m) return sendJson(res, 404, { error: 'not_found', message: 'The MCP endpoint is /app/api/mcp/server/<workspace id>.' });
    let workspaceId: string;
    try {
      // An id as Taskline prints it has nothing to decode (decodeURIComponent costs ≈ 1 µs even then).
      workspaceId = m[1]!.includes('%') ? decodeURIComponent(m[1]!) : m[1]!;
    } catch {
      // Malformed percent-encoding (e.g. "%E0%A4%A"): no workspace can have that id.
      return sendJson(res, 404, {
        error: 'not_found',
        message: 'No workspace with this id. Check the MCP URL: it is shown next to the token when the credential is created.',
      });
    }

    const host = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts.has(host))
      return sendJson(res, 403, {
        error: 'forbidden',
        message: `Host "${host.slice(0, 100)}" is not allowed. Use the URL from PUBLIC_URL, or add the host to ALLOWED_HOSTS.`,
      });
    const origin = req.headers.origin;
    // "null" is what a sandboxed frame, a data: or file: page or a privacy redirect sends: a page we cannot name,
    // so cross-site — whatever ALLOWED_ORIGINS says.
    if (origin === 'null')
      return sendJson(res, 403, {
        error: 'forbidden',
        message:
          'Origin "null" (a sandboxed or local page) may not call this endpoint. Call it from a server, or from a page on an origin in ALLOWED_ORIGINS.',
      });
    if (origin !== undefined && !allowedOrigins.has(origin))
      return sendJson(res, 403, {
        error: 'forbidden',
        message: `Origin "${origin.slice(0, 100)}" is not allowed. Add it to ALLOWED_ORIGINS to call Taskline from that site.`,
      });
    const cors: http.OutgoingHttpHeaders = origin
      ? { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': 'www-authenticate, mcp-protocol-version' }
      : {};
    if (req.method === 'OPTIONS')
      return sendEmpty(res, 204, {
        ...cors,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'authorization, content-type, accept, mcp-protocol-version, mcp-method, mcp-name',
        'access-control-max-age': '600',
      });
    if (req.method !== 'POST')
      return rpcFail(
        res,
        405,
        -32000,
        'Method not allowed. This server is stateless: send JSON-RPC messages with POST; there is no SSE stream to GET or session to DELETE.',
        {
          allow: 'POST',
          ...cors,
        },
      );

    // The token is checked first (a cached hash lookup): the per-address limit throttles failed attempts only, so a
    // shared address (a hosted connector, a voice platform) where one tenant sends bad tokens never locks out the
    // tenants whose tokens are valid.
    const token = bearer(req.headers.authorization);
    const auth = authCache.remembered(workspaceId, token) ?? (await authCache.authenticate(db, workspaceId, token));
    if (!auth.ok) {
      if (auth.reason !== 'no_workspace') {
        const d = authFailures.hit(clientIp(req));
        if (!d.ok)
          return tooMany(
            res,
            d.retryAfterSeconds,
            `Too many failed authentication attempts from this address. Retry after ${d.retryAfterSeconds} s with a valid token.`,
            cors,
          );
      }
      if (auth.reason === 'no_workspace')
        return sendJson(
          res,
          404,
          {
            error: 'not_found',
            message: 'No workspace with this id. Check the MCP URL: it is shown next to the token when the credential is created.',
          },
          cors,
        );
      if (auth.reason === 'wrong_workspace')
        return sendJson(
          res,
          403,
          { error: 'forbidden', message: 'This token belongs to a different workspace. Use the MCP URL shown with the token when it was created.' },
          cors,
        );
      const oauth = token ? parseOAuthToken(token)?.kind === 'access' : false;
      // Every 401 says where the protected resource metadata is: an assistant that speaks OAuth starts there.
      return sendJson(
        res,
        401,
        { error: 'invalid_token', message: (oauth && OAUTH_MESSAGES[auth.reason]) || AUTH_MESSAGES[auth.reason] },
        {
          'www-authenticate': `Bearer realm="taskline", error="invalid_token", resource_metadata="${protectedResourceMetadataUrl(config.publicUrl, workspaceId)}"`,
          ...cors,
        },
      );
    }
    const { workspace, credential } = auth;
    info.credentialId = credential.id;
    info.workspaceId = workspace.id;
    if (!workspace.mcpEnabled)
      return sendJson(
        res,
        403,
        { error: 'forbidden', message: 'MCP access is turned off for this workspace. An admin can turn it on in Settings → AI assistants.' },
        cors,
      );

    const ctype = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
    if (ctype !== 'application/json') return rpcFail(res, 415, -32000, 'Unsupported Media Type: Content-Type must be application/json', cors);
    const accept = req.headers.accept ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream'))
      return rpcFail(res, 406, -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream', cors);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES)
      return rpcFail(res, 413, -32000, `Payload Too Large: the request body must not exceed ${MAX_BODY_BYTES} bytes`, {
        connection: 'close',
        ...cors,
      });
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === 'too_large')
      return rpcFail(res, 413, -32000, `Payload Too Large: the request body must not exceed ${MAX_BODY_BYTES} bytes`, {
        connection: 'close',
        ...cors,
      });

    let raw: unknown;
    try {
      raw = JSON.parse(body.toString('utf8'));
    } catch {
      return rpcFail(res, 400, -32700, 'Parse error: Invalid JSON', cors);
    }
    const era = route(req.headers, raw);
    if (era.era === 'reject') return sendJson(res, era.status, era.error, cors);

    const call: CallContext = {
      db,
      workspace,
      credential,
      policy: policyOf(workspace, credential),
      requestId: info.id,
      limits,
    };
    if (era.era === 'modern') {
      if ('request' in era && COUNTED.has(era.request.method) && !spendToolCall(res, credential.id, cors)) return;
      touch(credential);
      // 2026-07-28 defines no client notifications over HTTP: accepted, nothing to do.
      if (!('request' in era)) return sendEmpty(res, 202, cors);
      const r = era.request;
      const answer = await serveModern(call, r, boundary).catch((err) => ({ status: 200, body: toolCallFailure(r, err, info.id) }));
      if (res.destroyed) return;
      return sendJson(res, answer.status, answer.body, cors);
    }

    // Legacy revisions (2024-11-05 … 2025-11-25): exactly as before the modern path existed.
    const batch = Array.isArray(raw);
    const messages = batch ? (raw as unknown[]) : [raw];
    if (batch && (messages.length === 0 || messages.length > MAX_BATCH))
      return rpcFail(res, 400, -32600, `Invalid Request: a batch must hold 1–${MAX_BATCH} messages`, cors);
    // One pass over the messages (usually one): the requests, whether initialize is among them, how many count.
    const requests: JSONRPCRequest[] = [];
    let hasInit = false;
    let calls = 0;
    for (const message of messages) {
      const c = classify(message);
      if (c.kind === 'invalid')
        return rpcFail(res, 400, -32600, 'Invalid Request: not a JSON-RPC 2.0 message (need jsonrpc "2.0", a method, and an id for requests)', cors);
      if (c.kind !== 'request') continue;
      requests.push(c.msg);
      if (c.msg.method === 'initialize') hasInit = true;
      if (COUNTED.has(c.msg.method)) calls++;
    }
    if (hasInit && messages.length > 1) return rpcFail(res, 400, -32600, 'Invalid Request: initialize must be sent on its own, not in a batch', cors);
    const pv = req.headers['mcp-protocol-version'];
    // An unknown version gets the spec's UnsupportedProtocolVersionError (-32022, with the supported list), which a
    // modern client recognises and a legacy one reads as the 400 it always was.
    if (!hasInit && typeof pv === 'string' && !versions.has(pv))
      return sendJson(res, 400, unsupportedVersion(batch ? null : (requests[0]?.id ?? null), pv), cors);

    for (let i = 0; i < calls; i++) if (!spendToolCall(res, credential.id, cors)) return;

    touch(credential);
    // Notifications (initialized, cancelled, …) and client responses need no answer from a stateless server.
    if (!requests.length) return sendEmpty(res, 202, cors);

    // tools/call goes straight to the tool caller; everything else (initialize, ping, tools/list, resources,
    // prompts, unknown methods) through the SDK's protocol layer. A tool call runs to completion — and is audited —
    // even if the client goes away; only SDK-handled requests are cancelled then.
    if (!batch && requests[0]!.method === 'tools/call') {
      // The usual request (one tool call): no batch bookkeeping around the one promise.
      const answer = await answerToolCall(call, requests[0]!);
      if (res.destroyed) return;
      return sendJson(res, 200, answer, cors);
    }
    const authInfo = { token: '', clientId: credential.id, scopes: [], extra: { call } };
    const viaSdk: string[] = [];
    const answers = requests.map((r): Promise<JSONRPCMessage> => {
      if (r.method === 'tools/call') return answerToolCall(call, r);
      const invalid = sdkParamsProblem(r);
      if (invalid) return Promise.resolve({ jsonrpc: '2.0', id: r.id, error: { code: -32602, message: invalid } });
      const d = mux.dispatch(r, authInfo);
      viaSdk.push(d.id);
      return d.response;
    });
    const onClose = () => {
      if (!res.writableFinished) for (const id of viaSdk) mux.cancel(id);
    };
    if (viaSdk.length) res.once('close', onClose);
    const responses = await Promise.all(answers);
    if (res.destroyed) return;
    sendJson(res, 200, batch ? responses : responses[0], cors);
  };

  /** A tools/call's JSON-RPC answer: its result, or the error toolCallFailure makes of what it threw. */
  const answerToolCall = (call: CallContext, r: JSONRPCRequest): Promise<JSONRPCMessage> =>
    callTool(call, r.params).then(
      (result): JSONRPCMessage => ({ jsonrpc: '2.0', id: r.id, result }),
      (err) => toolCallFailure(r, err, call.requestId),
    );

  /** A request answered without the SDK that did not produce a result: its -32602 (bad params, unknown tool), or an internal error. */
  const toolCallFailure = (r: JSONRPCRequest, err: unknown, requestId: string): JSONRPCMessage => {
    if (err instanceof RpcError) return { jsonrpc: '2.0', id: r.id, error: { code: err.code, message: err.message } };
    app.log.error(
      { reqId: requestId, method: r.method, err: { message: (err as Error).message, stack: (err as Error).stack } },
      `${r.method.slice(0, 40)} failed`,
    );
    const what = r.method === 'tools/call' ? 'this tool call' : 'this request';
    return {
      jsonrpc: '2.0',
      id: r.id,
      error: {
        code: -32603,
        message: `Taskline could not answer ${what} because of an internal error (request ${requestId}). Try again in a moment; if it keeps failing, tell the staff.`,
      },
    };
  };

  return {
    handle,
    async close() {
      await Promise.all([authFailures.close(), toolCalls.close()]).catch(onLimiterError);
      await server.close();
      await audit.flush();
      await authCache.close();
    },
  };
}
