//! `PgStore` against the real PostgreSQL: migrations (0001 → 0002 on a schema holding
//! rows included), the version rule, aliases, deferred full-text search (indexing,
//! re-indexing a replaced version, two indexers), and an unreachable server. One schema per test, dropped after.

mod common;

use std::time::Duration;

use common::*;
use trawl_sink_pg::batch::keep_highest;
use trawl_sink_pg::decode::{decode, ArticleRow};
use trawl_sink_pg::{PgStore, SinkError, WriteCounts};

const LIMIT: Duration = Duration::from_secs(30);

fn store(schema: &str) -> PgStore {
    PgStore::new(&pg_url(), schema, Duration::from_secs(5)).unwrap()
}

fn row(n: usize, version: u32, lang: &str, title: &str, body: &str) -> ArticleRow {
    decode(&json(&article(n, version, lang, title, body))).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_apply_once_even_when_two_sinks_start_together() {
    with_schema("migrate", LIMIT, |schema| async move {
        let (a, b) = (store(&schema), store(&schema));
        let (ra, rb) = tokio::join!(a.migrate(), b.migrate());
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        // Exactly one of them applied migration 1; the other found it done.
        let mut both = [ra.clone(), rb.clone()];
        both.sort();
        assert_eq!(both, [vec![], vec![1, 2, 3]], "{ra:?} {rb:?}");
        assert_eq!(a.migrate().await.unwrap(), Vec::<i32>::new());
        let c = client(&schema).await;
        assert_eq!(scalar(&c, "SELECT count(*) FROM schema_migrations").await, 3);
        // 0003: the large columns are compressed with lz4 (this server is built with it).
        assert_eq!(
            scalar(
                &c,
                "SELECT count(*) FROM pg_attribute WHERE attrelid = 'articles'::regclass \
                 AND attname IN ('body', 'message') AND attcompression = 'l'"
            )
            .await,
            2
        );
        assert_eq!(
            scalar(
                &c,
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() \
                 AND table_name IN ('articles', 'article_aliases', 'schema_migrations')"
            )
            .await,
            3
        );
        // A schema migrated by a newer build is refused, not written to.
        c.batch_execute("INSERT INTO schema_migrations (version, name) VALUES (99, 'future')")
            .await
            .unwrap();
        match a.migrate().await {
            Err(e @ SinkError::Schema(_)) => {
                assert!(!e.is_transient());
                assert!(e.to_string().contains("newer than this build"), "{e}");
            }
            other => panic!("expected a schema error, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_rule_and_aliases() {
    with_schema("upsert", LIMIT, |schema| async move {
        let s = store(&schema);
        s.migrate().await.unwrap();
        let c = client(&schema).await;
        let v1 = row(1, 1, "en", "First title", "First body.");
        let v2 = row(1, 2, "en", "Second title", "Second body.");
        let other = row(2, 1, "en", "Other", "Other body.");

        let w = s.write(&[&v1, &other]).await.unwrap();
        assert_eq!(w, WriteCounts { inserted: 2, updated: 0, unchanged: 0 });
        // Redelivery: nothing changes (updated_at included).
        let before: String = c
            .query_one("SELECT updated_at::text FROM articles WHERE id = $1", &[&v1.id])
            .await
            .unwrap()
            .get(0);
        let w = s.write(&[&v1, &other]).await.unwrap();
        assert_eq!(w, WriteCounts { inserted: 0, updated: 0, unchanged: 2 });
        let after: String = c
            .query_one("SELECT updated_at::text FROM articles WHERE id = $1", &[&v1.id])
            .await
            .unwrap()
            .get(0);
        assert_eq!(before, after);
        // A higher version replaces.
        let w = s.write(&[&v2]).await.unwrap();
        assert_eq!(w, WriteCounts { inserted: 0, updated: 1, unchanged: 0 });
        // A lower one never does.
        let w = s.write(&[&v1]).await.unwrap();
        assert_eq!(w.unchanged, 1);
        let r = c
            .query_one(
                "SELECT version, title, body, authors, message->>'title', canonical_url, is_article \
                 FROM articles WHERE id = $1",
                &[&v1.id],
            )
            .await
            .unwrap();
        assert_eq!(r.get::<_, i32>(0), 2);
        assert_eq!(r.get::<_, String>(1), "Second title");
        assert_eq!(r.get::<_, String>(2), "Second body.");
        assert_eq!(r.get::<_, Vec<String>>(3), vec!["Jane Doe".to_string()]);
        assert_eq!(r.get::<_, String>(4), "Second title");
        assert_eq!(
            r.get::<_, Option<String>>(5).as_deref(),
            Some("https://news.example/en/story-1")
        );
        assert!(r.get::<_, bool>(6));
        // The fetch URL is an alias of the canonical one.
        let alias_owner: String = c
            .query_one(
                "SELECT article_id FROM article_aliases WHERE alias = $1",
                &[&"https://news.example/en/story-1?utm_source=feed"],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(alias_owner, v1.id);
        assert_eq!(scalar(&c, "SELECT count(*) FROM articles").await, 2);

        // In one batch, only the highest version of an id is written, whatever the order.
        let batch = vec![
            row(3, 2, "en", "v2", "b"),
            row(3, 5, "en", "v5", "b"),
            row(3, 1, "en", "v1", "b"),
        ];
        let (kept, superseded) = keep_highest(&batch);
        assert_eq!(superseded, 2);
        assert_eq!(s.write(&kept).await.unwrap().inserted, 1);
        let title: String = c
            .query_one("SELECT title FROM articles WHERE id = $1", &[&batch[0].id])
            .await
            .unwrap()
            .get(0);
        assert_eq!(title, "v5");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_text_search_follows_the_language() {
    with_schema("search", LIMIT, |schema| async move {
        let s = store(&schema);
        s.migrate().await.unwrap();
        let rows = [
            row(1, 1, "en", "Parliament elections held", "Voters were voting across the country."),
            row(2, 1, "ru", "Выборы в парламент", "Избиратели голосовали по всей стране."),
            row(3, 1, "de", "Wahlen zum Parlament", "Die Wähler stimmten im ganzen Land ab."),
            row(4, 1, "xx", "Elections", "An article in a language without a configuration."),
            row(5, 1, "en", "Football results", "The match ended in a draw."),
            row(6, 1, "en", "Vote count delayed", "Officials said the tally takes a week."),
        ];
        s.write(&rows.iter().collect::<Vec<_>>()).await.unwrap();
        let c = client(&schema).await;
        // Not searchable until indexed (deferred: migration 0002).
        assert_eq!(s.search_backlog().await.unwrap(), 6);
        assert_eq!(
            scalar(&c, "SELECT count(*) FROM articles WHERE search IS NOT NULL").await,
            0
        );
        assert_eq!(s.index_search(4).await.unwrap(), 4);
        assert_eq!(s.index_search(4).await.unwrap(), 2);
        assert_eq!(s.index_search(4).await.unwrap(), 0);
        assert_eq!(s.search_backlog().await.unwrap(), 0);
        let ids = |sql: &'static str, q: &'static str| {
            let c = &c;
            async move {
                let mut v: Vec<String> = c
                    .query(sql, &[&q])
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                v.sort();
                v
            }
        };
        let id = |n: usize| format!("{n:032x}");
        // English stemming: "election" / "vote" match "elections" / "voting".
        let en = "SELECT id FROM articles WHERE language = 'en' \
                  AND search @@ websearch_to_tsquery('english', $1)";
        assert_eq!(ids(en, "election vote").await, vec![id(1)]);
        assert_eq!(ids(en, "votes").await, vec![id(1), id(6)]);
        assert_eq!(ids(en, "election -football").await, vec![id(1)]);
        assert_eq!(ids(en, "\"ended in a draw\"").await, vec![id(5)]);
        // Russian stemming: "выборы голосовать" matches "Выборы ... голосовали".
        let ru = "SELECT id FROM articles WHERE search @@ websearch_to_tsquery('russian', $1)";
        assert_eq!(ids(ru, "выборы голосовать").await, vec![id(2)]);
        let de = "SELECT id FROM articles WHERE search @@ websearch_to_tsquery('german', $1)";
        assert_eq!(ids(de, "Wahl Parlament").await, vec![id(3)]);
        // Unknown language: `simple` (exact words, lower-cased), through the same function.
        let any = "SELECT id FROM articles \
                   WHERE search @@ websearch_to_tsquery(trawl_ts_config(language), $1)";
        assert_eq!(ids(any, "elections").await, vec![id(1), id(4)]);
        // Title matches rank above body matches (weights A and B).
        let ranked: Vec<String> = c
            .query(
                "SELECT id FROM articles, websearch_to_tsquery('english', 'voting') q \
                 WHERE search @@ q ORDER BY ts_rank(search, q) DESC, id",
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(ranked, vec![id(6), id(1)]);
        // The GIN index is there and usable.
        c.batch_execute("SET enable_seqscan = off").await.unwrap();
        let plan: Vec<String> = c
            .query(
                "EXPLAIN SELECT id FROM articles WHERE search @@ websearch_to_tsquery('english', 'vote')",
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert!(plan.join("\n").contains("articles_search_idx"), "{plan:?}");
    })
    .await;
}

/// Ids of the rows matching an English web search.
async fn found(c: &tokio_postgres::Client, q: &str) -> Vec<String> {
    let mut v: Vec<String> = c
        .query(
            "SELECT id FROM articles WHERE search @@ websearch_to_tsquery('english', $1)",
            &[&q],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_version_is_reindexed_with_its_new_body() {
    with_schema("reindex", LIMIT, |schema| async move {
        let s = store(&schema);
        s.migrate().await.unwrap();
        let c = client(&schema).await;
        let v1 = row(1, 1, "en", "Zoo news", "A giraffe escaped from the zoo.");
        let v2 = row(1, 2, "en", "Zoo news", "A zebra was born at the zoo.");
        s.write(&[&v1]).await.unwrap();
        assert_eq!(s.index_search(100).await.unwrap(), 1);
        assert_eq!(found(&c, "giraffes").await, vec![v1.id.clone()]);
        // A redelivery of the same version changes nothing: still indexed.
        s.write(&[&v1]).await.unwrap();
        assert_eq!(s.search_backlog().await.unwrap(), 0);
        // The newer version resets `search`: unsearchable until the indexer ran again,
        // then found by its new words only.
        assert_eq!(s.write(&[&v2]).await.unwrap().updated, 1);
        assert_eq!(s.search_backlog().await.unwrap(), 1);
        assert!(found(&c, "giraffe").await.is_empty());
        assert_eq!(s.index_search(100).await.unwrap(), 1);
        assert_eq!(found(&c, "zebras born").await, vec![v2.id.clone()]);
        assert!(found(&c, "giraffe").await.is_empty());
        // Exactly the 0001 expression (weights and language mapping included).
        assert_eq!(
            scalar(
                &c,
                "SELECT count(*) FROM articles WHERE search = \
                 setweight(to_tsvector(trawl_ts_config(language), coalesce(title, '')), 'A') || \
                 setweight(to_tsvector(trawl_ts_config(language), left(body, 100000)), 'B')"
            )
            .await,
            1
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_indexers_index_every_row_once() {
    with_schema("twoidx", Duration::from_secs(90), |schema| async move {
        let s = store(&schema);
        s.migrate().await.unwrap();
        let c = client(&schema).await;
        // Every fill of `search` is logged, to count indexings per row.
        c.batch_execute(
            "CREATE TABLE index_log (id text NOT NULL);
             CREATE FUNCTION log_index() RETURNS trigger LANGUAGE plpgsql AS
               $$ BEGIN INSERT INTO index_log VALUES (NEW.id); RETURN NEW; END $$;
             CREATE TRIGGER log_index AFTER UPDATE OF search ON articles
               FOR EACH ROW WHEN (NEW.search IS NOT NULL) EXECUTE FUNCTION log_index();",
        )
        .await
        .unwrap();
        let body =
            "The minister said the budget talks would resume after the election. ".repeat(30);
        let rows: Vec<ArticleRow> = (0..3000)
            .map(|n| row(n, 1, "en", &format!("Story {n}"), &body))
            .collect();
        for chunk in rows.chunks(500) {
            s.write(&chunk.iter().collect::<Vec<_>>()).await.unwrap();
        }
        assert_eq!(s.search_backlog().await.unwrap(), 3000);
        // Two indexers (two sink replicas, two pools) until both find nothing left.
        let (a, b) = (store(&schema), store(&schema));
        let drain = |st: PgStore| async move {
            let (mut total, mut batches) = (0u64, 0u32);
            loop {
                let n = st.index_search(50).await.unwrap();
                assert!(n <= 50, "{n} rows for a batch of 50");
                if n == 0 {
                    return (total, batches);
                }
                total += n;
                batches += 1;
            }
        };
        let ((na, ba), (nb, bb)) = tokio::join!(drain(a), drain(b));
        assert_eq!(na + nb, 3000, "a {na} + b {nb}");
        assert!(
            ba > 0 && bb > 0,
            "both indexers took part: {ba} and {bb} batches"
        );
        assert_eq!(s.search_backlog().await.unwrap(), 0);
        assert_eq!(scalar(&c, "SELECT count(*) FROM index_log").await, 3000);
        assert_eq!(
            scalar(&c, "SELECT count(DISTINCT id) FROM index_log").await,
            3000
        );
        assert_eq!(found(&c, "ministers").await.len(), 3000);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrating_from_0001_keeps_rows_searchable() {
    with_schema("from0001", LIMIT, |schema| async move {
        // A schema as a build with migration 0001 only left it, holding rows.
        let c = client("public").await;
        let m1 = &trawl_sink_pg::migrate::MIGRATIONS[0];
        assert_eq!(m1.version, 1);
        c.batch_execute(&format!(
            "CREATE SCHEMA {schema}; SET search_path TO {schema};
             CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now());
             {sql}
             INSERT INTO schema_migrations (version, name) VALUES (1, 'articles');
             INSERT INTO articles (id, version, url, title, body, language, is_article, message)
             VALUES ('a', 1, 'https://ex.com/a', 'Parliament elections held', 'Voters were voting.', 'en', true, '{{}}'),
                    ('b', 1, 'https://ex.com/b', 'Выборы в парламент', 'Избиратели голосовали.', 'ru', true, '{{}}'),
                    ('old', 1, 'https://ex.com/old', NULL, repeat('Earlier story. ', 600), 'en', true, '{{}}');",
            sql = m1.sql
        ))
        .await
        .unwrap();
        let before: Vec<String> = c
            .query("SELECT search::text FROM articles ORDER BY id", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let s = store(&schema);
        assert_eq!(s.migrate().await.unwrap(), vec![2, 3]);
        let c = client(&schema).await;
        // Same vectors, nothing waiting, still found through the GIN index's column.
        let after: Vec<String> = c
            .query("SELECT search::text FROM articles ORDER BY id", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(before, after);
        assert_eq!(s.search_backlog().await.unwrap(), 0);
        assert_eq!(found(&c, "election vote").await, vec!["a".to_string()]);
        let ru: i64 = c
            .query_one(
                "SELECT count(*) FROM articles WHERE search @@ websearch_to_tsquery('russian', 'выборы голосовать')",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(ru, 1);
        // The column is a plain one now, and new rows wait for the indexer.
        assert_eq!(
            scalar(
                &c,
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() \
                 AND table_name = 'articles' AND column_name = 'search' AND is_generated = 'NEVER'"
            )
            .await,
            1
        );
        s.write(&[&row(3, 1, "en", "Storm warning", "Flooding expected.")])
            .await
            .unwrap();
        assert_eq!(s.search_backlog().await.unwrap(), 1);
        assert_eq!(s.index_search(10).await.unwrap(), 1);
        assert_eq!(found(&c, "floods").await, vec![format!("{:032x}", 3)]);
        // 0003: values written from now on are compressed with lz4; those stored before
        // keep pglz, and both read back.
        let long = "Flooding expected downstream. ".repeat(300);
        s.write(&[&row(4, 1, "en", "Storm", &long)]).await.unwrap();
        let compression: Vec<(String, Option<String>, Option<String>, i32)> = c
            .query(
                "SELECT id, pg_column_compression(body), pg_column_compression(message),
                        length(body) FROM articles WHERE length(body) > 5000 ORDER BY id",
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect();
        assert_eq!(
            compression,
            vec![
                (format!("{:032x}", 4), Some("lz4".into()), Some("lz4".into()), long.len() as i32),
                ("old".into(), Some("pglz".into()), None, 9000),
            ]
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vector_the_database_refuses_leaves_the_row_with_an_empty_one() {
    with_schema("badvec", LIMIT, |schema| async move {
        let s = store(&schema);
        s.migrate().await.unwrap();
        let c = client(&schema).await;
        // Stands for a vector PostgreSQL refuses (over the 1 MB tsvector limit, ...).
        c.batch_execute(
            "ALTER TABLE articles ADD CONSTRAINT no_forbidden \
             CHECK (search IS NULL OR NOT search @@ 'forbidden'::tsquery)",
        )
        .await
        .unwrap();
        let ok = row(1, 1, "en", "Fine", "Nothing to see.");
        let bad = row(2, 1, "en", "Forbidden", "A forbidden word.");
        s.write(&[&ok, &bad]).await.unwrap();
        assert_eq!(s.index_search(10).await.unwrap(), 2);
        assert_eq!(s.search_backlog().await.unwrap(), 0);
        assert_eq!(found(&c, "nothing").await, vec![ok.id.clone()]);
        let empty: bool = c
            .query_one(
                "SELECT search = ''::tsvector FROM articles WHERE id = $1",
                &[&bad.id],
            )
            .await
            .unwrap()
            .get(0);
        assert!(empty);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_postgres_is_transient_and_never_shows_the_password() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("postgres://sink:hunter22@127.0.0.1:{port}/test");
    let s = PgStore::new(&url, "public", Duration::from_secs(2)).unwrap();
    assert!(!s.ping().await);
    let e = s.migrate().await.unwrap_err();
    assert!(e.is_transient(), "{e}");
    let r = row(1, 1, "en", "t", "b");
    let e2 = s.write(&[&r]).await.unwrap_err();
    assert!(e2.is_transient(), "{e2}");
    for text in [e.to_string(), e2.to_string(), s.redacted_url().to_string()] {
        assert!(!text.contains("hunter22"), "{text}");
    }
    assert!(
        s.redacted_url().contains("sink:***@"),
        "{}",
        s.redacted_url()
    );
    // Bad settings are refused up front.
    assert!(matches!(
        PgStore::new(
            "postgres://x@127.0.0.1/test",
            "Bad-Schema",
            Duration::from_secs(1)
        ),
        Err(SinkError::Config(_))
    ));
    assert!(matches!(
        PgStore::new(
            "postgres://x@127.0.0.1:notaport/test",
            "public",
            Duration::from_secs(1)
        ),
        Err(SinkError::Config(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_the_database_refuses_is_a_data_error() {
    with_schema("refuse", LIMIT, |schema| async move {
        let s = store(&schema);
        s.migrate().await.unwrap();
        // The database refuses what our checks let through: here a constraint added by an
        // operator (stands for any data error: out-of-range value, over-long key...).
        let c = client(&schema).await;
        c.batch_execute("ALTER TABLE articles ADD CONSTRAINT no_spam CHECK (title <> 'spam')")
            .await
            .unwrap();
        let bad = row(1, 1, "en", "spam", "b");
        let good = row(2, 1, "en", "fine", "b");
        let e = s.write(&[&good, &bad]).await.unwrap_err();
        assert!(matches!(e, SinkError::Data(_)), "{e:?}");
        assert!(!e.is_transient());
        assert!(e.to_string().contains("no_spam"), "{e}");
        // Nothing of the refused batch was committed.
        assert_eq!(scalar(&c, "SELECT count(*) FROM articles").await, 0);
    })
    .await;
}
