//! Message transport between frontier, workers and consumers, with two
//! implementations of one trait, [`Broker`]:
//! - [`memory::MemoryBroker`]: in-process queues for the embedded `trawl crawl`;
//! - [`amqp::AmqpBroker`]: RabbitMQ via lapin, for the distributed deployment.
//!
//! Topology (names from a prefix, default `trawl`):
//! - work queues ([`WorkQueue`]): `<prefix>.tasks` (frontier → workers, `FetchTask`),
//!   `<prefix>.reports` (workers → frontier, `FetchReport`), `<prefix>.seeds`
//!   (`trawl seed` → frontier, `SeedRequest`): durable quorum queues, persistent messages;
//! - `<prefix>.articles`: a topic exchange for `Article` messages (routing key
//!   `<site>.<section>`), any number of consumer queues bound to it;
//! - `<prefix>.dead`: dead-letter exchange + queue; each dead letter carries the reason
//!   and its source queue in headers.
//!
//! Delivery is at least once: every publish waits for the broker's confirm, a
//! consumer acks a [`Delivery`] only after its own outputs were confirmed, and an
//! unacked delivery (consumer died, channel lost) is redelivered.

use async_trait::async_trait;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use thiserror::Error;

pub mod amqp;
pub mod memory;

/// Transport failures. `Unavailable` and `Timeout` are transient (the broker
/// implementation reconnects; callers retry); `Rejected` and `Codec` are not.
#[derive(Debug, Error)]
pub enum QueueError {
    #[error("broker unavailable: {0}")]
    Unavailable(String),
    #[error("broker did not confirm in time")]
    Timeout,
    #[error("broker rejected the message: {0}")]
    Rejected(String),
    #[error("message could not be encoded/decoded: {0}")]
    Codec(String),
    /// Bad configuration (an invalid AMQP URL, queue name or binding key):
    /// permanent. Added by the queue implementation.
    #[error("invalid broker configuration: {0}")]
    Config(String),
}

impl QueueError {
    pub fn is_transient(&self) -> bool {
        matches!(self, QueueError::Unavailable(_) | QueueError::Timeout)
    }
}

/// The work queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkQueue {
    Tasks,
    Reports,
    Seeds,
}

impl WorkQueue {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkQueue::Tasks => "tasks",
            WorkQueue::Reports => "reports",
            WorkQueue::Seeds => "seeds",
        }
    }

    /// Inverse of [`WorkQueue::as_str`].
    pub fn from_name(name: &str) -> Option<WorkQueue> {
        match name {
            "tasks" => Some(WorkQueue::Tasks),
            "reports" => Some(WorkQueue::Reports),
            "seeds" => Some(WorkQueue::Seeds),
            _ => None,
        }
    }

    pub const ALL: [WorkQueue; 3] = [WorkQueue::Tasks, WorkQueue::Reports, WorkQueue::Seeds];
}

/// Version of [`SeedRequest`] (see `docs/messaging.md` for the versioning rule).
pub const SEED_SCHEMA_VERSION: u32 = 1;

/// `trawl seed` → frontier: URLs to add as seeds (pages, sitemaps or feeds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedRequest {
    pub schema_version: u32,
    pub urls: Vec<String>,
}

impl SeedRequest {
    /// A request at the current [`SEED_SCHEMA_VERSION`].
    pub fn new(urls: Vec<String>) -> Self {
        SeedRequest {
            schema_version: SEED_SCHEMA_VERSION,
            urls,
        }
    }
}

/// A message taken from the dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// The queue it died on (`tasks`, `reports`, `seeds`).
    pub source: String,
    pub reason: String,
    /// The original payload (JSON text).
    pub payload: String,
}

/// Acknowledgement back-end of a delivery (one per implementation).
#[async_trait]
pub trait Acker: Send + Sync {
    async fn ack(&self) -> Result<(), QueueError>;
    /// Put back on its queue for another consumer.
    async fn requeue(&self) -> Result<(), QueueError>;
}

/// One received message. Dropped without ack or requeue (its task died), it is
/// handed back to its queue at once and redelivered with `redelivered = true`
/// (both implementations; on RabbitMQ a `basic.nack(requeue)` is sent from a
/// spawned task, and a lost channel returns it anyway).
pub struct Delivery {
    pub payload: Vec<u8>,
    /// True when the broker delivered it before (to this or another consumer).
    pub redelivered: bool,
    acker: Box<dyn Acker>,
}

impl Delivery {
    pub fn new(payload: Vec<u8>, redelivered: bool, acker: Box<dyn Acker>) -> Self {
        Delivery {
            payload,
            redelivered,
            acker,
        }
    }
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, QueueError> {
        serde_json::from_slice(&self.payload).map_err(|e| QueueError::Codec(e.to_string()))
    }
    pub async fn ack(self) -> Result<(), QueueError> {
        self.acker.ack().await
    }
    pub async fn requeue(self) -> Result<(), QueueError> {
        self.acker.requeue().await
    }
}

/// A stream of deliveries with bounded prefetch. `None` = the consumer was closed
/// for good (shutdown); implementations resubscribe by themselves after a broker
/// outage.
#[async_trait]
pub trait Consumer: Send {
    async fn next(&mut self) -> Option<Delivery>;
}

/// The transport.
#[async_trait]
pub trait Broker: Send + Sync + 'static {
    /// Publish a JSON payload to a work queue; returns once the broker confirmed it.
    async fn publish(&self, queue: WorkQueue, payload: &[u8]) -> Result<(), QueueError>;
    /// Publish an Article JSON payload to the articles exchange; confirmed.
    async fn publish_article(&self, routing_key: &str, payload: &[u8]) -> Result<(), QueueError>;
    /// Publish to the dead-letter queue with the reason; confirmed.
    async fn dead_letter(
        &self,
        source: WorkQueue,
        payload: &[u8],
        reason: &str,
    ) -> Result<(), QueueError>;
    /// Dead-letter a message taken from the named articles subscription
    /// `subscription` (see [`Broker::subscribe_articles`]) with the reason; confirmed.
    /// Its source is `articles.<subscription>`, so `requeue_dead_letters` puts it
    /// back into that subscription's queue. For consumers of the article stream
    /// (e.g. the PostgreSQL sink) that refuse a malformed message: settle the
    /// delivery (ack) once this returns.
    async fn dead_letter_article(
        &self,
        subscription: &str,
        payload: &[u8],
        reason: &str,
    ) -> Result<(), QueueError>;
    /// Consume a work queue with at most `prefetch` unacked deliveries.
    async fn consume(
        &self,
        queue: WorkQueue,
        prefetch: u16,
    ) -> Result<Box<dyn Consumer>, QueueError>;
    /// Subscribe to the articles exchange. `queue_name`: a named durable queue
    /// (survives the consumer, e.g. a downstream service) or `None` for an
    /// exclusive auto-delete queue. `binding_key`: topic pattern, e.g. `#`.
    async fn subscribe_articles(
        &self,
        queue_name: Option<&str>,
        binding_key: &str,
        prefetch: u16,
    ) -> Result<Box<dyn Consumer>, QueueError>;
    /// Messages ready in a work queue (for `trawl status`, gauges and autoscaling).
    async fn depth(&self, queue: WorkQueue) -> Result<u64, QueueError>;
    /// How many dead letters are waiting (cheap: no message is read). The
    /// default implementation counts a peek; both brokers override it.
    /// Added by the queue implementation for `trawl status`.
    async fn dead_letter_count(&self) -> Result<u64, QueueError> {
        Ok(self.peek_dead_letters(100_000).await?.len() as u64)
    }
    /// Up to `max` dead letters, left in place (listing only).
    async fn peek_dead_letters(&self, max: usize) -> Result<Vec<DeadLetter>, QueueError>;
    /// Move up to `max` dead letters back to their source queues; returns how many.
    async fn requeue_dead_letters(&self, max: usize) -> Result<usize, QueueError>;
    /// Whether the broker connection is up (for `/readyz`).
    async fn is_connected(&self) -> bool;
}

/// Serialize and publish to a work queue.
pub async fn publish_json<T: Serialize + Sync>(
    broker: &dyn Broker,
    queue: WorkQueue,
    msg: &T,
) -> Result<(), QueueError> {
    let payload = serde_json::to_vec(msg).map_err(|e| QueueError::Codec(e.to_string()))?;
    broker.publish(queue, &payload).await
}
