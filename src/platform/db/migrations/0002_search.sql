-- Search (src/domain/search.ts): prefix indexes for customer names, so that a name a caller says ("Russell",
-- "hale russell") finds candidate customers by an ordered index range that stops after a few dozen rows, instead of
-- rechecking every trigram match (thousands of rows for a common first name on a large workspace). The GIN trigram
-- index customers_name_trgm stays for misspellings and names in other word orders.

-- "russell hale" LIKE 'russell%' / 'russell hale%' (first word first).
CREATE INDEX customers_name_prefix ON customers (workspace_id, name_norm text_pattern_ops);

-- The last word moved to the front: "russell hale" → "hale russell", so a surname or "surname firstname" is a prefix
-- too. The expression must match the one in search.ts (NAME_ROTATED) exactly.
CREATE INDEX customers_name_rotated_prefix ON customers
  (workspace_id, (regexp_replace(name_norm, '^(.*) ([^ ]+)$', '\2 \1')) text_pattern_ops);

-- GIN "fast update" buffers new entries in a pending list of up to 4 MB that every search scans linearly: right after
-- a bulk load (seed, import) or between autovacuums, a fuzzy name search on a 200k-task workspace took ~400 ms
-- instead of ~4 ms, and the planner, costing the pending list, chose sequential scans. A small list keeps searches
-- index-fast at some cost to bulk inserts (seeding 200k tasks: ~17 s → ~40 s).
ALTER INDEX customers_name_trgm SET (gin_pending_list_limit = 128);
ALTER INDEX tasks_search SET (gin_pending_list_limit = 128);
