//! Throughput of the RabbitMQ broker: confirmed publishes/s (one at a time and
//! with many in flight) and consume+ack/s, on a unique prefix that is deleted
//! afterwards; the in-memory broker alongside for reference.
//!
//! ```text
//! cargo run --release -p trawl-queue --example amqp_bench -- [N] [IN_FLIGHT] [PUBLISH_CHANNELS]
//! ```
//! Defaults: N = 20000 messages of ~250 bytes (a FetchTask-sized JSON),
//! IN_FLIGHT = 256, PUBLISH_CHANNELS = 4. The URL comes from `TRAWL_AMQP_URL`
//! (default `amqp://guest:guest@127.0.0.1:5672/%2f`).

use std::time::{Duration, Instant};

use futures::StreamExt;
use trawl_queue::amqp::{AmqpBroker, AmqpOptions};
use trawl_queue::memory::MemoryBroker;
use trawl_queue::{Broker, WorkQueue};

fn payload(i: usize) -> Vec<u8> {
    format!(
        r#"{{"schema_version":1,"task_id":"t-{i:08}","url":"https://news{h}.example.com/2026/01/01/article-{i}.html","host":"https://news{h}.example.com:443","kind":"article","depth":2,"attempt":0,"enqueued_at":"2026-01-01T00:00:00+00:00"}}"#,
        h = i % 100
    )
    .into_bytes()
}

async fn publish_many(b: &dyn Broker, n: usize, in_flight: usize) -> f64 {
    let start = Instant::now();
    let mut stream = futures::stream::iter(0..n)
        .map(|i| async move { b.publish(WorkQueue::Tasks, &payload(i)).await })
        .buffer_unordered(in_flight);
    while let Some(r) = stream.next().await {
        r.expect("confirmed publish");
    }
    n as f64 / start.elapsed().as_secs_f64()
}

async fn consume_all(b: &dyn Broker, n: usize, prefetch: u16) -> f64 {
    let start = Instant::now();
    let mut c = b
        .consume(WorkQueue::Tasks, prefetch)
        .await
        .expect("consume");
    let (mut in_next, mut in_ack) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..n {
        let t = Instant::now();
        let d = tokio::time::timeout(Duration::from_secs(30), c.next())
            .await
            .expect("delivery in time")
            .expect("open");
        let t2 = Instant::now();
        in_next += t2 - t;
        d.ack().await.expect("ack");
        in_ack += t2.elapsed();
    }
    if std::env::var_os("BENCH_DEBUG").is_some() {
        println!("  (waiting in next: {in_next:?}, in ack: {in_ack:?})");
    }
    n as f64 / start.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg =
        |i: usize, default: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    let n = arg(1, 20_000);
    let in_flight = arg(2, 256);
    let channels = arg(3, 4);
    let url = std::env::var("TRAWL_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_string());
    let prefix = format!("trawlbench-{}", std::process::id());
    let options = AmqpOptions {
        publish_channels: channels,
        connect_timeout: Some(Duration::from_secs(10)),
        ..AmqpOptions::default()
    };
    let b = AmqpBroker::connect(&url, &prefix, options)
        .await
        .expect("RabbitMQ reachable");
    println!(
        "RabbitMQ {} prefix {prefix}: {n} messages of {} bytes, {in_flight} in flight, {channels} confirm channels",
        b.redacted_url(),
        payload(0).len()
    );

    let seq_n = (n / 10).max(1);
    let seq = publish_many(&b, seq_n, 1).await;
    println!("amqp  publish, 1 in flight:           {seq:>9.0} msg/s ({seq_n} msgs)");
    let _ = consume_all(&b, seq_n, 500).await;

    let par = publish_many(&b, n, in_flight).await;
    println!("amqp  publish, {in_flight:>3} in flight:         {par:>9.0} msg/s");
    for prefetch in [50u16, 500] {
        if prefetch == 500 {
            let _ = publish_many(&b, n, in_flight).await;
        }
        let cons = consume_all(&b, n, prefetch).await;
        println!("amqp  consume+ack, prefetch {prefetch:>3}:       {cons:>9.0} msg/s");
    }
    b.close();
    b.delete_topology().await.expect("cleanup");
    b.shutdown().await;

    let m = MemoryBroker::new();
    let mp = publish_many(&m, n, in_flight).await;
    let mc = consume_all(&m, n, 500).await;
    println!("memory publish:                       {mp:>9.0} msg/s");
    println!("memory consume+ack:                   {mc:>9.0} msg/s");
}
