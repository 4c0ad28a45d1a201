//! A distributed crawl into PostgreSQL: `trawl frontier`, `trawl worker` and
//! `trawl sink postgres` as separate processes over the real RabbitMQ, Redis and
//! PostgreSQL (`TRAWL_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`),
//! crawling the local test site: every reachable article lands exactly once (one row per
//! id, each id inserted once), searchable once the sink's search indexer ran, and the sink reports ready and stops on SIGTERM.

use std::collections::HashSet;
use std::process::Stdio;
use std::time::Duration;

use tokio_postgres::NoTls;
use trawl_e2e::kit::{self, Extra};
use trawl_e2e::{amqp_url, redis_url, unique, Proc};

fn pg_url() -> String {
    std::env::var("TRAWL_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

async fn pg() -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(&pg_url(), NoTls)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL must be reachable at {}: {e}", pg_url()));
    tokio::spawn(conn);
    client
}

/// `trawl_sink_articles_total{outcome="…"}` from the sink's `/metrics`.
fn outcome(port: u16, outcome: &str) -> Option<f64> {
    sample(
        port,
        &format!("trawl_sink_articles_total{{outcome=\"{outcome}\"}}"),
    )
}

/// The value of one series (name and labels as exposed) from the sink's `/metrics`.
fn sample(port: u16, series: &str) -> Option<f64> {
    let (_, body) = kit::http_get(port, "/metrics")?;
    let prefix = format!("{series} ");
    body.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|v| v.trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_crawl_lands_in_postgres_exactly_once() {
    let site = kit::fault_site(2, 8, 0.1, Duration::ZERO).await;
    let expected = kit::expected_of(&site);
    let prefix = unique("pgsink");
    let schema = format!("e2e_{}", prefix.replace('-', "_")).to_lowercase();
    let dir = tempfile::tempdir().unwrap();
    let (amqp, redis) = (amqp_url(), redis_url());
    let config = kit::write_config(dir.path(), &amqp, &redis, &prefix, &Extra::default());
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "[postgres]\nurl = \"{}\"\nschema = \"{schema}\"\nqueue = \"e2e\"\nbatch_timeout = \"50ms\"\n",
        pg_url()
    ));
    std::fs::write(&config, text).unwrap();
    let db = pg().await;

    let cfg = config.clone();
    let dir_path = dir.path().to_path_buf();
    let seeds = site.home_pages();
    let exp = expected.clone();
    let outcome_run = tokio::task::spawn_blocking(move || {
        let sink_port = kit::free_port();
        let log = std::fs::File::create(dir_path.join("sink.log")).unwrap();
        let sink = Proc::spawn(
            "sink",
            kit::trawl(&cfg)
                .args(["sink", "postgres", "--set"])
                .arg(format!("metrics.listen=127.0.0.1:{sink_port}"))
                .stdout(Stdio::null())
                .stderr(log),
        );
        // Ready = subscribed (its queue collects from now on), migrated, broker up.
        let ready = kit::wait_until(Duration::from_secs(30), || {
            kit::http_get(sink_port, "/readyz").is_some_and(|(code, _)| code == 200)
        });
        assert!(
            ready,
            "sink not ready: {}",
            kit::read_log(&dir_path.join("sink.log"))
        );
        let (_frontier, _) = kit::spawn_role(&cfg, &dir_path, "frontier", "frontier", 0);
        let (_worker, _) = kit::spawn_role(&cfg, &dir_path, "worker", "worker", 0);
        kit::seed(&cfg, &seeds, &dir_path);
        assert!(
            kit::wait_drained(&cfg, Duration::from_secs(120)).is_some(),
            "the crawl did not drain"
        );
        (sink, sink_port, exp)
    })
    .await;
    let (mut sink, sink_port, expected) = match outcome_run {
        Ok(v) => v,
        Err(e) => {
            kit::cleanup(&prefix, &amqp, &redis, Some("e2e")).await;
            std::panic::resume_unwind(e.into_panic());
        }
    };

    // Every expected article lands (the sink batches for at most 50 ms).
    let mut landed = HashSet::new();
    for _ in 0..300 {
        landed = db
            .query(
                &format!(
                    "SELECT canonical_url FROM {schema}.articles WHERE canonical_url IS NOT NULL"
                ),
                &[],
            )
            .await
            .map(|rows| rows.iter().map(|r| r.get::<_, String>(0)).collect())
            .unwrap_or_default();
        if landed.is_superset(&expected) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let count = |sql: String| {
        let db = &db;
        async move { db.query_one(&sql, &[]).await.unwrap().get::<_, i64>(0) }
    };
    let rows = count(format!("SELECT count(*) FROM {schema}.articles")).await;
    let distinct = count(format!("SELECT count(DISTINCT id) FROM {schema}.articles")).await;
    let canonicals = count(format!(
        "SELECT count(DISTINCT canonical_url) FROM {schema}.articles"
    ))
    .await;
    // Search is filled by the sink's indexer after the rows land (migration 0002): wait
    // until nothing is waiting for it.
    for _ in 0..300 {
        let waiting = count(format!(
            "SELECT count(*) FROM {schema}.articles WHERE search IS NULL"
        ))
        .await;
        if waiting == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let searchable = count(format!(
        "SELECT count(*) FROM {schema}.articles \
         WHERE search @@ plainto_tsquery({schema}.trawl_ts_config(language), title)"
    ))
    .await;
    let inserted = outcome(sink_port, "inserted");
    let rejected = outcome(sink_port, "rejected");
    let indexed = sample(sink_port, "trawl_sink_search_indexed_total");
    let stopped = sink.terminate(Duration::from_secs(15));
    let log = kit::read_log(&dir.path().join("sink.log"));
    db.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .await
        .unwrap();
    kit::cleanup(&prefix, &amqp, &redis, Some("e2e")).await;

    let missing: Vec<_> = expected.difference(&landed).collect();
    assert!(missing.is_empty(), "not in PostgreSQL: {missing:?}\n{log}");
    assert_eq!(rows, distinct, "one row per id");
    assert_eq!(rows, canonicals, "one row per canonical URL");
    assert!(rows >= expected.len() as i64);
    // Each id was inserted exactly once; nothing was refused.
    assert_eq!(inserted, Some(rows as f64), "{log}");
    assert_eq!(rejected, Some(0.0));
    // Each article is found by a full-text query of its own title.
    assert!(
        searchable >= expected.len() as i64,
        "{searchable} searchable"
    );
    // Every row was indexed by this (the only) sink's indexer, at least once.
    assert!(
        indexed.is_some_and(|n| n >= rows as f64),
        "indexed {indexed:?} of {rows}"
    );
    assert!(stopped, "the sink did not stop on SIGTERM:\n{log}");
    assert!(log.contains("sink running"), "{log}");
}
