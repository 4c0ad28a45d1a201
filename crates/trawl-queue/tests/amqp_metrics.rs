//! The RabbitMQ broker records its own metrics in `trawl_metrics::global()`: every publish
//! once, under its kind and final result; its call latencies; its connection events. Against
//! the real RabbitMQ (`TRAWL_TEST_AMQP_URL`, default `amqp://guest:guest@127.0.0.1:5672/%2f`),
//! each test on its own prefix, deleted afterwards.
//!
//! The registry is process-wide: this file is its own test binary, and its tests hold
//! [`SERIAL`] so that the deltas they read are their own.

mod common;

use std::time::Duration;

use tokio::sync::Mutex;
use trawl_metrics::{AmqpConnectionEvent, PublishKind, PublishResult};
use trawl_queue::amqp::{AmqpBroker, AmqpOptions};
use trawl_queue::memory::MemoryBroker;
use trawl_queue::{Broker, WorkQueue};

static SERIAL: Mutex<()> = Mutex::const_new(());

fn url() -> String {
    std::env::var("TRAWL_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_string())
}

fn unique_prefix(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("trawltest-m-{name}-{}-{nanos}", std::process::id())
}

fn test_options() -> AmqpOptions {
    AmqpOptions {
        connect_timeout: Some(Duration::from_secs(15)),
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(2),
        publish_retry_timeout: Duration::from_secs(30),
        connection_name: "trawl-test-metrics".to_string(),
        ..AmqpOptions::default()
    }
}

async fn connect(name: &str) -> AmqpBroker {
    common::init_logs();
    AmqpBroker::connect(&url(), &unique_prefix(name), test_options())
        .await
        .unwrap_or_else(|e| {
            panic!(
                "RabbitMQ must be reachable at {} (set TRAWL_TEST_AMQP_URL): {e}",
                trawl_queue::amqp::redact_url(&url())
            )
        })
}

fn published(kind: PublishKind, result: PublishResult) -> u64 {
    trawl_metrics::global()
        .amqp_publish_total
        .with_label_values(&[kind.as_str(), result.as_str()])
        .get()
}

/// Every `trawl_amqp_publish_total` series, in label order.
fn all_published() -> Vec<u64> {
    let mut out = Vec::new();
    for k in PublishKind::ALL {
        for r in PublishResult::ALL {
            out.push(published(*k, *r));
        }
    }
    out
}

fn timed(op: &str) -> u64 {
    trawl_metrics::global()
        .amqp_call_duration_seconds
        .with_label_values(&[op])
        .get_sample_count()
}

fn events(event: AmqpConnectionEvent) -> u64 {
    trawl_metrics::global()
        .amqp_connection_events_total
        .with_label_values(&[event.as_str()])
        .get()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_publish_is_counted_once_by_kind_and_result() {
    let _serial = SERIAL.lock().await;
    let b = connect("publish").await;
    common::guarded(
        "metrics-publish",
        b,
        Duration::from_secs(60),
        Duration::from_secs(30),
        |b| async move {
            let task = published(PublishKind::Task, PublishResult::Confirmed);
            let report = published(PublishKind::Report, PublishResult::Confirmed);
            let seed = published(PublishKind::Seed, PublishResult::Confirmed);
            let dead = published(PublishKind::DeadLetter, PublishResult::Confirmed);
            let article = published(PublishKind::Article, PublishResult::Confirmed);
            let task_errors = published(PublishKind::Task, PublishResult::Error);
            let publish_calls = timed("publish");
            let inspect_calls = timed("inspect");

            for i in 0..7 {
                b.publish(WorkQueue::Tasks, format!("{{\"n\":{i}}}").as_bytes())
                    .await
                    .expect("publish");
            }
            b.publish(WorkQueue::Reports, b"{}").await.unwrap();
            b.publish(WorkQueue::Seeds, b"{}").await.unwrap();
            b.dead_letter(WorkQueue::Tasks, b"{}", "test")
                .await
                .unwrap();
            b.publish_article("site.section", b"{}").await.unwrap();
            common::eventually_depth(&b, WorkQueue::Tasks, 7).await;

            assert_eq!(
                published(PublishKind::Task, PublishResult::Confirmed) - task,
                7,
                "seven tasks published and confirmed"
            );
            assert_eq!(
                published(PublishKind::Report, PublishResult::Confirmed) - report,
                1
            );
            assert_eq!(
                published(PublishKind::Seed, PublishResult::Confirmed) - seed,
                1
            );
            assert_eq!(
                published(PublishKind::DeadLetter, PublishResult::Confirmed) - dead,
                1
            );
            assert_eq!(
                published(PublishKind::Article, PublishResult::Confirmed) - article,
                1
            );
            assert_eq!(
                published(PublishKind::Task, PublishResult::Error),
                task_errors
            );
            assert_eq!(
                timed("publish") - publish_calls,
                11,
                "one latency sample per publish call"
            );
            assert!(timed("inspect") > inspect_calls, "depth reads are timed");

            // Moving the dead letter back counts as a publish of its source kind.
            let task = published(PublishKind::Task, PublishResult::Confirmed);
            common::eventually_dead_count(&b, 1).await;
            assert_eq!(b.requeue_dead_letters(10).await.unwrap(), 1);
            assert_eq!(
                published(PublishKind::Task, PublishResult::Confirmed) - task,
                1
            );

            // Acks and subscriptions are timed.
            let (acks, consumes) = (timed("ack"), timed("consume"));
            let mut c = b.consume(WorkQueue::Tasks, 10).await.unwrap();
            let d = common::next(&mut c).await;
            d.ack().await.unwrap();
            assert_eq!(timed("ack") - acks, 1);
            assert_eq!(timed("consume") - consumes, 1);
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_broker_records_nothing() {
    let _serial = SERIAL.lock().await;
    let before = all_published();
    let publish_calls = timed("publish");
    let b = MemoryBroker::new();
    for _ in 0..3 {
        b.publish(WorkQueue::Tasks, b"{}").await.unwrap();
    }
    b.publish_article("a.b", b"{}").await.unwrap();
    b.dead_letter(WorkQueue::Tasks, b"{}", "test")
        .await
        .unwrap();
    assert_eq!(all_published(), before);
    assert_eq!(timed("publish"), publish_calls);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_connection_counts_a_reconnect() {
    let _serial = SERIAL.lock().await;
    let b = connect("reconnect").await;
    common::guarded(
        "metrics-reconnect",
        b,
        Duration::from_secs(90),
        Duration::from_secs(30),
        |b| async move {
            b.publish(WorkQueue::Tasks, b"before").await.unwrap();
            let mut c = b.consume(WorkQueue::Tasks, 10).await.unwrap();
            common::next(&mut c).await.ack().await.unwrap();

            let reconnects = events(AmqpConnectionEvent::Reconnect);
            let resubscribes = events(AmqpConnectionEvent::Resubscribe);
            let failovers = events(AmqpConnectionEvent::Failover);
            let connects = timed("connect");
            let declares = timed("declare");
            let task = published(PublishKind::Task, PublishResult::Confirmed);

            let name = b.connection_name().to_string();
            let closed = tokio::task::spawn_blocking(move || {
                common::close_connection_with_rabbitmqctl(&name)
            })
            .await
            .unwrap();
            if !closed {
                eprintln!("rabbitmqctl not usable: closing the connection from the client side");
                b.kill_connection().await;
            }

            // Published on the new connection (retried if it went out on the lost one).
            b.publish(WorkQueue::Tasks, b"after").await.unwrap();
            let d = common::next(&mut c).await;
            assert_eq!(d.payload, b"after");
            d.ack().await.unwrap();

            assert_eq!(events(AmqpConnectionEvent::Reconnect) - reconnects, 1);
            assert_eq!(events(AmqpConnectionEvent::Resubscribe) - resubscribes, 1);
            assert_eq!(
                events(AmqpConnectionEvent::Failover),
                failovers,
                "one node: no failover"
            );
            assert!(timed("connect") > connects, "the reconnect is timed");
            assert!(timed("declare") > declares, "the topology is re-declared");
            // Counted once, whatever the retries it took.
            assert_eq!(
                published(PublishKind::Task, PublishResult::Confirmed) - task,
                1
            );
            let stats = b.stats();
            assert_eq!(stats.reconnects, 1, "{stats:?}");
            assert_eq!(stats.resubscribes, 1, "{stats:?}");
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connected_gauge_counts_a_live_broker() {
    let _serial = SERIAL.lock().await;
    let connected = || trawl_metrics::global().amqp_connected.get();
    let before = connected();
    let b = connect("gauge").await;
    assert_eq!(connected() - before, 1, "connected");
    b.delete_topology().await.expect("delete topology");
    b.shutdown().await;
    assert_eq!(connected(), before, "shut down");
}
