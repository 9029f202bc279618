-- Misspelt names found through the workspace's own name words (issue #17): the fuzzy step corrects each word the
-- caller said against name_tokens (a few hundred to a few thousand short words of one workspace, by trigram word
-- similarity), then finds the customers whose name holds a corrected word for every word said — through this index,
-- whose keys are '<workspace id>:<word>', so a posting list holds one workspace's customers with that word (a
-- thousand or two at 333k customers), never the table's. Before, each word scanned customers_name_trgm's posting lists
-- over every customer of every workspace (3–4 ms a word at 333k customers). customers_name_trgm stays for the
-- last-resort loose lookup (a word said as two: "obrien" ~ "o brien") and the staff app's customer picker.
CREATE FUNCTION tl_name_keys(ws uuid, name text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_agg(DISTINCT ws::text || ':' || w) FROM unnest(string_to_array(name, ' ')) AS w WHERE w <> ''
$$;

CREATE INDEX customers_name_keys ON customers USING gin (tl_name_keys(workspace_id, name_norm));
