-- 0001: articles, their alias URLs, and language-aware full-text search.
--
-- Applied by trawl-sink-pg at start, inside one transaction, under an advisory lock.
-- Never edit a migration that has shipped: add the next numbered file instead.

-- ISO 639-1 code (optionally with a region, `pt-BR`) -> text search configuration.
-- Unknown or absent languages use `simple` (lower-casing, no stemming).
-- The body is parsed at creation (SQL-standard body), so the configuration names are
-- resolved once; the function is immutable and can back a generated column.
CREATE FUNCTION trawl_ts_config(lang text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE lower(split_part(coalesce(lang, ''), '-', 1))
    WHEN 'ar' THEN 'arabic'::regconfig
    WHEN 'hy' THEN 'armenian'::regconfig
    WHEN 'eu' THEN 'basque'::regconfig
    WHEN 'ca' THEN 'catalan'::regconfig
    WHEN 'da' THEN 'danish'::regconfig
    WHEN 'nl' THEN 'dutch'::regconfig
    WHEN 'en' THEN 'english'::regconfig
    WHEN 'fi' THEN 'finnish'::regconfig
    WHEN 'fr' THEN 'french'::regconfig
    WHEN 'de' THEN 'german'::regconfig
    WHEN 'el' THEN 'greek'::regconfig
    WHEN 'hi' THEN 'hindi'::regconfig
    WHEN 'hu' THEN 'hungarian'::regconfig
    WHEN 'id' THEN 'indonesian'::regconfig
    WHEN 'ga' THEN 'irish'::regconfig
    WHEN 'it' THEN 'italian'::regconfig
    WHEN 'lt' THEN 'lithuanian'::regconfig
    WHEN 'ne' THEN 'nepali'::regconfig
    WHEN 'no' THEN 'norwegian'::regconfig
    WHEN 'nb' THEN 'norwegian'::regconfig
    WHEN 'nn' THEN 'norwegian'::regconfig
    WHEN 'pt' THEN 'portuguese'::regconfig
    WHEN 'ro' THEN 'romanian'::regconfig
    WHEN 'ru' THEN 'russian'::regconfig
    WHEN 'sr' THEN 'serbian'::regconfig
    WHEN 'es' THEN 'spanish'::regconfig
    WHEN 'sv' THEN 'swedish'::regconfig
    WHEN 'ta' THEN 'tamil'::regconfig
    WHEN 'tr' THEN 'turkish'::regconfig
    WHEN 'yi' THEN 'yiddish'::regconfig
    ELSE 'simple'::regconfig
END;

CREATE TABLE articles (
    id            text PRIMARY KEY,
    version       integer NOT NULL CHECK (version >= 1),
    canonical_url text,
    url           text NOT NULL,
    title         text,
    lead          text,
    authors       text[] NOT NULL DEFAULT '{}',
    published_at  timestamptz,
    modified_at   timestamptz,
    section       text,
    language      text,
    body          text NOT NULL DEFAULT '',
    image_url     text,
    fetched_at    timestamptz,
    is_article    boolean NOT NULL,
    -- The whole message as received (unknown fields of newer producers included).
    message       jsonb NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- Title (weight A) and the first 100,000 characters of the body (weight B), stemmed
    -- in the article's language (trawl_ts_config). The body is capped so that a huge
    -- page cannot exceed the 1 MB tsvector limit.
    search        tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(trawl_ts_config(language), coalesce(title, '')), 'A') ||
        setweight(to_tsvector(trawl_ts_config(language), left(body, 100000)), 'B')
    ) STORED
);

CREATE INDEX articles_search_idx ON articles USING gin (search);
-- Hash: equality lookups by URL without btree's ~2.7 kB key limit.
CREATE INDEX articles_canonical_url_idx ON articles USING hash (canonical_url);
CREATE INDEX articles_published_at_idx ON articles (published_at);

-- Other URLs an article was seen under (the message's `aliases[]` and its fetch `url`
-- when that differs from the canonical one) -> the article's id.
CREATE TABLE article_aliases (
    alias      text PRIMARY KEY,
    article_id text NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX article_aliases_article_id_idx ON article_aliases (article_id);
