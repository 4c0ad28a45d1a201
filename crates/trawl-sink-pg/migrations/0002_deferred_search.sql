-- 0002: full-text search filled after the row lands, by the sink's search indexer,
-- instead of a generated column computed inside every insert.
--
-- `to_tsvector` over a 450-word body costs ~0.40 ms of a PostgreSQL core, ~13x the rest of
-- the insert: computed at insert it bounded ingestion. Now an insert leaves `search` NULL
-- and the indexer (crates/trawl-sink-pg/src/indexer.rs) fills it in batches with the same
-- expression, the same weights and the same language mapping (trawl_ts_config) as 0001.

-- The one definition of an article's search vector (0001's generated expression): title
-- (weight A) and the first 100,000 characters of the body (weight B), stemmed in the
-- article's language. Immutable, so it can also back an expression index or a check.
CREATE FUNCTION trawl_search_vector(title text, body text, lang text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN setweight(to_tsvector(trawl_ts_config(lang), coalesce(title, '')), 'A') ||
       setweight(to_tsvector(trawl_ts_config(lang), left(body, 100000)), 'B');

-- The generated column becomes a plain nullable one; existing rows keep their values
-- (no table rewrite). NULL = not indexed yet (new rows, and rows replaced by a newer
-- version: the sink's upsert sets it back to NULL).
ALTER TABLE articles ALTER COLUMN search DROP EXPRESSION;

-- Rows of a schema created by 0001 all have their vector already; this is a no-op
-- there, and indexes anything left NULL by hand.
UPDATE articles SET search = trawl_search_vector(title, body, language) WHERE search IS NULL;

-- The indexer's work queue: unindexed rows, oldest first. Small (only pending rows).
CREATE INDEX articles_search_pending_idx ON articles (updated_at) WHERE search IS NULL;
