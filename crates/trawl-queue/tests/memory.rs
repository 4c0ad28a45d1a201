//! The shared behavioural suite against the in-process broker.

mod common;

use std::time::Duration;

use trawl_queue::memory::{MemoryBroker, MemoryOptions};
use trawl_queue::Broker;

async fn bounded<F: std::future::Future<Output = ()>>(f: F) {
    tokio::time::timeout(Duration::from_secs(60), f)
        .await
        .expect("test finished in time");
}

#[tokio::test]
async fn publish_consume_ack() {
    bounded(common::publish_consume_ack(&MemoryBroker::new())).await;
}

#[tokio::test]
async fn dropped_delivery_is_redelivered() {
    bounded(common::dropped_delivery_is_redelivered(&MemoryBroker::new())).await;
}

#[tokio::test]
async fn dropped_delivery_returns_to_a_live_consumer() {
    bounded(common::dropped_delivery_returns_to_a_live_consumer(
        &MemoryBroker::new(),
    ))
    .await;
}

#[tokio::test]
async fn requeue_puts_back() {
    bounded(common::requeue_puts_back(&MemoryBroker::new())).await;
}

#[tokio::test]
async fn prefetch_bounds_unacked() {
    bounded(common::prefetch_bounds_unacked(&MemoryBroker::new())).await;
}

#[tokio::test]
async fn articles_fan_out() {
    bounded(common::articles_fan_out(&MemoryBroker::new(), "downstream")).await;
}

#[tokio::test]
async fn named_subscription_keeps_messages() {
    bounded(common::named_subscription_keeps_messages(
        &MemoryBroker::new(),
        "keeper",
    ))
    .await;
}

#[tokio::test]
async fn dead_letter_peek_requeue() {
    bounded(common::dead_letter_peek_requeue(&MemoryBroker::new())).await;
}

#[tokio::test]
async fn depth_counts_ready_messages() {
    bounded(common::depth_counts_ready_messages(&MemoryBroker::new())).await;
}

#[tokio::test]
async fn poison_message_is_dead_lettered() {
    let b = MemoryBroker::with_options(MemoryOptions {
        delivery_limit: Some(3),
        ..MemoryOptions::default()
    });
    bounded(common::poison_message_is_dead_lettered(&b, 3)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_publishes_all_arrive() {
    bounded(common::concurrent_publishes_all_arrive(
        &MemoryBroker::new(),
        2000,
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn article_publish_waits_for_a_full_subscriber() {
    bounded(async {
        let b = MemoryBroker::with_options(MemoryOptions {
            article_buffer: 2,
            ..MemoryOptions::default()
        });
        let mut sub = b.subscribe_articles(None, "#", 1).await.unwrap();
        b.publish_article("a.b", b"1").await.unwrap();
        b.publish_article("a.b", b"2").await.unwrap();
        let b2 = b.clone();
        let blocked = tokio::spawn(async move { b2.publish_article("a.b", b"3").await });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            !blocked.is_finished(),
            "publish waits while the buffer is full"
        );
        let d = common::next(&mut sub).await;
        assert_eq!(d.payload, b"1");
        d.ack().await.unwrap();
        tokio::time::timeout(Duration::from_secs(5), blocked)
            .await
            .expect("publish resumed once room was made")
            .unwrap()
            .unwrap();
        for want in [b"2", b"3"] {
            let d = common::next(&mut sub).await;
            assert_eq!(&d.payload, want);
            d.ack().await.unwrap();
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consumers_share_a_queue_and_a_panicking_worker_loses_nothing() {
    bounded(async {
        let b = MemoryBroker::new();
        let n = 200usize;
        for i in 0..n {
            b.publish(trawl_queue::WorkQueue::Tasks, i.to_string().as_bytes())
                .await
                .unwrap();
        }
        let done = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        for w in 0..3 {
            let b = b.clone();
            let done = done.clone();
            handles.push(tokio::spawn(async move {
                let mut c = b.consume(trawl_queue::WorkQueue::Tasks, 4).await.unwrap();
                let mut handled = 0;
                while let Some(d) = c.next().await {
                    handled += 1;
                    if w == 0 && handled == 5 {
                        // Worker 0 panics holding a delivery.
                        panic!("worker died");
                    }
                    let i: usize = String::from_utf8_lossy(&d.payload).parse().unwrap();
                    done.lock().unwrap().push(i);
                    d.ack().await.unwrap();
                }
            }));
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while done.lock().unwrap().len() < n {
            assert!(tokio::time::Instant::now() < deadline, "messages were lost");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        b.close();
        let mut panicked = 0;
        for h in handles {
            if h.await.is_err() {
                panicked += 1;
            }
        }
        assert_eq!(panicked, 1);
        let mut got = done.lock().unwrap().clone();
        got.sort();
        assert_eq!(
            got,
            (0..n).collect::<Vec<_>>(),
            "each message done exactly once"
        );
        assert_eq!(b.unacked(trawl_queue::WorkQueue::Tasks), 0);
    })
    .await;
}

#[tokio::test]
async fn poison_article_round_trip() {
    let b = MemoryBroker::with_options(MemoryOptions {
        delivery_limit: Some(1),
        ..MemoryOptions::default()
    });
    bounded(common::poison_article_round_trip(&b, "sink")).await;
}

#[tokio::test]
async fn article_dead_letter_round_trip() {
    let b = MemoryBroker::new();
    bounded(common::article_dead_letter_round_trip(&b, "sink")).await;
}
