-- Misspelt names the way callers (and speech-to-text) make them — a swapped, dropped or doubled letter, a sound-alike
-- spelling — found by correcting each word against a per-workspace dictionary of the words customers' names are made
-- of (src/domain/searchSql.ts, class customerNameEdit), then looking the corrected name up exactly. A workspace's
-- names use a few hundred to a few thousand distinct words, so comparing a word with all of them by edit distance
-- (fuzzystrmatch's levenshtein_less_equal) and by sound (dmetaphone) is cheap, whatever the number of customers.
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

CREATE TABLE name_tokens (
  workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  token         text NOT NULL,               -- one word of customers.name_norm
  phonetic      text NOT NULL,               -- dmetaphone(token)
  PRIMARY KEY (workspace_id, token)
);

-- Kept by the database for every writer (the app, the seed, the CLI, plain SQL), in the transaction that writes the
-- customer. A word left by a renamed or deleted customer stays: it corrects to a name nobody has, which finds nothing.
CREATE FUNCTION tl_name_tokens_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO name_tokens (workspace_id, token, phonetic)
  SELECT DISTINCT n.workspace_id, w, dmetaphone(w)
  FROM new_rows n, unnest(string_to_array(n.name_norm, ' ')) AS w
  WHERE w <> ''
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
CREATE TRIGGER customers_name_tokens_insert AFTER INSERT ON customers
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tl_name_tokens_add();
CREATE TRIGGER customers_name_tokens_update AFTER UPDATE ON customers
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tl_name_tokens_add();

INSERT INTO name_tokens (workspace_id, token, phonetic)
SELECT DISTINCT c.workspace_id, w, dmetaphone(w)
FROM customers c, unnest(string_to_array(c.name_norm, ' ')) AS w
WHERE w <> ''
ON CONFLICT DO NOTHING;
