-- 0003: compress the large columns (`body`, `message`) with lz4 instead of pglz.
--
-- A 450-word article is a ~7 kB row (the body, and the message that holds the body again),
-- above the TOAST threshold: every insert compresses both values. pglz_compress was the
-- largest single cost of the sink's inserts (docs/benchmarks.md, "PostgreSQL sink"); lz4
-- compresses several times faster (and decompresses faster for the search indexer), at a
-- somewhat lower ratio.
--
-- Only values written from now on use lz4; stored ones keep pglz (PostgreSQL reads both,
-- no table rewrite). A server built without lz4 (`--with-lz4`) refuses the method: the
-- columns then keep the default compression and the migration still applies.
DO $$
BEGIN
    ALTER TABLE articles
        ALTER COLUMN body SET COMPRESSION lz4,
        ALTER COLUMN message SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 not available in this PostgreSQL build: body and message keep %',
        current_setting('default_toast_compression');
END
$$;
