/**
 * Where things are, for an OAuth client: the issuer is PUBLIC_URL's origin (configuration, never a request header);
 * each workspace's MCP endpoint is a protected resource of its own, and a token is good for exactly one of them.
 */
import { isUuid } from '../workspaces.ts';

export const MCP_ENDPOINT_PATH = '/app/api/mcp/server/';
export const OAUTH_PATHS = { authorize: '/oauth/authorize', token: '/oauth/token', register: '/oauth/register', revoke: '/oauth/revoke' } as const;
export const AS_METADATA_PATH = '/.well-known/oauth-authorization-server';
export const PRM_PATH = '/.well-known/oauth-protected-resource';

/** A workspace's MCP endpoint: the URL assistants are given, and the OAuth resource that names the workspace. */
export function mcpEndpointUrl(publicUrl: string, workspaceId: string): string {
  return `${publicUrl}${MCP_ENDPOINT_PATH}${workspaceId}`;
}

/** RFC 9728 §3.1: the well-known segment goes between the host and the resource's path. */
export function protectedResourceMetadataUrl(publicUrl: string, workspaceId: string): string {
  const u = new URL(mcpEndpointUrl(publicUrl, workspaceId));
  return `${u.origin}${PRM_PATH}${u.pathname}`;
}

/**
 * The workspace a `resource` parameter names, or null when it names none of ours. Tolerates what real clients send:
 * upper-case scheme or host (URL lower-cases them), a default port, one trailing slash. Never a query or fragment.
 */
export function workspaceOfResource(publicUrl: string, resource: string): string | null {
  if (!URL.canParse(resource)) return null;
  const u = new URL(resource);
  const pub = new URL(publicUrl);
  if (u.origin !== pub.origin || u.search || u.hash || u.username || u.password) return null;
  const prefix = `${pub.pathname.replace(/\/$/, '')}${MCP_ENDPOINT_PATH}`;
  const path = u.pathname.replace(/\/$/, '');
  if (!path.startsWith(prefix)) return null;
  const id = path.slice(prefix.length).toLowerCase();
  return isUuid(id) ? id : null;
}

export interface AuthorizationServerSettings {
  issuer: string;
  oauthDcr: boolean;
}

/** RFC 8414 metadata: what a client needs to connect, and nothing this server does not do. */
export function authorizationServerMetadata(s: AuthorizationServerSettings) {
  return {
    issuer: s.issuer,
    authorization_endpoint: `${s.issuer}${OAUTH_PATHS.authorize}`,
    token_endpoint: `${s.issuer}${OAUTH_PATHS.token}`,
    ...(s.oauthDcr ? { registration_endpoint: `${s.issuer}${OAUTH_PATHS.register}` } : {}),
    revocation_endpoint: `${s.issuer}${OAUTH_PATHS.revoke}`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
    revocation_endpoint_auth_methods_supported: ['none'],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
  };
}

/** RFC 9728 metadata of one workspace's MCP endpoint. */
export function protectedResourceMetadata(publicUrl: string, issuer: string, workspaceId: string) {
  return {
    resource: mcpEndpointUrl(publicUrl, workspaceId),
    authorization_servers: [issuer],
    bearer_methods_supported: ['header'],
    resource_name: 'Taskline',
  };
}
