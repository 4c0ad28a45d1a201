//! RabbitMQ implementation of [`Broker`] on lapin 2.5.
//!
//! Topology (declared idempotently at connect and after every reconnect):
//!
//! ```text
//!  frontier ──publish──▶ (default exchange) ──▶ <p>.tasks   ──▶ workers
//!  workers  ──publish──▶ (default exchange) ──▶ <p>.reports ──▶ frontier
//!  trawl seed ─publish─▶ (default exchange) ──▶ <p>.seeds   ──▶ frontier
//!  workers  ──publish──▶ <p>.articles (topic) ──<binding key>──▶ <p>.articles.<name> | amq.gen-*
//!  dead_letter() / x-delivery-limit ──▶ <p>.dead (fanout) ──▶ <p>.dead
//! ```
//!
//! - work queues: durable quorum queues with `x-dead-letter-exchange: <p>.dead`
//!   and `x-delivery-limit` ([`AmqpOptions::delivery_limit`]), so a message
//!   that keeps killing consumers is dead-lettered by the broker;
//! - every publish is persistent (`delivery_mode` 2), `application/json`,
//!   carries a `schema_version` header when the payload starts with one, and
//!   waits for the publisher confirm (a nack, a return or a timeout is an
//!   error); publishes that fail before their confirm are retried on a new
//!   connection for up to [`AmqpOptions::publish_retry_timeout`], so a
//!   message may be delivered twice (consumers dedupe by id);
//! - consumers use `basic.qos(prefetch)` and manual acks; a [`Delivery`]
//!   dropped without ack is nacked back to the queue; when the channel or the
//!   connection is lost, the consumer resubscribes by itself (with backoff) and
//!   the unacked deliveries of the lost channel fail to ack (the broker
//!   redelivers them);
//! - reconnects use exponential backoff with jitter, capped at
//!   [`AmqpOptions::max_backoff`]; credentials never appear in logs or errors.
//!
//! Layout, one module per stage:
//! - `options`: [`AmqpOptions`];
//! - `topology`: [`Topology`] names, declaring and deleting them;
//! - `connection`: the shared connection, connect/reconnect with backoff, error mapping;
//! - `publish`: confirmed publishes with retries;
//! - `consume`: consumers, acks, resubscription;
//! - `dead`: dead letters (publish, peek, requeue);
//! - `metrics`: what the broker records about itself (`trawl_amqp_publish_total`,
//!   `trawl_amqp_call_duration_seconds`, `trawl_amqp_connection_events_total`);
//! - this file: [`AmqpBroker`] and its [`Broker`] implementation.

use std::sync::Arc;

use async_trait::async_trait;
use lapin::types::FieldTable;

use crate::memory::{validate_binding_key, validate_queue_name};
use crate::{Broker, Consumer, DeadLetter, QueueError, WorkQueue};

mod connection;
mod consume;
mod dead;
mod metrics;
mod options;
mod publish;
mod topology;

pub use connection::{backoff_delay, AmqpStats};
pub use options::AmqpOptions;
pub use topology::Topology;
pub use trawl_core::redact_url;

use connection::{lock, Shared};
use consume::Target;
use publish::OnUnroutable;
use trawl_metrics::PublishKind;

/// Header with the reason of a dead letter published by [`Broker::dead_letter`].
pub const REASON_HEADER: &str = "x-trawl-reason";
/// Header with the source queue (`tasks`, `reports`, `seeds`, `articles.<name>`) of a dead letter.
pub const SOURCE_HEADER: &str = "x-trawl-source";
/// Header with the payload's `schema_version`, when it has one.
pub const SCHEMA_VERSION_HEADER: &str = "schema_version";

/// The RabbitMQ [`Broker`]. Cheap to clone (shared connection).
#[derive(Clone)]
pub struct AmqpBroker {
    shared: Arc<Shared>,
}

#[async_trait]
impl Broker for AmqpBroker {
    async fn publish(&self, queue: WorkQueue, payload: &[u8]) -> Result<(), QueueError> {
        let name = self.shared.topology.work(queue).to_string();
        self.shared
            .publish(
                metrics::work_kind(queue),
                "",
                &name,
                payload,
                FieldTable::default(),
                true,
                OnUnroutable::Redeclare,
            )
            .await
    }

    async fn publish_article(&self, routing_key: &str, payload: &[u8]) -> Result<(), QueueError> {
        if routing_key.len() > 255 {
            return Err(QueueError::Config(format!(
                "routing key longer than 255 bytes ({} bytes)",
                routing_key.len()
            )));
        }
        let exchange = self.shared.topology.articles_exchange.clone();
        // Not mandatory: an article nobody subscribed to is dropped, as designed.
        self.shared
            .publish(
                PublishKind::Article,
                &exchange,
                routing_key,
                payload,
                FieldTable::default(),
                false,
                OnUnroutable::Redeclare,
            )
            .await
    }

    async fn dead_letter(
        &self,
        source: WorkQueue,
        payload: &[u8],
        reason: &str,
    ) -> Result<(), QueueError> {
        let key = self.shared.topology.work(source).to_string();
        self.publish_dead(source.as_str(), &key, payload, reason)
            .await
    }

    async fn dead_letter_article(
        &self,
        subscription: &str,
        payload: &[u8],
        reason: &str,
    ) -> Result<(), QueueError> {
        validate_queue_name(subscription)?;
        let key = self.shared.topology.article_queue(subscription);
        self.publish_dead(&format!("articles.{subscription}"), &key, payload, reason)
            .await
    }

    async fn consume(
        &self,
        queue: WorkQueue,
        prefetch: u16,
    ) -> Result<Box<dyn Consumer>, QueueError> {
        let name = self.shared.topology.work(queue).to_string();
        self.consumer(Target::Work(name), prefetch).await
    }

    async fn subscribe_articles(
        &self,
        queue_name: Option<&str>,
        binding_key: &str,
        prefetch: u16,
    ) -> Result<Box<dyn Consumer>, QueueError> {
        validate_binding_key(binding_key)?;
        let queue = match queue_name {
            Some(name) => {
                validate_queue_name(name)?;
                let full = self.shared.topology.article_queue(name);
                lock(&self.shared.subscriptions).insert(full.clone());
                Some(full)
            }
            None => None,
        };
        self.consumer(
            Target::Articles {
                queue,
                binding_key: binding_key.to_string(),
            },
            prefetch,
        )
        .await
    }

    async fn depth(&self, queue: WorkQueue) -> Result<u64, QueueError> {
        let name = self.shared.topology.work(queue).to_string();
        self.queue_depth(&name).await
    }

    async fn dead_letter_count(&self) -> Result<u64, QueueError> {
        let name = self.shared.topology.dead_queue.clone();
        self.queue_depth(&name).await
    }

    async fn peek_dead_letters(&self, max: usize) -> Result<Vec<DeadLetter>, QueueError> {
        self.peek_dead(max).await
    }

    async fn requeue_dead_letters(&self, max: usize) -> Result<usize, QueueError> {
        self.requeue_dead(max).await
    }

    async fn is_connected(&self) -> bool {
        self.shared.live().is_some()
    }
}
