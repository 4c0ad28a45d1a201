//! [`AmqpOptions`]: the tunables of the RabbitMQ broker.

use std::time::Duration;

/// Tunables of [`AmqpBroker`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmqpOptions {
    /// `x-delivery-limit` of the quorum queues: a message returned to its queue
    /// (nacked, or its consumer died) more often than this is dead-lettered by
    /// the broker with reason `delivery_limit`. Default 5. Changing it on an
    /// existing deployment fails the declare (406 PRECONDITION_FAILED): the
    /// queues must be re-created (or a policy used).
    pub delivery_limit: u32,
    /// How long [`AmqpBroker::connect`] keeps retrying an unreachable broker;
    /// `None` = forever (the default for services: no crash loop).
    pub connect_timeout: Option<Duration>,
    /// Bound on one broker operation (TCP+AMQP handshake, a declare, a publisher
    /// confirm). Default 30 s.
    pub operation_timeout: Duration,
    /// How long one `publish` keeps retrying across reconnects before it
    /// returns the (transient) error. Default 120 s.
    pub publish_retry_timeout: Duration,
    /// First reconnect delay; doubled per failure, with jitter. Default 250 ms.
    pub initial_backoff: Duration,
    /// Reconnect delay cap. Default 30 s.
    pub max_backoff: Duration,
    /// Confirm-mode channels publishes are spread over (each pipelines its
    /// confirms). Default 4.
    pub publish_channels: usize,
    /// AMQP heartbeat asked for when the URL does not set one. Default 10 s.
    pub heartbeat_seconds: u16,
    /// Connection name shown by `rabbitmqctl list_connections` (a unique suffix
    /// is added). Default `trawl`.
    pub connection_name: String,
}

impl Default for AmqpOptions {
    fn default() -> Self {
        AmqpOptions {
            delivery_limit: 5,
            connect_timeout: None,
            operation_timeout: Duration::from_secs(30),
            publish_retry_timeout: Duration::from_secs(120),
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            publish_channels: 4,
            heartbeat_seconds: 10,
            connection_name: "trawl".to_string(),
        }
    }
}
