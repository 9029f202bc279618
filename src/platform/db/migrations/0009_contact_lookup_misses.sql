-- Masked contact details must not be recoverable through search. A credential that sees
-- phones and emails masked finds a customer only by the whole number or address; each such lookup that matched
-- nobody stays here as a row, and a credential with too many within an hour has its phone and email lookups paused
-- (src/domain/contactprobes.ts: one credential's masked lookups run one at a time, so parallel probes cannot outrun
-- the count).
CREATE TABLE contact_lookup_misses (
  workspace_id   uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id             bigint GENERATED ALWAYS AS IDENTITY,
  credential_id  uuid NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX contact_lookup_misses_recent ON contact_lookup_misses (workspace_id, credential_id, created_at);

-- Those misses are audited with their own outcome, so that a run of probes stands out in the audit log.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_outcome_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_outcome_check
  CHECK (outcome IN ('ok', 'denied', 'error', 'verification_failed', 'locked', 'no_match')) NOT VALID;
ALTER TABLE audit_events VALIDATE CONSTRAINT audit_events_outcome_check;
