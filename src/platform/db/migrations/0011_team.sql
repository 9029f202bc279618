-- Team accounts in the web app (src/domain/team.ts): invitations, roles, deactivation, password resets, sessions.

-- A deactivated staff member keeps their row (tasks, comments and the audit log still name them) but cannot sign in;
-- their sessions end when they are deactivated, and OAuth grants they approved stop working.
ALTER TABLE users ADD COLUMN deactivated_at timestamptz;
ALTER TABLE users ADD COLUMN last_signin_at timestamptz;

-- A session gets an id that can be shown and named in a form ("sign this session out") without being its secret,
-- and what a person needs to recognise it: the browser's user agent and the address it signed in from.
ALTER TABLE web_sessions ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE web_sessions ADD COLUMN user_agent text;
ALTER TABLE web_sessions ADD COLUMN address text;
CREATE UNIQUE INDEX web_sessions_id ON web_sessions (workspace_id, id);

-- One-time links: an invitation (kind 'invite': email and role, no user yet) or a password reset (kind 'reset': for
-- user_id). The link carries "<workspace id>.<secret>"; only SHA-256(secret) is kept, so a copy of this table opens
-- nothing. A link works once (used_at), until it expires, unless it was withdrawn (revoked_at).
CREATE TABLE account_links (
  workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id            uuid NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('invite', 'reset')),
  token_hash    bytea NOT NULL,
  email         text,
  email_lower   text,
  role          text CHECK (role IN ('owner', 'admin', 'member')),
  user_id       uuid,
  created_by    uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz,
  revoked_at    timestamptz,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, token_hash),
  FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE,
  CHECK ((kind = 'invite' AND email_lower IS NOT NULL AND role IS NOT NULL) OR (kind = 'reset' AND user_id IS NOT NULL))
);
CREATE INDEX account_links_pending ON account_links (workspace_id, kind, expires_at) WHERE used_at IS NULL AND revoked_at IS NULL;

-- Account events name whom they are about (the staff member whose role changed, who was invited…) and a short
-- detail ("member → admin"); the acting staff member stays in user_id.
ALTER TABLE audit_events ADD COLUMN subject_user_id uuid;
ALTER TABLE audit_events ADD COLUMN detail text;

-- Remembered token checks (0005, 0010) are forgotten when whoever approved an OAuth grant is deactivated, too.
DROP TRIGGER users_auth_update ON users;
CREATE TRIGGER users_auth_update AFTER UPDATE OF role, deactivated_at ON users FOR EACH ROW
  WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.deactivated_at IS DISTINCT FROM NEW.deactivated_at)
  EXECUTE FUNCTION tl_notify_auth('workspace_id');
