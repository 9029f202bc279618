-- Hosted assistants (claude.ai, ChatGPT, Copilot Studio) connect through OAuth instead of a pasted token. Taskline is
-- its own authorization server; what a staff member authorizes is a *grant*, and a grant is a credential of kind
-- 'oauth': the same row carries its policy (tools, comments, verification, contact), its revocation and its last use,
-- so the token check, the policy, the rate limits, the verification lockout and the audit log treat an assistant
-- connected through OAuth exactly like one holding an mcp_live_ token. Such a row has no token of its own (its access
-- tokens live in oauth_tokens), names its client, and created_by is the owner or admin who authorized it.
ALTER TABLE mcp_credentials ADD COLUMN kind text NOT NULL DEFAULT 'token' CHECK (kind IN ('token', 'oauth'));
ALTER TABLE mcp_credentials ADD COLUMN client_id text;
ALTER TABLE mcp_credentials ADD COLUMN redirect_uri text;
ALTER TABLE mcp_credentials ALTER COLUMN token_hash DROP NOT NULL;
ALTER TABLE mcp_credentials ALTER COLUMN token_prefix DROP NOT NULL;
ALTER TABLE mcp_credentials ALTER COLUMN token_last4 DROP NOT NULL;
ALTER TABLE mcp_credentials ADD CONSTRAINT mcp_credentials_kind_shape CHECK (
  CASE kind
    WHEN 'token' THEN token_hash IS NOT NULL AND token_prefix IS NOT NULL AND token_last4 IS NOT NULL AND client_id IS NULL
    ELSE token_hash IS NULL AND client_id IS NOT NULL AND redirect_uri IS NOT NULL AND created_by IS NOT NULL
  END
);

-- Authorization codes, access tokens and refresh tokens of grants. Only SHA-256 of each is stored. Every token
-- carries its workspace in clear (tl_ac_/tl_at_/tl_rt_ + the workspace id + a secret), so each lookup is by
-- (workspace_id, token_hash): one shard, like everything else. A code also holds what its redemption must match;
-- used_at marks a redeemed code or a rotated refresh token (kept so that a replay is recognised).
CREATE TABLE oauth_tokens (
  workspace_id    uuid NOT NULL,
  token_hash      bytea NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('code', 'access', 'refresh')),
  credential_id   uuid NOT NULL,
  expires_at      timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  used_at         timestamptz,
  redirect_uri    text,
  code_challenge  text,
  CHECK ((kind = 'code') = (code_challenge IS NOT NULL AND redirect_uri IS NOT NULL)),
  PRIMARY KEY (workspace_id, token_hash),
  FOREIGN KEY (workspace_id, credential_id) REFERENCES mcp_credentials (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX oauth_tokens_grant ON oauth_tokens (workspace_id, credential_id);
CREATE INDEX oauth_tokens_expiry ON oauth_tokens (expires_at);

-- An authorization request waiting for the staff member's answer on the consent page: what the assistant asked for,
-- checked, kept server-side so that the page's form carries only an id. One answer each (the row is deleted when it
-- is answered) and ten minutes to give it.
CREATE TABLE oauth_requests (
  workspace_id    uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id_hash         bytea NOT NULL,
  user_id         uuid NOT NULL,
  client_id       text NOT NULL,
  client_name     text NOT NULL,
  redirect_uri    text NOT NULL,
  state           text,
  code_challenge  text NOT NULL,
  expires_at      timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, id_hash),
  FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE
);

-- Clients registered through Dynamic Client Registration (RFC 7591), before any workspace is involved: not
-- workspace data (with Citus, a reference table). One that goes unused for 30 days is forgotten.
CREATE TABLE oauth_clients (
  id             text PRIMARY KEY,
  name           text NOT NULL,
  redirect_uris  text[] NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_used_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oauth_clients_unused ON oauth_clients (last_used_at);

-- Client ID Metadata Documents fetched from their URLs, shared by every instance: fresh until fresh_until (from the
-- document's cache headers, within bounds), then fetched again; when that fails, the last good copy serves until
-- stale_until. Never an error or an invalid document.
CREATE TABLE oauth_client_documents (
  url          text PRIMARY KEY,
  document     jsonb NOT NULL,
  fetched_at   timestamptz NOT NULL,
  fresh_until  timestamptz NOT NULL,
  stale_until  timestamptz NOT NULL
);

-- Remembered token checks (0005_auth_notify.sql) must also be forgotten when an access token is revoked or removed,
-- and when the person who authorized a grant loses the right to (their role changes, or they are removed).
CREATE TRIGGER oauth_tokens_auth_update AFTER UPDATE ON oauth_tokens FOR EACH ROW
  WHEN (OLD.kind = 'access') EXECUTE FUNCTION tl_notify_auth('workspace_id');
CREATE TRIGGER oauth_tokens_auth_delete AFTER DELETE ON oauth_tokens FOR EACH ROW
  WHEN (OLD.kind = 'access') EXECUTE FUNCTION tl_notify_auth('workspace_id');
CREATE TRIGGER users_auth_update AFTER UPDATE OF role ON users FOR EACH ROW
  WHEN (OLD.role IS DISTINCT FROM NEW.role) EXECUTE FUNCTION tl_notify_auth('workspace_id');
CREATE TRIGGER users_auth_delete AFTER DELETE ON users FOR EACH ROW
  EXECUTE FUNCTION tl_notify_auth('workspace_id');
