//! Serve the global Trawl metrics on an address (default 127.0.0.1:9090) after recording one sample of each
//! kind, so `promtool check metrics` and the dashboards have populated series to look at.
//!
//! `cargo run -p trawl-metrics --example serve -- 127.0.0.1:19090`

use std::net::SocketAddr;
use std::time::Duration;

use trawl_core::FetchOutcome;
use trawl_metrics::{
    global, AmqpConnectionEvent, ExtractResult, Health, PublishKind, PublishResult, QueueKind,
    RobotsDecision,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9090".to_owned())
        .parse()?;
    let m = global();
    m.fetch(
        FetchOutcome::Ok,
        Some(200),
        Duration::from_millis(180),
        42_000,
    );
    m.robots(RobotsDecision::Allowed);
    m.politeness_wait(Duration::from_millis(900));
    m.extract(ExtractResult::Article, Duration::from_millis(4));
    m.amqp_publish(PublishKind::Article, PublishResult::Confirmed);
    m.article_published();
    m.links(20, 8, 10);
    m.link_filtered("out_of_scope");
    m.set_queue_messages(QueueKind::Tasks, 5);
    m.redis_call("dedup", Duration::from_micros(300));
    m.amqp_call("publish", Duration::from_micros(900));
    m.amqp_connection_event(AmqpConnectionEvent::Reconnect);

    let health = Health::new();
    let (bound, server) = trawl_metrics::serve(addr, health).await?;
    println!("listening on http://{bound}/metrics");
    server.await?;
    Ok(())
}
