-- Taskline initial schema.
-- Every workspace-scoped table carries workspace_id, every unique key includes it (Citus-ready: distribute by
-- workspace_id). Normalized search columns are maintained by the application (src/domain/normalize.ts).

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is only STABLE (it depends on search_path); pinning the dictionary makes it safe to use in a
-- generated column.
CREATE OR REPLACE FUNCTION tl_unaccent(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

CREATE TABLE workspaces (
  id                        uuid PRIMARY KEY,
  name                      text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  mcp_enabled               boolean NOT NULL DEFAULT true,
  allow_customer_comments   boolean NOT NULL DEFAULT false,
  min_verification_factors  integer NOT NULL DEFAULT 2 CHECK (min_verification_factors BETWEEN 1 AND 3),
  task_seq                  integer NOT NULL DEFAULT 0,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  workspace_id   uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id             uuid NOT NULL,
  email          text NOT NULL,
  email_lower    text NOT NULL,
  name           text NOT NULL,
  role           text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  password_hash  text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, email_lower)
);

CREATE TABLE customers (
  workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id            integer GENERATED ALWAYS AS IDENTITY,
  name          text NOT NULL,
  name_norm     text NOT NULL,          -- lower, unaccented, single spaces
  phone         text,                   -- as entered
  phone_digits  text,                   -- digits only
  phone_rev     text,                   -- digits reversed: suffix search becomes an indexable prefix search
  email         text,
  email_lower   text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX customers_name_trgm ON customers USING gin (name_norm gin_trgm_ops);
CREATE INDEX customers_phone_rev ON customers (workspace_id, phone_rev text_pattern_ops) WHERE phone_rev IS NOT NULL;
CREATE INDEX customers_email ON customers (workspace_id, email_lower text_pattern_ops) WHERE email_lower IS NOT NULL;

CREATE TABLE tasks (
  workspace_id   uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id             integer GENERATED ALWAYS AS IDENTITY,
  number         integer NOT NULL,
  title          text NOT NULL,
  description    text NOT NULL DEFAULT '',
  status         text NOT NULL DEFAULT 'open'
                   CHECK (status IN ('open', 'in_progress', 'waiting', 'done', 'cancelled')),
  priority       text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  customer_id    integer,
  customer_name  text,                  -- denormalized for full-text search; kept in sync by the app
  assignee_id    uuid,
  due_at         timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  search_tsv     tsvector GENERATED ALWAYS AS (
                   to_tsvector('english'::regconfig,
                     tl_unaccent(title || ' ' || description || ' ' || coalesce(customer_name, '')))
                 ) STORED,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, number),
  FOREIGN KEY (workspace_id, customer_id) REFERENCES customers (workspace_id, id),
  FOREIGN KEY (workspace_id, assignee_id) REFERENCES users (workspace_id, id)
);
CREATE INDEX tasks_recent ON tasks (workspace_id, updated_at DESC, id DESC);
CREATE INDEX tasks_status_recent ON tasks (workspace_id, status, updated_at DESC, id DESC);
CREATE INDEX tasks_customer ON tasks (workspace_id, customer_id, updated_at DESC);
CREATE INDEX tasks_assignee ON tasks (workspace_id, assignee_id, updated_at DESC);
CREATE INDEX tasks_created ON tasks (workspace_id, created_at);
CREATE INDEX tasks_search ON tasks USING gin (search_tsv);

CREATE TABLE mcp_credentials (
  workspace_id             uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id                       uuid NOT NULL,
  name                     text NOT NULL,
  token_hash               bytea NOT NULL,   -- SHA-256 of the whole token; the token itself is never stored
  token_prefix             text NOT NULL,    -- e.g. mcp_live_AbCd
  token_last4              text NOT NULL,
  tools                    text[] NOT NULL,
  allow_customer_comments  boolean NOT NULL DEFAULT false,
  verification_factors     integer CHECK (verification_factors BETWEEN 1 AND 3),
  reveal_customer_contact  boolean NOT NULL DEFAULT false,
  expires_at               timestamptz,
  revoked_at               timestamptz,
  created_by               uuid,
  created_at               timestamptz NOT NULL DEFAULT now(),
  last_used_at             timestamptz,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, token_hash)
);
CREATE INDEX mcp_credentials_id ON mcp_credentials (id);
CREATE INDEX mcp_credentials_hash ON mcp_credentials (token_hash);

CREATE TABLE comments (
  workspace_id          uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id                    integer GENERATED ALWAYS AS IDENTITY,
  task_id               integer NOT NULL,
  author_kind           text NOT NULL CHECK (author_kind IN ('staff', 'customer', 'assistant')),
  author_user_id        uuid,
  author_credential_id  uuid,
  author_name           text NOT NULL,
  body                  text NOT NULL,
  idempotency_key       text,
  created_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, task_id) REFERENCES tasks (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX comments_task ON comments (workspace_id, task_id, created_at, id);
CREATE UNIQUE INDEX comments_idempotency ON comments (workspace_id, author_credential_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

CREATE TABLE verification_attempts (
  workspace_id   uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id             bigint GENERATED ALWAYS AS IDENTITY,
  credential_id  uuid NOT NULL,
  task_id        integer NOT NULL,
  success        boolean NOT NULL,
  factor_types   text[] NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX verification_attempts_pair ON verification_attempts (workspace_id, credential_id, task_id, created_at);
CREATE INDEX verification_attempts_cred ON verification_attempts (workspace_id, credential_id, created_at);

CREATE TABLE audit_events (
  workspace_id   uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id             bigint GENERATED ALWAYS AS IDENTITY,
  action         text NOT NULL,            -- tool_call, credential.create, credential.revoke, workspace.update …
  credential_id  uuid,
  user_id        uuid,
  tool           text,
  outcome        text NOT NULL CHECK (outcome IN ('ok', 'denied', 'error', 'verification_failed', 'locked')),
  latency_ms     integer,
  task_id        integer,
  factor_types   text[],
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX audit_events_recent ON audit_events (workspace_id, created_at DESC, id DESC);
