-- pg_trgm declares its similarity operators with the default cost of a C function (1, the price of `=`), but each
-- call builds and compares trigram sets (a few µs). On a workspace of a few thousand customers the planner therefore
-- prefers filtering every customer with `name_norm %> 'dennis colean'` over the GIN index customers_name_trgm:
-- measured on the 10k-task bench workspace, 11 ms instead of 0.3 ms for that one lookup (misspelt-name p95 27 ms on
-- PostgreSQL, 47 ms on PGlite). Priced at 100 the index wins wherever it should; on a tiny table a scan still does.
-- ALTER FUNCTION needs to own the extension: where another role installed pg_trgm, this step is skipped with a
-- notice (searches stay correct, only small workspaces stay slower) — a database owner can run it by hand.
DO $$
BEGIN
  ALTER FUNCTION word_similarity_commutator_op(text, text) COST 100;
  ALTER FUNCTION word_similarity_op(text, text) COST 100;
  ALTER FUNCTION similarity_op(text, text) COST 100;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'taskline: not the owner of pg_trgm, its operator costs were left as they are (see 0007_trgm_operator_cost.sql)';
END
$$;
