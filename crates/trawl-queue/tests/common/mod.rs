//! The behavioural suite shared by the memory and the RabbitMQ broker tests:
//! every scenario takes a `&dyn Broker` on a fresh topology.
#![allow(dead_code)]

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures::FutureExt;
use trawl_queue::amqp::AmqpBroker;

use trawl_queue::{Broker, Consumer, Delivery, QueueError, WorkQueue};

/// Upper bound for anything we wait for.
pub const WAIT: Duration = Duration::from_secs(20);

pub async fn next(c: &mut Box<dyn Consumer>) -> Delivery {
    tokio::time::timeout(WAIT, c.next())
        .await
        .expect("a delivery within the wait bound")
        .expect("consumer still open")
}

/// True when no delivery arrives within `ms` (a delivery that does arrive is requeued).
pub async fn nothing_within(c: &mut Box<dyn Consumer>, ms: u64) -> bool {
    match tokio::time::timeout(Duration::from_millis(ms), c.next()).await {
        Err(_) => true,
        Ok(None) => true,
        Ok(Some(d)) => {
            let _ = d.requeue().await;
            false
        }
    }
}

/// Wait until the queue's ready count is `want` (the broker may report
/// counts with a small lag).
pub async fn eventually_depth(b: &dyn Broker, q: WorkQueue, want: u64) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        // A transient error (the shared broker restarted by another test) is retried.
        let got = match b.depth(q).await {
            Ok(n) => n,
            Err(e) if e.is_transient() => u64::MAX,
            Err(e) => panic!("depth: {e}"),
        };
        if got == want {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "depth of {q:?} stayed {got}, wanted {want}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn eventually_dead_count(b: &dyn Broker, want: u64) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let got = match b.dead_letter_count().await {
            Ok(n) => n,
            Err(e) if e.is_transient() => u64::MAX,
            Err(e) => panic!("dead letter count: {e}"),
        };
        if got == want {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "dead letter count stayed {got}, wanted {want}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn text(d: &Delivery) -> String {
    String::from_utf8_lossy(&d.payload).into_owned()
}

pub async fn publish_consume_ack(b: &dyn Broker) {
    for i in 0..3 {
        let msg = serde_json::json!({ "schema_version": 1, "n": i });
        trawl_queue::publish_json(b, WorkQueue::Tasks, &msg)
            .await
            .expect("publish");
    }
    eventually_depth(b, WorkQueue::Tasks, 3).await;
    let mut c = b.consume(WorkQueue::Tasks, 10).await.expect("consume");
    for i in 0..3 {
        let d = next(&mut c).await;
        assert!(!d.redelivered);
        let v: serde_json::Value = d.json().expect("json payload");
        assert_eq!(v["n"], i, "FIFO order");
        d.ack().await.expect("ack");
    }
    assert!(nothing_within(&mut c, 300).await, "acked messages are gone");
    eventually_depth(b, WorkQueue::Tasks, 0).await;
}

pub async fn dropped_delivery_is_redelivered(b: &dyn Broker) {
    b.publish(WorkQueue::Reports, b"{\"r\":1}").await.unwrap();
    let mut c1 = b.consume(WorkQueue::Reports, 1).await.unwrap();
    let d = next(&mut c1).await;
    assert!(!d.redelivered);
    // The worker task holding it dies: the delivery is dropped unacked.
    drop(d);
    drop(c1);
    let mut c2 = b.consume(WorkQueue::Reports, 1).await.unwrap();
    let d = next(&mut c2).await;
    assert_eq!(text(&d), "{\"r\":1}");
    assert!(d.redelivered, "a redelivery is flagged");
    d.ack().await.unwrap();
    assert!(nothing_within(&mut c2, 300).await);
}

pub async fn dropped_delivery_returns_to_a_live_consumer(b: &dyn Broker) {
    // Same consumer, prefetch 1: the slot of a dropped delivery is freed and the
    // message comes back (no leak of the prefetch window).
    b.publish(WorkQueue::Reports, b"x").await.unwrap();
    let mut c = b.consume(WorkQueue::Reports, 1).await.unwrap();
    let d = next(&mut c).await;
    drop(d);
    let d = next(&mut c).await;
    assert_eq!(text(&d), "x");
    assert!(d.redelivered);
    d.ack().await.unwrap();
}

pub async fn requeue_puts_back(b: &dyn Broker) {
    b.publish(WorkQueue::Seeds, b"a").await.unwrap();
    b.publish(WorkQueue::Seeds, b"b").await.unwrap();
    let mut c = b.consume(WorkQueue::Seeds, 1).await.unwrap();
    let d = next(&mut c).await;
    assert_eq!(text(&d), "a");
    d.requeue().await.unwrap();
    let mut seen = Vec::new();
    for _ in 0..2 {
        let d = next(&mut c).await;
        seen.push((text(&d), d.redelivered));
        d.ack().await.unwrap();
    }
    seen.sort();
    assert_eq!(
        seen,
        vec![("a".to_string(), true), ("b".to_string(), false)],
        "the requeued message comes back, flagged; nothing lost or doubled"
    );
    assert!(nothing_within(&mut c, 300).await);
}

pub async fn prefetch_bounds_unacked(b: &dyn Broker) {
    for p in ["1", "2", "3"] {
        b.publish(WorkQueue::Tasks, p.as_bytes()).await.unwrap();
    }
    let mut c = b.consume(WorkQueue::Tasks, 2).await.unwrap();
    let d1 = next(&mut c).await;
    let d2 = next(&mut c).await;
    assert_eq!((text(&d1).as_str(), text(&d2).as_str()), ("1", "2"));
    assert!(
        tokio::time::timeout(Duration::from_millis(500), c.next())
            .await
            .is_err(),
        "a third delivery must wait for an ack with prefetch 2"
    );
    d1.ack().await.unwrap();
    let d3 = next(&mut c).await;
    assert_eq!(text(&d3), "3");
    d2.ack().await.unwrap();
    d3.ack().await.unwrap();
}

pub async fn articles_fan_out(b: &dyn Broker, named: &str) {
    let mut s1 = b.subscribe_articles(None, "site1.*", 10).await.unwrap();
    let mut s2 = b.subscribe_articles(Some(named), "#", 10).await.unwrap();
    b.publish_article("site1.news", b"A").await.unwrap();
    b.publish_article("site2.sport", b"B").await.unwrap();
    b.publish_article("site1.news.extra", b"C").await.unwrap();
    let d = next(&mut s1).await;
    assert_eq!(text(&d), "A");
    d.ack().await.unwrap();
    assert!(
        nothing_within(&mut s1, 300).await,
        "site1.* matches one word only"
    );
    let mut got = Vec::new();
    for _ in 0..3 {
        let d = next(&mut s2).await;
        got.push(text(&d));
        d.ack().await.unwrap();
    }
    assert_eq!(got, ["A", "B", "C"]);
    assert!(nothing_within(&mut s2, 300).await);
}

pub async fn named_subscription_keeps_messages(b: &dyn Broker, named: &str) {
    let s = b
        .subscribe_articles(Some(named), "site.#", 10)
        .await
        .unwrap();
    drop(s);
    // No consumer attached now: a durable subscription still collects.
    b.publish_article("site.news", b"kept").await.unwrap();
    let mut s = b
        .subscribe_articles(Some(named), "site.#", 10)
        .await
        .unwrap();
    let d = next(&mut s).await;
    assert_eq!(text(&d), "kept");
    d.ack().await.unwrap();
}

pub async fn dead_letter_peek_requeue(b: &dyn Broker) {
    b.dead_letter(WorkQueue::Tasks, b"{\"task\":1}", "extraction failed: boom")
        .await
        .unwrap();
    let dl = b.peek_dead_letters(10).await.unwrap();
    assert_eq!(dl.len(), 1, "{dl:?}");
    assert_eq!(dl[0].source, "tasks");
    assert_eq!(dl[0].reason, "extraction failed: boom");
    assert_eq!(dl[0].payload, "{\"task\":1}");
    // Peeking leaves it in place.
    assert_eq!(b.peek_dead_letters(10).await.unwrap().len(), 1);
    // (Counts lag a peek's hand-back slightly on RabbitMQ.)
    eventually_dead_count(b, 1).await;
    assert_eq!(b.requeue_dead_letters(10).await.unwrap(), 1);
    assert!(b.peek_dead_letters(10).await.unwrap().is_empty());
    eventually_dead_count(b, 0).await;
    let mut c = b.consume(WorkQueue::Tasks, 1).await.unwrap();
    let d = next(&mut c).await;
    assert_eq!(text(&d), "{\"task\":1}");
    assert!(!d.redelivered, "a requeued dead letter is a fresh message");
    d.ack().await.unwrap();
}

pub async fn depth_counts_ready_messages(b: &dyn Broker) {
    eventually_depth(b, WorkQueue::Seeds, 0).await;
    for _ in 0..4 {
        b.publish(WorkQueue::Seeds, b"s").await.unwrap();
    }
    eventually_depth(b, WorkQueue::Seeds, 4).await;
    assert_eq!(b.depth(WorkQueue::Tasks).await.unwrap(), 0);
    let mut c = b.consume(WorkQueue::Seeds, 1).await.unwrap();
    let d = next(&mut c).await;
    // Unacked is not ready.
    eventually_depth(b, WorkQueue::Seeds, 3).await;
    d.ack().await.unwrap();
    // (RabbitMQ pushes the next message into the freed prefetch slot at once:
    // it is unacked, not ready, until the consumer goes away.)
    drop(c);
    eventually_depth(b, WorkQueue::Seeds, 3).await;
}

/// A message that every consumer gives back ends in the dead letters after
/// `limit + 1` deliveries, with the reason `delivery_limit`.
pub async fn poison_message_is_dead_lettered(b: &dyn Broker, limit: u32) {
    b.publish(WorkQueue::Tasks, b"poison").await.unwrap();
    b.publish(WorkQueue::Tasks, b"fine").await.unwrap();
    let mut c = b.consume(WorkQueue::Tasks, 1).await.unwrap();
    let mut poison_deliveries = 0;
    let mut fine = 0;
    loop {
        let d = match tokio::time::timeout(Duration::from_secs(2), c.next()).await {
            Ok(Some(d)) => d,
            _ => break,
        };
        if d.payload == b"poison" {
            poison_deliveries += 1;
            assert!(poison_deliveries <= limit + 1, "delivered past the limit");
            // Alternate between an explicit requeue and a dropped delivery
            // (a consumer that died).
            if poison_deliveries % 2 == 0 {
                drop(d);
            } else {
                d.requeue().await.unwrap();
            }
        } else {
            fine += 1;
            d.ack().await.unwrap();
        }
    }
    assert_eq!(fine, 1, "the healthy message is processed once");
    assert_eq!(poison_deliveries, limit + 1);
    let deadline = tokio::time::Instant::now() + WAIT;
    let dl = loop {
        let dl = b.peek_dead_letters(10).await.unwrap();
        if !dl.is_empty() || tokio::time::Instant::now() > deadline {
            break dl;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(dl.len(), 1, "{dl:?}");
    assert_eq!(dl[0].payload, "poison");
    assert_eq!(dl[0].source, "tasks");
    assert_eq!(dl[0].reason, "delivery_limit");
    eventually_depth(b, WorkQueue::Tasks, 0).await;
}

/// Many concurrent publishers, one consumer: every message arrives exactly
/// once when nothing fails.
pub async fn concurrent_publishes_all_arrive(b: &dyn Broker, n: usize) {
    let mut tasks = futures::stream::FuturesUnordered::new();
    for i in 0..n {
        tasks.push(async move {
            b.publish(WorkQueue::Reports, i.to_string().as_bytes())
                .await
        });
    }
    use futures::StreamExt;
    while let Some(r) = tasks.next().await {
        r.expect("confirmed publish");
    }
    let mut c = b.consume(WorkQueue::Reports, 50).await.unwrap();
    let mut seen = vec![false; n];
    for _ in 0..n {
        let d = next(&mut c).await;
        let i: usize = text(&d).parse().expect("number");
        assert!(!seen[i], "duplicate {i}");
        seen[i] = true;
        d.ack().await.unwrap();
    }
    assert!(nothing_within(&mut c, 300).await);
}

/// A poison article in a named subscription is dead-lettered with source
/// `articles.<name>` and can be requeued back into that subscription.
/// Needs a delivery limit of 1.
pub async fn poison_article_round_trip(b: &dyn Broker, name: &str) {
    let mut sub = b.subscribe_articles(Some(name), "#", 1).await.unwrap();
    b.publish_article("site.news", b"bad").await.unwrap();
    for _ in 0..2 {
        let d = next(&mut sub).await;
        assert_eq!(text(&d), "bad");
        d.requeue().await.unwrap();
    }
    eventually_dead_count(b, 1).await;
    let dl = b.peek_dead_letters(10).await.unwrap();
    assert_eq!(dl.len(), 1, "{dl:?}");
    assert_eq!(dl[0].source, format!("articles.{name}"));
    assert_eq!(dl[0].reason, "delivery_limit");
    assert!(nothing_within(&mut sub, 300).await);
    assert_eq!(b.requeue_dead_letters(10).await.unwrap(), 1);
    let d = next(&mut sub).await;
    assert_eq!(text(&d), "bad");
    d.ack().await.unwrap();
    eventually_dead_count(b, 0).await;
}

/// A consumer of a named articles subscription refuses a message: dead-lettered
/// with its reason and source `articles.<name>`, and requeued back into it.
pub async fn article_dead_letter_round_trip(b: &dyn Broker, name: &str) {
    let mut sub = b.subscribe_articles(Some(name), "#", 4).await.unwrap();
    b.publish_article("site.news", b"{not json").await.unwrap();
    let d = next(&mut sub).await;
    b.dead_letter_article(name, &d.payload, "invalid_json: expected value")
        .await
        .unwrap();
    d.ack().await.unwrap();
    eventually_dead_count(b, 1).await;
    let dl = b.peek_dead_letters(10).await.unwrap();
    assert_eq!(dl.len(), 1, "{dl:?}");
    assert_eq!(dl[0].source, format!("articles.{name}"));
    assert_eq!(dl[0].reason, "invalid_json: expected value");
    assert_eq!(dl[0].payload, "{not json");
    assert!(nothing_within(&mut sub, 300).await);
    assert_eq!(b.requeue_dead_letters(10).await.unwrap(), 1);
    let d = next(&mut sub).await;
    assert_eq!(text(&d), "{not json");
    d.ack().await.unwrap();
    eventually_dead_count(b, 0).await;
    assert!(matches!(
        b.dead_letter_article("bad name", b"x", "r").await,
        Err(QueueError::Config(_))
    ));
}

/// Broker logs (`RUST_LOG=trawl_queue=debug`), captured per test.
pub fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "trawl_queue=info".into()),
        )
        .with_test_writer()
        .try_init();
}

/// Run `f` on a connected broker within `limit`, then delete its topology (within
/// `cleanup_limit`) whatever happened; a panic in `f` is re-raised after the cleanup.
pub async fn guarded<F, Fut>(
    name: &str,
    b: AmqpBroker,
    limit: Duration,
    cleanup_limit: Duration,
    f: F,
) where
    F: FnOnce(AmqpBroker) -> Fut,
    Fut: Future<Output = ()>,
{
    let result = tokio::time::timeout(limit, AssertUnwindSafe(f(b.clone())).catch_unwind()).await;
    b.close();
    let cleanup = tokio::time::timeout(cleanup_limit, b.delete_topology()).await;
    b.shutdown().await;
    match result {
        Err(_) => panic!("test {name} timed out"),
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Ok(Ok(())) => {}
    }
    cleanup.expect("cleanup in time").expect("topology deleted");
}

/// Close our connection from the broker side (as a broker restart does), by its connection
/// name, with rabbitmqctl; `false` when rabbitmqctl is not usable here.
pub fn close_connection_with_rabbitmqctl(connection_name: &str) -> bool {
    // Tab-separated: `<rabbit@host.N.N.N>\t[{"connection_name",...}]`; the pid in this form is
    // what close_connection accepts.
    let out = match std::process::Command::new("rabbitmqctl")
        .args(["list_connections", "pid", "client_properties", "-q"])
        .output()
    {
        Ok(o) if o.status.success() => o,
        _ => return false,
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut closed = false;
    for line in text.lines().filter(|l| l.contains(connection_name)) {
        let Some(pid) = line.split('\t').next() else {
            continue;
        };
        let status = std::process::Command::new("rabbitmqctl")
            .args(["close_connection", pid.trim(), "trawl test"])
            .status();
        closed |= status.map(|s| s.success()).unwrap_or(false);
    }
    closed
}
