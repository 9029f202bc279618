-- The web form that creates a credential carries a one-time key, so that submitting it twice (a reload of the page
-- that showed the token, a double click) creates one credential, not a second one whose token nobody ever saw.
ALTER TABLE mcp_credentials ADD COLUMN create_key text;
CREATE UNIQUE INDEX mcp_credentials_create_key ON mcp_credentials (workspace_id, create_key) WHERE create_key IS NOT NULL;
