import { randomUUID } from 'node:crypto';
import { prepared, type Db, type Queryable } from '../platform/db/client.ts';
import { hashToken, hashesEqual, mintToken, parseOAuthToken, tokenPreview, tokenShape } from '../platform/crypto/tokens.ts';
import { appendAudit } from './audit.ts';
import { authChanged } from './authevents.ts';
import { DomainError, invalid, notFound } from './errors.ts';
import { credentialState, normalizeCredentialRequest, type CredentialSettings, type CredentialState, type WorkspaceSettings } from './policy.ts';
import { isUuid, requireWorkspace, type Workspace } from './workspaces.ts';

export interface Credential extends CredentialSettings {
  id: string;
  workspaceId: string;
  /** 'token': an mcp_live_ token pasted into an assistant; 'oauth': a grant an owner or admin gave an assistant that connected through OAuth. */
  kind: 'token' | 'oauth';
  name: string;
  /** The token's preview, or for a grant "OAuth · <the client's host>". */
  preview: string;
  /** A grant's client (a metadata document URL or a registered client id) and where its codes went. */
  clientId: string | null;
  redirectUri: string | null;
  createdBy: string | null;
  createdByName: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  state: CredentialState;
}

const COLS = `c.id, c.workspace_id AS "workspaceId", c.kind, c.name, c.token_prefix AS "tokenPrefix", c.token_last4 AS "tokenLast4",
  c.client_id AS "clientId", c.redirect_uri AS "redirectUri",
  c.tools, c.allow_customer_comments AS "allowCustomerComments", c.verification_factors AS "verificationFactors",
  c.reveal_customer_contact AS "revealCustomerContact", c.expires_at AS "expiresAt", c.revoked_at AS "revokedAt",
  c.created_by AS "createdBy", c.created_at AS "createdAt", c.last_used_at AS "lastUsedAt"`;

type CredRow = Omit<Credential, 'preview' | 'state' | 'createdByName'> & {
  tokenPrefix: string | null;
  tokenLast4: string | null;
  createdByName?: string | null;
};

/** The host of a client id that is a URL (a metadata document), or the id itself (a registered client). */
export function clientHost(clientId: string): string {
  return URL.canParse(clientId) ? new URL(clientId).host : clientId;
}

function present(row: CredRow, now = new Date()): Credential {
  const { tokenPrefix, tokenLast4, ...rest } = row;
  const preview = row.kind === 'oauth' ? `OAuth · ${clientHost(row.clientId ?? '')}` : tokenPreview(tokenPrefix ?? '', tokenLast4 ?? '');
  return { ...rest, createdByName: row.createdByName ?? null, preview, state: credentialState(row, now) };
}

export interface CreateCredentialInput {
  name: string;
  tools?: string[];
  allowCustomerComments?: boolean;
  verificationFactors?: number | null;
  revealCustomerContact?: boolean;
  expiresAt?: Date | null;
  createdBy?: string | null;
  /** One-time key of the form that asks for this credential: a second request with the same key creates nothing. */
  createKey?: string | null;
}

/** The request's createKey was used before: the credential exists, and its token was shown then, not now. */
export class CredentialAlreadyCreated extends DomainError {
  constructor(
    readonly credentialId: string,
    name: string,
  ) {
    super('conflict', `the credential "${name}" was already created from this form; its token was shown once and cannot be shown again`);
  }
}

/** Mint a credential. The returned token is the only copy: only its SHA-256 is stored. */
export async function createCredential(
  db: Db,
  workspaceId: string,
  input: CreateCredentialInput,
): Promise<{ credential: Credential; token: string }> {
  const ws = await requireWorkspace(db, workspaceId);
  const name = input.name.trim();
  if (!name || name.length > 100) throw invalid('credential name must be 1–100 characters');
  const req = normalizeCredentialRequest(ws, input);
  if (req.problems.length) throw invalid(req.problems.join('; '));
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw invalid('expiry must be in the future');
  const t = mintToken();
  return db.tx(async (q) => {
    const r = await q.query<CredRow>(
      `INSERT INTO mcp_credentials AS c (workspace_id, id, name, token_hash, token_prefix, token_last4, tools,
       allow_customer_comments, verification_factors, reveal_customer_contact, expires_at, created_by, create_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (workspace_id, create_key) WHERE create_key IS NOT NULL DO NOTHING
     RETURNING ${COLS}`,
      [
        workspaceId,
        randomUUID(),
        name,
        t.hash,
        t.prefix,
        t.last4,
        req.tools,
        req.allowCustomerComments,
        req.verificationFactors,
        input.revealCustomerContact ?? false,
        input.expiresAt ?? null,
        input.createdBy ?? null,
        input.createKey ?? null,
      ],
    );
    if (!r.rows[0]) {
      const had = await q.query<{ id: string; name: string }>('SELECT id, name FROM mcp_credentials WHERE workspace_id = $1 AND create_key = $2', [
        workspaceId,
        input.createKey,
      ]);
      const prev = had.rows[0];
      if (!prev) throw invalid('this form was already used — reload the page and submit it again');
      throw new CredentialAlreadyCreated(prev.id, prev.name);
    }
    const credential = present(r.rows[0]);
    await appendAudit(q, workspaceId, { action: 'credential.create', outcome: 'ok', credentialId: credential.id, userId: input.createdBy });
    return { credential, token: t.token };
  });
}

export interface GrantInput {
  /** The client's name, shown as the grant's name. */
  name: string;
  clientId: string;
  redirectUri: string;
  /** The owner or admin who authorized it. */
  userId: string;
  tools?: string[];
  allowCustomerComments?: boolean;
  verificationFactors?: number | null;
  revealCustomerContact?: boolean;
}

/**
 * Record a grant: a credential of kind 'oauth' with the policy chosen on the consent page (checked against the
 * workspace like any credential's). Runs in the caller's transaction, which also writes the code and the audit row.
 */
export async function insertGrant(q: Queryable, ws: Workspace, input: GrantInput): Promise<Credential> {
  const req = normalizeCredentialRequest(ws, input);
  if (req.problems.length) throw invalid(req.problems.join('; '));
  const r = await q.query<CredRow>(
    `INSERT INTO mcp_credentials AS c (workspace_id, id, kind, name, client_id, redirect_uri, tools, allow_customer_comments,
       verification_factors, reveal_customer_contact, created_by)
     VALUES ($1, $2, 'oauth', $3, $4, $5, $6, $7, $8, $9, $10)
     RETURNING ${COLS}`,
    [
      ws.id,
      randomUUID(),
      input.name.trim().slice(0, 100) || 'Assistant',
      input.clientId,
      input.redirectUri,
      req.tools,
      req.allowCustomerComments,
      req.verificationFactors,
      input.revealCustomerContact ?? false,
      input.userId,
    ],
  );
  return present(r.rows[0]!);
}

/** A workspace's tokens, or (kind 'oauth') its grants to assistants connected through OAuth, or both; newest first. */
export async function listCredentials(db: Queryable, workspaceId: string, kind: Credential['kind'] | 'all' = 'token'): Promise<Credential[]> {
  const r = await db.query<CredRow>(
    `SELECT ${COLS}, u.name AS "createdByName" FROM mcp_credentials c
     LEFT JOIN users u ON u.workspace_id = c.workspace_id AND u.id = c.created_by
     WHERE c.workspace_id = $1 AND ($2 = 'all' OR c.kind = $2) ORDER BY c.created_at DESC, c.id`,
    [workspaceId, kind],
  );
  return r.rows.map((row) => present(row));
}

export async function getCredential(db: Queryable, id: string, workspaceId?: string): Promise<Credential | null> {
  if (!isUuid(id)) return null;
  const r = await db.query<CredRow>(`SELECT ${COLS} FROM mcp_credentials c WHERE c.id = $1 AND ($2::uuid IS NULL OR c.workspace_id = $2)`, [
    id,
    workspaceId ?? null,
  ]);
  return r.rows[0] ? present(r.rows[0]) : null;
}

/**
 * Revoke (idempotent). With workspaceId, a credential of another workspace is "not found". Written and audited in
 * one transaction; the workspace's remembered token checks are forgotten after the commit (see updateWorkspace).
 */
export async function revokeCredential(db: Db, id: string, opts: { workspaceId?: string; userId?: string | null } = {}): Promise<Credential> {
  const existing = await getCredential(db, id, opts.workspaceId);
  if (!existing) throw notFound(`no credential with id ${id}`);
  const row = await db.tx(async (q) => {
    const r = await q.query<CredRow>(
      `UPDATE mcp_credentials c SET revoked_at = coalesce(revoked_at, now())
       WHERE workspace_id = $1 AND id = $2 RETURNING ${COLS}`,
      [existing.workspaceId, id],
    );
    if (!existing.revokedAt)
      await appendAudit(q, existing.workspaceId, {
        action: existing.kind === 'oauth' ? 'oauth.revoke' : 'credential.revoke',
        outcome: 'ok',
        credentialId: id,
        userId: opts.userId,
      });
    return r.rows[0]!;
  });
  authChanged(existing.workspaceId);
  return present(row);
}

export type AuthFailure = 'missing' | 'malformed' | 'preview' | 'unknown' | 'revoked' | 'expired' | 'wrong_workspace' | 'no_workspace';

export type AuthResult = { ok: true; workspace: Workspace; credential: Credential } | { ok: false; reason: AuthFailure; workspace: Workspace | null };

/** Exported for bench/sql-cost.ts, which measures this statement's cost. */
export const AUTHENTICATE = prepared(
  'authenticate',
  `SELECT w.id AS wid, w.name AS wname, w.mcp_enabled AS "mcpEnabled", w.allow_customer_comments AS "wsAllowComments",
     w.min_verification_factors AS "minVerificationFactors", w.created_at AS wcreated, c.token_hash AS "tokenHash", ${COLS}
   FROM workspaces w LEFT JOIN mcp_credentials c ON c.workspace_id = w.id AND c.token_hash = $2
   WHERE w.id = $1`,
);
const TOUCH_CREDENTIAL = prepared(
  'touch_credential',
  `UPDATE mcp_credentials SET last_used_at = now()
   WHERE workspace_id = $1 AND id = $2 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
);

/**
 * An OAuth access token's check: the workspace, the token, its grant and whoever authorized the grant, in one round
 * trip. The grant answers with the token's expiry (shorter than any grant's), and as revoked once the person who
 * authorized it is no longer an active owner or admin of the workspace.
 */
const AUTHENTICATE_OAUTH = prepared(
  'authenticate_oauth',
  `SELECT w.id AS wid, w.name AS wname, w.mcp_enabled AS "mcpEnabled", w.allow_customer_comments AS "wsAllowComments",
     w.min_verification_factors AS "minVerificationFactors", w.created_at AS wcreated, t.token_hash AS "tokenHash",
     t.expires_at AS "tokenExpiresAt", CASE WHEN u.deactivated_at IS NULL THEN u.role END AS "authorizerRole", ${COLS}
   FROM workspaces w
   LEFT JOIN oauth_tokens t ON t.workspace_id = w.id AND t.token_hash = $2 AND t.kind = 'access'
   LEFT JOIN mcp_credentials c ON c.workspace_id = t.workspace_id AND c.id = t.credential_id
   LEFT JOIN users u ON u.workspace_id = c.workspace_id AND u.id = c.created_by
   WHERE w.id = $1`,
);

/**
 * Check a presented bearer token for a workspace, in one round trip: the workspace row and the credential
 * looked up by (workspace_id, token_hash) — for an OAuth access token, through the token to its grant. Only on a
 * miss do we ask whether the token belongs elsewhere (→ 403).
 */
export async function authenticate(db: Queryable, workspaceId: string, token: string | null | undefined): Promise<AuthResult> {
  if (!isUuid(workspaceId)) return { ok: false, reason: 'no_workspace', workspace: null };
  const shape = tokenShape(token);
  const oauth = shape === 'ok' ? parseOAuthToken(token!) : null;
  if (oauth) return authenticateOAuth(db, workspaceId, token!, oauth.workspaceId);
  const hash = shape === 'ok' ? hashToken(token!) : Buffer.alloc(32);
  const r = await db.query<WorkspaceRow & { tokenHash: Buffer | Uint8Array | null } & Partial<CredRow>>(AUTHENTICATE, [workspaceId, hash]);
  const row = r.rows[0];
  if (!row) return { ok: false, reason: 'no_workspace', workspace: null };
  const workspace = workspaceOf(row);
  if (shape !== 'ok') return { ok: false, reason: shape, workspace };
  if (!row.tokenHash || !hashesEqual(Buffer.from(row.tokenHash), hash)) {
    const elsewhere = await db.query('SELECT 1 FROM mcp_credentials WHERE token_hash = $1 AND revoked_at IS NULL LIMIT 1', [hash]);
    return { ok: false, reason: elsewhere.rows.length ? 'wrong_workspace' : 'unknown', workspace };
  }
  const credential = present(row as CredRow);
  if (credential.state !== 'active') return { ok: false, reason: credential.state, workspace };
  return { ok: true, workspace, credential };
}

type WorkspaceRow = {
  wid: string;
  wname: string;
  mcpEnabled: boolean;
  wsAllowComments: boolean;
  minVerificationFactors: number;
  wcreated: Date;
};

function workspaceOf(row: WorkspaceRow): Workspace {
  return {
    id: row.wid,
    name: row.wname,
    mcpEnabled: row.mcpEnabled,
    allowCustomerComments: row.wsAllowComments,
    minVerificationFactors: row.minVerificationFactors,
    createdAt: row.wcreated,
  };
}

async function authenticateOAuth(db: Queryable, workspaceId: string, token: string, tokenWorkspace: string): Promise<AuthResult> {
  const hash = hashToken(token);
  const r = await db.query<
    WorkspaceRow & { tokenHash: Buffer | Uint8Array | null; tokenExpiresAt: Date | null; authorizerRole: string | null } & Partial<CredRow>
  >(AUTHENTICATE_OAUTH, [workspaceId, hash]);
  const row = r.rows[0];
  if (!row) return { ok: false, reason: 'no_workspace', workspace: null };
  const workspace = workspaceOf(row);
  if (!row.tokenHash || !hashesEqual(Buffer.from(row.tokenHash), hash) || !row.id) {
    if (tokenWorkspace === workspaceId) return { ok: false, reason: 'unknown', workspace };
    const elsewhere = await db.query("SELECT 1 FROM oauth_tokens WHERE workspace_id = $1 AND token_hash = $2 AND kind = 'access'", [
      tokenWorkspace,
      hash,
    ]);
    return { ok: false, reason: elsewhere.rows.length ? 'wrong_workspace' : 'unknown', workspace };
  }
  const authorized = row.authorizerRole === 'owner' || row.authorizerRole === 'admin';
  const credential = present({ ...(row as CredRow), expiresAt: row.tokenExpiresAt, revokedAt: row.revokedAt ?? (authorized ? null : new Date(0)) });
  if (credential.state !== 'active') return { ok: false, reason: credential.state, workspace };
  return { ok: true, workspace, credential };
}

/** Whether touchCredential would write now (callers on the hot path skip the call, and its promise, when not). */
export function credentialUseDue(cred: Pick<Credential, 'lastUsedAt'>): boolean {
  return !cred.lastUsedAt || Date.now() - cred.lastUsedAt.getTime() >= 60_000;
}

/**
 * Record use at most once a minute per credential. The check on the fetched value avoids a write per call; the value
 * is updated on `cred` too, since a remembered credential (AuthCache) is not fetched again.
 */
export async function touchCredential(db: Queryable, cred: Pick<Credential, 'id' | 'workspaceId' | 'lastUsedAt'>): Promise<void> {
  if (!credentialUseDue(cred)) return;
  cred.lastUsedAt = new Date();
  await db.query(TOUCH_CREDENTIAL, [cred.workspaceId, cred.id]);
}

export type { WorkspaceSettings };

export interface CredentialSettingsPatch {
  tools?: string[];
  allowCustomerComments?: boolean;
  verificationFactors?: number | null;
  revealCustomerContact?: boolean;
}

/**
 * Change what an existing credential may do (the token stays the same). Checked by the same policy rules as
 * creation; takes effect on the credential's next request. Audited as credential.update.
 */
export async function updateCredentialSettings(
  db: Db,
  workspaceId: string,
  id: string,
  patch: CredentialSettingsPatch,
  opts: { userId?: string | null } = {},
): Promise<Credential> {
  const existing = await getCredential(db, id, workspaceId);
  if (!existing) throw notFound(`no credential with id ${id}`);
  if (existing.revokedAt) throw invalid('this credential is revoked — create a new one instead');
  const ws = await requireWorkspace(db, workspaceId);
  const req = normalizeCredentialRequest(ws, {
    tools: patch.tools ?? existing.tools,
    allowCustomerComments: patch.allowCustomerComments ?? existing.allowCustomerComments,
    verificationFactors: patch.verificationFactors !== undefined ? patch.verificationFactors : existing.verificationFactors,
    revealCustomerContact: patch.revealCustomerContact ?? existing.revealCustomerContact,
  });
  if (req.problems.length) throw invalid(req.problems.join('; '));
  const row = await db.tx(async (q) => {
    const r = await q.query<CredRow>(
      `UPDATE mcp_credentials c SET tools = $3, allow_customer_comments = $4, verification_factors = $5, reveal_customer_contact = $6
       WHERE workspace_id = $1 AND id = $2 RETURNING ${COLS}`,
      [workspaceId, id, req.tools, req.allowCustomerComments, req.verificationFactors, patch.revealCustomerContact ?? existing.revealCustomerContact],
    );
    await appendAudit(q, workspaceId, { action: 'credential.update', outcome: 'ok', credentialId: id, userId: opts.userId });
    return r.rows[0]!;
  });
  authChanged(workspaceId);
  return present(row);
}
