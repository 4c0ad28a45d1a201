//! Sink throughput: synthetic Article messages through RabbitMQ into PostgreSQL.
//!
//! `cargo run --release -p trawl-sink-pg --example bench_sink -- [N] [BATCH_SIZE] [BATCH_TIMEOUT_MS] [WRITERS] [BODY_WORDS] [SEARCH_BATCH_SIZE] [SEARCH_CONCURRENCY]`
//! (defaults 50000, 500, 200, 2, 450, 250, 1; `scripts/bench-sink.sh` runs it). Uses `TRAWL_TEST_AMQP_URL` and
//! `TRAWL_TEST_POSTGRES_URL` (the test defaults), a unique broker prefix and a unique schema,
//! both removed at the end. Two phases, each with N fresh articles (~4.3 kB of JSON with the
//! default 450-word English body, so the tsvector and the GIN index do real work):
//!
//! 1. backlog: N messages published first (confirmed, 256 in flight), then one sink drains
//!    them: rows landed per second (committed, acked); then the time until the search
//!    backlog (`search IS NULL`) is 0, i.e. every row searchable;
//! 2. live: one sink running while N messages are published: end-to-end articles/s from the
//!    first publish to the last row committed, the largest search backlog seen, and the
//!    time until every row is searchable.
//!
//! The sink's search indexer (`SEARCH_BATCH_SIZE` rows a statement, one batch a second while
//! the writers are busy, back to back while they are idle) runs as in production.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio_util::sync::CancellationToken;
use trawl_core::Article;
use trawl_metrics::{Health, Metrics, SinkOutcome};
use trawl_queue::amqp::{AmqpBroker, AmqpOptions};
use trawl_queue::Broker;
use trawl_sink_pg::{PgStore, Sink, SinkConfig};

const WORDS: &[&str] = &[
    "government",
    "minister",
    "election",
    "parliament",
    "economy",
    "market",
    "energy",
    "climate",
    "talks",
    "agreement",
    "security",
    "police",
    "court",
    "ruling",
    "city",
    "council",
    "budget",
    "tax",
    "reform",
    "health",
    "hospital",
    "school",
    "students",
    "company",
    "shares",
    "growth",
    "inflation",
    "bank",
    "rates",
    "trade",
    "exports",
    "farmers",
    "weather",
    "storm",
    "flooding",
    "rescue",
    "team",
    "season",
    "match",
    "coach",
    "players",
    "fans",
    "festival",
    "film",
    "music",
    "museum",
    "science",
    "research",
    "study",
    "space",
    "mission",
    "launch",
    "the",
    "a",
    "of",
    "and",
    "in",
    "to",
    "said",
    "on",
    "for",
    "with",
    "after",
    "over",
    "new",
];

fn words(seed: u64, n: usize) -> String {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut out = String::with_capacity(n * 8);
    for i in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if i > 0 {
            out.push(if i % 15 == 0 { '.' } else { ' ' });
            if i % 15 == 0 {
                out.push(' ');
            }
        }
        out.push_str(WORDS[(x % WORDS.len() as u64) as usize]);
    }
    out
}

fn article(run: &str, n: u64, body_words: usize) -> Vec<u8> {
    let url = format!("https://bench.example/{run}/world/story-{n}");
    let mut a = Article::empty(&url);
    a.canonical_url = Some(url.clone());
    a.title = Some(words(n, 9));
    a.lead = Some(words(n + 1, 25));
    a.body = words(n + 2, body_words);
    a.word_count = body_words as u32;
    a.authors = vec!["Jane Doe".into()];
    a.language = Some("en".into());
    a.section = Some("world".into());
    a.published_at = Some(chrono::Utc::now().fixed_offset());
    a.fetched_at = Some(chrono::Utc::now().fixed_offset());
    a.links = (0..20)
        .map(|i| format!("https://bench.example/{run}/l/{i}"))
        .collect();
    a.is_article = true;
    serde_json::to_vec(&a).expect("serializable")
}

async fn publish(broker: &AmqpBroker, run: &str, n: u64, body_words: usize) -> Duration {
    let started = Instant::now();
    let mut sends = futures::stream::iter(0..n)
        .map(|i| {
            let payload = article(run, i, body_words);
            async move {
                broker
                    .publish_article("bench_example.world", &payload)
                    .await
            }
        })
        .buffer_unordered(256);
    while let Some(r) = sends.next().await {
        r.expect("publish confirmed");
    }
    started.elapsed()
}

struct Running {
    metrics: &'static Metrics,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

fn start_sink(pg: &str, schema: &str, broker: Arc<dyn Broker>, cfg: SinkConfig) -> Running {
    let store = Arc::new(
        PgStore::with_connections(
            pg,
            schema,
            Duration::from_secs(5),
            cfg.writers,
            cfg.search.concurrency,
        )
        .expect("store"),
    );
    let metrics: &'static Metrics = Box::leak(Box::new(Metrics::new().expect("metrics")));
    let sink = Sink::new(store, broker, cfg, Health::new(), metrics);
    let stop = CancellationToken::new();
    let s = stop.clone();
    let task = tokio::spawn(async move { sink.run(s).await.expect("sink") });
    Running {
        metrics,
        stop,
        task,
    }
}

/// Poll the search backlog every 50 ms until it is 0; the largest value seen.
async fn wait_searchable(db: &tokio_postgres::Client, schema: &str) -> i64 {
    let mut most = 0;
    loop {
        let n: i64 = db
            .query_one(
                &format!("SELECT count(*) FROM {schema}.articles WHERE search IS NULL"),
                &[],
            )
            .await
            .expect("backlog")
            .get(0);
        most = most.max(n);
        if n == 0 {
            return most;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Poll the search backlog every 500 ms until `done`; the largest value seen. Not more often:
/// the count walks the whole pending index (up to N entries), and at 50 ms this query of the
/// benchmark's own took ~4% of the 2-core machine while the sink was being measured.
async fn watch_backlog(db: &tokio_postgres::Client, schema: &str, done: &CancellationToken) -> i64 {
    let mut most = 0;
    while !done.is_cancelled() {
        if let Ok(r) = db
            .query_one(
                &format!("SELECT count(*) FROM {schema}.articles WHERE search IS NULL"),
                &[],
            )
            .await
        {
            most = most.max(r.get::<_, i64>(0));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    most
}

fn settled(m: &Metrics) -> u64 {
    SinkOutcome::ALL
        .iter()
        .map(|o| m.sink_articles_total.with_label_values(&[o.as_str()]).get())
        .sum()
}

async fn wait_settled(m: &Metrics, n: u64) {
    while settled(m) < n {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(50_000);
    let batch_size: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(500);
    let timeout_ms: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(200);
    let writers: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(2);
    let body_words: usize = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(450);
    let search_batch: usize = args.get(6).and_then(|s| s.parse().ok()).unwrap_or(250);
    let search_concurrency: usize = args.get(7).and_then(|s| s.parse().ok()).unwrap_or(1);
    let amqp = std::env::var("TRAWL_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
    let pg = std::env::var("TRAWL_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let tag = format!("{}-{}", std::process::id(), chrono::Utc::now().timestamp());
    let prefix = format!("benchsink-{tag}");
    let schema = format!("bench_sink_{}", tag.replace('-', "_"));
    let options = || AmqpOptions {
        connect_timeout: Some(Duration::from_secs(15)),
        ..AmqpOptions::default()
    };
    let publisher = Arc::new(
        AmqpBroker::connect(&amqp, &prefix, options())
            .await
            .expect("RabbitMQ"),
    );
    let consumer_broker = Arc::new(
        AmqpBroker::connect(&amqp, &prefix, options())
            .await
            .expect("RabbitMQ"),
    );
    let cfg = SinkConfig {
        subscription: "bench".into(),
        batch_size,
        batch_timeout: Duration::from_millis(timeout_ms),
        writers,
        ..SinkConfig::default()
    };
    let cfg = SinkConfig {
        search: trawl_sink_pg::IndexRule {
            batch_size: search_batch,
            concurrency: search_concurrency,
            ..cfg.search
        },
        ..cfg
    };
    let (db, conn) = tokio_postgres::connect(&pg, tokio_postgres::NoTls)
        .await
        .expect("PostgreSQL");
    tokio::spawn(conn);
    let sample = article("x", 1, body_words).len();
    println!(
        "bench-sink: {n} articles per phase ({sample} bytes of JSON each, {body_words}-word body), \
         batch_size {batch_size}, batch_timeout {timeout_ms} ms, writers {writers}, prefetch {}, \
         search indexer {} rows a statement, at least every {:?}, back to back after {:?} idle ({} at once)",
        cfg.prefetch(),
        cfg.search.batch_size,
        cfg.search.interval,
        cfg.search.idle,
        cfg.search.concurrency,
    );

    // Phase 1: backlog. Declare the sink's queue, fill it, then drain it.
    drop(
        publisher
            .subscribe_articles(Some("bench"), "#", 1)
            .await
            .expect("declare"),
    );
    let took = publish(&publisher, "backlog", n, body_words).await;
    println!(
        "publish (confirmed, 256 in flight): {:.0} msg/s",
        n as f64 / took.as_secs_f64()
    );
    let started = Instant::now();
    let sink = start_sink(&pg, &schema, consumer_broker.clone(), cfg.clone());
    wait_settled(sink.metrics, n).await;
    let drain = started.elapsed();
    let batches = sink.metrics.sink_batch_seconds.get_sample_count();
    let batch_sum = sink.metrics.sink_batch_seconds.get_sample_sum();
    let indexed_while_landing = sink.metrics.sink_search_indexed_total.get();
    println!(
        "backlog drain: {:.0} articles/s landed ({n} in {:.2} s, includes the migration; {batches} batches, \
         mean batch write {:.1} ms; {indexed_while_landing} rows indexed meanwhile)",
        n as f64 / drain.as_secs_f64(),
        drain.as_secs_f64(),
        batch_sum * 1000.0 / batches.max(1) as f64
    );
    if cfg.search.batch_size > 0 {
        wait_searchable(&db, &schema).await;
        let searchable = started.elapsed();
        let catch_up = searchable - drain;
        println!(
            "backlog searchable: search backlog 0 after {:.2} s ({:.0} articles/s landed and indexed; \
             indexing after the drain: {} rows in {:.2} s = {:.0} rows/s)",
            searchable.as_secs_f64(),
            n as f64 / searchable.as_secs_f64(),
            n - indexed_while_landing.min(n),
            catch_up.as_secs_f64(),
            (n - indexed_while_landing.min(n)) as f64 / catch_up.as_secs_f64().max(1e-3)
        );
    }

    // Phase 2: live, sink running while publishing.
    let base = settled(sink.metrics);
    let started = Instant::now();
    let watching = CancellationToken::new();
    let (most, _) = tokio::join!(watch_backlog(&db, &schema, &watching), async {
        publish(&publisher, "live", n, body_words).await;
        wait_settled(sink.metrics, base + n).await;
        watching.cancel();
    });
    let live = started.elapsed();
    println!(
        "live (publish + sink concurrently): {:.0} articles/s landed end to end ({n} in {:.2} s; \
         search backlog up to {most} rows)",
        n as f64 / live.as_secs_f64(),
        live.as_secs_f64()
    );
    if cfg.search.batch_size > 0 {
        wait_searchable(&db, &schema).await;
        let searchable = started.elapsed();
        println!(
            "live searchable: search backlog 0 after {:.2} s ({:.0} articles/s landed and indexed, \
             {:.2} s after the last row landed)",
            searchable.as_secs_f64(),
            n as f64 / searchable.as_secs_f64(),
            (searchable - live).as_secs_f64()
        );
    }
    let inserted = sink
        .metrics
        .sink_articles_total
        .with_label_values(&[SinkOutcome::Inserted.as_str()])
        .get();
    assert_eq!(inserted, 2 * n, "every article inserted once");

    sink.stop.cancel();
    let _ = sink.task.await;
    consumer_broker.shutdown().await;
    let _ = publisher.delete_topology().await;
    publisher.shutdown().await;
    let client = db;
    let rows: i64 = client
        .query_one(&format!("SELECT count(*) FROM {schema}.articles"), &[])
        .await
        .expect("count")
        .get(0);
    println!("rows: {rows}");
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .expect("drop schema");
}
