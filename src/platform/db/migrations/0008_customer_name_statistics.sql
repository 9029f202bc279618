-- Planning a trigram condition (`name_norm %> 'word'`) estimates its selectivity by running word_similarity over the
-- column's statistics: with the default statistics target that is ~200 calls, ~0.5 ms per condition, paid on every
-- misspelt-name lookup (three conditions for a two-word name: ~2.3 ms of planning for 0.4 ms of execution on the
-- 10k-task bench workspace). Ten statistics entries are below the histogram size the estimator uses, so it takes its
-- default selectivity (1%) instead: planning that statement drops to ~0.9 ms and the plans stay the same (the
-- trigram and prefix indexes; the name-prefix lookups are ordered index ranges with a LIMIT, which need no histogram).
ALTER TABLE customers ALTER COLUMN name_norm SET STATISTICS 10;
ANALYZE customers;
