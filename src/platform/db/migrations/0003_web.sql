-- Staff web app: sessions and login throttling (src/auth/sessions.ts, src/auth/throttle.ts).

-- A signed-in browser. The cookie carries "<workspace id>.<secret>"; only SHA-256(secret) is stored, so a copy of
-- this table signs nobody in. Looked up by (workspace_id, id_hash): one shard when distributed by workspace_id.
-- The CSRF token is derived from the secret (HMAC), so it is not stored either.
CREATE TABLE web_sessions (
  workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id_hash       bytea NOT NULL,
  user_id       uuid NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, id_hash),
  FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX web_sessions_user ON web_sessions (workspace_id, user_id);
CREATE INDEX web_sessions_expiry ON web_sessions (workspace_id, expires_at);

-- Failed sign-ins, one row each, counted over a sliding window per account (the email typed) and per client IP.
-- Sign-in happens before a workspace is known (one email may belong to several workspaces), so this table is keyed
-- by a hash of the key instead of workspace_id; with Citus distribute it by key_hash (or keep it on the
-- coordinator). The key is hashed so that emails and IP addresses are not kept here in clear.
CREATE TABLE login_failures (
  key_hash    bytea NOT NULL,
  id          bigint GENERATED ALWAYS AS IDENTITY,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (key_hash, id)
);
CREATE INDEX login_failures_recent ON login_failures (key_hash, created_at);

-- Sign-in looks a user up by email across workspaces.
CREATE INDEX users_email_lower ON users (email_lower);

-- The customers list pages through customers by name (keyset on name, id).
CREATE INDEX customers_by_name ON customers (workspace_id, name, id);
