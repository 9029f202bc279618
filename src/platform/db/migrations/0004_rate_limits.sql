-- Shared rate-limit counters (fixed windows). Instances count locally and add their counts here every few hundred
-- milliseconds, so a limit holds across any number of instances (no state that matters lives in the app).
-- Keys are "cred:<uuid>" or "ip:<address>"; not workspace data (a Citus reference/local table).
CREATE TABLE rate_counters (
  key           text NOT NULL,
  window_start  timestamptz NOT NULL,
  count         integer NOT NULL,
  PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_counters_window ON rate_counters (window_start);

-- Verification lockout checks count recent failures per credential; index only the failures.
CREATE INDEX verification_attempts_failures ON verification_attempts (workspace_id, credential_id, created_at) WHERE NOT success;
