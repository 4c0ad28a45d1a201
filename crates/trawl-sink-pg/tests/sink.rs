//! The sink end to end over the real RabbitMQ and PostgreSQL: batches committed before
//! their acks, refusals dead-lettered, a sink killed mid-stream and restarted (nothing
//! lost, nothing doubled), PostgreSQL away at start and mid-stream (not ready, nothing
//! acked, everything lands once it is back), rows searchable once the indexer ran. One
//! schema and one broker prefix per test.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use trawl_metrics::{BatchResult, Health, Metrics, SinkOutcome, SinkRejectReason};
use trawl_queue::amqp::{AmqpBroker, AmqpOptions};
use trawl_queue::Broker;
use trawl_sink_pg::{IndexRule, PgStore, Sink, SinkConfig, SinkError};

const LIMIT: Duration = Duration::from_secs(60);
const SUB: &str = "pgtest";

async fn broker(prefix: &str) -> Arc<AmqpBroker> {
    let b = AmqpBroker::connect(
        &amqp_url(),
        prefix,
        AmqpOptions {
            connect_timeout: Some(Duration::from_secs(15)),
            connection_name: "trawl-sink-test".into(),
            ..AmqpOptions::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("RabbitMQ must be reachable at {}: {e}", amqp_url()));
    Arc::new(b)
}

/// A running sink: its task, readiness, metrics and stop token.
struct Running {
    task: JoinHandle<Result<(), SinkError>>,
    health: Health,
    metrics: &'static Metrics,
    stop: CancellationToken,
}

impl Running {
    fn settled(&self) -> u64 {
        SinkOutcome::ALL.iter().map(|o| self.count(*o)).sum()
    }
    fn count(&self, outcome: SinkOutcome) -> u64 {
        self.metrics
            .sink_articles_total
            .with_label_values(&[outcome.as_str()])
            .get()
    }
    async fn stop(self) {
        self.stop.cancel();
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the sink stops promptly")
            .expect("sink task")
            .expect("sink result");
    }
}

fn start(url: &str, schema: &str, broker: Arc<dyn Broker>, batch_size: usize) -> Running {
    let store =
        Arc::new(PgStore::with_connections(url, schema, Duration::from_secs(2), 2, 2).unwrap());
    let metrics: &'static Metrics = Box::leak(Box::new(Metrics::new().unwrap()));
    let health = Health::new();
    let config = SinkConfig {
        subscription: SUB.into(),
        binding: "#".into(),
        batch_size,
        batch_timeout: Duration::from_millis(50),
        writers: 2,
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(500),
        ping_interval: Duration::from_millis(200),
        search: IndexRule {
            batch_size: 40,
            interval: Duration::from_millis(200),
            idle: Duration::from_millis(20),
            concurrency: 2,
        },
    };
    let sink = Sink::new(store, broker, config, health.clone(), metrics);
    let stop = CancellationToken::new();
    let s = stop.clone();
    let task = tokio::spawn(async move { sink.run(s).await });
    Running {
        task,
        health,
        metrics,
        stop,
    }
}

/// Run `f(schema, prefix)`; the schema and the broker topology are removed afterwards.
async fn with_services<F, Fut>(tag: &str, f: F)
where
    F: FnOnce(String, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let prefix = unique(tag).replace('_', "-");
    let p = prefix.clone();
    let result = std::panic::AssertUnwindSafe(with_schema(tag, LIMIT, |schema| f(schema, p)));
    let result = futures::FutureExt::catch_unwind(result).await;
    let b = broker(&prefix).await;
    // Registers the named queue with this broker so that delete_topology removes it.
    let _ = b.subscribe_articles(Some(SUB), "#", 1).await;
    let _ = b.delete_topology().await;
    b.shutdown().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// Declare and bind the sink's durable queue (idempotent; as the sink does at start).
async fn ensure_queue(b: &AmqpBroker) {
    drop(b.subscribe_articles(Some(SUB), "#", 1).await.unwrap());
}

/// Publish concurrently (confirmed), like many workers.
async fn publish_all(b: &AmqpBroker, payloads: &[Vec<u8>]) {
    let sends = payloads
        .iter()
        .map(|p| b.publish_article("news_example.world", p));
    for r in futures::future::join_all(sends).await {
        r.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_commit_then_ack_and_refusals_are_dead_lettered() {
    with_services("batch", |schema, prefix| async move {
        let b = broker(&prefix).await;
        let sink = start(&pg_url(), &schema, b.clone(), 50);
        let c = client(&schema).await;
        // 100 ids; ids 0..20 again at version 2, ids 20..30 again at version 1 (redeliveries).
        let mut payloads: Vec<Vec<u8>> = (0..100)
            .map(|n| json(&article(n, 1, "en", &format!("Story {n}"), "Body.")))
            .collect();
        payloads
            .extend((0..20).map(|n| json(&article(n, 2, "en", &format!("Story {n} v2"), "Body."))));
        payloads
            .extend((20..30).map(|n| json(&article(n, 1, "en", &format!("Story {n}"), "Body."))));
        let bad: Vec<Vec<u8>> = vec![
            b"{not json".to_vec(),
            br#"{"schema_version":7,"id":"x"}"#.to_vec(),
            br#"{"schema_version":1,"id":"y"}"#.to_vec(),
        ];
        // The sink subscribes before it touches PostgreSQL: wait for the binding.
        assert!(
            eventually(WAIT, || async { sink.health.is_ready() }).await,
            "sink not ready"
        );
        publish_all(&b, &payloads[..100]).await;
        publish_all(&b, &bad).await;
        publish_all(&b, &payloads[100..]).await;

        let total = (payloads.len() + bad.len()) as u64;
        assert!(
            eventually(WAIT, || async { sink.settled() >= total }).await,
            "settled {} of {total}",
            sink.settled()
        );
        assert_eq!(sink.settled(), total);
        assert_eq!(sink.count(SinkOutcome::Rejected), 3);
        assert_eq!(scalar(&c, "SELECT count(*) FROM articles").await, 100);
        assert_eq!(
            scalar(&c, "SELECT count(DISTINCT id) FROM articles").await,
            100
        );
        assert_eq!(
            scalar(&c, "SELECT count(*) FROM articles WHERE version = 2").await,
            20
        );
        assert_eq!(
            scalar(
                &c,
                "SELECT count(*) FROM articles WHERE version = 2 AND title LIKE '% v2'"
            )
            .await,
            20
        );
        // Every id inserted exactly once; each v2 applied once or superseded a v1 in its batch.
        assert_eq!(sink.count(SinkOutcome::Inserted), 100);
        assert!(sink.count(SinkOutcome::Updated) <= 20);
        assert_eq!(
            sink.count(SinkOutcome::Unchanged),
            130 - 100 - sink.count(SinkOutcome::Updated)
        );
        // Batched: far fewer transactions than messages.
        let batches = sink
            .metrics
            .sink_batches_total
            .with_label_values(&[BatchResult::Committed.as_str()])
            .get();
        assert!(
            (3..=40).contains(&batches),
            "{batches} batches for 130 messages"
        );
        assert_eq!(sink.metrics.sink_batch_seconds.get_sample_count(), batches);
        assert_eq!(sink.metrics.sink_postgres_up.get(), 1);
        // The indexer fills `search` once the writers are idle: every row becomes
        // searchable, v2 rows with their v2 title; the gauge comes down to 0.
        assert!(
            eventually(WAIT, || async {
                scalar(&c, "SELECT count(*) FROM articles WHERE search IS NULL").await == 0
            })
            .await,
            "search backlog not drained"
        );
        assert_eq!(
            scalar(
                &c,
                "SELECT count(*) FROM articles WHERE search @@ websearch_to_tsquery('english', 'story')"
            )
            .await,
            100
        );
        assert_eq!(
            scalar(
                &c,
                "SELECT count(*) FROM articles WHERE search @@ websearch_to_tsquery('english', 'v2')"
            )
            .await,
            20
        );
        // The counter moves just after the indexer's transaction commits, which the query
        // above may see first.
        eventually(WAIT, || async {
            sink.metrics.sink_search_indexed_total.get() >= 100
        })
        .await;
        let indexed = sink.metrics.sink_search_indexed_total.get();
        assert!(
            (100..=120).contains(&indexed),
            "{indexed} rows indexed for 100 ids (and at most 20 replaced)"
        );
        assert!(
            eventually(WAIT, || async {
                sink.metrics.sink_search_backlog_rows.get() == 0
            })
            .await,
            "backlog gauge {}",
            sink.metrics.sink_search_backlog_rows.get()
        );
        // Refusals: dead-lettered from the sink's subscription, with their reasons, counted.
        let dead = b.peek_dead_letters(10).await.unwrap();
        assert_eq!(dead.len(), 3, "{dead:?}");
        assert!(dead.iter().all(|d| d.source == format!("articles.{SUB}")));
        let reasons: Vec<&str> = dead.iter().map(|d| d.reason.as_str()).collect();
        assert!(
            reasons.iter().any(|r| r.starts_with("invalid_json: ")),
            "{reasons:?}"
        );
        assert!(
            reasons
                .iter()
                .any(|r| r.starts_with("unsupported_schema_version: unsupported schema_version 7")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r.starts_with("invalid_article: ")),
            "{reasons:?}"
        );
        for reason in [
            SinkRejectReason::InvalidJson,
            SinkRejectReason::UnsupportedSchemaVersion,
            SinkRejectReason::InvalidArticle,
        ] {
            assert_eq!(
                sink.metrics
                    .sink_rejected_total
                    .with_label_values(&[reason.as_str()])
                    .get(),
                1
            );
        }
        sink.stop().await;
        // Everything was acked: nothing is left in the subscription.
        let mut again = b.subscribe_articles(Some(SUB), "#", 10).await.unwrap();
        assert!(
            tokio::time::timeout(Duration::from_millis(500), again.next())
                .await
                .is_err(),
            "a message was left unacked"
        );
        b.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_stream_and_restarted_loses_and_doubles_nothing() {
    with_services("kill", |schema, prefix| async move {
        let c = client(&schema).await;
        const IDS: usize = 600;
        // Each id at versions 1..=3, the highest published first for a third of them.
        let mut payloads = Vec::new();
        for v in 1..=3u32 {
            for n in 0..IDS {
                let v = if n % 3 == 0 { 4 - v } else { v };
                payloads.push(json(&article(
                    n,
                    v,
                    "en",
                    &format!("Story {n} v{v}"),
                    "Body.",
                )));
            }
        }
        let publisher = broker(&prefix).await;
        // Sink A on its own connection, as its own process would be.
        let broker_a = broker(&prefix).await;
        let a = start(&pg_url(), &schema, broker_a.clone(), 100);
        assert!(eventually(WAIT, || async { a.health.is_ready() }).await);
        let p = publisher.clone();
        let publishing = tokio::spawn(async move {
            for chunk in payloads.chunks(200) {
                publish_all(&p, chunk).await;
            }
        });
        // Kill it once it has written some, but (most likely) not all.
        assert!(eventually(WAIT, || async { a.count(SinkOutcome::Inserted) >= 100 }).await);
        let settled_by_a = a.settled();
        let Running { task, metrics: metrics_a, .. } = a;
        task.abort();
        let _ = task.await;
        let a_count = |o: SinkOutcome| {
            metrics_a
                .sink_articles_total
                .with_label_values(&[o.as_str()])
                .get()
        };
        broker_a.shutdown().await; // the process is gone: its unacked deliveries go back
        let after_kill = scalar(&c, "SELECT count(*) FROM articles").await;
        for r in c
            .query("SELECT version, count(*), min(split_part(title, ' ', 2)::int), max(split_part(title, ' ', 2)::int) FROM articles GROUP BY 1 ORDER BY 1", &[])
            .await
            .unwrap()
        {
            eprintln!("after kill: v{} x{} n in {}..={}", r.get::<_, i32>(0), r.get::<_, i64>(1), r.get::<_, i32>(2), r.get::<_, i32>(3));
        }
        eprintln!(
            "killed after {settled_by_a} of {} messages settled ({} at the end: inserted {} updated {} unchanged {}), {after_kill} rows",
            3 * IDS,
            a_count(SinkOutcome::Inserted) + a_count(SinkOutcome::Updated) + a_count(SinkOutcome::Unchanged),
            a_count(SinkOutcome::Inserted),
            a_count(SinkOutcome::Updated),
            a_count(SinkOutcome::Unchanged)
        );

        let broker_b = broker(&prefix).await;
        let b = start(&pg_url(), &schema, broker_b.clone(), 100);
        publishing.await.unwrap();
        let done = eventually(WAIT, || async {
            scalar(&c, "SELECT count(*) FROM articles WHERE version = 3").await == IDS as i64
        })
        .await;
        if !done {
            let mut by_version = Vec::new();
            for r in c
                .query("SELECT version, count(*) FROM articles GROUP BY 1 ORDER BY 1", &[])
                .await
                .unwrap()
            {
                by_version.push((r.get::<_, i32>(0), r.get::<_, i64>(1)));
            }
            let queues = std::process::Command::new("rabbitmqctl")
                .args(["list_queues", "-q", "name", "messages_ready", "messages_unacknowledged", "consumers"])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default();
            let queues: Vec<&str> = queues.lines().filter(|l| l.contains(&prefix)).collect();
            eprintln!("queues: {queues:?}");
            for r in c
                .query("SELECT split_part(title, ' ', 2)::int % 3 AS m, min(split_part(title, ' ', 2)::int), max(split_part(title, ' ', 2)::int), count(*) FROM articles WHERE version = 2 GROUP BY 1", &[])
                .await
                .unwrap()
            {
                eprintln!("stuck at v2: n%3={} n in {}..={} count {}", r.get::<_, i32>(0), r.get::<_, i32>(1), r.get::<_, i32>(2), r.get::<_, i64>(3));
            }
            panic!(
                "not every id reached version 3: rows by version {by_version:?}; after the kill \
                 {after_kill} rows; sink B settled {} (inserted {}, updated {}, unchanged {}), \
                 dead letters {:?}",
                b.settled(),
                b.count(SinkOutcome::Inserted),
                b.count(SinkOutcome::Updated),
                b.count(SinkOutcome::Unchanged),
                broker_b.dead_letter_count().await
            );
        }
        assert_eq!(
            scalar(&c, "SELECT count(*) FROM articles").await,
            IDS as i64
        );
        assert_eq!(
            scalar(&c, "SELECT count(DISTINCT id) FROM articles").await,
            IDS as i64
        );
        assert_eq!(
            scalar(
                &c,
                "SELECT count(*) FROM articles WHERE title NOT LIKE '% v3'"
            )
            .await,
            0
        );
        // The queue drains: every message settled by A (before the kill) or by B.
        assert!(
            eventually(WAIT, || async {
                let mut q = broker_b
                    .subscribe_articles(Some(SUB), "#", 1)
                    .await
                    .unwrap();
                tokio::time::timeout(Duration::from_millis(200), q.next())
                    .await
                    .is_err()
            })
            .await
        );
        b.stop().await;
        broker_b.shutdown().await;
        publisher.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_away_at_start_and_mid_stream_holds_everything_until_it_returns() {
    with_services("away", |schema, prefix| async move {
        let proxy = PgProxy::start(pg_addr(), false).await;
        let b = broker(&prefix).await;
        let sink = start(&proxy.url(), &schema, b.clone(), 50);
        let c = client(&schema).await;
        // Unreachable at start: subscribed (the queue collects), not ready, nothing settled.
        let first: Vec<Vec<u8>> = (0..20)
            .map(|n| json(&article(n, 1, "en", "t", "b")))
            .collect();
        // The sink declares its queue before it touches PostgreSQL; make sure it exists
        // before publishing (an article with no bound queue is dropped, by design).
        ensure_queue(&b).await;
        publish_all(&b, &first).await;
        let held = eventually(Duration::from_millis(1500), || async {
            sink.settled() > 0 || sink.health.is_ready()
        })
        .await;
        assert!(
            !held,
            "the sink settled or turned ready while PostgreSQL was away"
        );
        assert_eq!(sink.metrics.sink_postgres_up.get(), 0);
        assert_eq!(
            sink.health.snapshot(),
            vec![(trawl_metrics::Component::Postgres, false)]
        );
        assert!(!sink.task.is_finished(), "the sink must wait, not exit");

        // PostgreSQL comes: migrations, then every held message lands.
        proxy.set_up(true);
        assert!(
            eventually(WAIT, || async {
                sink.count(SinkOutcome::Inserted) == 20 && sink.health.is_ready()
            })
            .await,
            "inserted {}",
            sink.count(SinkOutcome::Inserted)
        );
        assert_eq!(scalar(&c, "SELECT count(*) FROM articles").await, 20);

        // Mid-stream: cut off. Writes fail, not ready, nothing acked; back: all lands.
        proxy.set_up(false);
        let second: Vec<Vec<u8>> = (20..60)
            .map(|n| json(&article(n, 1, "en", "t", "b")))
            .collect();
        publish_all(&b, &second).await;
        assert!(
            eventually(WAIT, || async { !sink.health.is_ready() }).await,
            "not ready while PostgreSQL is away"
        );
        assert_eq!(sink.metrics.sink_postgres_up.get(), 0);
        assert_eq!(sink.count(SinkOutcome::Inserted), 20);
        assert!(
            eventually(WAIT, || async {
                sink.metrics
                    .sink_batches_total
                    .with_label_values(&[BatchResult::Failed.as_str()])
                    .get()
                    > 0
            })
            .await
        );
        proxy.set_up(true);
        assert!(
            eventually(WAIT, || async { sink.count(SinkOutcome::Inserted) == 60 }).await,
            "inserted {}",
            sink.count(SinkOutcome::Inserted)
        );
        assert!(eventually(WAIT, || async { sink.health.is_ready() }).await);
        assert_eq!(sink.metrics.sink_postgres_up.get(), 1);
        assert_eq!(scalar(&c, "SELECT count(*) FROM articles").await, 60);
        assert_eq!(sink.count(SinkOutcome::Rejected), 0);
        sink.stop().await;
        b.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_while_postgres_is_away_hands_the_messages_back() {
    with_services("stopaway", |schema, prefix| async move {
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let b = broker(&prefix).await;
        let away = start(
            &format!("postgres://postgres@127.0.0.1:{closed}/test"),
            &schema,
            b.clone(),
            10,
        );
        let payloads: Vec<Vec<u8>> = (0..15)
            .map(|n| json(&article(n, 1, "en", "t", "b")))
            .collect();
        ensure_queue(&b).await;
        publish_all(&b, &payloads).await;
        assert!(!eventually(Duration::from_millis(800), || async { away.settled() > 0 }).await);
        assert!(!away.health.is_ready());
        away.stop().await; // returns promptly although PostgreSQL never came
        b.shutdown().await;

        // Nothing was acked: a sink pointed at the right place gets all of it.
        let b2 = broker(&prefix).await;
        let sink = start(&pg_url(), &schema, b2.clone(), 10);
        assert!(eventually(WAIT, || async { sink.count(SinkOutcome::Inserted) == 15 }).await);
        let c = client(&schema).await;
        assert_eq!(scalar(&c, "SELECT count(*) FROM articles").await, 15);
        sink.stop().await;
        b2.shutdown().await;
    })
    .await;
}
