-- Instances remember successful token checks (src/domain/authcache.ts). Any change that could alter one — a credential
-- revoked, edited or deleted; a workspace's MCP switch or policy changed; a workspace deleted — tells every instance
-- which workspace to forget, through NOTIFY on channel taskline_auth (delivered at commit). The triggers fire for
-- every writer, the app, the CLI or someone at a psql prompt. Bookkeeping columns that do not affect a token check
-- (a credential's last_used_at, a workspace's task counter) are left out, so that busy workspaces keep their cache.
CREATE FUNCTION tl_notify_auth() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('taskline_auth', to_jsonb(OLD) ->> TG_ARGV[0]);
  RETURN NULL;
END
$$;

CREATE TRIGGER mcp_credentials_auth_update AFTER UPDATE ON mcp_credentials FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'last_used_at') IS DISTINCT FROM (to_jsonb(NEW) - 'last_used_at'))
  EXECUTE FUNCTION tl_notify_auth('workspace_id');
CREATE TRIGGER mcp_credentials_auth_delete AFTER DELETE ON mcp_credentials FOR EACH ROW
  EXECUTE FUNCTION tl_notify_auth('workspace_id');
CREATE TRIGGER workspaces_auth_update AFTER UPDATE ON workspaces FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'task_seq') IS DISTINCT FROM (to_jsonb(NEW) - 'task_seq'))
  EXECUTE FUNCTION tl_notify_auth('id');
CREATE TRIGGER workspaces_auth_delete AFTER DELETE ON workspaces FOR EACH ROW
  EXECUTE FUNCTION tl_notify_auth('id');
