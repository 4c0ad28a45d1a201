//! Names of the queues and exchanges for a prefix, their declaration (at connect, after a
//! reconnect, after a "not found") and their deletion.

use lapin::options::{
    ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, ExchangeKind};
use std::time::Duration;
use tokio::time::Instant;

use super::connection::{backoff_delay, lock, Shared};
use super::metrics::{Op, Timer};
use super::AmqpBroker;
use crate::{QueueError, WorkQueue};

/// Names of the topology for a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    pub tasks: String,
    pub reports: String,
    pub seeds: String,
    pub articles_exchange: String,
    pub dead_exchange: String,
    pub dead_queue: String,
    pub(super) prefix: String,
}

impl Topology {
    pub fn new(prefix: &str) -> Self {
        Topology {
            tasks: format!("{prefix}.tasks"),
            reports: format!("{prefix}.reports"),
            seeds: format!("{prefix}.seeds"),
            articles_exchange: format!("{prefix}.articles"),
            dead_exchange: format!("{prefix}.dead"),
            dead_queue: format!("{prefix}.dead"),
            prefix: prefix.to_string(),
        }
    }

    pub fn work(&self, q: WorkQueue) -> &str {
        match q {
            WorkQueue::Tasks => &self.tasks,
            WorkQueue::Reports => &self.reports,
            WorkQueue::Seeds => &self.seeds,
        }
    }

    /// Queue of a named articles subscription: `<prefix>.articles.<name>`.
    pub fn article_queue(&self, name: &str) -> String {
        format!("{}.articles.{name}", self.prefix)
    }

    /// The short source name of a queue (`tasks`, `articles.<name>`).
    pub(super) fn short<'a>(&self, queue: &'a str) -> &'a str {
        queue
            .strip_prefix(self.prefix.as_str())
            .and_then(|s| s.strip_prefix('.'))
            .unwrap_or(queue)
    }
}

pub(super) fn quorum_args(dead_exchange: &str, delivery_limit: u32) -> FieldTable {
    let mut args = FieldTable::default();
    args.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    args.insert(
        "x-dead-letter-exchange".into(),
        AMQPValue::LongString(dead_exchange.into()),
    );
    args.insert(
        "x-delivery-limit".into(),
        AMQPValue::LongLongInt(i64::from(delivery_limit)),
    );
    args
}

pub(super) fn durable() -> QueueDeclareOptions {
    QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    }
}

impl Shared {
    pub(super) async fn declare_topology(&self, ch: &Channel) -> Result<(), QueueError> {
        let _timer = Timer::start(Op::Declare);
        let t = &self.topology;
        let exchange_opts = ExchangeDeclareOptions {
            durable: true,
            ..ExchangeDeclareOptions::default()
        };
        self.bounded(
            "declaring the dead-letter exchange",
            ch.exchange_declare(
                &t.dead_exchange,
                ExchangeKind::Fanout,
                exchange_opts,
                FieldTable::default(),
            ),
        )
        .await?;
        let mut dead_args = FieldTable::default();
        dead_args.insert(
            "x-queue-type".into(),
            AMQPValue::LongString("quorum".into()),
        );
        self.bounded(
            "declaring the dead-letter queue",
            ch.queue_declare(&t.dead_queue, durable(), dead_args),
        )
        .await?;
        self.bounded(
            "binding the dead-letter queue",
            ch.queue_bind(
                &t.dead_queue,
                &t.dead_exchange,
                "",
                QueueBindOptions::default(),
                FieldTable::default(),
            ),
        )
        .await?;
        self.bounded(
            "declaring the articles exchange",
            ch.exchange_declare(
                &t.articles_exchange,
                ExchangeKind::Topic,
                exchange_opts,
                FieldTable::default(),
            ),
        )
        .await?;
        for q in WorkQueue::ALL {
            self.bounded(
                "declaring a work queue",
                ch.queue_declare(
                    t.work(q),
                    durable(),
                    quorum_args(&t.dead_exchange, self.options.delivery_limit),
                ),
            )
            .await?;
        }
        Ok(())
    }

    /// Re-declare the topology on the live connection (after a "not found").
    pub(super) async fn redeclare(&self) {
        let Ok(conn) = self.conn().await else { return };
        let Ok(ch) = self
            .bounded("opening a channel", conn.connection.create_channel())
            .await
        else {
            return;
        };
        match self.declare_topology(&ch).await {
            Ok(()) => tracing::warn!("topology was missing on the broker: re-declared"),
            Err(e) => tracing::warn!(error = %e, "re-declaring the topology failed"),
        }
        let _ = ch.close(200, "OK").await;
    }
}

impl AmqpBroker {
    /// Delete every queue and exchange of this prefix (work, dead, articles
    /// and the named subscriptions made through this broker). Destructive: for
    /// tests and for tearing down a crawl.
    ///
    /// Deleting is idempotent, so a connection lost half-way (lapin closes the
    /// connection on a protocol race, e.g. a `cancel-ok` for a consumer dropped
    /// while its queue is deleted) is retried on a new connection within
    /// `publish_retry_timeout`.
    pub async fn delete_topology(&self) -> Result<(), QueueError> {
        let start = Instant::now();
        let mut attempt = 0u32;
        loop {
            match self.delete_topology_once().await {
                Err(e)
                    if e.is_transient()
                        && start.elapsed() < self.shared.options.publish_retry_timeout =>
                {
                    tracing::info!(error = %e, "deleting the topology again on a new connection");
                    tokio::time::sleep(backoff_delay(
                        self.shared.options.initial_backoff,
                        Duration::from_secs(2),
                        attempt,
                    ))
                    .await;
                    attempt = attempt.saturating_add(1);
                }
                other => return other,
            }
        }
    }

    async fn delete_topology_once(&self) -> Result<(), QueueError> {
        let s = &self.shared;
        let conn = s.conn().await?;
        let ch = s
            .bounded("opening a channel", conn.connection.create_channel())
            .await?;
        let t = &s.topology;
        let mut queues: Vec<String> = WorkQueue::ALL
            .iter()
            .map(|q| t.work(*q).to_string())
            .collect();
        queues.push(t.dead_queue.clone());
        queues.extend(lock(&s.subscriptions).iter().cloned());
        for q in &queues {
            s.bounded(
                "deleting a queue",
                ch.queue_delete(q, QueueDeleteOptions::default()),
            )
            .await?;
        }
        for x in [&t.articles_exchange, &t.dead_exchange] {
            s.bounded(
                "deleting an exchange",
                ch.exchange_delete(x, ExchangeDeleteOptions::default()),
            )
            .await?;
        }
        let _ = ch.close(200, "OK").await;
        Ok(())
    }

    /// Ready messages of a queue (passive declare).
    pub(super) async fn queue_depth(&self, queue: &str) -> Result<u64, QueueError> {
        let _timer = Timer::start(Op::Inspect);
        let s = &self.shared;
        let conn = s.conn().await?;
        let ch = s
            .bounded("opening a channel", conn.connection.create_channel())
            .await?;
        let q = s
            .bounded(
                "reading the queue depth",
                ch.queue_declare(
                    queue,
                    QueueDeclareOptions {
                        passive: true,
                        ..QueueDeclareOptions::default()
                    },
                    FieldTable::default(),
                ),
            )
            .await?;
        let _ = ch.close(200, "OK").await;
        Ok(u64::from(q.message_count()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topology_names() {
        let t = Topology::new("trawl");
        assert_eq!(t.work(WorkQueue::Tasks), "trawl.tasks");
        assert_eq!(t.article_queue("tail"), "trawl.articles.tail");
        assert_eq!(t.short("trawl.tasks"), "tasks");
        assert_eq!(t.short("trawl.articles.tail"), "articles.tail");
        assert_eq!(t.short("other.tasks"), "other.tasks");
    }
}
