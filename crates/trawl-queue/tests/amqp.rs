//! The shared behavioural suite, plus fault tests, against the real RabbitMQ
//! (`TRAWL_TEST_AMQP_URL`, default `amqp://guest:guest@127.0.0.1:5672/%2f`).
//! Each test declares its own topology under a unique prefix and deletes it at
//! the end (also when the test fails).

mod common;

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use trawl_queue::amqp::{AmqpBroker, AmqpOptions};
use trawl_queue::{Broker, QueueError, WorkQueue};

fn url() -> String {
    std::env::var("TRAWL_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_string())
}

fn unique_prefix(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("trawltest-{name}-{}-{nanos}", std::process::id())
}

fn test_options() -> AmqpOptions {
    AmqpOptions {
        connect_timeout: Some(Duration::from_secs(15)),
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(2),
        publish_retry_timeout: Duration::from_secs(30),
        connection_name: "trawl-test".to_string(),
        ..AmqpOptions::default()
    }
}

/// Connect on a unique prefix, run `f`, then delete the topology whatever
/// happened; the whole test is bounded.
async fn run<F, Fut>(name: &str, options: AmqpOptions, f: F)
where
    F: FnOnce(AmqpBroker) -> Fut,
    Fut: Future<Output = ()>,
{
    common::init_logs();
    let b = AmqpBroker::connect(&url(), &unique_prefix(name), options)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "RabbitMQ must be reachable at {} (set TRAWL_TEST_AMQP_URL): {e}",
                trawl_queue::amqp::redact_url(&url())
            )
        });
    common::guarded(
        name,
        b,
        Duration::from_secs(120),
        Duration::from_secs(30),
        f,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_consume_ack() {
    run("pca", test_options(), |b| async move {
        common::publish_consume_ack(&b).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_delivery_is_redelivered() {
    run("drop", test_options(), |b| async move {
        common::dropped_delivery_is_redelivered(&b).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_delivery_returns_to_a_live_consumer() {
    run("droplive", test_options(), |b| async move {
        common::dropped_delivery_returns_to_a_live_consumer(&b).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requeue_puts_back() {
    run("requeue", test_options(), |b| async move {
        common::requeue_puts_back(&b).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefetch_bounds_unacked() {
    run("prefetch", test_options(), |b| async move {
        common::prefetch_bounds_unacked(&b).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn articles_fan_out() {
    run("fanout", test_options(), |b| async move {
        common::articles_fan_out(&b, "downstream").await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn named_subscription_keeps_messages() {
    run("named", test_options(), |b| async move {
        common::named_subscription_keeps_messages(&b, "keeper").await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letter_peek_requeue() {
    run("dlq", test_options(), |b| async move {
        common::dead_letter_peek_requeue(&b).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn depth_counts_ready_messages() {
    run("depth", test_options(), |b| async move {
        common::depth_counts_ready_messages(&b).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_message_is_dead_lettered_by_the_broker() {
    let options = AmqpOptions {
        delivery_limit: 3,
        ..test_options()
    };
    run("poison", options, |b| async move {
        common::poison_message_is_dead_lettered(&b, 3).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_publishes_all_arrive() {
    run("concurrent", test_options(), |b| async move {
        common::concurrent_publishes_all_arrive(&b, 2000).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survives_a_broker_side_connection_close() {
    run("reconnect", test_options(), |b| async move {
        b.publish(WorkQueue::Tasks, b"before").await.unwrap();
        let mut c = b.consume(WorkQueue::Tasks, 10).await.unwrap();
        let held = common::next(&mut c).await;
        assert_eq!(held.payload, b"before");

        let name = b.connection_name().to_string();
        let closed =
            tokio::task::spawn_blocking(move || common::close_connection_with_rabbitmqctl(&name))
                .await
                .unwrap();
        if !closed {
            eprintln!("rabbitmqctl not usable: closing the connection from the client side");
            b.kill_connection().await;
        }

        // A publish right after the loss is retried on the new connection.
        b.publish(WorkQueue::Tasks, b"after")
            .await
            .expect("publish after reconnect");
        // The delivery of the lost channel cannot be acked: the broker redelivers it.
        assert!(held.ack().await.is_err(), "ack on a dead channel must fail");

        // The consumer resubscribed by itself: both messages arrive.
        let mut got = Vec::new();
        for _ in 0..2 {
            let d = common::next(&mut c).await;
            got.push((
                String::from_utf8_lossy(&d.payload).into_owned(),
                d.redelivered,
            ));
            d.ack().await.unwrap();
        }
        got.sort();
        assert_eq!(
            got,
            vec![("after".to_string(), false), ("before".to_string(), true)]
        );
        assert!(common::nothing_within(&mut c, 300).await);
        assert!(b.is_connected().await);
        common::eventually_depth(&b, WorkQueue::Tasks, 0).await;
        let stats = b.stats();
        assert_eq!(stats.reconnects, 1, "{stats:?}");
        assert_eq!(stats.resubscribes, 1, "{stats:?}");
        assert!(stats.connected);
    })
    .await;
}

/// A `MakeWriter` collecting log output.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;
    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

#[tokio::test]
async fn unreachable_broker_retries_then_fails_cleanly_without_secrets() {
    // A port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let logs = Logs::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let options = AmqpOptions {
        connect_timeout: Some(Duration::from_secs(2)),
        initial_backoff: Duration::from_millis(100),
        ..AmqpOptions::default()
    };
    let url = format!("amqp://guest:s3cr3tpw@127.0.0.1:{port}/%2f");
    let started = std::time::Instant::now();
    let result = tokio::time::timeout(
        Duration::from_secs(20),
        AmqpBroker::connect(&url, "trawltest-down", options),
    )
    .await
    .expect("connect gives up at its deadline");
    let err = result.err().expect("no broker there");
    assert!(matches!(err, QueueError::Unavailable(_)), "{err}");
    assert!(err.is_transient());
    assert!(started.elapsed() < Duration::from_secs(10));
    let text = err.to_string();
    assert!(!text.contains("s3cr3tpw"), "{text}");
    assert!(text.contains("guest:***@127.0.0.1"), "{text}");
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(!logs.contains("s3cr3tpw"), "{logs}");
    let attempts = logs.matches("unreachable").count();
    assert!(
        attempts >= 2,
        "retried with backoff, logging each attempt: {logs}"
    );
    assert!(logs.contains("retrying in"), "{logs}");
    assert!(
        logs.contains(&format!("amqp://guest:***@127.0.0.1:{port}")),
        "{logs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topology_is_quorum_with_delivery_limit_and_redeclare_is_idempotent() {
    run("topology", test_options(), |b| async move {
        // A second broker on the same prefix declares the same topology: fine.
        let prefix = b.topology().tasks.trim_end_matches(".tasks").to_string();
        let again = AmqpBroker::connect(&url(), &prefix, test_options())
            .await
            .expect("idempotent declare");
        again.publish(WorkQueue::Seeds, b"{}").await.unwrap();
        common::eventually_depth(&b, WorkQueue::Seeds, 1).await;
        again.shutdown().await;
        // Conflicting arguments are a permanent, clear error (no retry loop).
        let conflicting = AmqpOptions {
            delivery_limit: 9,
            ..test_options()
        };
        let err = AmqpBroker::connect(&url(), &prefix, conflicting)
            .await
            .err()
            .expect("conflicting declare refused");
        assert!(matches!(err, QueueError::Config(_)), "{err}");

        let out = tokio::task::spawn_blocking(|| {
            std::process::Command::new("rabbitmqctl")
                .args([
                    "list_queues",
                    "name",
                    "type",
                    "arguments",
                    "durable",
                    "--formatter",
                    "json",
                ])
                .output()
        })
        .await
        .unwrap();
        let Ok(out) = out else {
            eprintln!("rabbitmqctl not available: queue arguments not inspected");
            return;
        };
        let queues: Vec<serde_json::Value> =
            serde_json::from_slice(&out.stdout).unwrap_or_default();
        let tasks = queues
            .iter()
            .find(|q| q["name"] == b.topology().tasks.as_str())
            .expect("tasks queue listed");
        assert_eq!(tasks["type"], "quorum", "{tasks}");
        assert_eq!(tasks["durable"], true, "{tasks}");
        let args = tasks["arguments"].to_string();
        assert!(args.contains("x-delivery-limit"), "{args}");
        assert!(args.contains(&b.topology().dead_exchange), "{args}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survives_a_lost_connection_while_consuming_and_publishing() {
    run("lost", test_options(), |b| async move {
        let mut c = b.consume(WorkQueue::Reports, 5).await.unwrap();
        b.publish(WorkQueue::Reports, b"1").await.unwrap();
        let d = common::next(&mut c).await;
        d.ack().await.unwrap();
        // Lose the connection (client side), then keep publishing concurrently.
        b.kill_connection().await;
        let publishers: Vec<_> = (2..=21)
            .map(|i| {
                let b = b.clone();
                tokio::spawn(async move {
                    b.publish(WorkQueue::Reports, i.to_string().as_bytes())
                        .await
                })
            })
            .collect();
        for p in publishers {
            p.await
                .unwrap()
                .expect("publish retried on the new connection");
        }
        let mut got = Vec::new();
        while got.len() < 20 {
            let d = common::next(&mut c).await;
            let n: u32 = String::from_utf8_lossy(&d.payload).parse().unwrap();
            if !got.contains(&n) {
                got.push(n);
            }
            d.ack().await.unwrap();
        }
        got.sort();
        assert_eq!(got, (2..=21).collect::<Vec<_>>());
        assert!(b.is_connected().await);
    })
    .await;
}

#[tokio::test]
async fn refused_credentials_and_unknown_vhost_are_permanent_errors() {
    let base = url();
    let Some((scheme_user, rest)) = base.split_once(':').and_then(|(s, r)| {
        // amqp://USER:PASS@HOST... -> ("amqp://USER", "PASS@HOST...")
        r.split_once(':')
            .map(|(u, r)| (format!("{s}:{u}"), r.to_string()))
    }) else {
        eprintln!("skipped: TRAWL_TEST_AMQP_URL has no password to alter");
        return;
    };
    let Some((_, host_part)) = rest.split_once('@') else {
        eprintln!("skipped: TRAWL_TEST_AMQP_URL has no credentials");
        return;
    };
    let options = AmqpOptions {
        connect_timeout: Some(Duration::from_secs(20)),
        ..AmqpOptions::default()
    };
    let bad_password = format!("{scheme_user}:wr0ngpassw0rd@{host_part}");
    let started = std::time::Instant::now();
    let err = AmqpBroker::connect(&bad_password, "trawltest-badpw", options.clone())
        .await
        .err()
        .expect("login refused");
    assert!(matches!(err, QueueError::Config(_)), "{err}");
    assert!(!err.to_string().contains("wr0ngpassw0rd"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "no retry loop on a refused login"
    );

    let authority = host_part.split('/').next().unwrap_or_default();
    let (_, pass_host) = base.split_once("//").unwrap_or_default();
    let creds = pass_host.split('@').next().unwrap_or_default();
    let bad_vhost = format!("amqp://{creds}@{authority}/trawl-no-such-vhost");
    let err = AmqpBroker::connect(&bad_vhost, "trawltest-badvhost", options)
        .await
        .err()
        .expect("unknown vhost refused");
    assert!(matches!(err, QueueError::Config(_)), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_article_round_trip() {
    let options = AmqpOptions {
        delivery_limit: 1,
        ..test_options()
    };
    run("poisonart", options, |b| async move {
        common::poison_article_round_trip(&b, "sink").await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn article_dead_letter_round_trip() {
    run("artdead", test_options(), |b| async move {
        common::article_dead_letter_round_trip(&b, "sink").await
    })
    .await;
}
