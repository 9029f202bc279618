/**
 * MCP 2026-07-28 ("modern") requests on the same endpoint as the legacy revisions (spec: basic/versioning,
 * basic/transports/streamable-http, server/discover). A request is modern when its params._meta names
 * `io.modelcontextprotocol/protocolVersion`; then there is no initialize and no state: the version, the client's
 * capabilities and its identity travel with every request, the headers must agree with the body, and every result
 * says `resultType`. Legacy requests (initialize, or no such claim) go on exactly as before (handler.ts → SDK v1).
 *
 * Why not the SDK's v2 dual-era handler: it builds a server per request (many times the cost of the v1 server
 * connected once; bench B1 target b shows that pattern), answers legacy requests over SSE (today's clients get
 * JSON), and binding one long-lived v2 server to the modern era needs an undocumented workaround. What the modern path adds is a check of
 * headers and envelope and a decoration of results — this file — in front of the same handlers both eras share
 * (tool caller, listTools, resources, prompts), checked by the official v2 client and the conformance suite.
 */
import type http from 'node:http';
import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage, type JSONRPCRequest, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { getPrompt, PROMPTS } from './prompts.ts';
import { ResourceNotFound, resourceTemplates } from './resources.ts';
import { RpcError, type Boundary, type CallContext } from './rpc.ts';
import { CAPABILITIES, INSTRUCTIONS, listTools, SERVER_INFO } from './legacyServer.ts';

export const MODERN_VERSIONS: readonly string[] = ['2026-07-28'];
/** Every revision this endpoint serves, newest first: modern per request, legacy through initialize. */
export const SUPPORTED_VERSIONS: readonly string[] = [...MODERN_VERSIONS, ...SUPPORTED_PROTOCOL_VERSIONS];

const VERSION_KEY = 'io.modelcontextprotocol/protocolVersion';
const CAPABILITIES_KEY = 'io.modelcontextprotocol/clientCapabilities';
const CLIENT_INFO_KEY = 'io.modelcontextprotocol/clientInfo';
const SERVER_INFO_KEY = 'io.modelcontextprotocol/serverInfo';

/** Spec error codes (schema 2026-07-28). */
export const HEADER_MISMATCH = -32020;
export const UNSUPPORTED_PROTOCOL_VERSION = -32022;

/** Methods whose Mcp-Name header carries a params field. */
const NAME_PARAM: Readonly<Record<string, 'name' | 'uri'>> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };

/**
 * How long a client may reuse a result (ms), and for whom. Lists depend on the credential's policy, which an admin
 * can change at any time: "private" (never shared across authorization contexts) and a minute. A task changes with
 * every comment: resources/list and resources/read are never reused. Discovery is the same for everyone.
 */
const CACHE: Readonly<Record<string, { ttlMs: number; cacheScope: 'public' | 'private' }>> = {
  'server/discover': { ttlMs: 3_600_000, cacheScope: 'public' },
  'tools/list': { ttlMs: 60_000, cacheScope: 'private' },
  'prompts/list': { ttlMs: 60_000, cacheScope: 'private' },
  'resources/templates/list': { ttlMs: 60_000, cacheScope: 'private' },
  'resources/list': { ttlMs: 0, cacheScope: 'private' },
  'resources/read': { ttlMs: 0, cacheScope: 'private' },
};

export type Route =
  | { era: 'legacy' }
  | { era: 'modern'; request: JSONRPCRequest }
  | { era: 'modern'; notification: true }
  | { era: 'reject'; status: number; error: JSONRPCMessage };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function claimOf(m: unknown): unknown {
  if (!isObject(m) || !isObject(m.params) || !isObject(m.params._meta)) return undefined;
  return Object.hasOwn(m.params._meta, VERSION_KEY) ? m.params._meta[VERSION_KEY] : undefined;
}

const idOf = (m: unknown): RequestId | null =>
  isObject(m) && (typeof m.id === 'string' || (typeof m.id === 'number' && Number.isFinite(m.id))) ? m.id : null;

export function errorMessage(id: RequestId | null, code: number, message: string, data?: unknown): JSONRPCMessage {
  return { jsonrpc: '2.0', id: id as RequestId, error: { code, message, ...(data === undefined ? {} : { data }) } };
}

const reject = (status: number, id: RequestId | null, code: number, message: string, data?: unknown): Route => ({
  era: 'reject',
  status,
  error: errorMessage(id, code, message, data),
});

/** A header as one string (undefined when absent); `=?base64?…?=` values decoded, as the spec requires. */
function header(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  const s = (Array.isArray(v) ? v.join(', ') : v).trim();
  const m = /^=\?base64\?([A-Za-z0-9+/=]*)\?=$/.exec(s);
  return m ? Buffer.from(m[1]!, 'base64').toString('utf8') : s;
}

export const unsupportedVersion = (id: RequestId | null, requested: string): JSONRPCMessage =>
  errorMessage(
    id,
    UNSUPPORTED_PROTOCOL_VERSION,
    `Unsupported protocol version: ${requested.slice(0, 40)}. This server speaks ${MODERN_VERSIONS.join(', ')} per request (params._meta) and ` +
      `${SUPPORTED_PROTOCOL_VERSIONS.join(', ')} through initialize.`,
    { supported: SUPPORTED_VERSIONS, requested: requested.slice(0, 100) },
  );

function mismatch(what: string, given: string | undefined, body: string): string {
  return given === undefined
    ? `Header mismatch: the ${what} header is missing; send "${body}" (as in the body).`
    : `Header mismatch: ${what} header value '${given.slice(0, 100)}' does not match body value '${body.slice(0, 100)}'.`;
}

/**
 * Which era a parsed body belongs to, and for a modern one whether its envelope and headers hold: the spec's
 * checks in its order — envelope (-32602), headers against the body (-32020), version (-32022) — each with HTTP 400
 * and the request's id. Batches are legacy only (2026-07-28 has none).
 */
export function route(headers: http.IncomingHttpHeaders, raw: unknown): Route {
  const pv = header(headers, 'mcp-protocol-version');
  if (Array.isArray(raw)) {
    if (raw.some((m) => claimOf(m) !== undefined))
      return reject(400, null, -32600, `Invalid Request: protocol ${MODERN_VERSIONS[0]} has no batches — send one request per HTTP POST.`);
    return { era: 'legacy' };
  }
  const claim = claimOf(raw);
  const id = idOf(raw);
  if (claim === undefined) {
    // initialize without a claim is the legacy handshake, whatever the headers say.
    if (pv !== undefined && MODERN_VERSIONS.includes(pv) && !(isObject(raw) && raw.method === 'initialize'))
      return reject(
        400,
        id,
        -32602,
        `Invalid params: the MCP-Protocol-Version header names ${pv}, but params._meta has no "${VERSION_KEY}". ` +
          `Send "${VERSION_KEY}", "${CAPABILITIES_KEY}" and "${CLIENT_INFO_KEY}" in params._meta, or initialize for a legacy session.`,
      );
    return { era: 'legacy' };
  }
  const m = raw as Record<string, unknown> & { params: { _meta: Record<string, unknown> } };
  if (m.jsonrpc !== '2.0' || typeof m.method !== 'string' || ('id' in m && id === null))
    return reject(400, id, -32600, 'Invalid Request: not a JSON-RPC 2.0 request (need jsonrpc "2.0", a method, and a string or number id).');
  const meta = m.params._meta;
  const info = meta[CLIENT_INFO_KEY];
  const envelope =
    typeof claim !== 'string' || !claim
      ? `"${VERSION_KEY}" must be a version string like "${MODERN_VERSIONS[0]}"`
      : !isObject(meta[CAPABILITIES_KEY])
        ? `"${CAPABILITIES_KEY}" is required (an object; {} when the client supports no optional capability)`
        : info !== undefined && !(isObject(info) && typeof info.name === 'string' && typeof info.version === 'string')
          ? `"${CLIENT_INFO_KEY}" must be {"name": "…", "version": "…"}`
          : null;
  if (envelope) return reject(400, id, -32602, `Invalid params: the _meta envelope is malformed: ${envelope}.`);
  const version = claim as string;

  if (pv !== version) return reject(400, id, HEADER_MISMATCH, mismatch('MCP-Protocol-Version', pv, version));
  const method = header(headers, 'mcp-method');
  if (method !== m.method) return reject(400, id, HEADER_MISMATCH, mismatch('Mcp-Method', method, m.method));
  const param = Object.hasOwn(NAME_PARAM, m.method) ? NAME_PARAM[m.method]! : undefined;
  if (param) {
    const bodyName = (m.params as Record<string, unknown>)[param];
    const name = header(headers, 'mcp-name');
    if (typeof bodyName === 'string' && name !== bodyName) return reject(400, id, HEADER_MISMATCH, mismatch('Mcp-Name', name, bodyName));
  }
  if (!MODERN_VERSIONS.includes(version)) return { era: 'reject', status: 400, error: unsupportedVersion(id, version) };
  if (id === null) return { era: 'modern', notification: true };
  // The handlers get the params as a legacy request has them: the envelope has done its work.
  const { _meta: _envelope, ...params } = m.params;
  return { era: 'modern', request: { jsonrpc: '2.0', id, method: m.method, params } as JSONRPCRequest };
}

/** A modern result: `resultType`, the server's identity, and for cacheable results how long and for whom. */
function complete(method: string, result: Record<string, unknown>): Record<string, unknown> {
  const meta = isObject(result._meta) ? result._meta : {};
  return { ...result, ...(CACHE[method] ?? {}), resultType: 'complete', _meta: { ...meta, [SERVER_INFO_KEY]: SERVER_INFO } };
}

/**
 * Answer one modern request: the same handlers as the legacy era (the tool caller, listTools, resources, prompts)
 * with the 2026-07-28 result shape and error codes. Methods this revision removed (initialize, ping,
 * logging/setLevel, resources/subscribe …) and unknown ones are HTTP 404 with -32601, as the spec asks.
 */
export async function serveModern(call: CallContext, r: JSONRPCRequest, boundary: Boundary): Promise<{ status: number; body: JSONRPCMessage }> {
  try {
    const result = await modernResult(call, r, boundary);
    if (result === null)
      return failure(
        r.id,
        404,
        -32601,
        `Method not found: ${r.method.slice(0, 100)}. Protocol ${MODERN_VERSIONS[0]} has no initialize or ping; this server answers server/discover, ` +
          'tools/list, tools/call, resources/list, resources/templates/list, resources/read, prompts/list and prompts/get.',
      );
    return { status: 200, body: { jsonrpc: '2.0', id: r.id, result: complete(r.method, result) } as JSONRPCMessage };
  } catch (err) {
    if (err instanceof ResourceNotFound) return failure(r.id, 200, -32602, err.message, { uri: err.uri.slice(0, 300) });
    if (err instanceof RpcError) return failure(r.id, 200, err.code, err.message);
    throw err;
  }
}

function failure(id: RequestId, status: number, code: number, message: string, data?: unknown): { status: number; body: JSONRPCMessage } {
  return { status, body: errorMessage(id, code, message, data) };
}

/** The result of one method, or null when this revision has no such method. */
async function modernResult(call: CallContext, r: JSONRPCRequest, boundary: Boundary): Promise<Record<string, unknown> | null> {
  if (r.method.endsWith('/list') && (r.params as Record<string, unknown> | undefined)?.cursor !== undefined)
    throw new RpcError(-32602, 'Invalid params: this list has a single page, so there is no cursor to continue from — omit params.cursor.');
  switch (r.method) {
    case 'server/discover':
      return { supportedVersions: SUPPORTED_VERSIONS, capabilities: CAPABILITIES, instructions: INSTRUCTIONS };
    case 'tools/list':
      return { tools: listTools(call) };
    case 'tools/call':
      return (await boundary.callTool(call, r.params)) as Record<string, unknown>;
    case 'resources/list':
      return { resources: await boundary.listResources(call) };
    case 'resources/templates/list':
      return { resourceTemplates: resourceTemplates(call) };
    case 'resources/read':
      return boundary.readResource(call, r.params);
    case 'prompts/list':
      return { prompts: PROMPTS };
    case 'prompts/get':
      return getPrompt(r.params);
    default:
      return null;
  }
}
